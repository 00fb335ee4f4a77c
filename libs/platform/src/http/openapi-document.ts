import { DocumentBuilder, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorBodySchema } from '@zapgate/contracts';
import { z } from 'zod';
import { openApiComponents } from './zod-openapi';

/** The credentials Zapgate's routes take, as OpenAPI security schemes (each route names those it accepts). */
export function documentConfig(def: { title: string; description: string }): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle(def.title)
    .setDescription(def.description)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'a token: `Authorization: Bearer zapk_…` (also `Zoho-oauthtoken zapk_…`)' })
    .addApiKey({ type: 'apiKey', in: 'query', name: 'zapikey', description: 'a token as a query parameter, as Cliq webhook URLs carry it' }, 'zapikey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'the bootstrap admin key or a named operator key (zaok_)' }, 'adminKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Owner-Key', description: "an application's owner key (zapo_)" }, 'ownerKey')
    .build();
}

const ERROR = { $ref: '#/components/schemas/Error' };

/**
 * Adds what every operation shares: the error body (Cliq's `{code, message}`), answered for client
 * errors (4XX) and, with a correlation id, for server errors (5XX).
 */
export function completeDocument(doc: OpenAPIObject): OpenAPIObject {
  const errorSchema = z.toJSONSchema(ErrorBodySchema, { target: 'openapi-3.0' }) as Record<string, unknown>;
  delete errorSchema.$schema;
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...openApiComponents(), Error: errorSchema } };
  for (const item of Object.values(doc.paths)) {
    // Nest documents an @All route with a `search` operation too, which OpenAPI 3.0 has no room for.
    delete (item as Record<string, unknown>).search;
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const op = item[method];
      if (!op) continue;
      op.responses = {
        ...op.responses,
        '4XX': {
          description: 'The request was refused; `code` says why (400 invalid input, 401, 403, 404, 409, 413, 415, 429…).',
          content: { 'application/json': { schema: ERROR } },
        },
        '5XX': {
          description: 'A dependency is down (503, with Retry-After) or an unexpected error (500, with correlation_id).',
          content: { 'application/json': { schema: ERROR } },
        },
      };
    }
  }
  return doc;
}
