import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { expectOneLineFailure, projectRoot, runCli } from '../helpers/cli.js';
import type { FakeTalos } from '../helpers/talos-server.js';
import { startFake, talosconfigFor } from '../preflight/api-harness.js';
import {
  buildFixtureFleet,
  FIXTURE_DISK,
  type FixtureVariant,
  VARIANT_NAMES,
} from '../preflight/fixture-nodes.js';

interface Report {
  nodes: {
    node: string;
    error?: string;
    checks: { id: string; status: string; message: string; remedy?: string }[];
  }[];
}

const schema = JSON.parse(
  await readFile(join(projectRoot, 'schemas/preflight-report.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020.default({ strict: true, allErrors: true }).compile(schema);

function expectValidReport(text: string): Report {
  const report = JSON.parse(text) as Report;
  if (!validate(report)) throw new Error(JSON.stringify(validate.errors));
  return report;
}

const ESC = '\u001b';
const PLAN_FLAGS = ['--disk', FIXTURE_DISK, '--data-path'];

let dir: string;
let server: FakeTalos;
let adminConfig: string;
let readerConfig: string;
let roots = new Map<FixtureVariant, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-preflight-cli-'));
  const fleet = await buildFixtureFleet(join(dir, 'nodes'));
  roots = fleet.roots;
  server = await startFake({
    ...fleet.nodes,
    gone: { unreachable: true },
    // Not apid: every call is refused, as a gRPC server without Talos's services answers (a
    // 1.14 tag, so that the fake knows every resource type asked for and refuses them too).
    refusing: {
      tag: 'v1.14.0',
      fault: (call) => ({
        status: {
          code: status.UNIMPLEMENTED,
          message: `unknown service ${call.method === 'Get' || call.method === 'ListResources' ? 'cosi.resource.State' : 'machine.MachineService'}`,
        },
      }),
    },
  });
  adminConfig = join(dir, 'admin.talosconfig');
  readerConfig = join(dir, 'reader.talosconfig');
  await writeFile(adminConfig, talosconfigFor(server, 'admin'));
  await writeFile(readerConfig, talosconfigFor(server, 'reader'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const root = (variant: FixtureVariant) => roots.get(variant) ?? '';
const failing = new Set<FixtureVariant>([
  'talos-1.9-no-dev-fd',
  'missing-vfio-pci',
  'no-hugepages',
  'iommu-shared-bridge',
  'wrong-identity',
]);

describe('talos-longhorn preflight', () => {
  it.each(VARIANT_NAMES)(
    '%s: --root and the API give the same schema-valid report and exit status',
    async (variant) => {
      const local = await runCli([
        'preflight',
        '--root',
        root(variant),
        ...PLAN_FLAGS,
        '--output',
        'json',
      ]);
      const remote = await runCli([
        'preflight',
        '--talosconfig',
        adminConfig,
        '--nodes',
        variant,
        ...PLAN_FLAGS,
        '--output',
        'json',
      ]);
      const expectedStatus = failing.has(variant) ? 1 : 0;
      expect(local.status, local.stderr).toBe(expectedStatus);
      expect(remote.status, remote.stderr).toBe(expectedStatus);
      const a = expectValidReport(local.stdout);
      const b = expectValidReport(remote.stdout);
      expect(a.nodes[0]?.node).toBe(root(variant));
      expect(b.nodes[0]?.node).toBe(variant);
      expect(b.nodes[0]?.checks).toEqual(a.nodes[0]?.checks);
      expect(a.nodes[0]?.checks).toHaveLength(14);
    },
  );

  it('checks many nodes in one run, in the order given, and YAML equals JSON', async () => {
    const nodes = 'healthy-1.13,kernel-6.1,no-hugepages';
    const args = [
      'preflight',
      '--talosconfig',
      adminConfig,
      '--nodes',
      nodes,
      '--concurrency',
      '2',
    ];
    const json = await runCli([...args, '--output', 'json']);
    const yaml = await runCli([...args, '--output', 'yaml']);
    expect(json.status).toBe(1);
    expect(yaml.status).toBe(1);
    const report = expectValidReport(json.stdout);
    expect(report.nodes.map((node) => node.node)).toEqual(nodes.split(','));
    expect(parseYaml(yaml.stdout)).toEqual(report);
    // Deterministic: a second run gives the same bytes.
    expect((await runCli([...args, '--output', 'json'])).stdout).toBe(json.stdout);
  });

  it('exits 3 when a node cannot be reached, still reporting the others', async () => {
    const result = await runCli([
      'preflight',
      '--talosconfig',
      adminConfig,
      '--nodes',
      'healthy-1.13,gone',
      '--output',
      'json',
    ]);
    expect(result.status).toBe(3);
    const report = expectValidReport(result.stdout);
    expect(report.nodes[0]?.checks.every((check) => check.status !== 'fail')).toBe(true);
    expect(report.nodes[1]).toMatchObject({ node: 'gone', checks: [] });
    expect(report.nodes[1]?.error).toMatch(/gone/);
  });

  it('a node that refuses every call is exit 3 with the reason, and --capture writes nothing', async () => {
    const args = ['preflight', '--talosconfig', adminConfig, '--nodes', 'refusing', '-o', 'json'];
    const plain = await runCli(args);
    const snapshot = join(dir, 'capture-refused');
    const captured = await runCli([...args, '--capture', snapshot]);
    for (const result of [plain, captured]) {
      expect(result.stderr).toBe('');
      expect(expectValidReport(result.stdout).nodes).toEqual([
        {
          node: 'refusing',
          error: 'every call to the node failed (Version: unknown service machine.MachineService)',
          checks: [],
        },
      ]);
      expect(result.status).toBe(3);
    }
    // No snapshot of a node that gave nothing, and no temporary directory left beside it.
    const left = (await readdir(dir)).filter((entry) => /refused|\.staging$/.test(entry));
    expect(left).toEqual([]);
  });

  it('with role os:reader, file checks are skipped with the reason', async () => {
    const result = await runCli([
      'preflight',
      '--talosconfig',
      readerConfig,
      '--nodes',
      'healthy-1.13',
      '--output',
      'json',
    ]);
    expect(result.status).toBe(0);
    const checks = expectValidReport(result.stdout).nodes[0]?.checks ?? [];
    const skipped = checks.filter((check) => check.status === 'skip').map((check) => check.id);
    expect(skipped).toEqual([
      'kernel-version',
      'cpu-flags',
      'vfio-iommu',
      'kubelet-hugepages',
      'identity-files',
      'data-path',
      'raw-partition',
    ]);
    expect(checks.find((check) => check.id === 'cpu-flags')?.message).toMatch(/os:reader/);
  });

  /** Capture one node, check the snapshot with --root, and return both reports' checks. */
  async function captureRoundTrip(source: string[], name: string) {
    const snapshot = join(dir, name);
    const captured = await runCli([
      'preflight',
      ...source,
      ...PLAN_FLAGS,
      '--capture',
      snapshot,
      '--output',
      'json',
    ]);
    const again = await runCli([
      'preflight',
      '--root',
      snapshot,
      ...PLAN_FLAGS,
      '--output',
      'json',
    ]);
    expect(captured.stderr).toBe('');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(captured.status);
    // No temporary directory is left beside it.
    expect((await readdir(dir)).filter((entry) => entry.includes(name))).toEqual([name]);
    return {
      snapshot,
      captured: expectValidReport(captured.stdout).nodes[0]?.checks ?? [],
      again: expectValidReport(again.stdout).nodes[0]?.checks ?? [],
    };
  }

  it('--capture of a directory node gives a snapshot that --root checks identically', async () => {
    const { snapshot, captured, again } = await captureRoundTrip(
      ['--root', root('iommu-shared-bridge')],
      'capture-root',
    );
    expect(again).toEqual(captured);
    expect(captured.find((check) => check.id === 'vfio-iommu')?.status).toBe('fail');
    expect((await readdir(snapshot)).sort()).toEqual([
      'dev',
      'etc',
      'proc',
      'sys',
      'talos-api',
      'var',
    ]);
  });

  it('--capture over the API saves files, listings and resources', async () => {
    const { snapshot, captured, again } = await captureRoundTrip(
      ['--talosconfig', adminConfig, '--nodes', 'wrong-identity'],
      'capture-api',
    );
    expect(again).toEqual(captured);
    // List reports a symlink's target, so the snapshot holds the link exactly as on the node.
    expect(await readlink(join(snapshot, 'dev/fd'))).toBe('/proc/self/fd');
    expect(captured.find((check) => check.id === 'identity-files')?.status).toBe('fail');
    expect(await readFile(join(snapshot, 'etc/machine-id'), 'utf8')).toBe(
      'be871ac0d0dd31fa4caca753b0f3f1b2',
    );
    expect(await readFile(join(snapshot, 'talos-api/version.yaml'), 'utf8')).toBe(
      'tag: v1.13.0\narch: amd64\n',
    );
  });

  it('--plan FILE checks each node against its plan node, or all against --node NAME', async () => {
    const plan = join(dir, 'plan.yaml');
    await writeFile(
      plan,
      `talosVersion: "1.13"\nnodes:\n  - name: with-data-path\n    dataPath: true\n  - name: opted-out\n    v2DataEngine: false\n`,
    );
    const opted = await runCli([
      'preflight',
      '--root',
      root('no-hugepages'),
      '--plan',
      plan,
      '--node',
      'opted-out',
      '--output',
      'json',
    ]);
    expect(opted.status, opted.stdout + opted.stderr).toBe(0);
    const checks = expectValidReport(opted.stdout).nodes[0]?.checks ?? [];
    expect(checks.map((check) => check.id)).toEqual([
      'talos-version',
      'kernel-modules',
      'identity-files',
      'extensions',
      'iscsid-service',
      'data-path',
    ]);
    const withPath = await runCli([
      'preflight',
      '--root',
      root('talos-1.9-no-dev-fd'),
      '--plan',
      plan,
      '--node',
      'with-data-path',
      '--output',
      'json',
    ]);
    const dataPath = expectValidReport(withPath.stdout).nodes[0]?.checks.find(
      (c) => c.id === 'data-path',
    );
    expect(dataPath).toMatchObject({ status: 'pass', message: '/var/lib/longhorn exists' });
    // Without --node, node names are looked up in the plan.
    const missing = await runCli(['preflight', '--root', root('healthy-1.13'), '--plan', plan]);
    expect(expectOneLineFailure(missing, 2)).toMatch(
      /--plan: ".*healthy-1\.13" is not a node of the plan \(with-data-path, opted-out\)/,
    );
  });

  it('--disable-v2 runs only the base checks', async () => {
    const result = await runCli([
      'preflight',
      '--root',
      root('no-hugepages'),
      '--disable-v2',
      '--output',
      'json',
    ]);
    expect(result.status).toBe(0);
    const groups = new Set(
      expectValidReport(result.stdout).nodes[0]?.checks.map((c) => (c as { group?: string }).group),
    );
    expect([...groups]).toEqual(['base']);
  });

  it('prints a table without colour when not on a terminal, with remedies under failures', async () => {
    const result = await runCli(['preflight', '--root', root('talos-1.9-no-dev-fd')]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).toMatch(/^ {2}fail {4}dev-fd +v2 +\/dev\/fd is missing/m);
    expect(result.stdout).toMatch(/remedy: install the longhorn-v2-node system extension/);
    // longhorn-version passes; kubelet-hugepages skips without --kube-node.
    expect(result.stdout).toMatch(/ 8 pass, 0 warn, 1 fail, 5 skip$/m);
  });

  const bad: [string, string[], RegExp, number][] = [
    [
      'unknown output',
      ['--output', 'xml'],
      /--output: unknown value "xml"; expected one of table, json, yaml/,
      2,
    ],
    [
      'zero concurrency',
      ['--concurrency', '0'],
      /--concurrency: "0" is not a whole number from 1 to 1000/,
      2,
    ],
    ['a bad disk', ['--disk', '0000:01:00'], /--disk/, 2],
    ['--node without --plan', ['--node', 'x'], /--node: only applies together with --plan/, 2],
    [
      'flags and a plan',
      ['--plan', 'p.yaml', '--ublk'],
      /--plan: give node options as flags or a plan, not both/,
      2,
    ],
    [
      'a missing plan',
      ['--plan', 'does/not/exist.yaml'],
      /--plan: cannot read does\/not\/exist\.yaml/,
      2,
    ],
  ];
  it.each(bad)('%s → exit 2, one line', async (_name, args, message, status) => {
    const result = await runCli(['preflight', '--root', root('healthy-1.13'), ...args]);
    expect(expectOneLineFailure(result, status)).toMatch(message);
  });

  it('refuses a missing root, two nodes to capture and an existing capture directory', async () => {
    const missing = await runCli(['preflight', '--root', join(dir, 'nope')]);
    expect(expectOneLineFailure(missing, 2)).toMatch(/--root: cannot read .*nope: ENOENT/);
    const two = await runCli([
      'preflight',
      '--root',
      root('healthy-1.13'),
      '--root',
      root('kernel-6.1'),
      '--capture',
      join(dir, 'two'),
    ]);
    expect(expectOneLineFailure(two, 2)).toMatch(/--capture: captures exactly one node, not 2/);
    await mkdir(join(dir, 'exists'));
    const exists = await runCli([
      'preflight',
      '--root',
      root('healthy-1.13'),
      '--capture',
      join(dir, 'exists'),
    ]);
    expect(expectOneLineFailure(exists, 2)).toMatch(/--capture: .*exists already exists/);
  });

  it('shows a progress line on a terminal stderr, cleared at the end, and colour on a terminal stdout', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await main(
      ['preflight', '--root', root('healthy-1.13'), '--root', root('kernel-6.1')],
      {
        stdout: { write: (chunk) => out.push(String(chunk)), isTTY: true },
        stderr: { write: (chunk) => err.push(String(chunk)), isTTY: true },
        stdin: process.stdin,
        env: {},
        cwd: projectRoot,
      },
    );
    expect(status).toBe(0);
    expect(err.join('')).toBe('\rpreflight: 1/2 nodes\r\u001b[K');
    expect(out.join('')).toContain(`${ESC}[33mwarn`);
    const plain: string[] = [];
    await main(['preflight', '--root', root('healthy-1.13')], {
      stdout: { write: (chunk) => plain.push(String(chunk)), isTTY: true },
      stderr: { write: () => true, isTTY: false },
      stdin: process.stdin,
      env: { NO_COLOR: '1' },
      cwd: projectRoot,
    });
    expect(plain.join('')).not.toContain(ESC);
  });

  it('has --help listing every check', async () => {
    const help = await runCli(['preflight', '--help']);
    expect(help.status).toBe(0);
    for (const id of [
      'talos-version',
      'kernel-version',
      'cpu-flags',
      'kernel-modules',
      'vfio-iommu',
      'hugepages',
      'dev-fd',
      'identity-files',
      'extensions',
      'iscsid-service',
      'data-path',
    ]) {
      expect(help.stdout).toContain(`  ${id}`);
    }
  });
});
