import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import { checkDiskSelector, MAX_DISK_SELECTOR_LENGTH } from '../../src/talos/disk-selector.js';

// What a one-line YAML scalar may hold for every reader that sees it: no C0/C1 control, no DEL,
// no U+2028/U+2029 (line breaks to YAML 1.1 readers such as Talos's Go yaml.v3).
const breaksALine = (cp: number) =>
  cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;

function refusal(selector: unknown): string | undefined {
  try {
    checkDiskSelector(selector, 'rawPartition.diskSelector');
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(TalosLonghornError);
    const message = (err as TalosLonghornError).message;
    expect(message.startsWith('rawPartition.diskSelector: ')).toBe(true);
    expect(message).not.toContain('\n');
    return message;
  }
}

describe('checkDiskSelector', () => {
  it('accepts exactly the non-blank one-line strings up to the limit, trimmed', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('a', ' ', '=', '"', '\t', '\n', '\u0085', '\u2028', '\u2029', '\u007f'),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 40,
    });
    fc.assert(
      fc.property(text, (selector) => {
        const valid =
          selector.trim() !== '' &&
          selector.length <= MAX_DISK_SELECTOR_LENGTH &&
          ![...selector].some((ch) => breaksALine(ch.codePointAt(0) ?? 0));
        const message = refusal(selector);
        expect(message === undefined).toBe(valid);
        if (valid) expect(checkDiskSelector(selector, 'f')).toBe(selector.trim());
      }),
    );
  });

  it('bounds the length at the limit and refuses what is not a string', () => {
    expect(refusal(`disk.model == "${'x'.repeat(MAX_DISK_SELECTOR_LENGTH - 16)}"`)).toBe(undefined);
    expect(refusal('x'.repeat(MAX_DISK_SELECTOR_LENGTH + 1))).toBe(
      `rawPartition.diskSelector: expected one line of at most ${MAX_DISK_SELECTOR_LENGTH} characters`,
    );
    expect(refusal(7)).toMatch(/empty disk selector/);
    expect(refusal('system_disk\u0085')).toMatch(/U\+0085 at position 12/);
  });
});
