import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@zapgate/contracts';

export const REQUIRED_SCOPE = 'zapgate:required-scope';

/**
 * The scope a token needs for this route (or every route of a controller).
 * TokenAuthGuard refuses a route that declares none, so a new route cannot
 * forget to say what it needs.
 */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
