// The raw-partition check end to end: fixture nodes with and without the partition, read
// through --root (LocalRootReader) and through the Talos API (the fake apid over gRPC).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { TalosClient } from '../../src/api/client.js';
import { planNode } from '../../src/longhorn/plan.js';
import { PREFLIGHT_CHECKS } from '../../src/preflight/checks/index.js';
import { rawPartitionCheck } from '../../src/preflight/checks/raw-partition.js';
import { collectFacts } from '../../src/preflight/collect.js';
import { runChecks } from '../../src/preflight/run.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { parseRawPartition } from '../../src/talos/raw-volume.js';
import type { FakeNode } from '../helpers/talos-server.js';
import { useFakeFleet } from './api-harness.js';
import { buildFixtureNode, fakeNodeFor } from './fixture-nodes.js';

const GIB = 1024 ** 3;
const SECTORS_PER_GIB = GIB / 512;

/** The single NVMe disk of an edge node after Talos laid it out (sizes in GiB). */
function layout(rawLabel: string | undefined) {
  return [
    { n: 1, label: 'EFI', gib: 1 },
    { n: 2, label: 'BIOS', gib: 1 },
    { n: 3, label: 'BOOT', gib: 1 },
    { n: 4, label: 'META', gib: 1 },
    { n: 5, label: 'STATE', gib: 1 },
    { n: 6, label: 'EPHEMERAL', gib: 100, mountedAt: '/var' },
    ...(rawLabel === undefined ? [] : [{ n: 7, label: rawLabel, gib: 200 }]),
  ];
}

async function put(root: string, path: string, content: string) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

/**
 * The kernel's view, as a real root or the real-kernel capture holds it: uevent and size per
 * device under sys/class/block, /proc/partitions (unless `listOnly`), /proc/self/mountinfo.
 */
async function kernelView(
  root: string,
  rawLabel: string | undefined,
  options: { listOnly?: boolean; mountRaw?: boolean } = {},
) {
  const parts = layout(rawLabel);
  const disk = 'MAJOR=259\nMINOR=0\nDEVNAME=nvme0n1\nDEVTYPE=disk\nDISKSEQ=1\n';
  await put(root, 'sys/class/block/nvme0n1/uevent', disk);
  await put(root, 'sys/class/block/nvme0n1/size', `${512 * SECTORS_PER_GIB}\n`);
  const rows = [` 259        0  ${512 * 1024 * 1024} nvme0n1`];
  const mounts = ['23 1 0:21 / /proc rw,nosuid,nodev,noexec - proc proc rw'];
  for (const p of parts) {
    const dev = `nvme0n1p${p.n}`;
    await put(
      root,
      `sys/class/block/${dev}/uevent`,
      `MAJOR=259\nMINOR=${p.n}\nDEVNAME=${dev}\nDEVTYPE=partition\nDISKSEQ=1\nPARTN=${p.n}\nPARTNAME=${p.label}\n`,
    );
    await put(root, `sys/class/block/${dev}/size`, `${p.gib * SECTORS_PER_GIB}\n`);
    rows.push(` 259        ${p.n}  ${p.gib * 1024 * 1024} ${dev}`);
    const target = p.mountedAt ?? (options.mountRaw && p.label === rawLabel ? '/var/mnt/x' : '');
    if (target !== '') {
      mounts.push(`3${p.n} 1 259:${p.n} / ${target} rw,relatime shared:1 - xfs /dev/${dev} rw`);
    }
  }
  if (!options.listOnly) {
    await put(root, 'proc/partitions', `major minor  #blocks  name\n\n${rows.join('\n')}\n`);
  }
  await put(root, 'proc/self/mountinfo', `${mounts.join('\n')}\n`);
}

/** Talos's view as `talosctl get discoveredvolumes -o yaml` and `mountstatuses` capture it. */
async function talosView(root: string, rawLabel: string | undefined) {
  const resource = (type: string, id: string, spec: object) =>
    stringify({ metadata: { namespace: 'runtime', type, id }, spec });
  const volumes = [
    resource('DiscoveredVolumes.block.talos.dev', 'nvme0n1', {
      dev_path: '/dev/nvme0n1',
      type: 'disk',
      size: 512 * GIB,
      name: 'gpt',
    }),
    ...layout(rawLabel).map((p) =>
      resource('DiscoveredVolumes.block.talos.dev', `nvme0n1p${p.n}`, {
        dev_path: `/dev/nvme0n1p${p.n}`,
        type: 'partition',
        parent: 'nvme0n1',
        size: p.gib * GIB,
        partition_label: p.label,
        partition_index: p.n,
        ...(p.label === 'EPHEMERAL' ? { name: 'xfs' } : {}),
      }),
    ),
  ];
  await put(
    root,
    'talos-api/resources/DiscoveredVolumes.block.talos.dev.yaml',
    volumes.join('---\n'),
  );
  await put(
    root,
    'talos-api/resources/MountStatuses.block.talos.dev.yaml',
    resource('MountStatuses.block.talos.dev', 'EPHEMERAL', {
      source: '/dev/nvme0n1p6',
      target: '/var',
      filesystem: 'xfs',
    }),
  );
}

const FIXTURES = {
  'talos-with': (root: string) => talosView(root, 'r-longhorn-v2'),
  'talos-without': (root: string) => talosView(root, undefined),
  'talos-other-name': (root: string) => talosView(root, 'r-scratch'),
  'kernel-with': (root: string) => kernelView(root, 'r-longhorn-v2'),
  'kernel-without': (root: string) => kernelView(root, undefined),
  'kernel-mounted': (root: string) => kernelView(root, 'r-longhorn-v2', { mountRaw: true }),
  'kernel-list-only': (root: string) => kernelView(root, 'r-longhorn-v2', { listOnly: true }),
} as const;
type Fixture = keyof typeof FIXTURES;

const needs = {
  ...planNode({}),
  rawPartition: parseRawPartition({ minSize: '150GiB', ephemeralMaxSize: '100GiB' }),
};

const roots = new Map<Fixture, string>();
const fleet = useFakeFleet('tl-rawpart-', async (dir) => {
  const nodes: Record<string, FakeNode> = {};
  for (const [name, build] of Object.entries(FIXTURES) as [
    Fixture,
    (r: string) => Promise<void>,
  ][]) {
    const root = await buildFixtureNode('healthy-1.13', join(dir, name));
    await build(root);
    roots.set(name, root);
    nodes[name] = await fakeNodeFor(root);
  }
  return nodes;
});

async function viaRoot(fixture: Fixture) {
  const facts = await collectFacts(await LocalRootReader.open(roots.get(fixture) ?? '', fixture));
  return rawPartitionCheck.run(facts, needs);
}

async function viaApi(fixture: Fixture, client: TalosClient) {
  return rawPartitionCheck.run(await collectFacts(new TalosApiReader(client, fixture)), needs);
}

const EXPECTED: Record<Fixture, [string, RegExp]> = {
  'talos-with': [
    'pass',
    /^r-longhorn-v2 \(nvme0n1p7\), 200 GiB, not mounted \(DiscoveredVolumes, /,
  ],
  'talos-without': ['fail', /^no partition is labelled r-longhorn-v2$/],
  'talos-other-name': ['fail', /^no partition is labelled r-longhorn-v2$/],
  'kernel-with': [
    'pass',
    /^r-longhorn-v2 \(nvme0n1p7\), 200 GiB, not mounted \(\/proc\/partitions, /,
  ],
  'kernel-without': ['fail', /^no partition is labelled r-longhorn-v2$/],
  'kernel-mounted': ['fail', /^r-longhorn-v2 \(nvme0n1p7\) is mounted/],
  'kernel-list-only': [
    'pass',
    /^r-longhorn-v2 \(nvme0n1p7\), 200 GiB, not mounted \(\/sys\/class\/block, /,
  ],
};

describe.each(Object.keys(FIXTURES) as Fixture[])('fixture %s', (fixture) => {
  const [status, message] = EXPECTED[fixture];

  it(`through --root: ${status}`, async () => {
    const outcome = await viaRoot(fixture);
    expect(outcome.status, outcome.message).toBe(status);
    expect(outcome.message).toMatch(message);
  });

  it('through the Talos API (os:admin): the same outcome', async () => {
    expect(await viaApi(fixture, fleet.admin)).toEqual(await viaRoot(fixture));
  });
});

describe('the API source with role os:reader (no file reads)', () => {
  it("still sees the partition in Talos's DiscoveredVolumes", async () => {
    const outcome = await viaApi('talos-with', fleet.reader);
    expect(outcome.status, outcome.message).toBe('pass');
    expect(outcome.message).toMatch(/MountStatuses\)$/);
  });

  it('skips, naming the role, where only the kernel view exists', async () => {
    const outcome = await viaApi('kernel-with', fleet.reader);
    expect(outcome.status).toBe('skip');
    expect(outcome.message).toMatch(/os:reader/);
  });

  it('a smaller partition than minSize fails', async () => {
    const bigger = {
      ...needs,
      rawPartition: parseRawPartition({ minSize: '250GiB', ephemeralMaxSize: '1GiB' }),
    };
    const facts = await collectFacts(new TalosApiReader(fleet.reader, 'talos-with'));
    expect(rawPartitionCheck.run(facts, bigger).message).toMatch(
      /200 GiB, smaller than minSize 250GiB/,
    );
  });
});

describe('a node without any partition facts', () => {
  it('skips with the reasons', async () => {
    const root = await buildFixtureNode('healthy-1.13', join(fleet.dir, 'bare'));
    const outcome = rawPartitionCheck.run(
      await collectFacts(await LocalRootReader.open(root, 'b')),
      needs,
    );
    expect(outcome.status).toBe('skip');
    expect(outcome.message).toMatch(
      /DiscoveredVolumes: not captured .*; \/proc\/partitions does not exist; \/sys\/class\/block does not exist$/,
    );
  });
});

describe('registered among the preflight checks', () => {
  const registered = (results: ReturnType<typeof runChecks>) =>
    results.find((result) => result.id === 'raw-partition');

  it('runs for a node whose plan has the partition, with and without it on the node', async () => {
    for (const fixture of ['talos-with', 'talos-without'] as const) {
      const facts = await collectFacts(new TalosApiReader(fleet.admin, fixture));
      const result = registered(runChecks(facts, needs, PREFLIGHT_CHECKS));
      expect(result?.status, fixture).toBe(EXPECTED[fixture][0]);
      expect(result?.message).toMatch(EXPECTED[fixture][1]);
    }
  });

  it('skips on a node whose plan has none, even where the partition exists', async () => {
    const facts = await collectFacts(new TalosApiReader(fleet.admin, 'talos-with'));
    const result = registered(runChecks(facts, planNode({}), PREFLIGHT_CHECKS));
    expect(result).toMatchObject({ status: 'skip', message: 'no raw partition planned' });
  });

  it('is not listed for a node opted out of v2 (it is a v2 check)', async () => {
    const facts = await collectFacts(new TalosApiReader(fleet.admin, 'talos-with'));
    expect(registered(runChecks(facts, planNode({ v2DataEngine: false })))).toBeUndefined();
  });
});
