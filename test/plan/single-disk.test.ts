// The single-disk example plan (a raw partition per node, Talos >= 1.11) end to end through
// generate's files: golden files per Talos version, every patch document checked against that
// version's official Talos schema, every Longhorn Node patch against each Longhorn Node CRD.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { exitStatusFor, isTalosLonghornError } from '../../src/errors.js';
import {
  LONGHORN_REFERENCE_RELEASES,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../../src/longhorn/versions.js';
import { loadPlan } from '../../src/plan/load.js';
import { renderClusterFiles } from '../../src/plan/render.js';
import type { TalosVersion } from '../../src/talos/versions.js';
import { projectRoot } from '../helpers/cli.js';
import { checkLonghornGoldens, itWithLonghornFacts } from '../helpers/longhorn-oracles.js';
import { itWithShared } from '../helpers/shared.js';
import { expectGolden } from '../helpers/snapshot.js';
import { schemaErrors } from '../talos/official-schema.js';

// Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/plan/single-disk.test.ts
const update = process.env.UPDATE_GOLDEN === '1';
const planFile = join(projectRoot, 'examples/single-disk/plan.yaml');
const fixture = join(projectRoot, 'test/fixtures/generate/single-disk');
const TALOS_VERSIONS: readonly TalosVersion[] = ['1.11', '1.13', '1.14'];
const PARTITION = '/dev/disk/by-partlabel/r-longhorn-v2';

async function planText(talos: TalosVersion): Promise<string> {
  const text = await readFile(planFile, 'utf8');
  const replaced = text.replace(/^talosVersion: "1\.13"$/m, `talosVersion: "${talos}"`);
  expect(replaced.includes(`talosVersion: "${talos}"`)).toBe(true);
  return replaced;
}

async function filesFor(talos: TalosVersion, longhorn?: string) {
  const plan = loadPlan(
    await planText(talos),
    planFile,
    longhorn === undefined ? undefined : { longhornVersion: longhorn as never },
  );
  return renderClusterFiles(plan);
}

describe('generate for nodes with a single disk', () => {
  for (const talos of TALOS_VERSIONS) {
    it(`Talos ${talos}: the golden files`, async () => {
      const files = await filesFor(talos);
      await expectGolden(join(fixture, talos), files, update);
    });

    itWithShared(
      `Talos ${talos}: every patch document is valid for the official schema`,
      async () => {
        const kinds = new Set<string>();
        for (const file of await filesFor(talos)) {
          if (!file.path.endsWith('.patch.yaml')) continue;
          for (const doc of parseAllDocuments(file.content)) {
            const value = doc.toJS() as { kind?: string; name?: string };
            expect(schemaErrors(talos, value), `${file.path}: ${JSON.stringify(value)}`).toEqual(
              [],
            );
            if (value.kind !== undefined) kinds.add(`${value.kind}/${value.name ?? ''}`);
          }
        }
        expect(kinds).toContain('RawVolumeConfig/longhorn-v2');
        expect(kinds).toContain('VolumeConfig/EPHEMERAL');
        expect(kinds).toContain('UserVolumeConfig/longhorn');
      },
    );
  }

  itWithShared('the schema check can fail: a raw volume with an unknown field', () => {
    const bad = { apiVersion: 'v1alpha1', kind: 'RawVolumeConfig', name: 'x', size: '1GiB' };
    expect(schemaErrors('1.13', bad)).not.toEqual([]);
  });

  for (const version of SUPPORTED_LONGHORN_VERSIONS) {
    const release = LONGHORN_REFERENCE_RELEASES[version];
    itWithLonghornFacts(
      `Longhorn ${version}: the Node patches are valid for the ${release} Node CRD`,
      async () => {
        const dir = await mkdtemp(join(tmpdir(), 'tl-single-disk-'));
        try {
          for (const file of await filesFor('1.13', version)) {
            await writeFile(join(dir, file.path), file.content);
          }
          const { nodeDisks, annotations } = await checkLonghornGoldens(dir, release);
          for (const node of ['edge-1', 'edge-2']) {
            expect(nodeDisks[node]).toEqual([
              expect.objectContaining({ path: PARTITION, diskType: 'block', diskDriver: 'aio' }),
            ]);
            // One /dev/ path: every supported Longhorn version takes it from the annotation.
            expect(annotations[node]).toEqual([
              {
                name: 'longhorn-v2',
                path: PARTITION,
                diskType: 'block',
                diskDriver: 'aio',
                allowScheduling: true,
              },
            ]);
          }
          const patch = await readFile(join(dir, 'edge-1.longhorn-node.yaml'), 'utf8');
          expect(Object.keys((parseYaml(patch) as { spec: { disks: object } }).spec.disks)).toEqual(
            ['longhorn-v2'],
          );
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    );
  }

  it('Talos 1.10 has no raw volumes: exit-2 error naming rawPartition and 1.11', async () => {
    const text = (await planText('1.13')).replace('talosVersion: "1.13"', 'talosVersion: "1.10"');
    const error = (() => {
      try {
        renderClusterFiles(loadPlan(text, planFile));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(isTalosLonghornError(error)).toBe(true);
    if (!isTalosLonghornError(error)) return;
    // The plan gives it in defaults; the field keeps that path.
    expect(error.field).toBe('defaults.rawPartition');
    expect(error.message).toMatch(
      /needs Talos 1\.11 or newer .*the target is Talos 1\.10 \(for node edge-1\)$/,
    );
    expect(exitStatusFor(error.code)).toBe(2);
  });
});
