import { describeChar, TalosLonghornError } from '../errors.js';

/**
 * The base62 flavour Talos uses for node IDs (jxskiss/base62 v1.1.0): a bit-packing code, not a
 * big-integer base conversion. The byte string is read as a bit stream starting from its last byte
 * (least significant bits first). Each character normally carries 6 bits; a 6-bit group whose
 * bits 1–4 are all set (0b?1111?) would need the values 62/63, so only its low 5 bits are taken and
 * the character carries 5 bits. The last character carries whatever bits are left.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const COMPACT_MASK = 0x1e;
const MASK_5_BITS = 0x1f;

const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

function bitLength(value: number): number {
  return value === 0 ? 0 : 32 - Math.clz32(value);
}

/** Encode bytes as Talos/jxskiss base62. The empty input gives the empty string. */
export function encodeBase62(bytes: Uint8Array): string {
  let out = '';
  let acc = 0; // bits not yet emitted, least significant first
  let accBits = 0;
  let next = bytes.length - 1; // next byte to pull into the accumulator
  let remaining = bytes.length * 8; // bits not yet emitted in total
  while (remaining > 0) {
    while (accBits < 6 && next >= 0) {
      acc |= (bytes[next] ?? 0) << accBits;
      accBits += 8;
      next--;
    }
    if (remaining > 6) {
      let value = acc & 0x3f;
      let width = 6;
      if ((value & COMPACT_MASK) === COMPACT_MASK) {
        value &= MASK_5_BITS;
        width = 5;
      }
      out += ALPHABET[value];
      acc >>>= width;
      accBits -= width;
      remaining -= width;
      continue;
    }
    // The final group: all remaining bits, unless it would be 62/63 (then 5 bits, and one more).
    const value = acc & ((1 << remaining) - 1);
    if ((value & COMPACT_MASK) === COMPACT_MASK && value > MASK_5_BITS) {
      out += ALPHABET[value & MASK_5_BITS];
      acc >>>= 5;
      accBits -= 5;
      remaining -= 5;
      continue;
    }
    out += ALPHABET[value];
    remaining = 0;
  }
  return out;
}

/**
 * Decode Talos/jxskiss base62. Throws `invalid-input` naming the first character outside the
 * alphabet and its 1-based position.
 */
export function decodeBase62(text: string, field = 'nodeId'): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 6) / 8) + 1);
  let write = out.length;
  let acc = 0;
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (DECODE_TABLE[code] ?? -1) : -1;
    if (value < 0) {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? code);
      throw new TalosLonghornError(
        'invalid-input',
        `invalid character ${describeChar(ch)} at position ${i + 1}; expected base62 [A-Za-z0-9]`,
        { field },
      );
    }
    acc |= value << pos;
    if (i === text.length - 1) pos += bitLength(value);
    else pos += (value & COMPACT_MASK) === COMPACT_MASK ? 5 : 6;
    if (pos >= 8) {
      out[--write] = acc & 0xff;
      acc >>>= 8;
      pos -= 8;
    }
  }
  if (pos > 0) out[--write] = acc & 0xff;
  return out.subarray(write);
}
