import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NodeOptions, planNode, TalosLonghornError } from '../../src/index.js';
import { hugepagesFor, V2_KERNEL_MODULES } from '../../src/longhorn/index.js';
import { SUPPORTED_LONGHORN_VERSIONS } from '../../src/longhorn/versions.js';

function errorOf(options: NodeOptions): TalosLonghornError {
  try {
    planNode(options);
  } catch (err) {
    if (err instanceof TalosLonghornError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

const modulesOf = (options: NodeOptions) => planNode(options).modules.map((m) => m.name);

describe('planNode', () => {
  it('defaults: the v2 modules, dm_crypt, 1024 pages, the extension and nothing else', () => {
    expect(planNode({})).toEqual({
      longhornVersion: '1.12',
      v2DataEngine: true,
      modules: [
        { name: 'vfio_pci', parameters: [] },
        { name: 'uio_pci_generic', parameters: [] },
        { name: 'nvme_tcp', parameters: [] },
        { name: 'dm_crypt', parameters: [] },
      ],
      hugepages: 1024,
      memorySizeMiB: 2048,
      dataPath: false,
      disks: [],
      vfioRebind: [],
      nodeLabels: {},
      nodeAnnotations: {},
      extension: {
        name: 'longhorn-v2-node',
        cleanupMode: 'report',
        environment: {
          LONGHORN_V2_MODULES: 'vfio_pci uio_pci_generic nvme_tcp dm_crypt',
          LONGHORN_V2_HUGEPAGES: '1024',
          LONGHORN_V2_CLEANUP_MODE: 'report',
          LONGHORN_V2_CLEANUP_INTERVAL: '60',
        },
      },
    });
  });

  it('chooses modules from the options', () => {
    expect(modulesOf({ encryption: false })).toEqual([...V2_KERNEL_MODULES]);
    expect(modulesOf({ disks: ['/dev/nvme1n1'] })).not.toContain('vfio_iommu_type1');
    expect(modulesOf({ disks: ['0000:01:00.0'] })).toContain('vfio_iommu_type1');
    expect(modulesOf({ ublk: true }).at(-1)).toBe('ublk_drv');
    expect(modulesOf({ v2DataEngine: false })).toEqual(['dm_crypt']);
    expect(modulesOf({ v2DataEngine: false, encryption: false })).toEqual([]);
  });

  it('adds extra modules, normalising dashes and merging parameters into required ones', () => {
    const needs = planNode({
      extraModules: [
        { name: 'nvme-core', parameters: ['multipath=N'] },
        { name: 'vfio_pci', parameters: ['ids=8086:0953'] },
      ],
    });
    expect(needs.modules[0]).toEqual({ name: 'vfio_pci', parameters: ['ids=8086:0953'] });
    expect(needs.modules.at(-1)).toEqual({ name: 'nvme_core', parameters: ['multipath=N'] });
  });

  it('sizes huge pages as ceil(MiB / 2) and accepts more, never fewer', () => {
    expect(planNode({ memorySizeMiB: 1 }).hugepages).toBe(1);
    expect(planNode({ memorySizeMiB: 4097 }).hugepages).toBe(2049);
    expect(planNode({ memorySizeMiB: 4096, hugepages: 4000 }).hugepages).toBe(4000);
    expect(errorOf({ memorySizeMiB: 4096, hugepages: 2047 }).message).toBe(
      'hugepages: 2047 pages are fewer than the 2048 2 MiB pages that memorySizeMiB 4096 needs',
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 20 }), fc.nat(1000), (mib, extra) => {
        const pages = Math.min(hugepagesFor(mib) + extra, 1 << 19);
        const needs = planNode({ memorySizeMiB: mib, hugepages: pages });
        expect(needs.hugepages * 2).toBeGreaterThanOrEqual(mib);
        expect(needs.extension?.environment.LONGHORN_V2_HUGEPAGES).toBe(String(pages));
      }),
    );
  });

  it.each([
    [{ memorySizeMiB: 0 }, 'memorySizeMiB: 0 MiB is out of range; expected 1 to 1048576'],
    [{ memorySizeMiB: -2048 }, 'memorySizeMiB: -2048 MiB is out of range'],
    [{ memorySizeMiB: 1048577 }, 'memorySizeMiB: 1048577 MiB is out of range'],
    [{ memorySizeMiB: 1.5 }, 'memorySizeMiB: 1.5 is not a whole number of MiB'],
    [{ hugepages: 0 }, 'hugepages: 0 pages is out of range; expected 1 to 524288'],
    [{ hugepages: -1 }, 'hugepages: -1 pages is out of range'],
    [{ hugepages: 1e9 }, 'hugepages: 1000000000 pages is out of range'],
    [{ hugepages: Number.NaN }, 'hugepages: NaN is not a whole number of pages'],
    [{ cleanupIntervalSeconds: 0 }, 'cleanupIntervalSeconds: 0 seconds is out of range'],
    [
      { cleanupMode: 'purge' as never },
      'cleanupMode: unknown value "purge"; expected one of off, report, remove',
    ],
    [{ v2DataEngine: false, disks: ['/dev/sdb'] }, 'disks: given while v2DataEngine is false'],
    [{ v2DataEngine: false, hugepages: 10 }, 'hugepages: given while v2DataEngine is false'],
    [{ vfioRebind: true, disks: ['/dev/sdb'] }, 'vfioRebind: no disk is given by PCI address'],
    [{ extension: false, cleanupMode: 'off' }, 'cleanupMode: given while extension is false'],
    [{ dataPathMinSize: '1GiB' }, 'dataPathMinSize: only applies together with dataPathDisk'],
    [
      { dataPath: false, dataPathDisk: 'system_disk' },
      'dataPathDisk: given while dataPath is false',
    ],
    [{ dataPathDisk: 'a\nb' }, 'dataPathDisk: invalid character U+000A at position 2'],
    [
      { dataPathDisk: 'system_disk', dataPathMinSize: '10 gigs' },
      'dataPathMinSize: "10 gigs" is not a size',
    ],
    [
      { extraModules: [{ name: 'Nvme' }] },
      'extraModules[0].name: invalid character "N" in module name "Nvme"',
    ],
    [{ extraModules: [{ name: 'nvme tcp' }] }, 'extraModules[0].name: invalid character U+0020'],
    [{ extraModules: [{ name: '' }] }, 'extraModules[0].name: empty module name'],
    [
      { extraModules: [{ name: 'a'.repeat(56) }] },
      'extraModules[0].name: module name is longer than 55',
    ],
    [
      { extraModules: [{ name: 'x' }, { name: 'x' }] },
      'extraModules[1].name: module x repeats extraModules[0]',
    ],
    [
      { extraModules: [{ name: 'x', parameters: ['novalue'] }] },
      'extraModules[0].parameters[0]: "novalue" is not a module parameter; expected key=value',
    ],
    [
      { extraModules: [{ name: 'x', parameters: ['a=b c'] }] },
      'extraModules[0].parameters[0]: "a=b c" is not a module parameter',
    ],
    [{ encryption: 'yes' as never }, 'encryption: expected true or false'],
  ] as [NodeOptions, string][])('refuses %j', (options, message) => {
    const err = errorOf(options);
    expect(err.code).toBe('invalid-input');
    expect(err.message.startsWith(message)).toBe(true);
  });
});

describe('v2 disks', () => {
  it('normalises PCI addresses; no default-disks annotation Longhorn would drop', () => {
    const needs = planNode({
      disks: ['0000:C1:00.0', '02:00.1', '/dev/disk/by-id/nvme-Example_1'],
      vfioRebind: true,
    });
    expect(needs.disks).toEqual([
      { kind: 'pci', address: '0000:c1:00.0', name: 'nvme-0000-c1-00-0' },
      { kind: 'pci', address: '0000:02:00.1', name: 'nvme-0000-02-00-1' },
      {
        kind: 'path',
        path: '/dev/disk/by-id/nvme-Example_1',
        name: 'aio-disk-by-id-nvme-example-1',
      },
    ]);
    expect(needs.vfioRebind).toEqual(['0000:c1:00.0', '0000:02:00.1']);
    // Every released Longhorn drops an annotation holding a PCI address (longhorn#13491): the
    // disks are registered by the Node patch instead.
    expect(needs.nodeLabels).toEqual({});
    expect(needs.nodeAnnotations).toEqual({});
    expect(needs.extension?.environment.LONGHORN_V2_PCI_DEVICES).toBe('0000:c1:00.0 0000:02:00.1');
  });

  it('opts a node out of v2 with the disable label', () => {
    const needs = planNode({ v2DataEngine: false });
    expect(needs.nodeLabels).toEqual({ 'node.longhorn.io/disable-v2-data-engine': 'true' });
    expect(needs.hugepages).toBe(0);
  });

  it('keeps disk names unique when paths collapse to the same name', () => {
    const names = planNode({ disks: ['/dev/sd_b', '/dev/sd-b'] }).disks.map((d) => d.name);
    expect(names).toEqual(['aio-sd-b', 'aio-sd-b-2']);
    // The numbered name of /dev/x_3 would be aio-x-3-3, which /dev/x-3-3 already has.
    const taken = planNode({ disks: ['/dev/x-3-3', '/dev/x-3', '/dev/x_3'] }).disks;
    expect(new Set(taken.map((d) => d.name)).size).toBe(3);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,2}[-_.]?[0-9]{0,2}[-_]?[0-9]?$/), {
          minLength: 1,
          maxLength: 12,
        }),
        (tails) => {
          const disks = planNode({ disks: tails.map((tail) => `/dev/${tail}`) }).disks;
          const names = disks.map((d) => d.name);
          expect(new Set(names).size).toBe(names.length);
          for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
        },
      ),
    );
  });

  it("reserves 1024 more pages for SPDK's NVMe driver when a disk is a PCI address", () => {
    // longhorn#13184: setup.sh takes 1024 pages for the driver whatever the memory size.
    expect(planNode({ disks: ['0000:01:00.0'] }).hugepages).toBe(1024 + 1024);
    expect(planNode({ memorySizeMiB: 1, disks: ['01:00.0'] }).hugepages).toBe(1 + 1024);
    // A /dev/ path is AIO: the kernel's driver, no SPDK pages.
    expect(planNode({ disks: ['/dev/nvme1n1'] }).hugepages).toBe(1024);
    expect(errorOf({ hugepages: 1500, disks: ['0000:01:00.0'] }).message).toBe(
      "hugepages: 1500 pages are fewer than the 2048 2 MiB pages that memorySizeMiB 2048 plus the 1024 that SPDK's NVMe driver takes for PCI-addressed disks needs",
    );
  });

  it('keeps the default-disks annotation only where Longhorn reads all of it', () => {
    const one = planNode({ disks: ['/dev/nvme1n1'] });
    expect(one.nodeLabels).toEqual({ 'node.longhorn.io/create-default-disk': 'config' });
    expect(JSON.parse(one.nodeAnnotations['node.longhorn.io/default-disks-config'] ?? '')).toEqual([
      {
        name: 'aio-nvme1n1',
        path: '/dev/nvme1n1',
        diskType: 'block',
        diskDriver: 'aio',
        allowScheduling: true,
      },
    ]);
    // Two /dev/ paths share devtmpfs's filesystem id; Longhorn rejects the second.
    expect(planNode({ disks: ['/dev/nvme1n1', '/dev/nvme2n1'] }).nodeAnnotations).toEqual({});
    for (const version of SUPPORTED_LONGHORN_VERSIONS) {
      expect(planNode({ disks: ['0000:01:00.0'] }, version).nodeAnnotations).toEqual({});
    }
    // A node providing the data path without an annotation still gets its default disk.
    expect(planNode({ dataPath: true, disks: ['0000:01:00.0'] }).nodeLabels).toEqual({
      'node.longhorn.io/create-default-disk': 'true',
    });
  });

  it.each([
    [
      '0000:zz:00.0',
      'disks[0]: "0000:zz:00.0" is not a PCI address; expected a PCI address DDDD:BB:DD.F',
    ],
    ['0000:01:00.8x', 'is not a PCI address'],
    ['00000:01:00.0', 'is not a PCI address'],
    ['0000:01:00', 'is not a PCI address'],
    ['1:00.0', 'is not a PCI address'],
    ['sdb', 'disks[0]: "sdb" is not a disk'],
    ['/dev/', 'is not a disk'],
    ['/etc/passwd', 'is not a disk'],
    ['/dev/../etc/x', 'is not a plain device path'],
    ['/dev/sd b', 'invalid character U+0020 in device path'],
    ['', 'disks[0]: empty disk'],
  ])('refuses %j', (disk, message) => {
    expect(errorOf({ disks: [disk] }).message).toContain(message);
  });

  it('refuses the same disk twice, after normalisation', () => {
    expect(errorOf({ disks: ['0000:01:00.0', '01:00.0'] }).message).toBe(
      'disks[1]: "01:00.0" repeats disks[0]',
    );
  });

  it("accepts every well-formed BDF in any case and returns Longhorn's lowercase form", () => {
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        fc.nat(0xff),
        fc.nat(0x1f),
        fc.nat(0x7),
        fc.boolean(),
        (d, b, s, f, upper) => {
          const text = `${hex(d, 4)}:${hex(b, 2)}:${hex(s, 2)}.${hex(f, 1)}`;
          const disk = planNode({ disks: [upper ? text.toUpperCase() : text] }).disks[0];
          expect(disk).toMatchObject({ kind: 'pci', address: text });
          expect(
            disk?.kind === 'pci' &&
              /^[a-f0-9]{4}:[a-f0-9]{2}:[a-f0-9]{2}\.[a-f0-9]$/.test(disk.address),
          ).toBe(true);
        },
      ),
    );
  });

  it('is deterministic and never throws anything but TalosLonghornError', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }), (disks) => {
        try {
          expect(planNode({ disks })).toEqual(planNode({ disks }));
        } catch (err) {
          expect(err).toBeInstanceOf(TalosLonghornError);
        }
      }),
    );
  });
});
