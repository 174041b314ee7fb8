import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNodeOptions, planNode, TalosLonghornError } from '../../src/index.js';
import { NODE_OPTIONS_SCHEMA } from '../../src/longhorn/index.js';
import { GOLDEN_CASES, goldenInput } from '../talos/fixtures.js';

const schemaFile = fileURLToPath(
  new URL('../../schemas/node-options.schema.json', import.meta.url),
);

function messageOf(value: unknown, field?: string): string {
  try {
    parseNodeOptions(value, field);
  } catch (err) {
    if (err instanceof TalosLonghornError && err.code === 'invalid-input') return err.message;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('parseNodeOptions', () => {
  it('schemas/node-options.schema.json is the schema the code validates with', () => {
    // Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/longhorn/parse-options.test.ts
    const text = `${JSON.stringify(NODE_OPTIONS_SCHEMA, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(schemaFile, text);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(NODE_OPTIONS_SCHEMA);
  });

  it('accepts every golden input unchanged', () => {
    for (const name of GOLDEN_CASES) {
      const input = goldenInput('1.14', name);
      expect(parseNodeOptions(structuredClone(input))).toEqual(input);
    }
  });

  it.each([
    [[], undefined, 'options: expected object'],
    [{ disks: 'sdb' }, undefined, 'disks: expected array'],
    [{ disks: ['/dev/sdb', 7] }, 'nodes[2].options', 'nodes[2].options.disks[1]: expected string'],
    [{ hugepages: 1.5 }, undefined, 'hugepages: expected integer'],
    [{ hugepages: 0 }, undefined, 'hugepages: 0 is out of range; expected >= 1'],
    [
      { memorySizeMiB: 1e9 },
      undefined,
      'memorySizeMiB: 1000000000 is out of range; expected <= 1048576',
    ],
    [
      { cleanupMode: 'purge' },
      undefined,
      'cleanupMode: unknown value "purge"; expected one of off, report, remove',
    ],
    [
      { extraModules: [{ name: 'ok', parameters: ['bad'] }] },
      undefined,
      'extraModules[0].parameters[0]: "bad" does not match ^[A-Za-z0-9_]+=[!-~]+$',
    ],
    [{ extraModules: [{}] }, undefined, 'extraModules[0].name: missing'],
    [
      { rawPartition: { minSize: '1GiB', size: '2GiB' } },
      'nodes[0]',
      'nodes[0].rawPartition.size: unknown field; expected one of name, minSize, maxSize, diskSelector, ephemeralMaxSize',
    ],
    [{ disks: [''] }, undefined, 'disks[0]: expected at least 1 characters'],
    [{ v2: true }, undefined, 'v2: unknown field; expected one of v2DataEngine, memorySizeMiB'],
  ])('refuses %j naming the field', (value, field, message) => {
    expect(messageOf(value, field).startsWith(message)).toBe(true);
  });

  it('whatever it accepts, planNode either plans or refuses with a TalosLonghornError', () => {
    const anything = fc.dictionary(
      fc.constantFrom(...Object.keys(NODE_OPTIONS_SCHEMA.properties as object)),
      fc.oneof(fc.boolean(), fc.integer(), fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    );
    fc.assert(
      fc.property(anything, (value) => {
        try {
          planNode(parseNodeOptions(value));
        } catch (err) {
          expect(err).toBeInstanceOf(TalosLonghornError);
        }
      }),
    );
  });
});
