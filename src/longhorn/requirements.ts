/**
 * Longhorn's v2 (SPDK) data-engine node requirements, stated once. The patch generator, the
 * preflight checks and the extension's settings all read them from here.
 */

/** Modules every v2 node needs, in the order they are emitted. */
export const V2_KERNEL_MODULES = ['vfio_pci', 'uio_pci_generic', 'nvme_tcp'] as const;
/** vfio-pci only works once the IOMMU backend is loaded; needed when a disk is a PCI address. */
export const PCI_KERNEL_MODULE = 'vfio_iommu_type1';
/** Device-mapper crypt target for encrypted volumes (all data engines). */
export const ENCRYPTION_KERNEL_MODULE = 'dm_crypt';
/** The ublk frontend of the v2 engine (opt-in; the module exists from Talos 1.12). */
export const UBLK_KERNEL_MODULE = 'ublk_drv';

/** Official system extensions Longhorn needs on Talos. */
export const REQUIRED_EXTENSIONS = [
  'siderolabs/iscsi-tools',
  'siderolabs/util-linux-tools',
] as const;

/** Kernel versions as [major, minor]: below `minimum` v2 fails, below `recommended` it warns. */
export const KERNEL_REQUIREMENTS = {
  minimum: [5, 19],
  /** NVMe/TCP has a known memory-corruption issue before 6.7. */
  recommended: [6, 7],
} as const satisfies Record<string, readonly [number, number]>;

/** The CPU flag (/proc/cpuinfo `flags`/`Features`) the v2 engine needs, per architecture. */
export const CPU_FLAGS = { amd64: 'sse4_2', arm64: 'asimd' } as const;
/** A CPU architecture the v2 engine runs on: `amd64` or `arm64`. */
export type CpuArchitecture = keyof typeof CPU_FLAGS;

/** Huge page size the v2 engine uses. */
export const HUGEPAGE_SIZE_MIB = 2;
/** Longhorn's default `data-engine-memory-size` for v2, in MiB. */
export const DEFAULT_MEMORY_SIZE_MIB = 2048;
/** Upper bound for memory size and huge pages: 1 TiB. Anything above is a typo, not a node. */
export const MAX_MEMORY_SIZE_MIB = 1024 * 1024;
/** Upper bound for `hugepages`: 1 TiB of 2 MiB pages. */
export const MAX_HUGEPAGES = MAX_MEMORY_SIZE_MIB / HUGEPAGE_SIZE_MIB;

/**
 * 2 MiB pages SPDK's setup allocates for its userspace NVMe driver whatever memory size is
 * configured (longhorn#13184): a node with a PCI-addressed disk needs them on top of the pages
 * the instance manager requests (`hugepages-2Mi: <memory size>Mi`).
 */
export const SPDK_NVME_DRIVER_HUGEPAGES = 1024;

/**
 * 2 MiB pages to reserve for a v2 memory size: ceil(MiB / 2), plus SPDK's NVMe-driver pages when
 * a disk is a PCI address. Never fewer.
 */
export function hugepagesFor(memorySizeMiB: number, pciDisks = false): number {
  const engine = Math.ceil(memorySizeMiB / HUGEPAGE_SIZE_MIB);
  return pciDisks ? engine + SPDK_NVME_DRIVER_HUGEPAGES : engine;
}

/** Kubelet's sysctl that reserves 2 MiB huge pages. */
export const HUGEPAGES_SYSCTL = 'vm.nr_hugepages';

/** Node label/annotation keys Longhorn reads. */
export const LONGHORN_NODE_KEYS = {
  createDefaultDisk: 'node.longhorn.io/create-default-disk',
  defaultDisksConfig: 'node.longhorn.io/default-disks-config',
  disableV2DataEngine: 'node.longhorn.io/disable-v2-data-engine',
} as const;

/** The lowercase PCI address (BDF) form Longhorn accepts as a v2 disk path. */
export const LONGHORN_BDF_PATTERN = /^[a-f0-9]{4}:[a-f0-9]{2}:[a-f0-9]{2}\.[a-f0-9]$/;

/** Driver a BDF disk is rebound to for SPDK's userspace NVMe driver. */
export const VFIO_PCI_DRIVER = 'vfio-pci';

/** Data path for filesystem (v1) disks: bind-mounted on Talos 1.9, a user volume later. */
export const LEGACY_DATA_PATH = '/var/lib/longhorn';
/** Name of the data path's Talos user volume (partition label `u-longhorn`, Talos >= 1.10). */
export const USER_VOLUME_NAME = 'longhorn';
/**
 * Where Talos mounts that user volume: the data path for filesystem (v1) disks on Talos >= 1.10.
 */
export const USER_VOLUME_DATA_PATH = `/var/mnt/${USER_VOLUME_NAME}`;
/** Minimum size of a disk-backed data-path user volume unless given (it then grows). */
export const DEFAULT_DATA_PATH_MIN_SIZE = '10GiB';

/** Kernel module names: MODULE_NAME_LEN is 56 bytes including the terminating NUL. */
export const MAX_MODULE_NAME_LENGTH = 55;
/** Shortest `cleanupIntervalSeconds` accepted. */
export const MIN_CLEANUP_INTERVAL_SECONDS = 5;
/** Longest `cleanupIntervalSeconds` accepted: one day. */
export const MAX_CLEANUP_INTERVAL_SECONDS = 86_400;
