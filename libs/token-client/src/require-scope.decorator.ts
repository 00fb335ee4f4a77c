import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Scope } from '@zapgate/contracts';

export const REQUIRED_SCOPE = 'zapgate:required-scope';

/**
 * The scope a token needs for this route (or every route of a controller).
 * TokenAuthGuard refuses a route that declares none, so a new route cannot
 * forget to say what it needs.
 */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

/** Documents that a route takes a token: `Authorization: Bearer …` or `?zapikey=` (the OpenAPI security schemes). */
export const ApiTokenAuth = () => applyDecorators(ApiBearerAuth(), ApiSecurity('zapikey'));
