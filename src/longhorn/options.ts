/**
 * Value types of the node options. `NodeOptions` itself is generated from the option table
 * (`./option-descriptors.ts`) into `src/generated/node-options.ts`.
 */
export type { NodeOptions } from '../generated/node-options.js';

/** What the extension does with leftover v2 devices. */
export type CleanupMode = 'off' | 'report' | 'remove';

/** A kernel module to load besides the ones Longhorn needs. */
export interface ExtraModule {
  /** Kernel module name: `[a-z0-9_-]+` (dashes are normalised to underscores). */
  readonly name: string;
  /** `key=value` parameters passed to the module. */
  readonly parameters?: readonly string[];
}

/** A raw partition Talos carves for a v2 disk (`rawPartition` of a node; Talos >= 1.11). */
export type { RawPartitionOptions } from '../talos/raw-volume.js';
