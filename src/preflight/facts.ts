import type { PartitionsFact } from './partitions.js';

/**
 * What preflight knows about one node. Both sources (the Talos API and a local root directory)
 * fill this same structure; checks are pure functions of it. Every fact is an `Observed`: either
 * a value with the place it came from, or the reason it could not be observed (a role that may
 * not read files, a resource this Talos version lacks, a file the snapshot does not hold).
 */
export type Observed<T> =
  | { readonly ok: true; readonly value: T; readonly source: string }
  | { readonly ok: false; readonly reason: string };

export function observed<T>(value: T, source: string): Observed<T> {
  return { ok: true, value, source };
}

export function unobserved<T>(reason: string): Observed<T> {
  return { ok: false, reason };
}

export interface TalosVersionFact {
  /** The Talos tag, e.g. `v1.13.0`. */
  readonly tag: string;
  readonly arch?: string;
}

export interface KernelFact {
  /** `uname -r`, e.g. `6.12.18-talos`. */
  readonly release: string;
}

export interface CpuFact {
  /** `amd64` when `/proc/cpuinfo` has x86 `flags`, `arm64` when it has ARM `Features`. */
  readonly arch: 'amd64' | 'arm64' | 'unknown';
  /** Flags of the first processor, sorted. */
  readonly flags: readonly string[];
}

export interface HugePagesFact {
  readonly total: number;
  /** Unknown when only the `vm.nr_hugepages` kernel parameter could be read. */
  readonly free?: number;
  /** Size of a huge page in KiB (2048 for 2 MiB); unknown from the kernel parameter. */
  readonly pageSizeKiB?: number;
}

export interface ModulesFact {
  /** Dynamically loaded modules (`/proc/modules` or a kernel-module resource), sorted. */
  readonly loaded: readonly string[];
  /** Modules known to be built in (`/sys/module/<name>` but not loaded, or the status resource). */
  readonly builtin: readonly string[];
  /** Every module known to be present, loaded or built in, sorted. */
  readonly present: readonly string[];
  /**
   * True when absence from `present` means the module is absent (`/sys/module` or the status
   * resource was read). False when only the loaded list was observable: "not loaded" may then
   * still be built in.
   */
  readonly complete: boolean;
}

/** One entry of `/dev` we care about: absent, a symlink with its target, or something else. */
export type LinkState =
  | { readonly kind: 'missing' }
  /** `target` is undefined when the source reports a symlink without its target. */
  | { readonly kind: 'symlink'; readonly target: string | undefined }
  | { readonly kind: 'other'; readonly type: string };

export const DEV_LINKS = ['fd', 'stdin', 'stdout', 'stderr'] as const;
export type DevLinkName = (typeof DEV_LINKS)[number];

export interface IommuGroup {
  readonly id: string;
  /** PCI addresses (BDF) in the group, sorted. */
  readonly devices: readonly string[];
}

/** Contents of the identity files by node path (`/etc/machine-id`, …); null when absent. */
export type IdentityFilesFact = Readonly<Record<string, string | null>>;

export interface ExtensionFact {
  readonly name: string;
  readonly version: string;
}

export interface ServiceFact {
  readonly id: string;
  readonly running: boolean;
  readonly healthy: boolean;
}

/**
 * Everything preflight knows about one node, collected once (`collectFacts`) from a `NodeReader`;
 * each fact is observed or says why it is not (`Observed`). Checks are pure functions of it.
 */
export interface NodeFacts {
  readonly node: string;
  readonly talos: Observed<TalosVersionFact>;
  readonly kernel: Observed<KernelFact>;
  readonly cpu: Observed<CpuFact>;
  readonly hugepages: Observed<HugePagesFact>;
  readonly modules: Observed<ModulesFact>;
  readonly devLinks: Observed<Readonly<Record<DevLinkName, LinkState>>>;
  readonly iommuGroups: Observed<readonly IommuGroup[]>;
  readonly identityFiles: Observed<IdentityFilesFact>;
  /** `spec.nodeId` of the `Identities` resource (Talos >= 1.10). */
  readonly nodeId: Observed<string>;
  readonly extensions: Observed<readonly ExtensionFact[]>;
  readonly services: Observed<readonly ServiceFact[]>;
  /** Absolute directories that exist on the node, among the data-path candidates. */
  readonly directories: Observed<Readonly<Record<string, boolean>>>;
  /** Partitions with their GPT names, sizes and mounted state (see partitions.ts). */
  readonly partitions: Observed<PartitionsFact>;
}

/** A fact of a node, by its key in `NodeFacts`. */
export type FactName = Exclude<keyof NodeFacts, 'node'>;

/** Every fact, in `NodeFacts` order. */
export const FACT_NAMES = [
  'talos',
  'kernel',
  'cpu',
  'hugepages',
  'modules',
  'devLinks',
  'iommuGroups',
  'identityFiles',
  'nodeId',
  'extensions',
  'services',
  'directories',
  'partitions',
] as const satisfies readonly FactName[];
