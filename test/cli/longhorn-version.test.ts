import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terraformResult } from '../../src/cli/terraform.js';
import { TalosLonghornError } from '../../src/errors.js';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { buildFixtureFleet, FIXTURE_DISK } from '../preflight/fixture-nodes.js';

let dir: string;
let roots: Map<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-longhorn-version-'));
  roots = (await buildFixtureFleet(join(dir, 'fleet'))).roots;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--longhorn-version and --kube-node', () => {
  it('patch keeps a single /dev/ disk in the annotation, refuses unknown versions (exit 2)', async () => {
    const ok = await runCli(['patch', '--disk', '/dev/nvme1n1', '--longhorn-version', '1.9.2']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('node.longhorn.io/default-disks-config');
    const pci = await runCli(['patch', '--disk', FIXTURE_DISK, '--longhorn-version', '1.12']);
    expect(pci.stdout).not.toContain('default-disks-config');
    const bad = await runCli(['patch', '--longhorn-version', '1.13']);
    expect(expectOneLineFailure(bad, 2)).toMatch(
      /--longhorn-version: Longhorn 1\.13 is not supported; expected one of 1\.8, 1\.9, 1\.10, 1\.11, 1\.12$/,
    );
  });

  it('terraform reads longhorn_version and names the query key on error', () => {
    expect(terraformResult({ disks: '/dev/nvme1n1', longhorn_version: '1.8' }).patch).toContain(
      'default-disks-config',
    );
    let err: unknown;
    try {
      terraformResult({ longhorn_version: 'next' });
    } catch (caught) {
      err = caught;
    }
    expect(err).toBeInstanceOf(TalosLonghornError);
    expect((err as TalosLonghornError).field).toBe('query.longhorn_version');
  });

  it('preflight: longhorn-version warns on 1.8 with a PCI disk; kubelet-hugepages reads --kube-node', async () => {
    const root = roots.get('healthy-1.13') ?? '';
    const node = {
      kind: 'Node',
      metadata: { name: 'w1' },
      status: { capacity: { 'hugepages-2Mi': '0' } },
    };
    const file = join(dir, 'node.json');
    await writeFile(file, JSON.stringify(node));
    const args = ['preflight', '--root', root, '--disk', FIXTURE_DISK, '--output', 'json'];
    const result = await runCli([...args, '--longhorn-version', '1.8', '--kube-node', file]);
    const checks = (
      JSON.parse(result.stdout) as {
        nodes: { checks: { id: string; status: string; remedy?: string }[] }[];
      }
    ).nodes[0]?.checks;
    const byId = Object.fromEntries((checks ?? []).map((c) => [c.id, c]));
    expect(byId['longhorn-version']?.status).toBe('warn');
    expect(byId['kubelet-hugepages']?.status).toBe('fail');
    expect(byId['kubelet-hugepages']?.remedy).toMatch(/service kubelet restart/);
    expect(result.status).toBe(1);
    await writeFile(file, '{"kind":"Pod"}');
    const bad = await runCli([...args, '--kube-node', file]);
    expect(expectOneLineFailure(bad, 2)).toMatch(/--kube-node: expected a Kubernetes Node object/);
  });
});
