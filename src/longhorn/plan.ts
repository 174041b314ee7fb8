import { invalidInput } from '../errors.js';
import { checkDiskSelector } from '../talos/disk-selector.js';
import {
  type DiskLayout,
  layoutRawWithDataPath,
  parseRawPartition,
  type RawPartition,
  USER_VOLUME_PREFIX,
} from '../talos/raw-volume.js';
import { planDisks } from './disks.js';
import {
  DEFAULT_CLEANUP_INTERVAL_SECONDS,
  DEFAULT_CLEANUP_MODE,
  EXTENSION_ENV,
  EXTENSION_NAME,
} from './extension-contract.js';
import { planModules } from './modules.js';
import type {
  DataPathDisk,
  DiskNeed,
  ExtensionSettings,
  KernelModuleNeed,
  NodeNeeds,
} from './needs.js';
import { defaultDisksAnnotation, longhornNodeDisks } from './node-cr.js';
import type { CleanupMode, NodeOptions } from './options.js';
import {
  DEFAULT_DATA_PATH_MIN_SIZE,
  DEFAULT_MEMORY_SIZE_MIB,
  ENCRYPTION_KERNEL_MODULE,
  hugepagesFor,
  LONGHORN_NODE_KEYS,
  MAX_CLEANUP_INTERVAL_SECONDS,
  MAX_HUGEPAGES,
  MAX_MEMORY_SIZE_MIB,
  MIN_CLEANUP_INTERVAL_SECONDS,
  PCI_KERNEL_MODULE,
  SPDK_NVME_DRIVER_HUGEPAGES,
  UBLK_KERNEL_MODULE,
  USER_VOLUME_NAME,
  V2_KERNEL_MODULES,
} from './requirements.js';
import { DEFAULT_LONGHORN_VERSION, type LonghornVersion } from './versions.js';

/**
 * Every `CleanupMode` (what the extension does with leftover v2 devices): `off`, `report`,
 * `remove`.
 */
export const CLEANUP_MODES: readonly CleanupMode[] = ['off', 'report', 'remove'];
/** Talos byte sizes: a whole number with an optional decimal or binary unit. */
export const BYTE_SIZE_PATTERN = /^[1-9][0-9]{0,15}(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB|PB|PiB)?$/;

function integerIn(value: number, field: string, min: number, max: number, unit: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidInput(field, `${String(value)} is not a whole number of ${unit}`);
  }
  if (value < min || value > max) {
    throw invalidInput(field, `${value} ${unit} is out of range; expected ${min} to ${max}`);
  }
  return value;
}

function flag(options: NodeOptions, key: keyof NodeOptions, fallback: boolean): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidInput(key, 'expected true or false');
  return value;
}

/** Options that only mean something for a v2 node; giving them with v2 off is a contradiction. */
export const V2_ONLY_OPTIONS: readonly (keyof NodeOptions)[] = [
  'memorySizeMiB',
  'hugepages',
  'ublk',
  'disks',
  'vfioRebind',
  'rawPartition',
];

function planHugepages(
  options: NodeOptions,
  pciDisks: boolean,
): { memorySizeMiB: number; hugepages: number } {
  const memorySizeMiB =
    options.memorySizeMiB === undefined
      ? DEFAULT_MEMORY_SIZE_MIB
      : integerIn(options.memorySizeMiB, 'memorySizeMiB', 1, MAX_MEMORY_SIZE_MIB, 'MiB');
  const needed = hugepagesFor(memorySizeMiB, pciDisks);
  if (options.hugepages === undefined) return { memorySizeMiB, hugepages: needed };
  const hugepages = integerIn(options.hugepages, 'hugepages', 1, MAX_HUGEPAGES, 'pages');
  if (hugepages < needed) {
    const pci = pciDisks
      ? ` plus the ${SPDK_NVME_DRIVER_HUGEPAGES} that SPDK's NVMe driver takes for PCI-addressed disks`
      : '';
    throw invalidInput(
      'hugepages',
      `${hugepages} pages are fewer than the ${needed} 2 MiB pages that memorySizeMiB ${memorySizeMiB}${pci} needs`,
    );
  }
  return { memorySizeMiB, hugepages };
}

function planDataPath(options: NodeOptions): { dataPath: boolean; disk?: DataPathDisk } {
  const dataPath = flag(options, 'dataPath', options.dataPathDisk !== undefined);
  if (options.dataPathDisk === undefined) {
    if (options.dataPathMinSize !== undefined) {
      throw invalidInput('dataPathMinSize', 'only applies together with dataPathDisk');
    }
    return { dataPath };
  }
  if (!dataPath) throw invalidInput('dataPathDisk', 'given while dataPath is false');
  const selector = checkDiskSelector(options.dataPathDisk, 'dataPathDisk');
  const minSize = options.dataPathMinSize ?? DEFAULT_DATA_PATH_MIN_SIZE;
  if (typeof minSize !== 'string' || !BYTE_SIZE_PATTERN.test(minSize)) {
    throw invalidInput(
      'dataPathMinSize',
      `${JSON.stringify(minSize)} is not a size; expected a whole number with an optional unit such as 50GiB or 100GB`,
    );
  }
  return { dataPath, disk: { selector, minSize } };
}

function requiredModules(v2: boolean, encryption: boolean, ublk: boolean, pci: boolean) {
  const names: string[] = v2 ? [...V2_KERNEL_MODULES] : [];
  if (pci) names.push(PCI_KERNEL_MODULE);
  if (encryption) names.push(ENCRYPTION_KERNEL_MODULE);
  if (ublk) names.push(UBLK_KERNEL_MODULE);
  return names;
}

/**
 * Node labels and annotations. The default-disks annotation is kept only where this Longhorn
 * version accepts every path in it (see `defaultDisksAnnotation`); the Node patch registers the
 * disks on every version. A node that provides the data path but gets no annotation is labelled
 * `create-default-disk=true`, so it still gets its default disk when the Helm values turn on
 * `createDefaultDiskLabeledNodes` for the nodes that have an annotation.
 */
/**
 * The plan's `rawPartition`, validated; refused when it cannot share its disk with the data
 * path's partition (`layoutRawWithDataPath`) or when its disk name is taken by a `disks` entry.
 */
function planRawPartition(
  options: NodeOptions,
  disks: readonly DiskNeed[],
  dataPathDisk: DataPathDisk | undefined,
): RawPartition | undefined {
  if (options.rawPartition === undefined) return undefined;
  const raw = parseRawPartition(options.rawPartition, 'rawPartition');
  if (disks.some((disk) => disk.name === raw.name)) {
    throw invalidInput('rawPartition.name', `${raw.name} is already the name of a disk in disks`);
  }
  rawPartitionLayout(raw, dataPathDisk);
  return raw;
}

/** Where the raw partition goes, and whether it fits beside the data path's partition. */
export function rawPartitionLayout(
  raw: RawPartition,
  dataPathDisk: DataPathDisk | undefined,
): DiskLayout {
  const label = `${USER_VOLUME_PREFIX}${USER_VOLUME_NAME}`;
  const dataPath = dataPathDisk === undefined ? undefined : { ...dataPathDisk, label };
  return layoutRawWithDataPath(raw, dataPath, 'rawPartition');
}

function nodeMetadata(
  v2: boolean,
  disks: readonly DiskNeed[],
  raw: RawPartition | undefined,
  dataPath: boolean,
  longhorn: LonghornVersion,
) {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  if (!v2) labels[LONGHORN_NODE_KEYS.disableV2DataEngine] = 'true';
  const annotation = v2
    ? defaultDisksAnnotation(longhornNodeDisks(disks, longhorn, raw), longhorn)
    : undefined;
  if (annotation !== undefined) {
    labels[LONGHORN_NODE_KEYS.createDefaultDisk] = 'config';
    annotations[LONGHORN_NODE_KEYS.defaultDisksConfig] = annotation;
  } else if (dataPath) {
    labels[LONGHORN_NODE_KEYS.createDefaultDisk] = 'true';
  }
  return { labels: sortedKeys(labels), annotations };
}

function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function planExtension(
  options: NodeOptions,
  modules: readonly KernelModuleNeed[],
  hugepages: number,
  disks: readonly DiskNeed[],
): ExtensionSettings | undefined {
  const enabled = flag(options, 'extension', true);
  const mode = options.cleanupMode ?? DEFAULT_CLEANUP_MODE;
  if (!CLEANUP_MODES.includes(mode)) {
    throw invalidInput(
      'cleanupMode',
      `unknown value ${JSON.stringify(mode)}; expected one of ${CLEANUP_MODES.join(', ')}`,
    );
  }
  const interval =
    options.cleanupIntervalSeconds === undefined
      ? DEFAULT_CLEANUP_INTERVAL_SECONDS
      : integerIn(
          options.cleanupIntervalSeconds,
          'cleanupIntervalSeconds',
          MIN_CLEANUP_INTERVAL_SECONDS,
          MAX_CLEANUP_INTERVAL_SECONDS,
          'seconds',
        );
  if (!enabled) {
    for (const key of ['cleanupMode', 'cleanupIntervalSeconds'] as const) {
      if (options[key] !== undefined) throw invalidInput(key, 'given while extension is false');
    }
    return undefined;
  }
  const pci = disks.flatMap((disk) => (disk.kind === 'pci' ? [disk.address] : []));
  const environment: Record<string, string> = {
    [EXTENSION_ENV.modules]: modules.map((m) => m.name).join(' '),
    [EXTENSION_ENV.hugepages]: String(hugepages),
  };
  if (pci.length > 0) environment[EXTENSION_ENV.pciDevices] = pci.join(' ');
  environment[EXTENSION_ENV.cleanupMode] = mode;
  environment[EXTENSION_ENV.cleanupInterval] = String(interval);
  return { name: EXTENSION_NAME, environment, cleanupMode: mode };
}

/**
 * Turn one node's options into what the node needs, independent of the Talos version. Pure;
 * throws `TalosLonghornError` (`invalid-input`, with the option's name as `field`) on bad input.
 */
export function planNode(
  options: NodeOptions = {},
  longhornVersion: LonghornVersion = DEFAULT_LONGHORN_VERSION,
): NodeNeeds {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidInput('options', 'expected an object');
  }
  const v2 = flag(options, 'v2DataEngine', true);
  if (!v2) {
    for (const key of V2_ONLY_OPTIONS) {
      if (options[key] !== undefined) throw invalidInput(key, 'given while v2DataEngine is false');
    }
  }
  const encryption = flag(options, 'encryption', true);
  const ublk = flag(options, 'ublk', false);
  if (options.disks !== undefined && !Array.isArray(options.disks)) {
    throw invalidInput('disks', 'expected a list of PCI addresses or /dev/ paths');
  }
  const disks = planDisks(options.disks ?? [], 'disks');
  const pci = disks.flatMap((disk) => (disk.kind === 'pci' ? [disk.address] : []));
  const { memorySizeMiB, hugepages } = v2
    ? planHugepages(options, pci.length > 0)
    : { memorySizeMiB: 0, hugepages: 0 };
  const vfioRebind = flag(options, 'vfioRebind', false);
  if (vfioRebind && pci.length === 0) {
    throw invalidInput(
      'vfioRebind',
      'no disk is given by PCI address, so there is nothing to rebind',
    );
  }
  if (options.extraModules !== undefined && !Array.isArray(options.extraModules)) {
    throw invalidInput('extraModules', 'expected a list of {name, parameters}');
  }
  const modules = planModules(
    requiredModules(v2, encryption, ublk, pci.length > 0),
    options.extraModules ?? [],
    'extraModules',
  );
  const { dataPath, disk: dataPathDisk } = planDataPath(options);
  const rawPartition = planRawPartition(options, disks, dataPathDisk);
  const { labels, annotations } = nodeMetadata(v2, disks, rawPartition, dataPath, longhornVersion);
  const extension = planExtension(options, modules, hugepages, disks);
  return {
    longhornVersion,
    v2DataEngine: v2,
    modules,
    hugepages,
    memorySizeMiB,
    dataPath,
    ...(rawPartition === undefined ? {} : { rawPartition }),
    ...(dataPathDisk === undefined ? {} : { dataPathDisk }),
    disks,
    vfioRebind: vfioRebind ? pci : [],
    nodeLabels: labels,
    nodeAnnotations: annotations,
    ...(extension === undefined ? {} : { extension }),
  };
}
