import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TALOS_VERSION,
  parseTalosVersion,
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  TalosLonghornError,
} from '../../src/index.js';
import { isBuiltInModule } from '../../src/talos/capabilities.js';
import { type CAPABILITIES, dataPathOnHost, supports } from '../../src/talos/index.js';
import {
  installerTag,
  isPreRelease,
  NEWEST_KNOWN_RELEASE,
  parseTalosTarget,
} from '../../src/talos/versions.js';
import { itWithShared, readSharedJson } from '../helpers/shared.js';

interface SchemaNode {
  readonly properties?: Record<string, { readonly enum?: readonly string[] } | undefined>;
}

import { errorOf } from '../helpers/errors.js';

describe('parseTalosVersion', () => {
  it('accepts 1.13, v1.13, v1.13.4 and pre-releases; the default is the newest released', () => {
    for (const text of ['1.13', 'v1.13', 'v1.13.4', '1.13.0', 'v1.13.0-rc.1']) {
      expect(parseTalosVersion(text)).toBe('1.13');
    }
    expect(parseTalosVersion('v1.9.6')).toBe('1.9');
    // ../shared/talos/FACTS.md §8: 1.13.9 is the newest GA, 1.14 only v1.14.0-rc.1.
    expect(DEFAULT_TALOS_VERSION).toBe('1.13');
    expect(isPreRelease('1.14')).toBe(true);
    expect(NEWEST_KNOWN_RELEASE['1.13'].tag).toBe('v1.13.9');
    expect(NEWEST_KNOWN_RELEASE['1.12'].tag).toBe('v1.12.11');
    for (const { tag } of Object.values(NEWEST_KNOWN_RELEASE)) {
      expect(tag).toMatch(/^v\d+\.\d+\.\d+(-[a-z]+\.\d+)?$/);
    }
    expect(installerTag(parseTalosTarget('v1.11.3'))).toEqual({ tag: 'v1.11.3', fromFacts: false });
    expect(installerTag(parseTalosTarget('1.11'))).toEqual({ tag: 'v1.11.6', fromFacts: true });
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
  /** Versions whose official schema has a document `kind`, or a property at a `$defs` path. */
  function schemaHas(test: (defs: Record<string, SchemaNode>) => boolean): string[] {
    return SUPPORTED_TALOS_VERSIONS.filter((v) =>
      test(
        readSharedJson<{ $defs: Record<string, SchemaNode> }>(
          `talos/schemas/v${v}/config.schema.json`,
        ).$defs,
      ),
    );
  }
  const hasKind = (kind: string) => (defs: Record<string, SchemaNode>) =>
    Object.values(defs).some((def) => def.properties?.kind?.enum?.includes(kind) === true);
  const hasProperty = (def: string, property: string) => (defs: Record<string, SchemaNode>) =>
    defs[def]?.properties?.[property] !== undefined;
  const since = (name: keyof typeof CAPABILITIES) =>
    SUPPORTED_TALOS_VERSIONS.filter((v) => supports(v, name));

  itWithShared('agrees with the official schemas of every version', () => {
    const fromSchemas: [
      keyof typeof CAPABILITIES,
      (defs: Record<string, SchemaNode>) => boolean,
    ][] = [
      ['extensionServiceConfig', hasKind('ExtensionServiceConfig')],
      ['pciDriverRebindConfig', hasKind('PCIDriverRebindConfig')],
      ['userVolumeConfig', hasKind('UserVolumeConfig')],
      ['kernelModuleConfig', hasKind('KernelModuleConfig')],
      ['sysctlConfig', hasKind('SysctlConfig')],
      ['kubeNodeConfig', hasKind('KubeNodeConfig')],
      ['machineKernelModules', hasProperty('v1alpha1.KernelConfig', 'modules')],
      ['machineSysctls', hasProperty('v1alpha1.MachineConfig', 'sysctls')],
      ['machineNodeLabels', hasProperty('v1alpha1.MachineConfig', 'nodeLabels')],
      ['kubeletExtraMounts', hasProperty('v1alpha1.KubeletConfig', 'extraMounts')],
      ['installExtraKernelArgs', hasProperty('v1alpha1.InstallConfig', 'extraKernelArgs')],
      [
        'userVolumeDirectory',
        (defs) =>
          Object.entries(defs).some(
            ([key, def]) =>
              key.startsWith('block.UserVolumeConfig') &&
              def.properties?.volumeType?.enum?.includes('directory') === true,
          ),
      ],
    ];
    for (const [name, test] of fromSchemas) expect(since(name), name).toEqual(schemaHas(test));
  });

  it('matches the Talos history our facts state for what no schema shows', () => {
    // FACTS §4: ublk_drv exists from 1.12; §1: derived identity files from 1.10.
    expect(since('ublkDriver')).toEqual(['1.12', '1.13', '1.14']);
    expect(since('derivedIdentityFiles')).toEqual(['1.10', '1.11', '1.12', '1.13', '1.14']);
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

  it('a data path without a disk: bind mount on 1.9–1.11, directory from 1.12', () => {
    const needs = planNode({ dataPath: true });
    const doc = (version: (typeof SUPPORTED_TALOS_VERSIONS)[number]) =>
      JSON.stringify(renderTalosDocuments(needs, version));
    for (const version of ['1.9', '1.10', '1.11'] as const) {
      expect(doc(version)).toContain('"extraMounts":[{"destination":"/var/lib/longhorn"');
      expect(doc(version)).not.toContain('UserVolumeConfig');
      expect(dataPathOnHost(needs, version)).toBe('/var/lib/longhorn');
    }
    for (const version of ['1.12', '1.13', '1.14'] as const) {
      expect(doc(version)).toContain(
        '"kind":"UserVolumeConfig","name":"longhorn","volumeType":"directory"',
      );
      expect(doc(version)).not.toContain('extraMounts');
      expect(dataPathOnHost(needs, version)).toBe('/var/mnt/longhorn');
    }
    // With a disk selector 1.10 and 1.11 still get a partition.
    const onDisk = planNode({ dataPathDisk: 'system_disk' });
    expect(JSON.stringify(renderTalosDocuments(onDisk, '1.10'))).toContain('"diskSelector"');
    expect(dataPathOnHost(onDisk, '1.10')).toBe('/var/mnt/longhorn');
  });

  it('parameters of built-in modules become kernel arguments, or exit 2 where no field exists', () => {
    // FACTS §8: nvme_tcp and dm_crypt are built in; their module parameters are never applied.
    for (const name of ['nvme_tcp', 'dm_crypt']) {
      for (const version of SUPPORTED_TALOS_VERSIONS)
        expect(isBuiltInModule(version, name)).toBe(true);
    }
    expect(isBuiltInModule('1.13', 'vfio_pci')).toBe(false);
    const needs = planNode({
      extraModules: [
        { name: 'nvme_tcp', parameters: ['wq_unbound=Y'] },
        { name: 'vfio_pci', parameters: ['disable_idle_d3=1'] },
      ],
    });
    for (const version of ['1.9', '1.10', '1.11'] as const) {
      const [patch] = renderTalosDocuments(needs, version) as {
        machine: Record<string, unknown>;
      }[];
      expect(patch?.machine.install).toEqual({ extraKernelArgs: ['nvme_tcp.wq_unbound=Y'] });
      const modules = (
        (patch?.machine.kernel ?? { modules: [] }) as {
          modules: { name: string; parameters?: string[] }[];
        }
      ).modules;
      // A loadable module keeps its parameters.
      expect(modules.find((m) => m.name === 'vfio_pci')?.parameters).toEqual(['disable_idle_d3=1']);
    }
    for (const version of ['1.12', '1.13', '1.14'] as const) {
      const err = errorOf(() => renderTalosDocuments(needs, version));
      expect(err.code).toBe('unsupported-need');
      expect(err.field).toBe('extraModules');
      expect(err.message).toMatch(/nvme_tcp\.wq_unbound=Y.*needs Talos 1\.11 or older.*schematic/);
    }
    // No parameters: nothing for the kernel command line, every version renders.
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      expect(JSON.stringify(renderTalosDocuments(planNode({}), version))).not.toContain(
        'extraKernelArgs',
      );
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
