/**
 * The node's partitions — GPT name, size, mounted or not — from either source:
 *
 * - the kernel's view, which needs no udev links: `/proc/partitions` (or a listing of
 *   `/sys/class/block`) for the device names, `/sys/class/block/<dev>/uevent` (`DEVNAME=`,
 *   `DEVTYPE=partition`, `PARTNAME=` the GPT partition name, `MAJOR=`/`MINOR=`),
 *   `/sys/class/block/<dev>/size` (512-byte sectors, whatever the logical sector size), and
 *   `/proc/self/mountinfo` (or `/proc/mounts`) for what is mounted;
 * - Talos's view over the API: `DiscoveredVolumes.block.talos.dev` (spec `type`, `dev_path`,
 *   `size` in bytes, `partition_label`; siderolabs/talos
 *   `pkg/machinery/resources/block/discovered_volume.go`) and `MountStatuses.block.talos.dev`
 *   (spec `source`; `pkg/machinery/resources/block/mount_status.go`).
 *
 * Talos's view is used when the node answers it (one call instead of two reads per device);
 * otherwise the kernel's. Parsers are pure; `collectPartitions` does the reading.
 */
import { specField } from './collect.js';
import { type Observed, observed, unobserved } from './facts.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry } from './reader.js';

export interface PartitionFact {
  /** Kernel device name, e.g. `nvme0n1p5`. */
  readonly device: string;
  /** GPT partition name (`PARTNAME`), absent when the partition has none. */
  readonly name?: string;
  /** Size in bytes, when it could be read. */
  readonly sizeBytes?: number;
  /** Whether it is mounted; undefined when no mount table could be read. */
  readonly mounted?: boolean;
}

export interface PartitionsFact {
  /** Sorted by device name. */
  readonly partitions: readonly PartitionFact[];
}

/** The kernel files the partitions fact reads (a capture of a node must hold them). */
export const PARTITION_FILES = {
  partitions: '/proc/partitions',
  mountinfo: '/proc/self/mountinfo',
  mounts: '/proc/mounts',
} as const;
/** Per-device `uevent` and `size` files live under `<SYS_CLASS_BLOCK>/<device>/`. */
export const SYS_CLASS_BLOCK = '/sys/class/block';
const PARTITION_RESOURCES = {
  discoveredVolumes: { namespace: 'runtime', type: 'DiscoveredVolumes.block.talos.dev' },
  mountStatuses: { namespace: 'runtime', type: 'MountStatuses.block.talos.dev' },
} as const;
/** Bytes per unit of `/sys/class/block/<dev>/size`: always 512 (the kernel's sector_t unit). */
const SYSFS_SECTOR_BYTES = 512;
/** More block devices than any node has; a bound on the reads one node costs. */
const MAX_BLOCK_DEVICES = 512;

const DEVICE_NAME = /^[A-Za-z0-9._:+-]{1,64}$/;

/** `KEY=value` lines of a sysfs uevent file. */
export function parseUevent(text: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}

/** Bytes from a sysfs `size` file (512-byte sectors), or undefined. */
export function parseSysfsSize(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[0-9]{1,16}$/.test(trimmed)) return undefined;
  const bytes = Number(trimmed) * SYSFS_SECTOR_BYTES;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Device names of `/proc/partitions` (`major minor #blocks name` rows after the header). */
export function parseProcPartitions(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4 || !/^[0-9]+$/.test(fields[0] ?? '')) continue;
    const name = fields[3] ?? '';
    if (DEVICE_NAME.test(name)) names.push(name);
  }
  return names;
}

/** The kernel's octal escapes in mount tables (`\040` for a space). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}

export interface MountTable {
  /** Mount sources (`/dev/nvme0n1p5`). */
  readonly sources: ReadonlySet<string>;
  /** `major:minor` of mounted devices (mountinfo only). */
  readonly devices: ReadonlySet<string>;
}

/**
 * `/proc/self/mountinfo`: `id parent major:minor root target options [optional...] - fstype
 * source superoptions` (proc(5)); the separator `-` ends the optional fields.
 */
export function parseMountinfo(text: string): MountTable {
  const sources = new Set<string>();
  const devices = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (fields.length < 10 || dash < 0) continue;
    const device = fields[2] ?? '';
    if (/^[0-9]+:[0-9]+$/.test(device)) devices.add(device);
    const source = fields[dash + 2];
    if (source !== undefined) sources.add(unescapeMountField(source));
  }
  return { sources, devices };
}

/** `/proc/mounts`: `source target fstype options dump pass`. */
export function parseProcMounts(text: string): MountTable {
  const sources = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length >= 4 && fields[0] !== undefined) sources.add(unescapeMountField(fields[0]));
  }
  return { sources, devices: new Set() };
}

function isMounted(device: string, majorMinor: string | undefined, table: MountTable): boolean {
  return (
    table.sources.has(`/dev/${device}`) ||
    (majorMinor !== undefined && table.devices.has(majorMinor))
  );
}

/** A partition from its sysfs files; undefined when the device is not a partition. */
export function partitionFromSysfs(
  uevent: string,
  size: string | undefined,
  table: MountTable | undefined,
): PartitionFact | undefined {
  const values = parseUevent(uevent);
  const device = values.get('DEVNAME');
  if (values.get('DEVTYPE') !== 'partition' || device === undefined) return undefined;
  const major = values.get('MAJOR');
  const minor = values.get('MINOR');
  const majorMinor = major !== undefined && minor !== undefined ? `${major}:${minor}` : undefined;
  const name = values.get('PARTNAME');
  const sizeBytes = size === undefined ? undefined : parseSysfsSize(size);
  return {
    device,
    ...(name === undefined || name === '' ? {} : { name }),
    ...(sizeBytes === undefined ? {} : { sizeBytes }),
    ...(table === undefined ? {} : { mounted: isMounted(device, majorMinor, table) }),
  };
}

/** Partitions among `DiscoveredVolumes` entries (spec `type: partition`). */
function partitionsFromDiscoveredVolumes(
  entries: readonly ResourceEntry[],
  table: MountTable | undefined,
): PartitionFact[] {
  const partitions: PartitionFact[] = [];
  for (const entry of entries) {
    if (specField(entry.spec, 'type') !== 'partition') continue;
    const devPath = specField(entry.spec, 'dev_path');
    const device =
      typeof devPath === 'string' && devPath.startsWith('/dev/')
        ? devPath.slice('/dev/'.length)
        : entry.id;
    const label = specField(entry.spec, 'partition_label');
    const size = Number(specField(entry.spec, 'size'));
    partitions.push({
      device,
      ...(typeof label === 'string' && label !== '' ? { name: label } : {}),
      ...(Number.isSafeInteger(size) && size > 0 ? { sizeBytes: size } : {}),
      ...(table === undefined ? {} : { mounted: isMounted(device, undefined, table) }),
    });
  }
  return partitions;
}

/** `MountStatuses` entries as a mount table (spec `source`). */
function mountTableFromStatuses(entries: readonly ResourceEntry[]): MountTable {
  const sources = new Set<string>();
  for (const entry of entries) {
    const source = specField(entry.spec, 'source');
    if (typeof source === 'string' && source !== '') sources.add(source);
  }
  return { sources, devices: new Set() };
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function sorted(partitions: readonly PartitionFact[]): PartitionsFact {
  return {
    partitions: [...partitions].sort((a, b) =>
      a.device < b.device ? -1 : a.device > b.device ? 1 : 0,
    ),
  };
}

function why(probe: Probe<unknown>, what: string): string {
  return probe.state === 'unavailable' ? `${what}: ${probe.reason}` : `${what} does not exist`;
}

/**
 * The kernel's mount table (`/proc/self/mountinfo`, else `/proc/mounts`), or, when `statuses`
 * is given and neither file can be read, Talos's mount statuses. Each source is asked only
 * when the one before it gave nothing.
 */
async function mountTable(
  mountinfo: Probe<Uint8Array>,
  read: (path: string) => Promise<Probe<Uint8Array>>,
  statuses: (() => Promise<Probe<readonly ResourceEntry[]>>) | undefined,
): Promise<{ table?: MountTable; source: string }> {
  if (mountinfo.state === 'ok') {
    return { table: parseMountinfo(text(mountinfo.value)), source: PARTITION_FILES.mountinfo };
  }
  const mounts = await read(PARTITION_FILES.mounts);
  if (mounts.state === 'ok') {
    return { table: parseProcMounts(text(mounts.value)), source: PARTITION_FILES.mounts };
  }
  const status = statuses === undefined ? undefined : await statuses();
  if (status?.state === 'ok') {
    return { table: mountTableFromStatuses(status.value), source: 'MountStatuses' };
  }
  return { source: 'no mount table' };
}

function deviceNames(
  procPartitions: Probe<Uint8Array>,
  listing: Probe<readonly ListEntry[]> | undefined,
): string[] | undefined {
  if (procPartitions.state === 'ok') return parseProcPartitions(text(procPartitions.value));
  if (listing?.state !== 'ok') return undefined;
  return listing.value
    .filter((entry) => !entry.path.includes('/') && DEVICE_NAME.test(entry.path))
    .map((entry) => entry.path);
}

/**
 * Read the node's partitions. `DiscoveredVolumes` when the node lists any; otherwise the
 * device names from `/proc/partitions` (a listing of `/sys/class/block` when absent, as in a
 * snapshot that only holds sysfs), then every device's `uevent` and `size`.
 */
export async function collectPartitions(reader: NodeReader): Promise<Observed<PartitionsFact>> {
  const read = (path: string) => reader.readFile(path, 1 << 20);
  const { discoveredVolumes, mountStatuses } = PARTITION_RESOURCES;
  const statuses = () => reader.resources(mountStatuses.namespace, mountStatuses.type);
  // Asked together: the mount table is needed whichever source names the partitions.
  const [volumes, mountinfo] = await Promise.all([
    reader.resources(discoveredVolumes.namespace, discoveredVolumes.type),
    read(PARTITION_FILES.mountinfo),
  ]);
  // A node always discovers at least its disks; an empty answer is no answer (a fake or a
  // resource type the node does not fill), so the kernel's view is read instead.
  if (volumes.state === 'ok' && volumes.value.length > 0) {
    const mountsFrom = await mountTable(mountinfo, read, statuses);
    return observed(
      sorted(partitionsFromDiscoveredVolumes(volumes.value, mountsFrom.table)),
      `DiscoveredVolumes, ${mountsFrom.source}`,
    );
  }
  const procPartitions = await read(PARTITION_FILES.partitions);
  const listing = procPartitions.state === 'ok' ? undefined : await reader.list(SYS_CLASS_BLOCK, 1);
  const names = deviceNames(procPartitions, listing);
  if (names === undefined) {
    return unobserved(
      [
        why(volumes, 'resource DiscoveredVolumes'),
        why(procPartitions, PARTITION_FILES.partitions),
        why(listing ?? { state: 'missing' }, SYS_CLASS_BLOCK),
      ].join('; '),
    );
  }
  const mountsFrom = await mountTable(mountinfo, read, undefined);
  const devices = names.slice(0, MAX_BLOCK_DEVICES);
  const files = await Promise.all(
    devices.map((name) =>
      Promise.all([
        read(`${SYS_CLASS_BLOCK}/${name}/uevent`),
        read(`${SYS_CLASS_BLOCK}/${name}/size`),
      ]),
    ),
  );
  const partitions: PartitionFact[] = [];
  let unreadable: string | undefined;
  files.forEach(([uevent, size], i) => {
    if (uevent.state !== 'ok') {
      unreadable ??= why(uevent, `${SYS_CLASS_BLOCK}/${devices[i]}/uevent`);
      return;
    }
    const partition = partitionFromSysfs(
      text(uevent.value),
      size.state === 'ok' ? text(size.value) : undefined,
      mountsFrom.table,
    );
    if (partition !== undefined) partitions.push(partition);
  });
  // Devices listed but no uevent readable at all: the kernel's view is not observable.
  if (partitions.length === 0 && unreadable !== undefined) return unobserved(unreadable);
  const namesFrom = procPartitions.state === 'ok' ? PARTITION_FILES.partitions : SYS_CLASS_BLOCK;
  return observed(
    sorted(partitions),
    `${namesFrom}, ${SYS_CLASS_BLOCK}/*/uevent, ${mountsFrom.source}`,
  );
}
