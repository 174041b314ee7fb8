import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { planNode, TalosLonghornError } from '../src/index.js';
import { checkTextField } from '../src/text-field.js';

// Every Unicode line/paragraph separator and C1 control (issue: U+0085, U+2028, U+2029,
// U+0080–U+009F), plus the C0 line breaks YAML knows. Listed by code point, not from our code.
const SEPARATORS = [
  0x0a,
  0x0d,
  0x0b,
  0x0c,
  0x85,
  0x2028,
  0x2029,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
];

describe('text fields that reach YAML', () => {
  it('refuses dataPathDisk with any separator anywhere, naming the field and code point', () => {
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 40 })
          .filter((s) =>
            [...s].every((c) => (c.codePointAt(0) ?? 0) >= 0x20 && (c.codePointAt(0) ?? 0) < 0x7f),
          ),
        fc.constantFrom(...SEPARATORS),
        fc.string({ maxLength: 40 }),
        (before, cp, after) => {
          const selector = `disk.model == "${before}${String.fromCodePoint(cp)}${after}"`;
          let error: unknown;
          try {
            planNode({ dataPathDisk: selector });
          } catch (err) {
            error = err;
          }
          expect(error).toBeInstanceOf(TalosLonghornError);
          const err = error as TalosLonghornError;
          expect(err.code).toBe('invalid-input');
          expect(err.field).toBe('dataPathDisk');
          expect(err.message).not.toContain('\n');
          expect(err.message).toMatch(/invalid character U\+[0-9A-F]{4} at position \d+/);
        },
      ),
    );
  });

  it('accepts printable text of any script, which survives a YAML round trip in both versions', () => {
    const printable = fc
      .string({ unit: 'grapheme', maxLength: 60 })
      .filter(
        (s) =>
          s.trim() !== '' &&
          [...s].every(
            (c) =>
              !SEPARATORS.includes(c.codePointAt(0) ?? 0) &&
              (c.codePointAt(0) ?? 0) >= 0x20 &&
              c !== '\u007f',
          ),
      );
    fc.assert(
      fc.property(printable, (text) => {
        expect(checkTextField(text, 'f')).toBe(text);
        const yaml = stringify({ k: text }, { version: '1.1', lineWidth: 0 });
        expect((parseYaml(yaml, { version: '1.1' }) as { k: string }).k).toBe(text);
        expect((parseYaml(yaml, { version: '1.2' }) as { k: string }).k).toBe(text);
      }),
    );
  });

  it('names the position in characters, not UTF-16 units', () => {
    expect(() => checkTextField('😀\u2029', 'dataPathDisk')).toThrow(
      /^dataPathDisk: invalid character U\+2029 at position 2;/,
    );
  });
});
