import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { planNode, renderTalosDocuments, SUPPORTED_TALOS_VERSIONS } from '../../src/index.js';
import { resolvePlan } from '../../src/plan/index.js';
import { renderClusterFiles } from '../../src/plan/render.js';
import { parseKernelConfig } from '../../src/preflight/parse.js';
import { renderInstallerFile } from '../../src/talos/installer.js';

// The imager profile fields (../shared/talos/FACTS.md §8, siderolabs/talos pkg/imager/profile).
const PROFILE_KEYS = ['arch', 'input', 'output', 'platform', 'secureboot', 'version'];

describe('installer.yaml (imager profile with the extension)', () => {
  it('layers the extension OCI layout on the Image Factory installer of the schematic', () => {
    const plan = resolvePlan({ talosVersion: 'v1.13.4', nodes: [{ name: 'n1' }] });
    const file = renderClusterFiles(plan).find((f) => f.path === 'installer.yaml');
    const profile = parseYaml(file?.content ?? '') as Record<string, unknown>;
    expect(Object.keys(profile).sort()).toEqual(PROFILE_KEYS);
    expect(profile).toMatchObject({
      arch: 'amd64',
      platform: 'metal',
      secureboot: false,
      version: 'v1.13.4',
      input: {
        baseInstaller: { imageRef: `factory.talos.dev/installer/${plan.schematicId}:v1.13.4` },
        systemExtensions: [{ ociPath: 'longhorn-v2-node.oci' }],
      },
      output: { kind: 'installer', outFormat: 'raw' },
    });
    expect(file?.content).toContain('ghcr.io/siderolabs/imager:v1.13.4 - < installer.yaml');
    expect(file?.content).toContain('extension build --out longhorn-v2-node.oci');
  });

  it('names a real tag when the plan gives only a minor, and says where it came from', () => {
    const plan = resolvePlan({ talosVersion: '1.12', nodes: [{ name: 'n1' }] });
    expect(plan.installer).toEqual({ tag: 'v1.12.11', fromFacts: true });
    const text = renderInstallerFile({
      schematicId: plan.schematicId,
      tag: 'v1.12.11',
      tagFromFacts: true,
    });
    expect(text).toContain('v1.12.11 is the newest release of this minor');
    expect(text).not.toMatch(/v\d+\.\d+\.x/);
    // Without a version: the newest released minor, 1.13 (FACTS §8), never the 1.14 rc.
    expect(resolvePlan({ nodes: [{ name: 'n1' }] }).installer.tag).toBe('v1.13.9');
  });

  it('extension: false omits the ExtensionServiceConfig on every version', () => {
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      const kinds = (options: object) =>
        renderTalosDocuments(planNode(options), version).map((d) =>
          'kind' in d ? d.kind : 'v1alpha1',
        );
      expect(kinds({})).toContain('ExtensionServiceConfig');
      expect(kinds({ extension: false })).not.toContain('ExtensionServiceConfig');
    }
  });
});

describe('/proc/config.gz', () => {
  const config = (lines: string[]) => gzipSync(Buffer.from(`${lines.join('\n')}\n`));

  it('tells built-in (=y) from loadable (=m) and unconfigured modules', () => {
    const states = parseKernelConfig(
      config([
        '# comment',
        'CONFIG_NVME_TCP=y',
        'CONFIG_DM_CRYPT=y',
        'CONFIG_VFIO_PCI=m',
        '# CONFIG_UIO_PCI_GENERIC is not set',
        'CONFIG_BLK_DEV_UBLK=m',
      ]),
    );
    expect(Object.fromEntries(states ?? [])).toEqual({
      nvme_tcp: 'y',
      dm_crypt: 'y',
      vfio_pci: 'm',
      ublk_drv: 'm',
    });
  });

  it('gives undefined for bytes that are not a gzipped config', () => {
    expect(parseKernelConfig(Buffer.from('CONFIG_NVME_TCP=y\n'))).toBeUndefined();
    expect(parseKernelConfig(gzipSync(Buffer.from('hello\n')))).toBeUndefined();
  });
});
