import type { Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { REQUIRED_SCOPE } from './require-scope.decorator';
import { TokenAuthGuard } from './token-auth.guard';

/**
 * The routes of these controllers that sit behind TokenAuthGuard but name no
 * scope, as `Controller.method`. Each app's spec expects none, so a missing
 * @RequireScope fails a test, not a production request.
 */
export function routesWithoutScope(controllers: Type[]): string[] {
  const missing: string[] = [];
  for (const controller of controllers) {
    const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as unknown;
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? [])];
      if (!guards.includes(TokenAuthGuard)) continue;
      if (!Reflect.getMetadata(REQUIRED_SCOPE, handler) && !Reflect.getMetadata(REQUIRED_SCOPE, controller)) missing.push(`${controller.name}.${name}`);
    }
  }
  return missing;
}

/** The routes behind TokenAuthGuard with the scope each needs, for docs and tests. */
export function routeScopes(controllers: Type[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const controller of controllers) {
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as unknown;
      if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const scope = (Reflect.getMetadata(REQUIRED_SCOPE, handler) ?? Reflect.getMetadata(REQUIRED_SCOPE, controller)) as string | undefined;
      if (scope) out[`${controller.name}.${name}`] = scope;
    }
  }
  return out;
}
