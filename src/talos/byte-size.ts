import { invalidInput } from '../errors.js';

/**
 * Talos volume sizes (`provisioning.minSize`/`maxSize`).
 *
 * Talos reads them with go-humanize's `ParseBytes` (siderolabs/talos
 * `pkg/machinery/config/types/block/byte_size.go`, go-humanize v1.0.1 `bytes.go`): a decimal
 * number (digits, `.`, `,` ignored), optional spaces, then a case-insensitive unit: `b`,
 * `k`/`kb` (1000), `ki`/`kib` (1024), and so on up to `e`/`eb`/`ei`/`eib`; no unit means bytes.
 * The value is the float product, truncated to a whole number of bytes. From 1.12, `maxSize`
 * also takes a percentage or a leading `-`, which 1.11 does not: this project targets 1.11 and
 * newer alike, so it accepts the common subset only.
 *
 * Accepted here (a strict subset, each parsed to the same number of bytes Talos computes):
 * ASCII digits with at most one `.` and at least one digit, optionally one space, optionally a
 * unit from the table. No commas, no other whitespace, no sign, no percentage.
 */
const UNIT_BYTES: Readonly<Record<string, bigint>> = (() => {
  const table: Record<string, bigint> = { '': 1n, b: 1n };
  const prefixes = ['k', 'm', 'g', 't', 'p', 'e'];
  prefixes.forEach((prefix, i) => {
    const power = BigInt(i + 1);
    table[prefix] = 1000n ** power;
    table[`${prefix}b`] = 1000n ** power;
    table[`${prefix}i`] = 1024n ** power;
    table[`${prefix}ib`] = 1024n ** power;
  });
  return table;
})();

const SIZE_FORM = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?: ?([A-Za-z]{1,3}))?$/;
const TWO_TO_64 = 2 ** 64;
/** Longest size text accepted; a longer one is a typo, not a disk. */
const MAX_SIZE_TEXT_LENGTH = 32;

const SIZE_EXPECTED =
  'expected a number with an optional unit such as 100GiB, 1.5TiB or 500GB (Talos size syntax)';

/** Bytes of a Talos size, or undefined when the text is not one this project accepts. */
export function talosSizeBytes(text: string): bigint | undefined {
  if (typeof text !== 'string' || text.length > MAX_SIZE_TEXT_LENGTH) return undefined;
  const match = SIZE_FORM.exec(text);
  if (match === null) return undefined;
  const unit = UNIT_BYTES[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  // The same float64 arithmetic as Go's ParseFloat * float64(unit), truncated like uint64(f).
  const product = Number.parseFloat(match[1] ?? '') * Number(unit);
  if (!Number.isFinite(product) || product >= TWO_TO_64) return undefined;
  return BigInt(Math.trunc(product));
}

/** Parse a Talos size for `field`; zero bytes is refused (a partition needs some space). */
export function parseTalosSize(text: unknown, field: string): { text: string; bytes: bigint } {
  if (typeof text === 'number' && Number.isSafeInteger(text) && text > 0) {
    return { text: String(text), bytes: BigInt(text) };
  }
  const bytes = typeof text === 'string' ? talosSizeBytes(text) : undefined;
  if (bytes === undefined) {
    const shown = typeof text === 'string' ? JSON.stringify(text) : String(text);
    throw invalidInput(field, `${shown} is not a size; ${SIZE_EXPECTED}`);
  }
  if (bytes === 0n) throw invalidInput(field, `${JSON.stringify(text)} is zero bytes`);
  return { text: text as string, bytes };
}

/** `107374182400 bytes (100 GiB)` style, for messages. */
export function describeBytes(bytes: bigint): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let unit = '';
  let scaled = bytes;
  for (const name of units) {
    if (scaled < 1024n || scaled % 1024n !== 0n) break;
    scaled /= 1024n;
    unit = name;
  }
  return unit === '' ? `${bytes} bytes` : `${scaled} ${unit}`;
}
