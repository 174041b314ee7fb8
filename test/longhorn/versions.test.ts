import { describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import {
  LONGHORN_CAPABILITIES,
  LONGHORN_REFERENCE_RELEASES,
  longhornSupports,
  parseLonghornVersion,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../../src/longhorn/versions.js';
import { chartKeys, itWithLonghornFacts, nodeCrdValidator } from '../helpers/longhorn-oracles.js';

function errorOf(text: unknown): TalosLonghornError {
  try {
    parseLonghornVersion(text, 'longhornVersion');
  } catch (err) {
    if (err instanceof TalosLonghornError) return err;
    throw err;
  }
  throw new Error(`expected ${String(text)} to be refused`);
}

describe('Longhorn versions', () => {
  it('read a minor or a release, and refuse others naming the field and the list', () => {
    expect(parseLonghornVersion('1.10')).toBe('1.10');
    expect(parseLonghornVersion('1.10.2')).toBe('1.10');
    expect(parseLonghornVersion('v1.8.0')).toBe('1.8');
    for (const bad of ['1.7', '1.13', '2.0', 'latest', '', 1.1, '1.10.x']) {
      const err = errorOf(bad);
      expect(err.code).toBe('invalid-input');
      expect(err.field).toBe('longhornVersion');
      expect(err.message).toContain('expected one of 1.8, 1.9, 1.10, 1.11, 1.12');
    }
  });

  itWithLonghornFacts('the table agrees with each chart and Node CRD it cites', () => {
    for (const version of SUPPORTED_LONGHORN_VERSIONS) {
      const release = LONGHORN_REFERENCE_RELEASES[version];
      const keys = chartKeys(release);
      const perEngine = longhornSupports(version, 'perEngineHugepageSettings');
      expect(keys.includes('dataEngineMemorySize'), release).toBe(perEngine);
      expect(keys.includes('dataEngineHugepageEnabled'), release).toBe(perEngine);
      expect(keys.includes('v2DataEngineHugepageLimit'), release).toBe(!perEngine);
      for (const key of ['v2DataEngine', 'createDefaultDiskLabeledNodes', 'defaultDataPath']) {
        expect(keys, release).toContain(key);
      }
      // diskDriver nvme exists in the CRD exactly where the table says so.
      const disk = { path: '0000:01:00.0', diskType: 'block', diskDriver: 'nvme' };
      const errors = nodeCrdValidator(release)({ spec: { disks: { d: disk } } });
      expect(errors === undefined, release).toBe(longhornSupports(version, 'nvmeDiskDriver'));
    }
  });

  it('date each fix to the first supported release whose changelog lists it', () => {
    // CHANGELOG-1.8.0.md lists longhorn#9874, CHANGELOG-1.9.0.md longhorn#10313; #13491 was
    // fixed after 1.12.1, the newest release.
    expect(LONGHORN_CAPABILITIES.controllerLossRaceFixed.since).toBe('1.8');
    expect(LONGHORN_CAPABILITIES.devFdNotNeeded.since).toBe('1.9');
    expect(LONGHORN_CAPABILITIES.defaultDisksAcceptPci.since).toBeNull();
    expect(longhornSupports('1.8', 'devFdNotNeeded')).toBe(false);
    expect(longhornSupports('1.9', 'devFdNotNeeded')).toBe(true);
    expect(
      SUPPORTED_LONGHORN_VERSIONS.some((v) => longhornSupports(v, 'defaultDisksAcceptPci')),
    ).toBe(false);
  });
});
