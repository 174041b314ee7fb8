import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  LONGHORN_REFERENCE_RELEASES,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../../src/longhorn/versions.js';
import { loadPlan } from '../../src/plan/load.js';
import { renderClusterFiles } from '../../src/plan/render.js';
import { projectRoot } from '../helpers/cli.js';
import { checkLonghornGoldens, itWithLonghornFacts } from '../helpers/longhorn-oracles.js';
import { expectGolden } from '../helpers/snapshot.js';

// Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/longhorn/versions-golden.test.ts
const update = process.env.UPDATE_GOLDEN === '1';
const fixture = join(projectRoot, 'test/fixtures/generate/longhorn');
const planFile = join(fixture, 'plan.yaml');

describe('generate per Longhorn version', () => {
  for (const version of SUPPORTED_LONGHORN_VERSIONS) {
    const release = LONGHORN_REFERENCE_RELEASES[version];
    itWithLonghornFacts(
      `Longhorn ${version}: golden files, checked against chart ${release} and its Node CRD`,
      async () => {
        const text = await readFile(planFile, 'utf8');
        const files = renderClusterFiles(loadPlan(text, planFile, { longhornVersion: version }));
        const dir = join(fixture, version);
        await expectGolden(dir, files, update);

        const { nodeDisks, annotations, settings } = await checkLonghornGoldens(dir, release);
        // Every planned v2 disk is registered by a Node patch, whatever the annotation does.
        const plan = parseYaml(text) as { nodes: { name: string; disks?: string[] }[] };
        for (const node of plan.nodes) {
          expect((nodeDisks[node.name] ?? []).length).toBe(node.disks?.length ?? 0);
        }
        // pci-1 has a PCI address and two /dev/ paths: Longhorn would drop that annotation.
        expect(annotations['pci-1']).toBeUndefined();
        expect(annotations['aio-1']).toHaveLength(1);
        expect(settings.createDefaultDiskLabeledNodes).toBe('true');
        // The data path the Talos 1.12 patch provides (a user volume under /var/mnt).
        expect(settings.defaultDataPath).toBe('/var/mnt/longhorn');
        // Paths that differ only in punctuation still get distinct names (keys are unique by YAML).
        const pci = await readFile(join(dir, 'pci-1.longhorn-node.yaml'), 'utf8');
        const disks = (parseYaml(pci, { version: '1.1' }) as { spec: { disks: object } }).spec
          .disks;
        expect(Object.keys(disks)).toHaveLength(3);
        // The huge-page settings of that chart line, and the PCI driver its CRD allows.
        const perEngine = ['1.8', '1.9'].includes(version) === false;
        expect('dataEngineMemorySize' in settings).toBe(perEngine);
        expect('v2DataEngineHugepageLimit' in settings).toBe(!perEngine);
        const pciDisk = nodeDisks['pci-1']?.find((d) => !d.path.startsWith('/'));
        expect(pciDisk?.path).toBe('0000:01:00.0');
      },
    );
  }
});
