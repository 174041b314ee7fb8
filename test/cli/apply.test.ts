import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { type KeyPairPem, mintTestPki } from '../helpers/pki.js';
import {
  type AppliedConfig,
  type FakeNode,
  type FakeTalos,
  startFakeTalos,
  talosconfigText,
} from '../helpers/talos-server.js';

const pki = mintTestPki();
const SECRET = 'c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw==';
const CONFIG = `version: v1alpha1
machine:
  type: worker
  token: ${SECRET}
  sysctls:
    vm.swappiness: "10"
`;
const PATCH = `machine:
  sysctls:
    vm.nr_hugepages: "1024"
---
apiVersion: v1alpha1
kind: KernelModuleConfig
name: vfio_pci
`;

const nodes: Record<string, FakeNode & { applied: AppliedConfig[] }> = {};
let server: FakeTalos;
let dir: string;
let patchFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-apply-'));
  patchFile = join(dir, 'patch.yaml');
  await writeFile(patchFile, PATCH);
  for (const name of ['node-a', 'node-b']) nodes[name] = { machineConfig: CONFIG, applied: [] };
  nodes['node-14'] = { tag: 'v1.14.0', machineConfig: CONFIG, applied: [] };
  server = await startFakeTalos({ ca: pki.ca, server: pki.server, nodes });
});
beforeEach(() => {
  for (const node of Object.values(nodes)) {
    node.machineConfig = CONFIG;
    node.applied.length = 0;
  }
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function talosconfig(client: KeyPairPem): Promise<string> {
  const path = join(dir, `${client === pki.admin ? 'admin' : 'reader'}.yaml`);
  await writeFile(path, talosconfigText({ ca: pki.ca, client, endpoints: [server.endpoint] }));
  return path;
}

const applied = (name: string) => nodes[name]?.applied ?? [];
const applyWith = (cfg: string, args: string[]) =>
  runCli(['apply', patchFile, '--talosconfig', cfg, ...args]);

describe('talos-longhorn apply', () => {
  it('dry run on every node first, then applies the merged config', async () => {
    const cfg = await talosconfig(pki.admin);
    const result = await applyWith(cfg, ['--nodes', 'node-a,node-b']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'node node-a: dry run (mode no-reboot)',
        '    Dry run summary:',
        '    Applied configuration with mode NO_REBOOT (skipped in dry-run).',
        'node node-b: dry run (mode no-reboot)',
        '    Dry run summary:',
        '    Applied configuration with mode NO_REBOOT (skipped in dry-run).',
        'node node-a: applied (mode no-reboot)',
        '    Applied configuration with mode NO_REBOOT',
        'node node-b: applied (mode no-reboot)',
        '    Applied configuration with mode NO_REBOOT',
        '',
      ].join('\n'),
    );
    for (const name of ['node-a', 'node-b']) {
      expect(applied(name).map((a) => [a.mode, a.dryRun])).toEqual([
        ['AUTO', true],
        ['AUTO', false],
      ]);
      const docs = parseAllDocuments(applied(name)[1]?.data ?? '').map((d) => d.toJS());
      expect(docs[0].machine).toEqual({
        type: 'worker',
        token: SECRET,
        sysctls: { 'vm.swappiness': '10', 'vm.nr_hugepages': '1024' },
      });
      expect(docs[1]).toEqual({
        apiVersion: 'v1alpha1',
        kind: 'KernelModuleConfig',
        name: 'vfio_pci',
      });
    }
    // The node's config (with its secrets) is never printed.
    expect(result.stdout).not.toContain(SECRET);
  });

  it('a second run changes nothing and applies nothing', async () => {
    const cfg = await talosconfig(pki.admin);
    await applyWith(cfg, ['--nodes', 'node-a']);
    const again = await runCli(['apply', '-', '--talosconfig', cfg, '--nodes', 'node-a'], {
      input: PATCH,
    });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(
      'node node-a: no change, nothing sent\nnode node-a: no change, nothing sent\n',
    );
    expect(applied('node-a')).toHaveLength(2);
  });

  it('--dry-run only asks; --skip-dry-run applies directly with the chosen mode', async () => {
    const cfg = await talosconfig(pki.admin);
    const dry = await applyWith(cfg, ['--nodes', 'node-a', '--dry-run', '--mode', 'staged']);
    expect(dry.status).toBe(0);
    expect(applied('node-a').map((a) => [a.mode, a.dryRun])).toEqual([['STAGED', true]]);
    const direct = await applyWith(cfg, ['--nodes', 'node-b', '--skip-dry-run', '--mode', 'try']);
    expect(direct.status).toBe(0);
    expect(applied('node-b').map((a) => [a.mode, a.dryRun])).toEqual([['TRY', false]]);
  });

  it('a failing dry run stops before anything is applied', async () => {
    const cfg = await talosconfig(pki.admin);
    const result = await applyWith(cfg, ['--nodes', 'node-a,node-z', '--timeout', '2s']);
    expect(expectOneLineFailure(result, 3)).toMatch(
      /node node-z: (Version|Get MachineConfigs\S*) .*connection error/,
    );
    expect(applied('node-a').every((a) => a.dryRun)).toBe(true);
  });

  const failures: [string, string[], number, RegExp][] = [
    [
      'os:reader',
      ['--nodes', 'node-a'],
      3,
      /node node-a: Get MachineConfigs\.config\.talos\.dev config\/v1alpha1 is not allowed \(client certificate roles: os:reader\): not authorized/,
    ],
    [
      'unknown mode',
      ['--nodes', 'node-a', '--mode', 'later'],
      2,
      /--mode: unknown value "later"; expected one of auto, no-reboot, reboot, staged, try/,
    ],
    [
      'both dry-run flags',
      ['--nodes', 'node-a', '--dry-run', '--skip-dry-run'],
      2,
      /--skip-dry-run: cannot be combined with --dry-run/,
    ],
    ['no nodes', [], 2, /--nodes: no nodes; give --nodes or set nodes in context "fake"/],
  ];
  it.each(failures)('%s → one line and its exit status', async (_name, args, status, message) => {
    const cfg = await talosconfig(pki.reader);
    const result = await applyWith(cfg, [...args]);
    expect(expectOneLineFailure(result, status)).toMatch(message);
    expect(applied('node-a')).toEqual([]);
  });

  it('a mode one node refuses (1.14: no reboot) fails the run before any dry run', async () => {
    const cfg = await talosconfig(pki.admin);
    const result = await applyWith(cfg, ['--nodes', 'node-a,node-14', '--mode', 'reboot']);
    expect(expectOneLineFailure(result, 2)).toBe(
      'talos-longhorn: --mode: node node-14 runs Talos 1.14, which does not accept mode reboot; use auto, no-reboot, staged, try',
    );
    expect(applied('node-a')).toEqual([]);
    expect(applied('node-14')).toEqual([]);
  });

  it('an empty or missing patch is bad input', async () => {
    const cfg = await talosconfig(pki.admin);
    const empty = await runCli(['apply', '-', '--talosconfig', cfg, '--nodes', 'node-a'], {
      input: '  \n',
    });
    expect(expectOneLineFailure(empty, 2)).toMatch(/patch: the patch is empty/);
    const missing = await runCli([
      'apply',
      join(dir, 'nope.yaml'),
      '--talosconfig',
      cfg,
      '--nodes',
      'node-a',
    ]);
    expect(expectOneLineFailure(missing, 2)).toMatch(
      /PATCH_FILE: cannot read .*nope\.yaml: no such file/,
    );
  });

  it('patch --apply generates the patch and applies it (dry run first)', async () => {
    const cfg = await talosconfig(pki.admin);
    const result = await runCli([
      'patch',
      '--talos-version',
      '1.11',
      '--apply',
      '--talosconfig',
      cfg,
      '--nodes',
      'node-a',
      '--mode',
      'no-reboot',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^node node-a: dry run \(mode no-reboot\)\n[\s\S]*node node-a: applied/,
    );
    expect(applied('node-a').map((a) => [a.mode, a.dryRun])).toEqual([
      ['NO_REBOOT', true],
      ['NO_REBOOT', false],
    ]);
    const docs = parseAllDocuments(applied('node-a')[1]?.data ?? '').map((d) => d.toJS());
    expect(docs[0].machine.kernel.modules).toContainEqual({ name: 'nvme_tcp' });
    expect(docs[0].machine.token).toBe(SECRET);
    expect(docs.find((d) => d.kind === 'ExtensionServiceConfig')?.name).toBe('longhorn-v2-node');
    const json = await runCli([
      'patch',
      '--apply',
      '--output',
      'json',
      '--talosconfig',
      cfg,
      '--nodes',
      'node-a',
    ]);
    expect(expectOneLineFailure(json, 2)).toMatch(/--output: --apply sends a YAML patch/);
  });
});
