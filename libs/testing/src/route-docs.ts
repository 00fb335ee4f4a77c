import { HttpStatus, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, REDIRECT_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// platform's RESPONSE_SCHEMA, restated: importing @zapgate/platform here would load all of it into every test using this lib.
const RESPONSE_SCHEMA = 'zapgate:response-schema';
// @nestjs/swagger's metadata keys (its constants module is not exported) and Nest's RouteParamtypes.
const API_PARAMETERS = 'swagger/apiParameters';
const API_RESPONSE = 'swagger/apiResponse';
const API_SECURITY = 'swagger/apiSecurity';
/** Guards that take a credential: a route behind one names its security scheme. */
const CREDENTIAL_GUARDS = new Set(['AdminKeyGuard', 'TokenAuthGuard', 'OwnerAccessGuard', 'OwnerKeyGuard', 'SessionGuard', 'AppkeyGuard']);
const BODY = 3;
const QUERY = 4;

/** Every Nest controller class exported by the `*.controller.ts` files under a folder. */
export function controllersUnder(dir: string): Type[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.controller.ts'));
  return files.flatMap((file) =>
    // Loaded by path: the spec finds every controller, including one nobody listed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Object.values(require(join(dir, file)) as Record<string, unknown>).filter(
      (value): value is Type => typeof value === 'function' && Reflect.getMetadata(PATH_METADATA, value) !== undefined,
    ),
  );
}

/**
 * What the OpenAPI document would not say about these controllers' routes, as
 * `Controller.method: gap`: a @Body() without a documented body, a whole @Query()
 * without documented parameters, an answer with content but no schema, a guard
 * that takes a credential without the security scheme that names it. Each app's
 * spec expects none, so an undocumented route fails a test rather than a client.
 */
export function undocumentedRoutes(controllers: Type[]): string[] {
  const gaps: string[] = [];
  for (const controller of controllers) {
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as unknown;
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const route = `${controller.name}.${name}`;
      const argData = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { data?: unknown }>;
      const params = (Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as { in: string }[];
      const takes = (type: number) => Object.keys(argData).some((key) => key.split(':')[0] === String(type) && argData[key].data === undefined);
      if (takes(BODY) && !params.some((p) => p.in === 'body')) gaps.push(`${route}: body`);
      if (takes(QUERY) && !params.some((p) => p.in === 'query')) gaps.push(`${route}: query`);
      const responses = (Reflect.getMetadata(API_RESPONSE, handler) ?? {}) as Record<string, { schema?: unknown; content?: unknown }>;
      const status = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
      const bodiless =
        status === HttpStatus.NO_CONTENT ||
        Reflect.getMetadata(REDIRECT_METADATA, handler) !== undefined ||
        Object.keys(responses).some((code) => code === '204' || code.startsWith('3'));
      const described = Reflect.getMetadata(RESPONSE_SCHEMA, handler) !== undefined || Object.values(responses).some((r) => r.schema || r.content);
      if (!bodiless && !described) gaps.push(`${route}: response`);
      const guards = [
        ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as Type[]),
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Type[]),
      ];
      const secured = Reflect.getMetadata(API_SECURITY, handler) !== undefined || Reflect.getMetadata(API_SECURITY, controller) !== undefined;
      if (guards.some((g) => CREDENTIAL_GUARDS.has(g.name)) && !secured) gaps.push(`${route}: security`);
    }
  }
  return gaps;
}
