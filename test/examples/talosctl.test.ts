import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LONGHORN_REFERENCE_RELEASES, parseLonghornVersion } from '../../src/longhorn/versions.js';
import { projectRoot, runCli } from '../helpers/cli.js';
import { checkLonghornGoldens, itWithLonghornFacts } from '../helpers/longhorn-oracles.js';
import { snapshot } from '../helpers/snapshot.js';

const example = join(projectRoot, 'examples/talosctl');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-example-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/talosctl', () => {
  it('patches/ is exactly what generate makes of plan.yaml', async () => {
    const result = await runCli(['generate', join(example, 'plan.yaml'), '--out', dir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(await snapshot(join(example, 'patches'))).toEqual(await snapshot(dir));
  });

  itWithLonghornFacts(
    'patches/ holds Longhorn files valid for the Longhorn release the plan names',
    async () => {
      const plan = parseYaml(await readFile(join(example, 'plan.yaml'), 'utf8')) as {
        longhornVersion: string;
        nodes: { name: string; disks?: string[] }[];
      };
      const version = parseLonghornVersion(plan.longhornVersion);
      const { nodeDisks } = await checkLonghornGoldens(
        join(example, 'patches'),
        LONGHORN_REFERENCE_RELEASES[version],
      );
      const readme = await readFile(join(example, 'README.md'), 'utf8');
      for (const node of plan.nodes) {
        // Every planned disk is registered, and the README applies each node's Node patch.
        expect(nodeDisks[node.name]?.length ?? 0).toBe(node.disks?.length ?? 0);
        if ((node.disks?.length ?? 0) === 0) continue;
        expect(readme).toContain(
          `kubectl -n longhorn-system patch nodes.longhorn.io ${node.name} --type merge --patch-file patches/${node.name}.longhorn-node.yaml`,
        );
      }
      expect(readme).toContain(`--version ${version}.x`);
      expect(readme).toContain('service kubelet restart');
    },
  );

  it('the README has a talosctl --config-patch line for every node, with the schematic ID', async () => {
    const plan = parseYaml(await readFile(join(example, 'plan.yaml'), 'utf8')) as {
      nodes: { name: string }[];
    };
    const readme = await readFile(join(example, 'README.md'), 'utf8');
    const genConfig = readme.split('\n').filter((line) => line.startsWith('talosctl gen config'));
    expect(
      genConfig.map((line) => /--config-patch @patches\/(\S+)\.patch\.yaml$/.exec(line)?.[1]),
    ).toEqual(plan.nodes.map((node) => node.name));
    const schematic = await readFile(join(example, 'patches/schematic.yaml'), 'utf8');
    const id = schematic.split('\n')[1]?.slice(2) ?? '';
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(readme).toContain(`factory.talos.dev/installer/${id}:`);
    // The path ends with the extension installed: the imager builds installer.yaml's profile.
    const installer = parseYaml(
      await readFile(join(example, 'patches/installer.yaml'), 'utf8'),
    ) as {
      version: string;
      input: { baseInstaller: { imageRef: string } };
    };
    expect(installer.input.baseInstaller.imageRef).toBe(
      `factory.talos.dev/installer/${id}:${installer.version}`,
    );
    expect(readme).toContain(`ghcr.io/siderolabs/imager:${installer.version} - < installer.yaml`);
    expect(readme).toContain('extension build --out longhorn-v2-node.oci');
  });
});
