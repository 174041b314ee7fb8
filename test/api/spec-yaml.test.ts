import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { parseSimpleYaml } from '../../src/api/spec-yaml.js';

// The oracle is the `yaml` package itself, with the options the client falls back to: whatever
// the fast path accepts must read exactly as `yaml` reads it, and what `yaml` rejects the fast
// path must decline.
const oracle = (text: string): unknown => parse(text, { uniqueKeys: false });

const word = fc.stringMatching(/^[a-z][a-z0-9_./-]{0,11}$/);
const key = word.filter((k) => !/^(?:null|true|false)$/.test(k));
const plainString = fc
  .array(fc.stringMatching(/^[A-Za-z_/][A-Za-z0-9_./:@+=,()-]{0,10}$/), {
    minLength: 1,
    maxLength: 3,
  })
  .map((words) => words.join(' '));
const scalar = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: 0, max: 2 ** 40 }),
  plainString,
  fc.stringMatching(/^[ -~]{0,12}$/),
);
const { tree } = fc.letrec<{ tree: unknown; map: Record<string, unknown> }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), fc.array(scalar, { maxLength: 4 })),
  map: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
}));
const document = fc.oneof(
  fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }),
  fc.array(scalar, { minLength: 1, maxLength: 5 }),
);

describe('parseSimpleYaml', () => {
  it('reads what yaml.stringify writes for plain data exactly as yaml.parse does', () => {
    fc.assert(
      fc.property(document, fc.constantFrom(2, 4), fc.boolean(), (value, indent, indentSeq) => {
        const text = stringify(value, { indent, indentSeq });
        const fast = parseSimpleYaml(text);
        if (fast !== undefined) expect(fast).toStrictEqual(oracle(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the fast path for the shapes of data Talos sends', () => {
    // Words as Talos writes them: names, versions, paths, PCI addresses.
    const talosWord = fc.oneof(
      key,
      fc.stringMatching(/^v[0-9]\.[0-9]{1,2}\.[0-9]$/),
      fc.stringMatching(/^0000:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/),
    );
    const talosString = fc.array(talosWord, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
    const plain = fc.dictionary(key, fc.oneof(talosString, fc.boolean(), fc.nat()), {
      minKeys: 1,
      maxKeys: 6,
    });
    fc.assert(
      fc.property(plain, fc.boolean(), (value, indentSeq) => {
        const text = stringify({ spec: value, list: Object.keys(value) }, { indentSeq });
        expect(parseSimpleYaml(text)).toStrictEqual(oracle(text));
      }),
    );
  });

  it('on YAML-like text, agrees with yaml or declines, and declines what yaml rejects', () => {
    const token = fc.constantFrom(
      ...['a', 'key', 'true', 'False', 'NULL', '~', 'null', 'Null', 'NuLL', 'yes', '0', '7'],
      ...['-1', '+1', '01', '1.5', '1.', '1e3', '.inf', '-.inf', '.nan', '0x1f', '0o17', '1_000'],
      ...['12345678901234567890', 'x:y', '0000:01:00.0', 'a: b', 'a:', ':', "'q'", "'it''s'"],
      ...["'", '"d"', '#c', 'b#c', '&a', '*a', '!t', '|', '>', '{}', '[]', '{a: 1}', '[1]', '@x'],
      ...['`x', '%', '?', ',', '-', 'a b', 'a  b', '\t', '__proto__', 'nvme0n1', '/dev/x', 'a,b'],
    );
    const value = fc.array(token, { minLength: 1, maxLength: 2 }).map((t) => t.join(' '));
    // A valid document's skeleton with one line changed: a value replaced, the line re-indented,
    // an item marker added or removed, a key left without a value, or a tricky line inserted.
    const edit = fc.oneof(
      value.map((v) => (line: string) => line.replace(/^(\s*(?:- )?(?:[^:]+: )?).*$/, `$1${v}`)),
      fc.constantFrom('', ' ', '  ', '    ').map((i) => (line: string) => i + line.trimStart()),
      fc.constant((line: string) => line.replace(/^(\s*)/, '$1- ')),
      fc.constant((line: string) => line.replace(/^(\s*)- /, '$1')),
      fc.constant((line: string) => line.replace(/: .*$/, ':')),
      fc.tuple(fc.constantFrom('', '  ', '- '), token, fc.constantFrom(':', ': ', ''), value).map(
        ([lead, k, sep, v]) =>
          (line: string) =>
            `${line}\n${lead}${k}${sep}${v}`,
      ),
    );
    fc.assert(
      fc.property(
        document,
        fc.constantFrom(2, 4),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), edit), { minLength: 1, maxLength: 2 }),
        (data, indent, indentSeq, edits) => {
          const lines = stringify(data, { indent, indentSeq }).trimEnd().split('\n');
          for (const [at, change] of edits) {
            const i = at % lines.length;
            lines[i] = change(lines[i] ?? '');
          }
          const text = `${lines.join('\n')}\n`;
          const fast = parseSimpleYaml(text);
          if (fast === undefined) return;
          expect(parseDocument(text, { uniqueKeys: false }).errors).toEqual([]);
          expect(fast).toStrictEqual(oracle(text));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('reads the specs Talos sends for the resources preflight and identity read', () => {
    const specs = [
      'nodeId: 8Ys8wFeJq7yoXhtJzZ5Es3iaymqEbwvFTKWGXbGcTBeA\n',
      'id: machined\nrunning: true\nhealthy: true\nunknown: false\n',
      "image: longhorn-v2-node.sqsh\nmetadata:\n    name: longhorn-v2-node\n    version: v0.2.0\n    author: talos-longhorn\n    description: Longhorn v2 node helper\n    compatibility:\n        talos:\n            version: '>= v1.9.0'\n",
      'current: "1024"\n',
      'list:\n- a\n- b\nnext: 1\n',
      'items: []\nflags: {}\nempty:\n',
    ];
    for (const text of specs) {
      const fast = parseSimpleYaml(text);
      if (text.includes('"')) expect(fast).toBeUndefined();
      else expect(fast).toStrictEqual(oracle(text));
    }
  });

  it('declines what it does not read: comments, anchors, long keys, big documents, blank lines', () => {
    for (const text of [
      'a: 1 # c\n',
      'a: &x 1\nb: *x\n',
      `${'k'.repeat(300)}: 1\n`,
      `a: ${'x'.repeat(70 * 1024)}\n`,
      'a: 1\n\nb: 2\n',
      'a: 1\r\n',
      '---\na: 1\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      '',
    ]) {
      expect(parseSimpleYaml(text)).toBeUndefined();
    }
  });
});
