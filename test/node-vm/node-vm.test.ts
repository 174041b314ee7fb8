import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_MODULES } from '../../src/talos/capabilities.js';
import {
  bootTestBed,
  prepareTestBed,
  RAW_PARTITION_NAME,
  SCENARIOS,
  type TestBed,
} from './scenarios.js';
import {
  type Accel,
  type Boot,
  cli,
  detectAccel,
  findVmTools,
  type GuestLine,
  unpackShare,
  vmSkipReason,
  workDir,
} from './vm.js';

/**
 * The node helper on a real Linux kernel (QEMU, KVM or TCG): one boot runs every scenario of
 * test/node-vm/guest/ and the assertions below read its console lines. Independent of the code
 * under test: the kernel's own device-mapper, NVMe-oF target (nvmet_tcp) and host (nvme_tcp),
 * its sysfs, modprobe and /proc/meminfo.
 */
const skip = vmSkipReason();
if (skip !== undefined) console.warn(skip);
const describeVm = skip === undefined ? describe : describe.skip;

let work: string;
let bed: TestBed;
let result: Boot;
let accel: Accel;

function values(scenario: string, key: string): string[] {
  return result.lines.filter((l) => l.scenario === scenario && l.key === key).map((l) => l.value);
}
function value(scenario: string, key: string): string {
  const found = values(scenario, key);
  if (found.length !== 1) {
    throw new Error(
      `expected one "${scenario} ${key}" line, got ${found.length}:\n${result.console}`,
    );
  }
  return found[0] as string;
}
const logs = (scenario: string): string[] => values(scenario, 'log');

describeVm('node test bed: the helper on a real kernel', () => {
  beforeAll(async () => {
    const found = findVmTools();
    if (!('tools' in found)) throw new Error(found.missing);
    work = workDir();
    bed = prepareTestBed(found.tools, work);
    accel = await detectAccel(found.tools);
    result = await bootTestBed(found.tools, bed, accel);
  }, 480_000);
  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('boots, runs every scenario and powers off', () => {
    console.log(
      `node VM: ${accel}, one boot with ${SCENARIOS.length} scenarios in ${result.ms} ms`,
    );
    expect(result.timedOut, result.console).toBe(false);
    expect(values('boot', 'finished')).toHaveLength(1);
    for (const s of SCENARIOS) {
      expect(values(s, 'begin'), s).toHaveLength(1);
      expect(values(s, 'end'), s).toHaveLength(1);
    }
    const errors = result.lines.filter((l: GuestLine) => l.key === 'error');
    expect(errors).toEqual([]);
  });

  it('creates /dev/fd and /dev/std{in,out,err} on a devtmpfs without them, and they work', () => {
    for (const l of ['fd', 'stdin', 'stdout', 'stderr'])
      expect(value('devfd', `before-${l}`)).toBe('absent');
    expect(value('devfd', 'link-fd')).toBe('/proc/self/fd');
    expect(value('devfd', 'link-stdin')).toBe('/proc/self/fd/0');
    expect(value('devfd', 'link-stdout')).toBe('/proc/self/fd/1');
    expect(value('devfd', 'link-stderr')).toBe('/proc/self/fd/2');
    expect(value('devfd', 'read-fd0')).toBe('through-fd0');
    expect(value('devfd', 'read-stdin')).toBe('through-stdin');
    expect(value('devfd', 'write-stdout')).toBe('through-stdout');
    expect(value('devfd', 'write-stderr')).toBe('through-stderr');
  });

  it('loads every module of the generated patch with modprobe, names as written', () => {
    const loaded = values('prepare', 'module');
    expect(loaded).toEqual(bed.patch.modules.map((m) => `${m} loaded`));
    // Built into Talos's kernel, a loadable module here: the helper must accept both.
    const builtIn = Object.keys(BUILT_IN_MODULES).filter((m) => bed.patch.modules.includes(m));
    expect(builtIn).toContain('nvme_tcp');
    for (const m of builtIn) expect(loaded).toContain(`${m} loaded`);
    expect(bed.initramfs.absent).toEqual([]);
    for (const m of bed.patch.modules) expect(logs('prepare')).toContain(`modules: ${m} is loaded`);
  });

  it("applies the patch's vm.nr_hugepages and /proc/meminfo shows it", () => {
    expect(value('prepare', 'meminfo')).toBe(`HugePages_Total: ${bed.patch.hugepages}`);
    expect(logs('prepare')).toContain(
      `hugepages: ${bed.patch.hugepages} 2 MiB pages reserved, ${bed.patch.hugepages} expected (ok)`,
    );
  });

  const topologyKept = [
    [
      'vol-idle',
      /: nvme\d+n\d+ \(nqn\.2023-01\.io\.longhorn\.spdk:vol-idle-e-0\) is attached: controller nvme\d+=live$/,
    ],
    ['vol-mounted', /: mounted \(\/dev\/longhorn\/vol-mounted on \/mnt\/vol-mounted\)$/],
    ['vol-open', /: open count 1 \(in use\)$/],
    ['vol-enc', /: held by dm-\d+ \(a device is stacked on it\)$/],
    ['vol-enc-encrypted', /: no \/dev\/longhorn\/vol-enc-encrypted entry$/],
    ['vol-v1crypt', /: target is crypt, not linear/],
    ['vol-reconnecting', /is attached: controller nvme\d+=connecting$/],
    ['-vol-dash', /: not a Longhorn volume name$/],
    ['vol-race', /is attached: controller nvme\d+=live$/],
    ['vg0-data', /: no \/dev\/longhorn\/vg0-data entry$/],
  ] as const;
  const allDm = [
    '-vol-dash',
    'vg0-data',
    'vol-enc',
    'vol-enc-encrypted',
    'vol-idle',
    'vol-mounted',
    'vol-open',
    'vol-orphan',
    'vol-race',
    'vol-reconnecting',
    'vol-v1crypt',
  ];
  const allNodes = allDm.filter((n) => n !== 'vol-enc-encrypted' && n !== 'vg0-data');
  const without = (list: string[], name: string) => list.filter((n) => n !== name).join(' ');

  for (const mode of ['report', 'remove'] as const) {
    it(`v2 topology, ${mode} mode: only the orphan whose controller gave up is a leftover`, () => {
      expect(value('topology', 'before-dm')).toBe(allDm.join(' '));
      expect(value('topology', 'before-nodes')).toBe(allNodes.join(' '));
      const lines = logs(`topology-${mode}`);
      for (const [name, reason] of topologyKept) {
        const keep = lines.filter((l) => l.startsWith(`cleanup: keep ${name} (dm-`));
        expect(keep, `${name} in\n${lines.join('\n')}`).toHaveLength(1);
        expect(keep[0]).toMatch(reason);
      }
      const orphan =
        /^vol-orphan \(dm-\d+(, \d+:\d+)?\): one linear target over gone device 259:\d+, open count 0, not mounted/;
      if (mode === 'report') {
        const leftovers = lines.filter((l) => l.startsWith('cleanup: LEFTOVER'));
        expect(leftovers).toHaveLength(1);
        expect(leftovers[0]?.slice('cleanup: LEFTOVER '.length)).toMatch(orphan);
        expect(leftovers[0]).toMatch(/reported only \(LONGHORN_V2_CLEANUP_MODE=report\)$/);
        expect(value('topology-report', 'dm')).toBe(allDm.join(' '));
        expect(value('topology-report', 'nodes')).toBe(allNodes.join(' '));
      } else {
        const removed = lines.filter((l) => l.startsWith('cleanup: removed'));
        expect(removed).toHaveLength(2);
        expect(removed[0]?.slice('cleanup: removed dm device '.length)).toMatch(orphan);
        expect(removed[1]).toBe('cleanup: removed /dev/longhorn/vol-orphan');
        expect(lines.filter((l) => l.startsWith('cleanup: LEFTOVER'))).toEqual([]);
        expect(value('topology-remove', 'dm')).toBe(without(allDm, 'vol-orphan'));
        expect(value('topology-remove', 'nodes')).toBe(without(allNodes, 'vol-orphan'));
      }
    });
  }

  it('does not remove a device re-created under the same name between scan and removal', () => {
    // Same name and, as dm reuses the lowest free minor, the same device number.
    expect(value('recreate', 'after')).toBe(value('recreate', 'before'));
    const lines = logs('recreate');
    expect(lines.filter((l) => l.startsWith('cleanup: removed'))).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^cleanup: keep vol-race \(dm-\d+\): re-checked before removal: nvme\d+n\d+ \(nqn\.2023-01\.io\.longhorn\.spdk:vol-race-e-1\) is attached: controller nvme\d+=live$/,
      ),
    );
    expect(value('recreate', 'dm')).toBe('vol-race');
    expect(value('recreate', 'nodes')).toBe('vol-race');
  });

  it('removes nothing through a /dev/longhorn symlink (LVM-like device whose disk is gone)', () => {
    expect(logs('symlink')).toEqual([
      'cleanup: /dev/longhorn is a symlink to /dev/mapper, not a directory; nothing is checked or removed',
    ]);
    expect(value('symlink', 'dm').split(' ')).toContain('vg0-data');
  });

  describe('preflight --root on the node facts captured in the guest', () => {
    let share: string;
    const preflight = (root: string, ...extra: string[]) => {
      const run = spawnSync(
        process.execPath,
        [cli, 'preflight', '--root', root, '--memory-size', '64', '--output', 'json', ...extra],
        { encoding: 'utf8' },
      );
      const report = JSON.parse(run.stdout) as {
        nodes: { checks: { id: string; group: string; status: string; message: string }[] }[];
      };
      return { status: run.status, checks: report.nodes[0]?.checks ?? [] };
    };
    beforeAll(() => {
      share = join(work, 'share');
      unpackShare(bed.share, share);
    });

    it('the prepared guest passes the checks it can; the bare one differs in exactly modules (warn) and huge pages (fail)', () => {
      const prepared = preflight(join(share, 'prepared'));
      const bare = preflight(join(share, 'bare'));
      const byId = (checks: typeof prepared.checks) => new Map(checks.map((c) => [c.id, c]));
      const p = byId(prepared.checks);
      const b = byId(bare.checks);
      expect(p.get('kernel-modules')?.status).toBe('pass');
      expect(p.get('hugepages')?.status).toBe('pass');
      expect(p.get('dev-fd')?.status).toBe('pass');
      expect(p.get('cpu-flags')?.status).toBe('pass');
      expect(prepared.checks.filter((c) => c.status === 'fail')).toEqual([]);
      // What a Debian guest cannot show (no Talos version, no API resources) skips with a reason.
      for (const c of prepared.checks.filter((x) => x.status === 'skip'))
        expect(c.message).not.toBe('');
      expect(prepared.status).toBe(0);
      const differing = [...p.keys()].filter((id) => p.get(id)?.status !== b.get(id)?.status);
      expect(differing.sort()).toEqual(['hugepages', 'kernel-modules']);
      // Debian's kernel has no /proc/config.gz, so a missing module might still be built in:
      // preflight warns (naming the modules) rather than fails, as it must on such a node.
      expect(b.get('kernel-modules')?.status).toBe('warn');
      expect(b.get('kernel-modules')?.message).toMatch(/vfio_pci/);
      expect(b.get('hugepages')?.status).toBe('fail');
      expect(bare.status).toBe(1);
    });

    it(`captures /sys/class/block/*/uevent with the GPT partition name ${RAW_PARTITION_NAME}`, () => {
      // Hook for the raw-partition preflight check: it reads PARTNAME= from these files.
      const uevent = readFileSync(join(share, 'prepared/sys/class/block/vdb1/uevent'), 'utf8');
      expect(uevent.split('\n')).toContain(`PARTNAME=${RAW_PARTITION_NAME}`);
      expect(value('prepare', 'partname')).toBe(`PARTNAME=${RAW_PARTITION_NAME}`);
    });

    // The GPT disk (vdb) holds one 4 MiB partition named by sfdisk on the host; the kernel's
    // uevent, size and mountinfo are the only facts the check sees.
    const rawPartition = (minSize: string) => [
      '--raw-partition',
      JSON.stringify({ minSize, diskSelector: 'disk.dev_path == "/dev/vdb"' }),
    ];
    it('raw-partition passes on the kernel-made partition: found by PARTNAME, 4 MiB, not mounted', () => {
      const run = preflight(join(share, 'prepared'), ...rawPartition('2MiB'));
      const check = run.checks.find((c) => c.id === 'raw-partition');
      expect(check?.status, check?.message).toBe('pass');
      expect(check?.message).toBe(
        `${RAW_PARTITION_NAME} (vdb1), 4 MiB, not mounted (/proc/partitions, /sys/class/block/*/uevent, /proc/self/mountinfo)`,
      );
      expect(run.status).toBe(0);
    });
    it('raw-partition fails when the kernel-made partition is smaller than minSize', () => {
      const run = preflight(join(share, 'prepared'), ...rawPartition('8MiB'));
      const check = run.checks.find((c) => c.id === 'raw-partition');
      expect(check?.status).toBe('fail');
      expect(check?.message).toBe(
        `${RAW_PARTITION_NAME} (vdb1) is 4 MiB, smaller than minSize 8MiB`,
      );
      expect(run.status).toBe(1);
    });
  });
});
