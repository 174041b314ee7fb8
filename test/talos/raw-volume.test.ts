import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exitStatusFor, TalosLonghornError } from '../../src/errors.js';
import { talosSizeBytes } from '../../src/talos/byte-size.js';
import {
  layoutRawWithDataPath,
  parseRawPartition,
  rawPartitionDisk,
  rawPartitionDocuments,
} from '../../src/talos/raw-volume.js';
import { SUPPORTED_TALOS_VERSIONS, versionIndex } from '../../src/talos/versions.js';
import { errorOf } from '../helpers/errors.js';
import { itWithShared, readSharedJson, sharedDir } from '../helpers/shared.js';
import { schemaErrors } from './official-schema.js';

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ??
  AjvModule) as typeof AjvModule.default;

// --- Independent oracles, written from Talos's rules (not from the code under test) ---

/**
 * Talos raw volume name rule (siderolabs/talos raw_volume_config.go Validate): Go `len` (UTF-8
 * bytes) between 1 and PartitionLabelLength (36) - len("r-"), every rune an ASCII letter, digit
 * or hyphen.
 */
function talosAcceptsName(name: string): boolean {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > 36 - 2) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;
    if (!ok) return false;
  }
  return true;
}

/**
 * go-humanize v1.0.1 ParseBytes, as Talos calls it: take the leading run of digits, '.' and ',',
 * drop commas, parse it as a float (Go ParseFloat: decimal digits with at most one point), look
 * the lower-cased, space-trimmed rest up in the unit table, multiply, refuse >= 2^64, truncate.
 */
function goHumanizeParseBytes(s: string): bigint | undefined {
  let i = 0;
  const chars = [...s];
  while (i < chars.length && /^[0-9.,]$/.test(chars[i] ?? '')) i++;
  // Non-ASCII Unicode digits also end up in the number and make ParseFloat fail: same result.
  if (i < chars.length && /^\p{Nd}$/u.test(chars[i] ?? '')) return undefined;
  const num = chars.slice(0, i).join('').replaceAll(',', '');
  if (!/^([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(num)) return undefined;
  const rest = chars.slice(i).join('').trim().toLowerCase();
  const powers: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };
  let unit: number | undefined;
  if (rest === '' || rest === 'b') unit = 1;
  else {
    const m = /^([kmgtpe])(i?)(b?)$/.exec(rest);
    if (m !== null) unit = (m[2] === 'i' ? 1024 : 1000) ** (powers[m[1] ?? ''] ?? 0);
  }
  if (unit === undefined) return undefined;
  const f = Number(num) * unit;
  if (f >= 2 ** 64) return undefined;
  return BigInt(Math.trunc(f));
}

const GIB = 1024n ** 3n;

describe('rawPartition validation', () => {
  it('fills in the defaults', () => {
    const raw = parseRawPartition({ minSize: '100GiB', ephemeralMaxSize: '40GiB' });
    expect(raw).toMatchObject({
      name: 'longhorn-v2',
      label: 'r-longhorn-v2',
      selector: 'system_disk',
      minSize: { text: '100GiB', bytes: 100n * GIB },
    });
    expect(rawPartitionDisk(raw)).toEqual({
      name: 'longhorn-v2',
      path: '/dev/disk/by-partlabel/r-longhorn-v2',
      diskType: 'block',
      diskDriver: 'aio',
    });
  });

  it('names the field of each error', () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { minSize: '1GiB', name: 'a'.repeat(35), diskSelector: 'x' },
        'rawPartition.name',
        /at most 34/,
      ],
      [{ minSize: '1GiB', name: 'lh_v2', diskSelector: 'x' }, 'rawPartition.name', /"_"/],
      [{ minSize: '1GiB', name: '', diskSelector: 'x' }, 'rawPartition.name', /empty/],
      [{ diskSelector: 'x' }, 'rawPartition.minSize', /required/],
      [{ minSize: '10 gigs', diskSelector: 'x' }, 'rawPartition.minSize', /not a size/],
      [{ minSize: '0', diskSelector: 'x' }, 'rawPartition.minSize', /zero/],
      [{ minSize: '10GiB', maxSize: '9GiB', diskSelector: 'x' }, 'rawPartition.maxSize', /smaller/],
      [
        { minSize: '10GiB', maxSize: '50%', diskSelector: 'x' },
        'rawPartition.maxSize',
        /not a size/,
      ],
      [{ minSize: '1GiB', diskSelector: '  ' }, 'rawPartition.diskSelector', /empty/],
      [{ minSize: '1GiB', diskSelector: 'a\u2028b' }, 'rawPartition.diskSelector', /U\+2028/],
      [{ minSize: '1GiB', diskSelector: 'a\u0085b' }, 'rawPartition.diskSelector', /U\+0085/],
      [{ minSize: '1GiB', diskSelector: 'a\nb' }, 'rawPartition.diskSelector', /U\+000A/],
      [{ minSize: '1GiB' }, 'rawPartition.ephemeralMaxSize', /EPHEMERAL/],
      [{ minSize: '1GiB', size: 3 }, 'rawPartition.size', /unknown key/],
      ['100GiB', 'rawPartition', /expected an object/],
    ];
    for (const [options, field, message] of cases) {
      const error = errorOf(() => parseRawPartition(options));
      expect(error.code, JSON.stringify(options)).toBe('invalid-input');
      expect(error.field, JSON.stringify(options)).toBe(field);
      expect(error.detail).toMatch(message);
      expect(error.message).not.toContain('\n');
    }
  });

  it('accepts exactly the names Talos accepts (fuzzed against the rule)', () => {
    const nameChars = fc.constantFrom(...'abcXYZ019-_. é\u0000/'.split(''));
    const names = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(nameChars, { maxLength: 40 }).map((cs) => cs.join('')),
      fc.stringMatching(/^[A-Za-z0-9-]{0,40}$/),
    );
    fc.assert(
      fc.property(names, (name) => {
        const ok = (() => {
          try {
            parseRawPartition({ name, minSize: '1GiB', diskSelector: 'disk.size > 0u' });
            return true;
          } catch (err) {
            if (!(err instanceof TalosLonghornError) || err.field !== 'rawPartition.name')
              throw err;
            return false;
          }
        })();
        expect(ok, JSON.stringify(name)).toBe(talosAcceptsName(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses sizes as Talos does: known vectors', () => {
    const vectors: [string, bigint][] = [
      ['42', 42n],
      ['42B', 42n],
      ['42kb', 42_000n],
      ['42KiB', 42n * 1024n],
      ['42 MB', 42_000_000n],
      ['42 mib', 42n * 1024n ** 2n],
      ['1.5GiB', (3n * GIB) / 2n],
      ['100GB', 100_000_000_000n],
      ['2T', 2_000_000_000_000n],
      ['1Ti', 1024n ** 4n],
      ['.5k', 500n],
      ['1.', 1n],
    ];
    for (const [text, bytes] of vectors) {
      expect(talosSizeBytes(text), text).toBe(bytes);
      expect(goHumanizeParseBytes(text), text).toBe(bytes);
    }
    for (const text of ['', 'GiB', '1 2GiB', '-1GiB', '50%', '1e3', '1GiB ', ' 1GiB', '1,000']) {
      expect(talosSizeBytes(text), text).toBeUndefined();
    }
  });

  it('every size it accepts means the same bytes to Talos (fuzzed)', () => {
    const unit = fc.constantFrom(
      '',
      'b',
      'B',
      'k',
      'KB',
      'kib',
      'Mi',
      'MB',
      'MiB',
      'g',
      'GB',
      'GiB',
      'T',
      'TiB',
      'PB',
      'pib',
      'E',
      'EiB',
      'x',
      'gibb',
      'iB',
    );
    const number = fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 21n }).map(String),
      fc.tuple(fc.nat(99_999), fc.stringMatching(/^[0-9]{0,6}$/)).map(([a, b]) => `${a}.${b}`),
    );
    const sizes = fc.oneof(
      fc.tuple(number, fc.constantFrom('', ' ', '  '), unit).map(([n, s, u]) => `${n}${s}${u}`),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(sizes, (text) => {
        const ours = talosSizeBytes(text);
        if (ours !== undefined) expect(goHumanizeParseBytes(text), text).toBe(ours);
        // The canonical form (no stray spaces, known unit) is always accepted.
        const canonical = /^[0-9]+(\.[0-9]*)?( ?[kmgtpe]i?b?| ?b)?$/i.test(text);
        if (canonical && goHumanizeParseBytes(text) !== undefined && text.length <= 32) {
          expect(ours, text).toBe(goHumanizeParseBytes(text));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('RawVolumeConfig documents', () => {
  const shapes = [
    { minSize: '100GiB', ephemeralMaxSize: '40GiB' },
    { minSize: '100GiB', maxSize: '200GiB', ephemeralMaxSize: '40GiB', name: 'V2-data' },
    { minSize: '500GB', diskSelector: 'disk.transport == "nvme" && !system_disk' },
  ];

  for (const version of SUPPORTED_TALOS_VERSIONS) {
    if (versionIndex(version) < versionIndex('1.11')) {
      it(`Talos ${version} has no raw volumes: exit 2 naming the field and 1.11`, () => {
        const raw = parseRawPartition(shapes[0]);
        const error = errorOf(() => rawPartitionDocuments(raw, version));
        expect(error.code).toBe('unsupported-need');
        expect(exitStatusFor(error.code)).toBe(2);
        expect(error.field).toBe('rawPartition');
        expect(error.detail).toMatch(/Talos 1\.11 or newer \(the RawVolumeConfig document\)/);
      });
      continue;
    }
    itWithShared(`Talos ${version}: valid against the official schema`, () => {
      for (const shape of shapes) {
        const documents = rawPartitionDocuments(parseRawPartition(shape), version);
        expect(documents.at(-1)).toMatchObject({ kind: 'RawVolumeConfig' });
        for (const document of documents) {
          expect(schemaErrors(version, document), JSON.stringify(document)).toEqual([]);
        }
      }
    });
  }

  itWithShared('the schema check can fail: a misspelled field is rejected', () => {
    const [volume] = rawPartitionDocuments(parseRawPartition(shapes[2]), '1.11');
    expect(schemaErrors('1.11', { ...volume, provisioning: { minsize: '1GiB' } })).not.toEqual([]);
  });

  it('the EPHEMERAL cap comes before the raw volume', () => {
    const kinds = rawPartitionDocuments(parseRawPartition(shapes[1]), '1.12').map((d) =>
      'kind' in d && 'name' in d ? `${d.kind}/${d.name}` : 'other',
    );
    expect(kinds).toEqual(['VolumeConfig/EPHEMERAL', 'RawVolumeConfig/V2-data']);
  });
});

describe('the Longhorn disk entry', () => {
  const files =
    sharedDir === undefined
      ? []
      : readdirSync(join(sharedDir, 'longhorn/crds')).filter((f) => f.endsWith('.json'));
  itWithShared('is valid against every Longhorn Node CRD (spec.disks entry)', () => {
    expect(files.length).toBeGreaterThan(0);
    const { name, ...entry } = rawPartitionDisk(
      parseRawPartition({ minSize: '1GiB', diskSelector: 'x' }),
    );
    for (const file of files) {
      const crd = readSharedJson<{
        properties: { spec: { properties: { disks: { additionalProperties: object } } } };
      }>(`longhorn/crds/${file}`);
      const validate = new Ajv({ strict: false, validateFormats: false }).compile(
        crd.properties.spec.properties.disks,
      );
      expect(validate({ [name]: entry }), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // The check can fail: an unknown driver is refused.
      expect(validate({ [name]: { ...entry, diskDriver: 'spdk' } }), file).toBe(false);
    }
  });
});

describe('a raw partition and the data path on one disk', () => {
  const dataPath = { selector: 'system_disk', minSize: '10GiB', label: 'u-longhorn' };

  it('refuses a raw partition without maxSize on the data path disk', () => {
    const raw = parseRawPartition({ minSize: '100GiB', ephemeralMaxSize: '40GiB' });
    const error = errorOf(() => layoutRawWithDataPath(raw, dataPath));
    expect(error.field).toBe('rawPartition.maxSize');
    expect(error.detail).toMatch(
      /r-longhorn-v2 first .* all free space, leaving nothing for u-longhorn/,
    );
  });

  it('orders EPHEMERAL, the raw partition, then the growing data path', () => {
    const raw = parseRawPartition({
      minSize: '100GiB',
      maxSize: '200GiB',
      ephemeralMaxSize: '40GiB',
    });
    const layout = layoutRawWithDataPath(raw, dataPath);
    expect(layout).toMatchObject({
      shared: true,
      order: ['EPHEMERAL', 'r-longhorn-v2', 'u-longhorn'],
      minimumFreeBytes: 250n * GIB,
    });
    expect(layout.summary).toMatch(/at least 250 GiB free$/);
  });

  it('different selectors are different placements; no data path is no sharing', () => {
    const raw = parseRawPartition({ minSize: '100GiB', diskSelector: '!system_disk' });
    expect(layoutRawWithDataPath(raw, dataPath).shared).toBe(false);
    expect(layoutRawWithDataPath(raw, undefined).shared).toBe(false);
    const other = { ...dataPath, selector: ' !system_disk ' };
    expect(() => layoutRawWithDataPath(raw, other)).toThrow(/rawPartition\.maxSize/);
  });
});
