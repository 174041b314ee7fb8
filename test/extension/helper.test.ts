import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_CLEANUP_INTERVAL_SECONDS,
  MIN_CLEANUP_INTERVAL_SECONDS,
} from '../../src/longhorn/requirements.js';
import {
  BUSYBOX_SKIP,
  buildNodeTree,
  type DmDevice,
  haveBusybox,
  LONGHORN_NQN,
  link,
  type Namespace,
  runHelperFor,
  runHelperOnce,
  write,
} from './node-tree.js';

if (!haveBusybox) console.warn(BUSYBOX_SKIP);
const describeWithBusybox = haveBusybox ? describe : describe.skip;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tl-node-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

// One node with every case side by side. Namespace and dm numbers are arbitrary but distinct.
const namespaces: Namespace[] = [
  { name: 'nvme0n1', devno: '259:1', nqn: LONGHORN_NQN },
  {
    name: 'nvme1n1',
    devno: '259:2',
    nqn: 'nqn.2023-01.io.longhorn.spdk:pvc-0002',
    via: 'controller',
    // The initiator is tearing the controller down (ctrl_loss_tmo expired).
    state: 'deleting',
  },
  {
    name: 'nvme2n1',
    devno: '259:3',
    nqn: 'nqn.2014-08.org.nvmexpress:uuid:0a1b2c3d-0000-4000-8000-000000000001',
  },
  { name: 'sdb', devno: '8:16' },
  // The controller is dead: only the open count keeps pvc-busy.
  { name: 'nvme3n1', devno: '259:4', nqn: LONGHORN_NQN, state: 'dead' },
  { name: 'nvme4n1', devno: '259:5', nqn: LONGHORN_NQN },
  { name: 'nvme5n1', devno: '259:6', nqn: LONGHORN_NQN },
  { name: 'nvme6n1', devno: '259:7', nqn: LONGHORN_NQN },
  {
    name: 'nvme7n1',
    devno: '259:8',
    nqn: 'nqn.2023-01.io.longhorn.spdk:pvc-0003',
    state: 'connecting',
  },
];
const linear = (devno: string, sectors = 2097152) => `0 ${sectors} linear ${devno} 0`;
const devices: DmDevice[] = [
  // In use by a pod: open and mounted through /dev/longhorn.
  { name: 'pvc-live', index: 0, table: [linear('259:1')], open: 1, slaves: ['nvme0n1'] },
  // The instance-manager crashed: nothing uses it any more.
  { name: 'pvc-orphan', index: 1, table: [linear('259:2')], open: 0, slaves: ['nvme1n1'] },
  // A v1 encrypted volume of the same shape of name: crypt over an iSCSI disk (longhorn#13194).
  {
    name: 'pvc-v1crypt',
    index: 2,
    table: ['0 2093056 crypt aes-xts-plain64 :64:logon:cryptsetup:3f0e-d0 0 8:16 4096'],
    open: 0,
    slaves: ['sdb'],
  },
  { name: 'pvc-busy', index: 3, table: [linear('259:4')], open: 2, slaves: ['nvme3n1'] },
  { name: 'pvc-mounted', index: 4, table: [linear('259:5')], open: 0, slaves: ['nvme4n1'] },
  {
    name: 'pvc-twoseg',
    index: 5,
    table: ['0 1048576 linear 259:6 0', '1048576 1048576 linear 259:6 2097152'],
    open: 0,
    slaves: ['nvme5n1'],
  },
  { name: 'pvc-striped', index: 6, table: ['0 2097152 striped 2 128 259:7 0 259:6 0'], open: 0 },
  // The NVMe-oF namespace under it is gone (target deleted): the table still names 259:9.
  { name: 'pvc-gone', index: 7, table: [linear('259:9')], open: 0 },
  // Linear over a namespace that is not a Longhorn subsystem.
  { name: 'pvc-foreign', index: 8, table: [linear('259:3')], open: 0, slaves: ['nvme2n1'] },
  // Not Longhorn's at all: no /dev/longhorn entry.
  { name: 'vg0-data', index: 9, table: [linear('259:1', 4096)], open: 0, longhornNode: false },
  // A v2 encrypted volume: <vol>-encrypted is stacked on <vol>.
  { name: 'pvc-enc', index: 10, table: [linear('259:7')], open: 0, holders: ['dm-11'] },
  // Attached and idle: the namespace is live, nothing opened the device yet.
  { name: 'pvc-attached', index: 12, table: [linear('259:7')], open: 0, slaves: ['nvme6n1'] },
  // The instance-manager restarts: the controller reconnects.
  { name: 'pvc-reconnect', index: 13, table: [linear('259:8')], open: 0, slaves: ['nvme7n1'] },
  // A name Longhorn cannot give a volume, over a gone device: never passed to dmsetup.
  { name: '-pvc-dash', index: 14, table: [linear('259:20')], open: 0 },
];
const mounts = [
  '/dev/longhorn/pvc-live /var/lib/kubelet/pods/a/volumes/kubernetes.io~csi/pvc-live/mount ext4 rw 0 0',
  '/dev/mapper/pvc-mounted /var/mnt/x xfs rw 0 0',
];

function keepReason(lines: string[], name: string): string {
  const line = lines.find((l) => l.startsWith(`cleanup: keep ${name} (`));
  if (line === undefined) throw new Error(`no keep line for ${name} in:\n${lines.join('\n')}`);
  return line;
}

describeWithBusybox('node helper: leftover v2 devices (busybox sh, fake dmsetup)', () => {
  beforeEach(() => buildNodeTree(root, devices, namespaces, mounts));

  const kept: [string, RegExp][] = [
    ['pvc-live', /\(dm-0\): mounted \(\/dev\/longhorn\/pvc-live on \/var\/lib\/kubelet/],
    ['pvc-v1crypt', /\(dm-2\): target is crypt, not linear .*longhorn#13194/],
    ['pvc-busy', /\(dm-3\): open count 2 \(in use\)/],
    ['pvc-mounted', /\(dm-4\): mounted \(\/dev\/mapper\/pvc-mounted on \/var\/mnt\/x\)/],
    ['pvc-twoseg', /\(dm-5\): table has 2 targets, not one linear target/],
    ['pvc-striped', /\(dm-6\): target is striped, not linear/],
    ['pvc-foreign', /\(dm-8\): nvme2n1 belongs to subsystem nqn\.2014-08\.org\.nvmexpress:uuid:/],
    ['vg0-data', /\(dm-9\): no \/dev\/longhorn\/vg0-data entry/],
    ['pvc-enc', /\(dm-10\): held by dm-11 \(a device is stacked on it\)/],
    [
      'pvc-attached',
      /\(dm-12\): nvme6n1 \(nqn\.2023-01\.io\.longhorn\.spdk:pvc-0001\) is attached: controller nvme\d+=live$/,
    ],
    [
      'pvc-reconnect',
      /\(dm-13\): nvme7n1 \(.*:pvc-0003\) is attached: controller nvme\d+=connecting$/,
    ],
    ['-pvc-dash', /\(dm-14\): not a Longhorn volume name$/],
  ];

  it('report mode (the default) reports the two leftovers and changes nothing', () => {
    const run = runHelperOnce(root);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    for (const [name, reason] of kept) expect(keepReason(run.lines, name)).toMatch(reason);
    expect(run.lines).toContain(
      `cleanup: LEFTOVER pvc-orphan (dm-1): one linear target over nvme1n1 (nqn.2023-01.io.longhorn.spdk:pvc-0002), every controller terminal: nvme1=deleting, open count 0, not mounted; reported only (LONGHORN_V2_CLEANUP_MODE=report)`,
    );
    expect(run.lines).toContain(
      'cleanup: LEFTOVER pvc-gone (dm-7): one linear target over gone device 259:9, open count 0, not mounted; reported only (LONGHORN_V2_CLEANUP_MODE=report)',
    );
    expect(run.calls.filter((c) => c.startsWith('remove'))).toEqual([]);
    for (const dm of devices) {
      expect(existsSync(join(root, `sys/block/dm-${dm.index}`))).toBe(true);
      if (dm.longhornNode !== false)
        expect(existsSync(join(root, `dev/longhorn/${dm.name}`))).toBe(true);
    }
    // dmsetup is never asked about a device without a /dev/longhorn entry.
    expect(run.calls.some((c) => c.includes('vg0-data'))).toBe(false);
  });

  it('remove mode removes exactly the leftovers (dm device first, then the node); a second run is a no-op', () => {
    const first = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(first.status).toBe(0);
    expect(first.calls.filter((c) => c.startsWith('remove'))).toEqual([
      'remove --noudevsync -j 252 -m 1',
      'remove --noudevsync -j 252 -m 7',
    ]);
    const removed = first.lines.filter((l) => l.startsWith('cleanup: removed'));
    expect(removed).toEqual([
      'cleanup: removed dm device pvc-orphan (dm-1, 252:1): one linear target over nvme1n1 (nqn.2023-01.io.longhorn.spdk:pvc-0002), every controller terminal: nvme1=deleting, open count 0, not mounted',
      'cleanup: removed /dev/longhorn/pvc-orphan',
      'cleanup: removed dm device pvc-gone (dm-7, 252:7): one linear target over gone device 259:9, open count 0, not mounted',
      'cleanup: removed /dev/longhorn/pvc-gone',
    ]);
    for (const [name, reason] of kept) expect(keepReason(first.lines, name)).toMatch(reason);
    expect(existsSync(join(root, 'dev/longhorn/pvc-orphan'))).toBe(false);
    expect(existsSync(join(root, 'dev/longhorn/pvc-gone'))).toBe(false);
    for (const name of [
      'pvc-attached',
      'pvc-live',
      'pvc-v1crypt',
      'pvc-busy',
      'pvc-mounted',
      'pvc-twoseg',
      'pvc-enc',
    ]) {
      expect(existsSync(join(root, `dev/longhorn/${name}`))).toBe(true);
    }

    const second = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(second.status).toBe(0);
    expect(second.calls.filter((c) => c.startsWith('remove'))).toEqual([]);
    expect(second.lines.filter((l) => /removed|LEFTOVER/.test(l))).toEqual([]);
  });

  it('keeps the /dev/longhorn node when dmsetup remove fails (device opened meanwhile)', () => {
    const run = runHelperOnce(root, {
      LONGHORN_V2_CLEANUP_MODE: 'remove',
      FAKE_DMSETUP_OPENED_BEFORE_REMOVE: 'pvc-orphan',
    });
    expect(run.calls).toContain('remove --noudevsync -j 252 -m 1');
    expect(run.lines).toContain(
      'cleanup: LEFTOVER pvc-orphan (dm-1): one linear target over nvme1n1 (nqn.2023-01.io.longhorn.spdk:pvc-0002), every controller terminal: nvme1=deleting, open count 0, not mounted; dmsetup remove failed: device-mapper: remove ioctl on pvc-orphan (252:1)  failed: Device or resource busy; Command failed.; /dev/longhorn/pvc-orphan kept',
    );
    expect(existsSync(join(root, 'dev/longhorn/pvc-orphan'))).toBe(true);
    expect(existsSync(join(root, 'sys/block/dm-1'))).toBe(true);
  });

  it('an unknown cleanup mode falls back to report: nothing is removed', () => {
    const run = runHelperOnce(root, {
      LONGHORN_V2_CLEANUP_MODE: 'delete',
      LONGHORN_V2_CLEANUP_INTERVAL: 'soon',
    });
    expect(run.status).toBe(0);
    expect(run.lines[0]).toBe(
      'settings: LONGHORN_V2_CLEANUP_MODE="delete" is not one of off, report, remove; using report (nothing is removed)',
    );
    expect(run.lines[1]).toBe(
      `settings: LONGHORN_V2_CLEANUP_INTERVAL="soon" is not a whole number of seconds from ${MIN_CLEANUP_INTERVAL_SECONDS} to ${MAX_CLEANUP_INTERVAL_SECONDS}; using 60`,
    );
    expect(run.lines).toContain(
      'settings: cleanup mode report, every 60 s; modules: none; hugepages: not checked; PCI devices: none',
    );
    expect(run.calls.filter((c) => c.startsWith('remove'))).toEqual([]);
    expect(run.lines.filter((l) => l.startsWith('cleanup: LEFTOVER'))).toHaveLength(2);
  });

  it(`accepts a cleanup interval from ${MIN_CLEANUP_INTERVAL_SECONDS} to ${MAX_CLEANUP_INTERVAL_SECONDS} s, the range of src/longhorn`, () => {
    const accepted = (value: string) =>
      runHelperOnce(root, {
        LONGHORN_V2_CLEANUP_MODE: 'off',
        LONGHORN_V2_CLEANUP_INTERVAL: value,
      }).lines.some((l) => l.startsWith(`settings: cleanup mode off, every ${value} s;`));
    const min = MIN_CLEANUP_INTERVAL_SECONDS;
    const max = MAX_CLEANUP_INTERVAL_SECONDS;
    expect([min - 1, min, max, max + 1, 0].map((n) => accepted(String(n)))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(accepted(`0${min}`)).toBe(false);
  });

  it('mode off asks dmsetup nothing', () => {
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'off' });
    expect(run.calls).toEqual([]);
    expect(run.lines).toContain('cleanup: off (LONGHORN_V2_CLEANUP_MODE=off)');
  });

  it('without dmsetup on PATH it says so and checks nothing', () => {
    const run = runHelperOnce(root, { PATH: join(root, 'empty') });
    expect(run.lines).toContain(
      `cleanup: dmsetup not found on PATH (${join(root, 'empty')}); leftover devices are not checked`,
    );
  });

  it('reads the host mount table from /host/proc/1/mounts when it is there', () => {
    write(root, 'host/proc/1/mounts', '/dev/dm-1 /var/mnt/y ext4 rw 0 0\n');
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(keepReason(run.lines, 'pvc-orphan')).toMatch(/mounted \(\/dev\/dm-1 on \/var\/mnt\/y\)/);
    expect(run.calls).not.toContain('remove --noudevsync -j 252 -m 1');
  });

  it('keeps a device whose /dev/longhorn entry is not a device node', () => {
    rmSync(join(root, 'dev/longhorn/pvc-orphan'));
    mkdirSync(join(root, 'dev/longhorn/pvc-orphan'));
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(keepReason(run.lines, 'pvc-orphan')).toMatch(
      /\/dev\/longhorn\/pvc-orphan is a directory, not a block device node/,
    );
  });

  it('removes nothing when /dev/longhorn is a symlink (e.g. to /dev/mapper)', () => {
    rmSync(join(root, 'dev/longhorn'), { recursive: true });
    mkdirSync(join(root, 'dev/mapper'));
    write(root, 'dev/mapper/pvc-gone', '');
    link(root, 'dev/longhorn', 'mapper');
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(run.lines.filter((l) => l.startsWith('cleanup:'))).toEqual([
      'cleanup: /dev/longhorn is a symlink to mapper, not a directory; nothing is checked or removed',
    ]);
    expect(run.calls).toEqual([]);
  });

  it('keeps a device whose holders/ or slaves/ directory is missing', () => {
    rmSync(join(root, 'sys/block/dm-7/holders'), { recursive: true });
    rmSync(join(root, 'sys/block/dm-1/slaves'), { recursive: true });
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(keepReason(run.lines, 'pvc-gone')).toMatch(/: sysfs has no holders\/ directory for it$/);
    expect(keepReason(run.lines, 'pvc-orphan')).toMatch(
      /: sysfs has no slaves\/ directory for it$/,
    );
    expect(run.calls.filter((c) => c.startsWith('remove'))).toEqual([]);
  });

  it('never accepts a regular file as the /dev/longhorn node without the test switch', () => {
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove', LONGHORN_V2_TEST: '' });
    expect(keepReason(run.lines, 'pvc-gone')).toMatch(
      /: \/dev\/longhorn\/pvc-gone is a regular file, not a block device node$/,
    );
    expect(run.calls.filter((c) => c.startsWith('remove'))).toEqual([]);
  });

  it('never passes a name starting with "-" to dmsetup', () => {
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(run.calls.some((c) => c.includes('-pvc-dash'))).toBe(false);
    for (const c of run.calls.filter((x) => !x.startsWith('remove')))
      expect(c).toMatch(/ -- [a-z]/);
  });

  it('a name with a newline cannot forge a log line', () => {
    write(root, 'sys/block/dm-20/dm/name', 'pvc-x\ncleanup: removed dm device pvc-live\n');
    write(root, 'sys/block/dm-20/dev', '252:20\n');
    const run = runHelperOnce(root, { LONGHORN_V2_CLEANUP_MODE: 'remove' });
    expect(run.lines).toContain(
      'cleanup: keep pvc-x?cleanup: removed dm device pvc-live (dm-20): not a Longhorn volume name',
    );
    expect(run.lines.filter((l) => l.startsWith('cleanup: removed dm device pvc-live'))).toEqual(
      [],
    );
  });

  it('in its loop, logs each finding once and scans every interval', async () => {
    // The shortest interval the settings accept (MIN_CLEANUP_INTERVAL_SECONDS): two passes.
    const run = await runHelperFor(
      root,
      { LONGHORN_V2_CLEANUP_INTERVAL: String(MIN_CLEANUP_INTERVAL_SECONDS) },
      MIN_CLEANUP_INTERVAL_SECONDS * 1000 + 2500,
    );
    const tableCalls = run.calls.filter((c) => c === 'table -- pvc-orphan');
    expect(tableCalls.length).toBeGreaterThanOrEqual(2);
    const leftoverLines = run.lines.filter((l) => l.startsWith('cleanup: LEFTOVER pvc-orphan'));
    expect(leftoverLines).toHaveLength(1);
    expect(run.lines.filter((l) => l.startsWith('cleanup: keep pvc-busy'))).toHaveLength(1);
  });
});

describeWithBusybox('node helper: /dev/fd and /dev/std{in,out,err}', () => {
  beforeEach(() => buildNodeTree(root, [], []));

  it('creates the four links, and a second run leaves them as they are', () => {
    const first = runHelperOnce(root);
    expect(first.lines.filter((l) => l.startsWith('devfd:'))).toEqual([
      'devfd: created /dev/fd -> /proc/self/fd',
      'devfd: created /dev/stdin -> /proc/self/fd/0',
      'devfd: created /dev/stdout -> /proc/self/fd/1',
      'devfd: created /dev/stderr -> /proc/self/fd/2',
    ]);
    expect(readlinkSync(join(root, 'dev/fd'))).toBe('/proc/self/fd');
    expect(readlinkSync(join(root, 'dev/stderr'))).toBe('/proc/self/fd/2');
    const second = runHelperOnce(root);
    expect(second.lines.filter((l) => l.startsWith('devfd:'))).toEqual([
      'devfd: /dev/fd -> /proc/self/fd is present',
      'devfd: /dev/stdin -> /proc/self/fd/0 is present',
      'devfd: /dev/stdout -> /proc/self/fd/1 is present',
      'devfd: /dev/stderr -> /proc/self/fd/2 is present',
    ]);
  });

  it('leaves a directory, a file or a foreign symlink alone and reports it', () => {
    mkdirSync(join(root, 'dev/fd'));
    write(root, 'dev/stdin', 'x');
    link(root, 'dev/stdout', '/somewhere/else');
    const run = runHelperOnce(root);
    expect(run.lines).toContain(
      'devfd: /dev/fd exists as a directory, not a symlink to /proc/self/fd; left alone',
    );
    expect(run.lines).toContain(
      'devfd: /dev/stdin exists as a regular file, not a symlink to /proc/self/fd/0; left alone',
    );
    expect(run.lines).toContain(
      'devfd: /dev/stdout is a symlink to /somewhere/else, not /proc/self/fd/1; left alone',
    );
    expect(run.lines).toContain('devfd: created /dev/stderr -> /proc/self/fd/2');
    expect(lstatSync(join(root, 'dev/fd')).isDirectory()).toBe(true);
    expect(lstatSync(join(root, 'dev/stdin')).isFile()).toBe(true);
    expect(readlinkSync(join(root, 'dev/stdout'))).toBe('/somewhere/else');
  });

  it('rejects an unknown argument with status 2', () => {
    const run = runHelperOnce(root, {}, ['--twice']);
    expect(run.status).toBe(2);
    expect(run.lines).toEqual(['usage: node-helper.sh [--once] (unknown argument "--twice")']);
  });
});

describeWithBusybox('node helper: modules, huge pages, IOMMU groups', () => {
  beforeEach(() => {
    buildNodeTree(root, [], []);
    write(
      root,
      'proc/modules',
      'vfio_pci 16384 0 - Live 0x0000000000000000\nvfio 45056 1 vfio_pci, Live 0x0\n',
    );
    mkdirSync(join(root, 'sys/module/nvme_tcp/parameters'), { recursive: true });
    mkdirSync(join(root, 'sys/module/vfio_pci'), { recursive: true });
    write(root, 'sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', '512\n');
    for (const [bdf, group, driver] of [
      ['0000:01:00.0', '12', 'vfio-pci'],
      ['0000:02:00.0', '13', 'nvme'],
      ['0000:02:00.1', '13', 'nvme'],
    ] as const) {
      link(
        root,
        `sys/bus/pci/devices/${bdf}/iommu_group`,
        `../../../../kernel/iommu_groups/${group}`,
      );
      link(root, `sys/bus/pci/devices/${bdf}/driver`, `../../../bus/pci/drivers/${driver}`);
      link(
        root,
        `sys/kernel/iommu_groups/${group}/devices/${bdf}`,
        `../../../../bus/pci/devices/${bdf}`,
      );
    }
    mkdirSync(join(root, 'sys/bus/pci/devices/0000:03:00.0'), { recursive: true });
  });

  const env = {
    LONGHORN_V2_MODULES: 'vfio_pci uio-pci-generic nvme_tcp bad/name',
    LONGHORN_V2_HUGEPAGES: '1024',
    LONGHORN_V2_PCI_DEVICES: '0000:01:00.0 0000:02:00.0 0000:03:00.0 0000:09:00.0 01:00.0',
    LONGHORN_V2_CLEANUP_MODE: 'off',
  };

  it('logs one line per finding against the settings', () => {
    const run = runHelperOnce(root, env);
    expect(run.status).toBe(0);
    const findings = run.lines.filter((l) => /^(modules|hugepages|iommu):/.test(l));
    expect(findings).toEqual([
      'modules: vfio_pci is loaded',
      'modules: uio_pci_generic is MISSING (not in /proc/modules, no /sys/module/uio_pci_generic)',
      'modules: nvme_tcp is built into the kernel',
      'modules: "bad/name" is not a kernel module name; skipped',
      'hugepages: only 512 2 MiB pages reserved, 1024 expected (set vm.nr_hugepages; the kubelet reports new capacity after it restarts)',
      'iommu: 0000:01:00.0 (driver vfio-pci) is alone in IOMMU group 12 (ok for vfio-pci)',
      'iommu: 0000:02:00.0 (driver nvme) shares IOMMU group 13 with 0000:02:00.1; vfio-pci must own the whole group, so use AIO for this disk or isolate it',
      'iommu: 0000:03:00.0 (driver none) has no IOMMU group; vfio-pci needs the IOMMU enabled, uio_pci_generic does not',
      'iommu: 0000:09:00.0 is not on this node',
      'iommu: "01:00.0" is not a PCI address like 0000:01:00.0; skipped',
    ]);
  });

  it('falls back to /proc/meminfo for huge pages', () => {
    rmSync(join(root, 'sys/kernel/mm/hugepages'), { recursive: true });
    write(
      root,
      'proc/meminfo',
      'MemTotal: 8000000 kB\nHugePages_Total:    1024\nHugepagesize:       2048 kB\n',
    );
    const run = runHelperOnce(root, env);
    expect(run.lines).toContain('hugepages: 1024 2 MiB pages reserved, 1024 expected (ok)');
  });

  it('refuses a non-numeric huge page count instead of comparing it', () => {
    const run = runHelperOnce(root, { ...env, LONGHORN_V2_HUGEPAGES: '2Gi' });
    expect(run.lines).toContain(
      'settings: LONGHORN_V2_HUGEPAGES="2Gi" is not a page count; huge pages are not checked',
    );
    expect(run.lines.some((l) => l.startsWith('hugepages:'))).toBe(false);
  });
});
