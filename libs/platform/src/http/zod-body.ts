import { applyDecorators } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a route's JSON body from the same zod schema that validates it. */
export function ZodApiBody(schema: z.ZodType, description?: string): MethodDecorator {
  // The services' documents are OpenAPI 3.0: its dialect of JSON Schema (nullable, no const).
  const jsonSchema = z.toJSONSchema(schema, { unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete jsonSchema.$schema;
  return applyDecorators(ApiBody({ schema: jsonSchema, description }));
}
