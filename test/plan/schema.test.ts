import { readFile } from 'node:fs/promises';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PLAN_SCHEMA } from '../../src/plan/schema.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module.default;

const readJson = async (path: string): Promise<object> =>
  JSON.parse(await readFile(new URL(path, import.meta.url), 'utf8')) as object;

describe('schemas/plan.schema.json', () => {
  it('is the schema the loader validates with, written out', async () => {
    expect(await readJson('../../schemas/plan.schema.json')).toEqual(PLAN_SCHEMA);
  });

  it('validates the example plan as an editor would, from the files beside each other', async () => {
    // An editor resolves the $refs to node-options.schema.json by file name, next to the plan schema.
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(
      await readJson('../../schemas/node-options.schema.json'),
      'node-options.schema.json',
    );
    const validate = ajv.compile(await readJson('../../schemas/plan.schema.json'));
    const text = await readFile(
      new URL('../../examples/talosctl/plan.yaml', import.meta.url),
      'utf8',
    );
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../schemas/plan.schema.json',
    );
    expect(validate(parseYaml(text)), JSON.stringify(validate.errors)).toBe(true);
    // And the per-node fields really come from the node-options schema.
    expect(validate({ nodes: [{ name: 'a', memorySizeMiB: 0 }] })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/nodes/0/memorySizeMiB');
    expect(validate({ nodes: [{ name: 'a', cleanupMode: 'nope' }] })).toBe(false);
  });
});
