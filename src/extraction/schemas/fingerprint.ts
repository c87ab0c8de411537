import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SchemaDefinition } from './definition';

/**
 * What pins a schema: a hash of its JSON Schema (field descriptions included), its description
 * and its prompt rules — everything that changes what the model is asked. Part of the result-cache
 * key and of summary.json.
 */
export function schemaFingerprint(definition: Pick<SchemaDefinition, 'schema' | 'description' | 'rules'>): string {
  const pinned = { jsonSchema: z.toJSONSchema(definition.schema), description: definition.description, rules: definition.rules };
  return createHash('sha256').update(JSON.stringify(pinned)).digest('hex').slice(0, 16);
}
