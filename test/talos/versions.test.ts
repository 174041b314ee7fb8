import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CAPABILITIES,
  DEFAULT_TALOS_VERSION,
  parseTalosVersion,
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  supports,
  TalosLonghornError,
} from '../../src/index.js';
import { errorOf } from '../helpers/errors.js';

describe('parseTalosVersion', () => {
  it('accepts 1.13, v1.13, v1.13.4 and pre-releases, and the default is the newest', () => {
    for (const text of ['1.13', 'v1.13', 'v1.13.4', '1.13.0', 'v1.13.0-rc.1']) {
      expect(parseTalosVersion(text)).toBe('1.13');
    }
    expect(parseTalosVersion('v1.9.6')).toBe('1.9');
    expect(DEFAULT_TALOS_VERSION).toBe(SUPPORTED_TALOS_VERSIONS.at(-1));
    expect(SUPPORTED_TALOS_VERSIONS).toEqual(['1.9', '1.10', '1.11', '1.12', '1.13', '1.14']);
  });

  it('names the supported versions when refusing one', () => {
    const unsupported = errorOf(() => parseTalosVersion('1.8', '--talos-version'));
    expect(unsupported.code).toBe('unsupported-version');
    expect(unsupported.message).toBe(
      '--talos-version: Talos 1.8 is not supported; expected one of 1.9, 1.10, 1.11, 1.12, 1.13, 1.14',
    );
    for (const bad of ['', '1', 'v', '1.13.4.5', 'x1.13', '1.13 ', 'v1.13.', '2.0']) {
      const err = errorOf(() => parseTalosVersion(bad));
      expect(err.field).toBe('talosVersion');
      expect(err.message).toMatch(/expected one of 1\.9, 1\.10/);
    }
  });

  it('never throws anything but a TalosLonghornError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          expect(SUPPORTED_TALOS_VERSIONS).toContain(parseTalosVersion(text));
        } catch (err) {
          expect(err).toBeInstanceOf(TalosLonghornError);
        }
      }),
    );
  });
});

describe('capability table', () => {
  it('matches the known Talos history', () => {
    const since = (name: keyof typeof CAPABILITIES) =>
      SUPPORTED_TALOS_VERSIONS.filter((v) => supports(v, name));
    expect(since('pciDriverRebindConfig')).toEqual(['1.10', '1.11', '1.12', '1.13', '1.14']);
    expect(since('userVolumeConfig')).toEqual(['1.10', '1.11', '1.12', '1.13', '1.14']);
    expect(since('ublkDriver')).toEqual(['1.12', '1.13', '1.14']);
    expect(since('userVolumeDirectory')).toEqual(['1.12', '1.13', '1.14']);
    expect(since('kernelModuleConfig')).toEqual(['1.14']);
    expect(since('machineKernelModules')).toEqual(['1.9', '1.10', '1.11', '1.12', '1.13']);
    expect(since('extensionServiceConfig')).toEqual([...SUPPORTED_TALOS_VERSIONS]);
  });

  /** Every need × every version that cannot express it → unsupported-need naming the minimum. */
  const needs = [
    { field: 'ublk', options: { ublk: true }, minimum: '1.12' },
    { field: 'ublk', options: { extraModules: [{ name: 'ublk-drv' }] }, minimum: '1.12' },
    {
      field: 'vfioRebind',
      options: { disks: ['0000:01:00.0'], vfioRebind: true },
      minimum: '1.10',
    },
    { field: 'dataPathDisk', options: { dataPathDisk: 'system_disk' }, minimum: '1.10' },
  ] as const;
  for (const need of needs) {
    it(`${JSON.stringify(need.options)} is refused before Talos ${need.minimum}`, () => {
      for (const version of SUPPORTED_TALOS_VERSIONS) {
        const render = () => renderTalosDocuments(planNode(need.options), version);
        if (
          SUPPORTED_TALOS_VERSIONS.indexOf(version) >=
          SUPPORTED_TALOS_VERSIONS.indexOf(need.minimum)
        ) {
          expect(render().length).toBeGreaterThan(0);
          continue;
        }
        const err = errorOf(render);
        expect(err.code).toBe('unsupported-need');
        expect(err.field).toBe(need.field);
        expect(err.message).toContain(`needs Talos ${need.minimum} or newer`);
        expect(err.message).toContain(`the target is Talos ${version}`);
      }
    });
  }

  it('a data path without a disk: bind mount on 1.9, refused on 1.10–1.11, directory from 1.12', () => {
    const needs = planNode({ dataPath: true });
    const doc = (version: (typeof SUPPORTED_TALOS_VERSIONS)[number]) =>
      JSON.stringify(renderTalosDocuments(needs, version));
    expect(doc('1.9')).toContain('"extraMounts":[{"destination":"/var/lib/longhorn"');
    for (const version of ['1.10', '1.11'] as const) {
      const err = errorOf(() => renderTalosDocuments(needs, version));
      expect(err.code).toBe('unsupported-need');
      expect(err.message).toMatch(/needs Talos 1\.12 or newer.*--data-path-disk/);
    }
    for (const version of ['1.12', '1.13', '1.14'] as const) {
      expect(doc(version)).toContain(
        '"kind":"UserVolumeConfig","name":"longhorn","volumeType":"directory"',
      );
      expect(doc(version)).not.toContain('extraMounts');
    }
  });

  it('renders 1.14 without any v1alpha1 machine fields and <= 1.13 without 1.14 kinds', () => {
    const needs = planNode({ disks: ['0000:01:00.0'] });
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      const text = renderPatch(renderTalosDocuments(needs, version), { format: 'yaml' });
      expect(text.includes('machine:')).toBe(version !== '1.14');
      expect(/KernelModuleConfig|SysctlConfig|KubeNodeConfig/.test(text)).toBe(version === '1.14');
    }
  });
});
