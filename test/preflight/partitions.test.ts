import { describe, expect, it } from 'vitest';
import { rawPartitionOutcome } from '../../src/preflight/checks/raw-partition.js';
import { observed, unobserved } from '../../src/preflight/facts.js';
import {
  collectPartitions,
  type PartitionsFact,
  parseMountinfo,
  parseProcMounts,
  parseProcPartitions,
  parseSysfsSize,
  parseUevent,
  partitionFromSysfs,
} from '../../src/preflight/partitions.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry } from '../../src/preflight/reader.js';
import { parseRawPartition } from '../../src/talos/raw-volume.js';

// Shapes of the kernel's files (block/partitions/core.c part_uevent adds PARTN and PARTNAME;
// /sys/class/block/<dev>/size counts 512-byte sectors; proc(5) for mountinfo and mounts).
const DISK_UEVENT = 'MAJOR=259\nMINOR=0\nDEVNAME=nvme0n1\nDEVTYPE=disk\nDISKSEQ=1\n';
const UEVENT = (n: number, name?: string) =>
  `MAJOR=259\nMINOR=${n}\nDEVNAME=nvme0n1p${n}\nDEVTYPE=partition\nDISKSEQ=1\nPARTN=${n}\n${name === undefined ? '' : `PARTNAME=${name}\n`}`;
const PROC_PARTITIONS = `major minor  #blocks  name

 259        0  500107608 nvme0n1
 259        1     102400 nvme0n1p1
 259        6  209715200 nvme0n1p6
   7        0      10240 loop0
`;
const MOUNTINFO = `23 1 0:21 / /proc rw,nosuid - proc proc rw
31 25 259:5 / /var rw,relatime shared:12 - xfs /dev/nvme0n1p5 rw,attr2
40 31 259:7 / /var/mnt/my\\040data rw - xfs /dev/nvme0n1p7 rw
`;

const GIB = 1024 ** 3;

describe('partition parsers', () => {
  it('read uevent, size, /proc/partitions and the mount tables', () => {
    expect(parseUevent(UEVENT(6, 'r-longhorn-v2')).get('PARTNAME')).toBe('r-longhorn-v2');
    expect(parseUevent('PARTNAME=a=b\n').get('PARTNAME')).toBe('a=b');
    expect(parseSysfsSize('419430400\n')).toBe(200 * GIB);
    expect(parseSysfsSize('x')).toBeUndefined();
    expect(parseProcPartitions(PROC_PARTITIONS)).toEqual([
      'nvme0n1',
      'nvme0n1p1',
      'nvme0n1p6',
      'loop0',
    ]);
    const info = parseMountinfo(MOUNTINFO);
    expect([...info.sources].sort()).toEqual(['/dev/nvme0n1p5', '/dev/nvme0n1p7', 'proc']);
    expect(info.devices.has('259:5')).toBe(true);
    expect(parseProcMounts('/dev/sda1 /a\\040b ext4 rw 0 0\n').sources.has('/dev/sda1')).toBe(true);
  });

  it('a partition from sysfs: name, bytes, mounted by device number or source', () => {
    const table = parseMountinfo(MOUNTINFO);
    expect(partitionFromSysfs(DISK_UEVENT, '1000', table)).toBeUndefined();
    expect(partitionFromSysfs(UEVENT(6, 'r-longhorn-v2'), '419430400\n', table)).toEqual({
      device: 'nvme0n1p6',
      name: 'r-longhorn-v2',
      sizeBytes: 200 * GIB,
      mounted: false,
    });
    expect(partitionFromSysfs(UEVENT(5, 'EPHEMERAL'), '2048', table)?.mounted).toBe(true);
    expect(partitionFromSysfs(UEVENT(1), undefined, undefined)).toEqual({ device: 'nvme0n1p1' });
  });
});

/** An in-memory node: files, one listing, resources; anything else does not exist. */
function memoryReader(node: {
  files?: Record<string, string>;
  listings?: Record<string, ListEntry[]>;
  resources?: Record<string, ResourceEntry[]>;
  denied?: string;
}): NodeReader & { reads: string[] } {
  const reads: string[] = [];
  const answer = <T>(value: T | undefined): Probe<T> => {
    if (node.denied !== undefined) return { state: 'unavailable', reason: node.denied };
    return value === undefined ? { state: 'missing' } : { state: 'ok', value };
  };
  return {
    node: 'n',
    reads,
    version: async () => ({ state: 'ok', value: { tag: 'v1.12.0' } }),
    readFile: async (path) => {
      reads.push(path);
      const content = node.files?.[path];
      return answer(content === undefined ? undefined : new TextEncoder().encode(content));
    },
    list: async (path) => answer(node.listings?.[path]),
    resources: async (_ns, type) => answer(node.resources?.[type]),
  };
}

const SYSFS: Record<string, string> = {
  '/sys/class/block/nvme0n1/uevent': DISK_UEVENT,
  '/sys/class/block/nvme0n1/size': '1000215216\n',
  '/sys/class/block/nvme0n1p1/uevent': UEVENT(1, 'EFI'),
  '/sys/class/block/nvme0n1p1/size': '204800\n',
  '/sys/class/block/nvme0n1p6/uevent': UEVENT(6, 'r-longhorn-v2'),
  '/sys/class/block/nvme0n1p6/size': '419430400\n',
  '/sys/class/block/loop0/uevent': 'MAJOR=7\nMINOR=0\nDEVNAME=loop0\nDEVTYPE=disk\n',
};
const WANTED = {
  device: 'nvme0n1p6',
  name: 'r-longhorn-v2',
  sizeBytes: 200 * GIB,
  mounted: false,
};

describe('collectPartitions', () => {
  it('kernel view: names from /proc/partitions, then uevent and size', async () => {
    const reader = memoryReader({
      files: { ...SYSFS, '/proc/partitions': PROC_PARTITIONS, '/proc/self/mountinfo': MOUNTINFO },
    });
    const fact = await collectPartitions(reader);
    expect(fact.ok && fact.value.partitions).toEqual([
      { device: 'nvme0n1p1', name: 'EFI', sizeBytes: 100 * 1024 ** 2, mounted: false },
      WANTED,
    ]);
    expect(fact.ok && fact.source).toMatch(
      /^\/proc\/partitions, .*uevent, \/proc\/self\/mountinfo$/,
    );
  });

  it('kernel view from a snapshot holding only /sys/class/block', async () => {
    const entry = (path: string): ListEntry => ({ path, type: 'dir' });
    const reader = memoryReader({
      files: SYSFS,
      listings: { '/sys/class/block': ['nvme0n1', 'nvme0n1p1', 'nvme0n1p6'].map(entry) },
    });
    const fact = await collectPartitions(reader);
    expect(fact.ok && fact.value.partitions.map((p) => [p.name, p.mounted])).toEqual([
      ['EFI', undefined],
      ['r-longhorn-v2', undefined],
    ]);
  });

  it("Talos's view: DiscoveredVolumes and MountStatuses, no per-device reads", async () => {
    const volume = (id: string, spec: object): ResourceEntry => ({ id, spec });
    const reader = memoryReader({
      resources: {
        'DiscoveredVolumes.block.talos.dev': [
          volume('nvme0n1', { type: 'disk', dev_path: '/dev/nvme0n1', size: 512110190592 }),
          volume('nvme0n1p5', {
            type: 'partition',
            dev_path: '/dev/nvme0n1p5',
            size: 40 * GIB,
            partition_label: 'EPHEMERAL',
            name: 'xfs',
          }),
          volume('nvme0n1p6', {
            type: 'partition',
            dev_path: '/dev/nvme0n1p6',
            size: 200 * GIB,
            partition_label: 'r-longhorn-v2',
          }),
        ],
        'MountStatuses.block.talos.dev': [
          volume('EPHEMERAL', { source: '/dev/nvme0n1p5', target: '/var' }),
        ],
      },
    });
    const fact = await collectPartitions(reader);
    expect(fact.ok && fact.value.partitions).toEqual([
      { device: 'nvme0n1p5', name: 'EPHEMERAL', sizeBytes: 40 * GIB, mounted: true },
      WANTED,
    ]);
    expect(reader.reads.some((path) => path.startsWith('/sys/'))).toBe(false);
  });

  it('an empty DiscoveredVolumes answer falls back to the kernel view', async () => {
    const reader = memoryReader({
      files: { ...SYSFS, '/proc/partitions': PROC_PARTITIONS },
      resources: { 'DiscoveredVolumes.block.talos.dev': [] },
    });
    const fact = await collectPartitions(reader);
    expect(fact.ok && fact.value.partitions.map((p) => p.name)).toEqual(['EFI', 'r-longhorn-v2']);
  });

  it('nothing readable: unobserved, with the reasons', async () => {
    const fact = await collectPartitions(memoryReader({ denied: 'PermissionDenied' }));
    expect(fact).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /DiscoveredVolumes: PermissionDenied; \/proc\/partitions: PermissionDenied/,
      ),
    });
  });
});

describe('raw-partition outcome', () => {
  const raw = parseRawPartition({ minSize: '100GiB', diskSelector: '!system_disk' });
  const facts = (...partitions: PartitionsFact['partitions']) =>
    observed<PartitionsFact>({ partitions }, 'test');

  it('passes, fails and warns on the partition it finds', () => {
    const cases: [ReturnType<typeof facts>, string, RegExp][] = [
      [facts(WANTED), 'pass', /^r-longhorn-v2 \(nvme0n1p6\), 200 GiB, not mounted/],
      [facts({ ...WANTED, name: 'r-other' }), 'fail', /no partition is labelled r-longhorn-v2/],
      [facts(WANTED, { ...WANTED, device: 'sda1' }), 'fail', /2 partitions are labelled/],
      [facts({ ...WANTED, mounted: true }), 'fail', /is mounted/],
      [facts({ ...WANTED, sizeBytes: 99 * GIB }), 'fail', /99 GiB, smaller than minSize 100GiB/],
      [facts({ device: 'nvme0n1p6', name: 'r-longhorn-v2' }), 'warn', /its size and whether/],
    ];
    for (const [fact, status, message] of cases) {
      const outcome = rawPartitionOutcome(fact, raw);
      expect(outcome.status, outcome.message).toBe(status);
      expect(outcome.message).toMatch(message);
      if (status !== 'pass') expect(outcome.remedy).toBeTruthy();
    }
    expect(rawPartitionOutcome(facts(WANTED), undefined).status).toBe('skip');
    expect(rawPartitionOutcome(unobserved('no access'), raw)).toEqual({
      status: 'skip',
      message: 'cannot check: no access',
    });
  });
});
