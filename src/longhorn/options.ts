/**
 * What a user asks for one node, independent of the Talos version. `planNode(options)` turns this
 * into `NodeNeeds`; every field is optional and has the default a Longhorn v2 user expects.
 */
export type CleanupMode = 'off' | 'report' | 'remove';

export interface ExtraModule {
  /** Kernel module name: `[a-z0-9_-]+` (dashes are normalised to underscores). */
  readonly name: string;
  /** `key=value` parameters passed to the module. */
  readonly parameters?: readonly string[];
}

export interface NodeOptions {
  /** Run Longhorn's v2 data engine on this node (default true). `false` opts the node out. */
  readonly v2DataEngine?: boolean;
  /** Longhorn's `data-engine-memory-size` for v2, in MiB (default 2048). */
  readonly memorySizeMiB?: number;
  /** Explicit count of 2 MiB huge pages; never fewer than `ceil(memorySizeMiB / 2)`. */
  readonly hugepages?: number;
  /** Keep `dm_crypt` for encrypted volumes (default true). */
  readonly encryption?: boolean;
  /** Load `ublk_drv` (Talos >= 1.12; default false). */
  readonly ublk?: boolean;
  /** Further kernel modules to load. */
  readonly extraModules?: readonly ExtraModule[];
  /** Provide the data path for filesystem (v1) disks (default false). */
  readonly dataPath?: boolean;
  /**
   * Put the data path on its own partition of the disk matched by this Talos disk selector (a
   * CEL expression such as `disk.dev_path == "/dev/sdb"`; Talos >= 1.10). Without it the data
   * path is a directory on the EPHEMERAL volume. Implies `dataPath`.
   */
  readonly dataPathDisk?: string;
  /** Minimum size of that partition, a Talos byte size such as `50GiB` (default `10GiB`). */
  readonly dataPathMinSize?: string;
  /** v2 disks: PCI addresses (BDF, e.g. `0000:01:00.0`) and/or block device paths (`/dev/...`). */
  readonly disks?: readonly string[];
  /** Rebind every PCI-addressed disk to `vfio-pci` with `PCIDriverRebindConfig` (default false). */
  readonly vfioRebind?: boolean;
  /** Configure the `longhorn-v2-node` extension service (default true). */
  readonly extension?: boolean;
  /** What the extension does with leftover v2 devices (default `report`). */
  readonly cleanupMode?: CleanupMode;
  /** Seconds between leftover-device scans (default 60). */
  readonly cleanupIntervalSeconds?: number;
}
