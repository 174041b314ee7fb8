import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import { decodeBase62, encodeBase62 } from '../../src/identity/base62.js';
import { identityVectors, itWithShared } from '../helpers/shared.js';

describe('Talos base62 (jxskiss flavour)', () => {
  itWithShared('decodes and re-encodes every shared vector', () => {
    for (const vector of identityVectors()) {
      const bytes = decodeBase62(vector.nodeId);
      expect(bytes.length).toBe(32);
      expect(Buffer.from(bytes.subarray(0, 16)).toString('hex')).toBe(vector.machineId);
      expect(encodeBase62(bytes)).toBe(vector.nodeId);
    }
  });

  it('is not big-integer base62: 32 zero bytes encode to 43 "A"s, 32 × 0xff to 51 "f"s + "B"', () => {
    expect(encodeBase62(new Uint8Array(32))).toBe('A'.repeat(43));
    expect(encodeBase62(new Uint8Array(32).fill(0xff))).toBe(`${'f'.repeat(51)}B`);
  });

  it('round-trips random 32-byte identities', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const text = encodeBase62(bytes);
        expect(text).toMatch(/^[A-Za-z0-9]{43,52}$/);
        expect(Buffer.from(decodeBase62(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips byte strings of other lengths that do not start with a zero byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        fc.pre((bytes[0] ?? 0) !== 0);
        expect(Buffer.from(decodeBase62(encodeBase62(bytes))).equals(Buffer.from(bytes))).toBe(
          true,
        );
      }),
    );
  });

  it('names the first bad character and its position', () => {
    expect(() => decodeBase62('abc-def')).toThrowError(
      new TalosLonghornError(
        'invalid-input',
        'invalid character "-" at position 4; expected base62 [A-Za-z0-9]',
        {
          field: 'nodeId',
        },
      ),
    );
    expect(() => decodeBase62('abcé')).toThrow(/U\+00E9 at position 4/);
    expect(() => decodeBase62('ab cd')).toThrow(/U\+0020 at position 3/);
  });
});
