import { IDENTITY_RESOURCE } from '../api/node-identity.js';

/**
 * The raw access a preflight source gives: the Talos version, files, directory listings and COSI
 * resources of one node. The Talos API and a local root directory implement it; `collectFacts`
 * turns what it returns into `NodeFacts`, so both sources are parsed by the same code.
 *
 * Every method answers with a `Probe`: the value, `missing` (the file, directory or resource type
 * does not exist) or `unavailable` with a reason (the role may not read it, the snapshot lacks
 * it). A node that cannot be reached at all is an exception (`TalosLonghornError`, exit 3).
 */
export type Probe<T> =
  | { readonly state: 'ok'; readonly value: T }
  | { readonly state: 'missing' }
  | { readonly state: 'unavailable'; readonly reason: string };

/** The Talos version a node runs (`v1.11.6`) and, when known, its architecture. */
export interface VersionInfo {
  readonly tag: string;
  readonly arch?: string;
}

/** A directory entry, relative to the listed directory (`12/devices/0000:01:00.0`). */
export interface ListEntry {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  /** The symlink's target, never followed. */
  readonly link?: string;
}

/** A COSI resource: its id and its parsed YAML spec. */
export interface ResourceEntry {
  readonly id: string;
  readonly spec: unknown;
}

/**
 * Read-only access to one node, whatever the source: the Talos API (`TalosApiReader`), a node's
 * root directory or a captured snapshot (`LocalRootReader`). Every call answers a `Probe`; a node
 * that cannot be reached at all throws.
 */
export interface NodeReader {
  /** The node's name as reports show it. */
  readonly node: string;
  version(): Promise<Probe<VersionInfo>>;
  readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>>;
  /** Entries below `path` down to `depth` levels (1 = direct children), symlinks not followed. */
  list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>>;
  resources(namespace: string, type: string): Promise<Probe<readonly ResourceEntry[]>>;
  /**
   * After collection: why the node could not be read at all (every call failed, e.g. for
   * authorisation or protocol reasons), or undefined.
   */
  failure?(): string | undefined;
}

/** Where each piece of node state lives: one list, used by collection and by capture. */
export const NODE_FILES = {
  meminfo: '/proc/meminfo',
  cpuinfo: '/proc/cpuinfo',
  modules: '/proc/modules',
  /** gzip of the kernel config: authoritative for built-in modules (`=y`). */
  kernelConfig: '/proc/config.gz',
  version: '/proc/version',
  machineId: '/etc/machine-id',
  initiatorName: '/etc/iscsi/initiatorname.iscsi',
  hostId: '/etc/nvme/hostid',
  hostNqn: '/etc/nvme/hostnqn',
  osRelease: '/etc/os-release',
} as const;

export const NODE_DIRECTORIES = {
  dev: { path: '/dev', depth: 1 },
  sysModule: { path: '/sys/module', depth: 1 },
  /** `N/devices/<bdf>`: three levels. */
  iommuGroups: { path: '/sys/kernel/iommu_groups', depth: 3 },
  varLib: { path: '/var/lib', depth: 1 },
  varMnt: { path: '/var/mnt', depth: 1 },
} as const;

export interface ResourceKind {
  readonly namespace: string;
  readonly type: string;
}

export const NODE_RESOURCES = {
  identities: { namespace: IDENTITY_RESOURCE.namespace, type: IDENTITY_RESOURCE.type },
  extensionStatuses: { namespace: 'runtime', type: 'ExtensionStatuses.runtime.talos.dev' },
  services: { namespace: 'runtime', type: 'Services.v1alpha1.talos.dev' },
  loadedKernelModules: { namespace: 'runtime', type: 'LoadedKernelModules.runtime.talos.dev' },
  kernelModuleStatuses: { namespace: 'runtime', type: 'KernelModuleStatuses.runtime.talos.dev' },
  kernelParamStatuses: { namespace: 'runtime', type: 'KernelParamStatuses.runtime.talos.dev' },
} as const satisfies Record<string, ResourceKind>;

/**
 * The id of a sysctl's KernelParamStatuses resource: `proc.sys.` and the key (Talos's
 * `internal/app/machined/pkg/controllers/runtime/kernel_param_defaults.go` keys params by their
 * /proc/sys path, e.g. `proc.sys.vm.nr_hugepages`).
 */
export function kernelParamId(sysctl: string): string {
  return `proc.sys.${sysctl}`;
}

/**
 * The most calls one node's collection can have in flight: the version, every file, listing
 * and resource above. Sizes the client's concurrency (the lean plan often makes fewer).
 */
export const MAX_CALLS_PER_NODE =
  1 +
  Object.keys(NODE_FILES).length +
  Object.keys(NODE_DIRECTORIES).length +
  Object.keys(NODE_RESOURCES).length;

/** No node file preflight reads is anywhere near this; a bigger one is not what we expect. */
export const MAX_NODE_FILE_BYTES = 1 << 20;
