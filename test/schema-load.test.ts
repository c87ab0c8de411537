import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemPrompt } from '../src/extraction/anthropic/prompt';
import { runChecks } from '../src/extraction/schemas';
import { loadSchema, resolveSchemaArgument, SchemaError } from '../src/extraction/schemas/load';
import { tempDir } from './helpers/batch';

const fixtures = path.resolve('test/fixtures/schemas');

describe('schemas from the user', () => {
  it('loads a JSON Schema file: description, rules and named checks from its x-docbatch extensions; Claude only', async () => {
    const { reference, schema } = await resolveSchemaArgument('test/fixtures/schemas/purchase-order.schema.json');
    expect(reference).toEqual({ file: path.join(fixtures, 'purchase-order.schema.json'), fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(schema).toMatchObject({ name: 'purchase-order.schema', extractors: ['anthropic'], rules: ['The buyer is who orders; the supplier is who is asked to deliver.'] });
    expect(schema.checks.map((check) => check.name)).toEqual(['line items sum', 'totals add up']);
    const order = { orderNumber: 'PO-1', buyer: 'Globex', supplier: { name: 'Acme', country: 'DE' }, currency: 'EUR', subtotal: 10, tax: 1, total: 12, lineItems: [] };
    expect(schema.schema.parse(order)).toEqual(order);
    expect(schema.schema.safeParse({ ...order, currency: 'euro' }).success).toBe(false);
    expect(runChecks(schema, order)).toEqual(['totals add up: subtotal 10 + tax 1 is 11, not the total 12']);
    expect(systemPrompt(schema)[0]!.text).toContain('The document is a purchase order: number, buyer, supplier, currency, totals and ordered lines.');
  });

  it('loads a zod module: its .describe() texts, rules and checks reach the prompt and the checks', async () => {
    const { reference, schema } = await resolveSchemaArgument(path.join(fixtures, 'delivery-note.ts'));
    expect(typeof reference === 'object' && reference.fingerprint).toBe(schema.fingerprint);
    const prompt = systemPrompt(schema)[0]!.text;
    expect(prompt).toContain('"description": "gross weight in kg"');
    expect(prompt).toContain('Weights are in kilograms');
    expect(prompt).toContain('The document is a delivery note');
    expect(runChecks(schema, { packages: 2, weightKg: 5000 })).toEqual(['weight per package: 5000 kg over 2 packages is more than a tonne each']);
  });

  it('gives built-in names their schema, and a misspelt name a message listing the built-ins', async () => {
    expect((await resolveSchemaArgument('receipt')).reference).toBe('receipt');
    await expect(resolveSchemaArgument('recipt')).rejects.toThrow(/--schema recipt: not a built-in schema \(invoice, receipt\) nor a schema file/);
  });

  it('pins a file by its fingerprint: an edited file is refused with a message that says what to do', async () => {
    for (const name of ['purchase-order.schema.json', 'delivery-note.ts']) {
      const dir = await tempDir('schema-pin');
      const file = path.join(dir, name);
      await copyFile(path.join(fixtures, name), file);
      const { reference } = await resolveSchemaArgument(file);
      expect((await loadSchema(reference)).fingerprint).toBe(typeof reference === 'object' ? reference.fingerprint : '');
      const text = await readFile(file, 'utf8');
      await writeFile(file, name.endsWith('.json') ? text.replace('purchase order number', 'the PO number') : text.replace("'number of packages'", "'how many parcels'"));
      const error = await loadSchema(reference).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SchemaError);
      expect(error).toMatchObject({ reason: 'changed', message: expect.stringMatching(/changed after the batch started .*Put the file back as it was and `docbatch resume <id>`/) });
    }
  });

  it('refuses schema files it cannot use, naming the file and the problem', async () => {
    const dir = await tempDir('schema-bad');
    const write = async (name: string, content: string) => {
      await writeFile(path.join(dir, name), content);
      return path.join(dir, name);
    };
    await expect(resolveSchemaArgument(await write('list.json', '{"type": "array", "items": {"type": "string"}}'))).rejects.toThrow(/list\.json: type: the schema's root must be/);
    await expect(resolveSchemaArgument(await write('checks.json', '{"type": "object", "properties": {}, "x-docbatch-checks": ["sumsUp"]}'))).rejects.toThrow(/x-docbatch-checks\.0: expected one of lineItemsSum/);
    await expect(resolveSchemaArgument(await write('broken.json', '{"type": '))).rejects.toThrow(/broken\.json is not valid JSON/);
    await expect(resolveSchemaArgument(await write('none.mjs', 'export const fields = 1;'))).rejects.toThrow(/none\.mjs must export a zod object schema as `schema`/);
    await expect(resolveSchemaArgument(await write('notes.txt', 'hello'))).rejects.toThrow(/a schema file is a JSON Schema \(\.json\) or a module/);
    await expect(resolveSchemaArgument(path.join(dir, 'missing.json'))).rejects.toThrow(/cannot read the schema file .*missing\.json: ENOENT/);
  });
});
