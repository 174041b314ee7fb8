import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PARTITION_FILES, SYS_CLASS_BLOCK } from '../../src/preflight/partitions.js';
import { NODE_DIRECTORIES, NODE_FILES } from '../../src/preflight/reader.js';
import {
  type Accel,
  type Boot,
  boot,
  buildInitramfs,
  cli,
  type Initramfs,
  rawDisk,
  type VmTools,
} from './vm.js';

/** The scenarios of one boot, in order (each is test/node-vm/guest/<name>.sh). */
export const SCENARIOS = ['devfd', 'prepare', 'recreate', 'symlink', 'topology'] as const;

/** The GPT partition name a raw v2 disk partition carries (the raw-partition check reads it). */
export const RAW_PARTITION_NAME = 'r-longhorn-v2';

/** Modules the topology needs besides the patch's: device-mapper, NVMe-oF target and host. */
const TOPOLOGY_MODULES = [
  'dm_mod',
  'dm_crypt',
  'nvmet',
  'nvmet_tcp',
  'nvme_tcp',
  'loop',
  'virtio_pci',
  'virtio_blk',
];

export interface PatchFacts {
  readonly modules: string[];
  readonly hugepages: string;
}

/**
 * The kernel modules and vm.nr_hugepages of our generated patch, in Talos 1.14's documents (named
 * explicitly: the default target is the newest released minor). The disk is a `/dev/` path: a
 * PCI-addressed disk adds SPDK's 1024 pages (2 GiB), more than the guest's memory.
 */
export function patchFacts(): PatchFacts {
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'patch',
      '--talos-version',
      '1.14',
      '--disk',
      '/dev/nvme0n1',
      '--memory-size',
      '64',
      '--output',
      'json',
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`patch failed: ${run.stderr}`);
  const docs = JSON.parse(run.stdout) as {
    kind: string;
    name?: string;
    params?: Record<string, string>;
  }[];
  const modules = docs.filter((d) => d.kind === 'KernelModuleConfig').map((d) => d.name as string);
  const hugepages = docs.find((d) => d.kind === 'SysctlConfig')?.params?.['vm.nr_hugepages'];
  if (hugepages === undefined) throw new Error('the patch sets no vm.nr_hugepages');
  return { modules, hugepages };
}

/**
 * What the guest captures, from preflight's own lists (one source of truth): node files,
 * directory listings, the partitions fact's files, and `block DIR` for every
 * `DIR/<device>/{uevent,size}`.
 */
export function captureList(): string {
  const lines = [
    ...Object.values(NODE_FILES).map((path) => `file ${path}`),
    ...Object.values(PARTITION_FILES).map((path) => `file ${path}`),
    ...Object.values(NODE_DIRECTORIES).map((d) => `dir ${d.path} ${d.depth}`),
    `block ${SYS_CLASS_BLOCK}`,
  ];
  return `${lines.join('\n')}\n`;
}

export interface TestBed {
  readonly initramfs: Initramfs;
  readonly share: string;
  readonly gptDisk: string;
  readonly patch: PatchFacts;
}

/** Build the initramfs and the two disks: the share (vda) and a GPT disk partitioned by sfdisk (vdb). */
export function prepareTestBed(tools: VmTools, work: string): TestBed {
  const patch = patchFacts();
  const initramfs = buildInitramfs(tools, work, {
    modules: [...patch.modules, ...TOPOLOGY_MODULES],
    files: { 'vm/capture.list': captureList() },
  });
  const share = rawDisk(join(work, 'share.img'), 16);
  const gptDisk = rawDisk(join(work, 'gpt.img'), 8);
  const sfdisk = spawnSync('sfdisk', ['--quiet', gptDisk], {
    input: `label: gpt\nsize=4MiB, type=L, name="${RAW_PARTITION_NAME}"\n`,
    encoding: 'utf8',
  });
  if (sfdisk.status !== 0) throw new Error(`sfdisk failed: ${sfdisk.stderr}`);
  return { initramfs, share, gptDisk, patch };
}

export function bootTestBed(
  tools: VmTools,
  bed: TestBed,
  accel: Accel,
  scenarios: readonly string[] = SCENARIOS,
): Promise<Boot> {
  return boot(tools, {
    initramfs: bed.initramfs.path,
    disks: [bed.share, bed.gptDisk],
    accel,
    // A hard limit well above the budget: a loaded machine slows TCG down, and only a hung guest
    // should hit it (the budget is measured by test/bench/node-vm.ts).
    timeoutMs: 420_000,
    cmdline: [
      `tlvm.scenarios=${scenarios.join(',')}`,
      `tlvm.modules=${bed.patch.modules.join(',')}`,
      `tlvm.hugepages=${bed.patch.hugepages}`,
    ],
  });
}
