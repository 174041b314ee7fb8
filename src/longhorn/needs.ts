import type { RawPartition } from '../talos/raw-volume.js';
import type { CleanupMode } from './options.js';
import type { LonghornVersion } from './versions.js';

/** What a node needs for Longhorn, independent of the Talos version that will express it. */
export interface NodeNeeds {
  /** The Longhorn minor the node's metadata (default-disks annotation) was written for. */
  readonly longhornVersion: LonghornVersion;
  /** False when the node is opted out of the v2 data engine. */
  readonly v2DataEngine: boolean;
  /** Kernel modules to load, in emission order, each at most once. */
  readonly modules: readonly KernelModuleNeed[];
  /**
   * 2 MiB huge pages to reserve (0 when v2 is off): the memory size's pages, plus SPDK's NVMe
   * driver pages when a disk is a PCI address.
   */
  readonly hugepages: number;
  /** Longhorn's v2 `data-engine-memory-size` the pages were sized for (0 when v2 is off). */
  readonly memorySizeMiB: number;
  /** Provide the data path for filesystem (v1) disks. */
  readonly dataPath: boolean;
  /** A raw partition Talos carves for a v2 disk (Talos >= 1.11), when planned. */
  readonly rawPartition?: RawPartition;
  /** Put the data path on its own partition (only with `dataPath`). */
  readonly dataPathDisk?: DataPathDisk;
  /** v2 disks, in the order given. */
  readonly disks: readonly DiskNeed[];
  /** PCI addresses to rebind to vfio-pci. */
  readonly vfioRebind: readonly string[];
  /** Kubernetes node labels, keys sorted. */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Kubernetes node annotations, keys sorted. */
  readonly nodeAnnotations: Readonly<Record<string, string>>;
  /** The `longhorn-v2-node` extension service's settings, when it is configured. */
  readonly extension?: ExtensionSettings;
}

/** A kernel module the node must load, with its parameters. */
export interface KernelModuleNeed {
  readonly name: string;
  /** `key=value` parameters; empty when none. */
  readonly parameters: readonly string[];
}

/**
 * Where the data path's own partition goes: a Talos disk selector and the partition's minimum size
 * (it grows to the disk).
 */
export interface DataPathDisk {
  /** Talos disk selector (CEL). */
  readonly selector: string;
  /** Talos byte size, e.g. `10GiB`. */
  readonly minSize: string;
}

/** A v2 disk: a PCI address (SPDK's NVMe driver) or a block device path (AIO). */
export type DiskNeed =
  | { readonly kind: 'pci'; readonly address: string; readonly name: string }
  | { readonly kind: 'path'; readonly path: string; readonly name: string };

/**
 * How the `longhorn-v2-node` extension service is configured: its name, its environment (the
 * contract in `extension-contract.ts`) and its cleanup mode.
 */
export interface ExtensionSettings {
  /** Extension service name; the `ExtensionServiceConfig` document has the same name. */
  readonly name: string;
  /** Environment variables (names from extension-contract.ts), in a fixed order. */
  readonly environment: Readonly<Record<string, string>>;
  readonly cleanupMode: CleanupMode;
}
