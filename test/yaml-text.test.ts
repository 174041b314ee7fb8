// The YAML writer against an independent reader: the `yaml` package parses our text back, as
// YAML 1.1 and as YAML 1.2, to exactly the value written — for any plain data, any string.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { yamlText } from '../src/yaml-text.js';

/** Strings that probe YAML's edges: indicators, digits, colons, spaces, type keywords, breaks. */
const edgy = fc
  .array(
    fc.constantFrom(
      ...'-?:,[]{}#&*!|>\'"%@` \t\n\r\\.0123456789abexoOYyNn+_=<~\u0085\u2028\u2029\ufeff\u00e9'.split(
        '',
      ),
      'true',
      'on',
      'null',
      '0x',
      '1.10',
      ': ',
      ' #',
      '---',
      '...',
      '2024-01-01',
      '12:30',
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const text = fc.oneof(edgy, fc.string({ unit: 'binary', maxLength: 12 }), fc.string());
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

function readBack(yaml: string, version: '1.1' | '1.2'): unknown {
  const docs = parseAllDocuments(yaml, { version, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length !== 1) throw new Error('expected one document');
  const [doc] = docs;
  if (doc === undefined || doc.errors.length > 0) throw new Error(String(doc?.errors[0]));
  return doc.toJS({ maxAliasCount: -1 });
}

describe('yamlText', () => {
  it('reads back as the same value under YAML 1.1 and 1.2', () => {
    fc.assert(
      fc.property(json, (value) => {
        const yaml = yamlText(value);
        expect(readBack(yaml, '1.1')).toEqual(value);
        expect(readBack(yaml, '1.2')).toEqual(value);
      }),
      { numRuns: 5000 },
    );
  });

  it('is never plainer than the yaml package, and single-quotes as it does', () => {
    // The yaml package's own quoting for YAML 1.1 is the reference: where we write a string
    // plain, so does it; where we single-quote, it writes the same or plain. Double quotes come
    // from our stricter rule only.
    fc.assert(
      fc.property(text, (value) => {
        const ours = yamlText({ k: value });
        const theirs = stringify({ k: value }, { version: '1.1', lineWidth: 0 });
        if (ours.startsWith("k: '")) {
          expect([ours, `k: ${value}\n`]).toContain(theirs);
        } else if (!ours.startsWith('k: "')) {
          expect(theirs).toBe(ours);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('lays out collections as the yaml package does', () => {
    const value = {
      machine: {
        kernel: { modules: [{ name: 'nvme_tcp' }, { name: 'vfio_pci', parameters: ['a=1'] }] },
        sysctls: { 'vm.nr_hugepages': '1024' },
        empty: [],
        none: {},
        nested: [[1, 2], [], {}],
      },
      list: ['0000:01:00.0', 'on', '1.10', 'a: b', 'plain text', 1.5, true, null],
    };
    expect(yamlText(value)).toBe(stringify(value, { version: '1.1', lineWidth: 0 }));
    expect(parse(yamlText(value))).toEqual(value);
  });

  it('refuses what YAML cannot hold as plain data, naming where', () => {
    expect(() => yamlText({ a: { b: Number.NaN } })).toThrow(/a\.b/);
    expect(() => yamlText({ a: [() => 1] })).toThrow(/a\[0\]/);
  });
});
