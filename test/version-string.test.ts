import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGHORN_REFERENCE_RELEASES, parseLonghornVersion } from '../src/longhorn/versions.js';
import { NEWEST_KNOWN_RELEASE, parseTalosVersion } from '../src/talos/versions.js';
import { parseVersionString } from '../src/version-string.js';
import { errorOf } from './helpers/errors.js';

const number = fc.integer({ min: 0, max: 9999 });
const preRelease = fc.stringMatching(/^[0-9A-Za-z.-]{1,64}$/);

describe('parseVersionString', () => {
  it('reads the release tags our facts name', () => {
    expect(parseVersionString(NEWEST_KNOWN_RELEASE['1.14'].tag)).toEqual({
      major: 1,
      minor: 14,
      patch: 0,
      preRelease: 'rc.1',
    });
    expect(parseVersionString(NEWEST_KNOWN_RELEASE['1.12'].tag)).toEqual({
      major: 1,
      minor: 12,
      patch: 11,
    });
    expect(parseVersionString(LONGHORN_REFERENCE_RELEASES['1.11'])).toEqual({
      major: 1,
      minor: 11,
      patch: 3,
    });
    expect(parseVersionString('1.013')).toEqual({ major: 1, minor: 13 });
  });

  it('gives back the parts a version was written from, with or without the v', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        number,
        number,
        fc.option(fc.tuple(number, fc.option(preRelease, { nil: undefined })), { nil: undefined }),
        (v, major, minor, rest) => {
          const [patch, pre] = rest ?? [];
          const text = `${v ? 'v' : ''}${major}.${minor}${patch === undefined ? '' : `.${patch}`}${pre === undefined ? '' : `-${pre}`}`;
          expect(parseVersionString(text)).toEqual({
            major,
            minor,
            ...(patch === undefined ? {} : { patch }),
            ...(pre === undefined ? {} : { preRelease: pre }),
          });
        },
      ),
    );
  });

  it('refuses anything else, and the Talos and Longhorn tables refuse the same texts', () => {
    const malformed = [
      '',
      '1',
      'v',
      'V1.13',
      'vv1.13',
      ' 1.13',
      '1.13 ',
      '1.13.',
      '1.13.4.5',
      '1.13-rc.1',
      '1.13.4-',
      '1.13.4+build',
      '12345.1',
      '1.12345',
      '1.13.12345',
      `1.13.0-${'a'.repeat(65)}`,
      '１.１３',
    ];
    for (const text of malformed) {
      expect(parseVersionString(text), text).toBeUndefined();
      expect(() => parseTalosVersion(text), text).toThrow(/is not a Talos version/);
      expect(() => parseLonghornVersion(text), text).toThrow(/is not a Longhorn version/);
    }
    expect(errorOf(() => parseTalosVersion('1.13.', 'f'))).toMatchObject({
      code: 'invalid-input',
      field: 'f',
      message:
        'f: "1.13." is not a Talos version; expected one of 1.9, 1.10, 1.11, 1.12, 1.13, 1.14 (written 1.13, v1.13 or v1.13.4)',
    });
    expect(errorOf(() => parseLonghornVersion('1.10.x', 'f'))).toMatchObject({
      code: 'invalid-input',
      field: 'f',
      message:
        'f: "1.10.x" is not a Longhorn version; expected one of 1.8, 1.9, 1.10, 1.11, 1.12 (written 1.10 or 1.10.2)',
    });
    expect(errorOf(() => parseLonghornVersion('1.7', 'f'))).toMatchObject({
      code: 'invalid-input',
      message: 'f: Longhorn 1.7 is not supported; expected one of 1.8, 1.9, 1.10, 1.11, 1.12',
    });
    for (const value of [1.13, null, undefined, ['1.13'], { major: 1 }]) {
      expect(parseVersionString(value)).toBeUndefined();
    }
  });
});
