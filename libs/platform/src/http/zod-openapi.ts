import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/** Where a route's response schema is kept for the response-contract check (tests run with it on). */
export const RESPONSE_SCHEMA = 'zapgate:response-schema';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string };

/**
 * Schemas named with `.meta({ id })` (a token, an event, a Cliq message…), as the document's
 * components: written once, referenced everywhere (and named types in the generated client).
 */
const components = new Map<string, JsonSchema>();

/** The named schemas met so far, for the document's `components.schemas`. */
export function openApiComponents(): Record<string, JsonSchema> {
  return Object.fromEntries([...components].sort(([a], [b]) => a.localeCompare(b)));
}

/** `format` says it (date-time, uuid, email, uri): zod's equivalent regular expression only bloats the document. */
const FORMATTED = new Set(['date-time', 'uuid', 'email', 'uri']);

function tidy(node: unknown, rename: (id: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, rename));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'pattern' && FORMATTED.has((node as { format?: string }).format ?? '')) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) out.$ref = `#/components/schemas/${rename(v.slice('#/definitions/'.length))}`;
    else out[k] = tidy(v, rename);
  }
  return out;
}

/** A zod schema as the services' documents speak it: OpenAPI 3.0's dialect of JSON Schema (nullable, no const), named parts as components. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', target: 'openapi-3.0', io }) as JsonSchema & { definitions?: Record<string, JsonSchema> };
  delete json.$schema;
  // What a client sends (defaults optional) and what it gets (all present) differ: an input is its own component.
  const rename = (id: string) => (io === 'input' ? `${id}Input` : id);
  for (const [id, definition] of Object.entries(json.definitions ?? {})) {
    const name = rename(id);
    const tidied = tidy(definition, rename) as JsonSchema;
    const known = components.get(name);
    if (known && JSON.stringify(known) !== JSON.stringify(tidied)) throw new Error(`Two different schemas are named ${name} in the OpenAPI document.`);
    components.set(name, tidied);
  }
  delete json.definitions;
  return tidy(json, rename) as JsonSchema;
}

/** Documents a route's JSON body from the same zod schema that validates it (what a client may send: defaults optional). */
export function ZodApiBody(schema: z.ZodType, description?: string): MethodDecorator {
  return applyDecorators(ApiBody({ schema: openApiSchema(schema, 'input'), description }));
}

/** Documents a route's query parameters, one per property of the zod object that parses them. */
export function ZodApiQuery(schema: z.ZodObject): MethodDecorator {
  const json = openApiSchema(schema, 'input');
  const required = new Set(json.required ?? []);
  const params = Object.entries(json.properties ?? {}).map(([name, property]) =>
    ApiQuery({ name, required: required.has(name), schema: property, description: property.description }),
  );
  return applyDecorators(...params);
}

export interface ZodApiResponseOptions {
  status?: number;
  description?: string;
}

/**
 * Documents a route's answer from a zod schema, and keeps the schema on the route so that the
 * response-contract check (VALIDATE_RESPONSES, on in the tests) fails any answer the document
 * does not describe: the document cannot drift from what the code returns.
 */
export function ZodApiResponse(schema: z.ZodType, options: ZodApiResponseOptions = {}): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: options.status ?? 200, description: options.description ?? 'OK', schema: openApiSchema(schema, 'output') }),
    SetMetadata(RESPONSE_SCHEMA, schema),
  );
}

/** Documents a route answered in plain text (the legacy authtoken API). */
export function TextApiResponse(description: string, status = 200): MethodDecorator {
  return ApiResponse({ status, description, content: { 'text/plain': { schema: { type: 'string' } } } });
}

/** An ISO 8601 instant as the APIs write it (`toISOString()`). */
export const TimestampSchema = z.iso.datetime({ offset: true });

/** `{ data: [...] }`: a whole list. */
export const dataList = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

/** `{ data: [...], next_cursor }`: one page; `next_cursor` is null on the last. */
export const dataPage = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });
