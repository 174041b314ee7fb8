/**
 * A raw partition for a Longhorn v2 disk on a node with one disk: Talos (1.11+) carves it with a
 * `RawVolumeConfig` document, keeps it across upgrades, never formats it, and labels it
 * `r-<name>`, so it is reachable as `/dev/disk/by-partlabel/r-<name>` and Longhorn's v2 engine
 * can take it as an AIO block disk. Pure: validation, documents, the Longhorn disk entry, and
 * whether it shares its disk with the data path's user volume.
 *
 * Talos facts (siderolabs/talos):
 * - `pkg/machinery/config/types/block/raw_volume_config.go`: the name is 1 to
 *   `PartitionLabelLength - len(RawVolumePrefix)` bytes of ASCII letters, digits and `-`; a disk
 *   selector and a min or max size are required; min size must not exceed max size.
 * - `pkg/machinery/constants/constants.go`: `RawVolumePrefix = "r-"`,
 *   `PartitionLabelLength = 36` (the GPT partition name field: 36 UTF-16 code units).
 * - `pkg/machinery/config/types/block/volume_config.go`: `provisioning.diskSelector.match` is a
 *   CEL expression over `disk` and `system_disk`.
 */
import { describeChar, invalidInput } from '../errors.js';
import { describeBytes, parseTalosSize } from './byte-size.js';
import { requireCapability } from './capabilities.js';
import { checkDiskSelector } from './disk-selector.js';
import type { RawVolumeConfigDocument, TalosDocument, VolumeConfigDocument } from './documents.js';
import type { TalosVersion } from './versions.js';

const PARTITION_LABEL_LENGTH = 36;
/** `constants.RawVolumePrefix`: a raw volume's partition label is `r-<name>`. */
export const RAW_VOLUME_PREFIX = 'r-';
/** `constants.UserVolumePrefix`: a user volume's partition label is `u-<name>`. */
export const USER_VOLUME_PREFIX = 'u-';
/** Longest raw volume name: the 36-character GPT partition label minus the `r-` prefix. */
export const MAX_RAW_PARTITION_NAME_LENGTH = PARTITION_LABEL_LENGTH - RAW_VOLUME_PREFIX.length;
/** The raw partition's name unless the plan gives one (label `r-longhorn-v2`). */
export const DEFAULT_RAW_PARTITION_NAME = 'longhorn-v2';
/** The CEL variable Talos sets to true for the disk it boots from. */
const SYSTEM_DISK_SELECTOR = 'system_disk';
/** Talos's system volume that, unless capped, grows over the rest of the system disk. */
const EPHEMERAL_VOLUME = 'EPHEMERAL';
/** Udev's directory of partitions by GPT name; Talos's raw volumes appear there. */
const PARTLABEL_DIR = '/dev/disk/by-partlabel';

const NAME_CHAR = /^[A-Za-z0-9-]$/;

/**
 * Why EPHEMERAL must be capped. Talos provisions the system disk's volumes (wave -1) before
 * user and raw volumes (wave 0), and EPHEMERAL defaults to grow with no maxSize, so when it is
 * created it takes the largest free extent: `internal/app/machined/pkg/controllers/block/
 * volume_config.go` (`manageEphemeral`), `.../internal/volumes/partition.go` (`CreatePartition`:
 * no maxSize → the whole available extent). A cap only helps when EPHEMERAL is created (install
 * or after wiping it): Talos grows partitions but never shrinks them.
 */
const ephemeralRule =
  'Talos creates EPHEMERAL before raw volumes and, without a maxSize, gives it all free space';

/** How a plan asks for a raw partition (`rawPartition:` of a node). */
export interface RawPartitionOptions {
  /** Volume name; the partition label is `r-<name>`. Default `longhorn-v2`. */
  readonly name?: string;
  /** Smallest partition Talos may create, in Talos's size syntax (`100GiB`). */
  readonly minSize: string;
  /** Largest partition; without it Talos gives the partition all free space of the disk. */
  readonly maxSize?: string;
  /** CEL disk selector; default the system disk (`system_disk`). */
  readonly diskSelector?: string;
  /**
   * Cap for Talos's EPHEMERAL volume, required on the system disk: EPHEMERAL is provisioned
   * first and otherwise takes all of the disk's free space (see `ephemeralRule`).
   */
  readonly ephemeralMaxSize?: string;
}

export interface Size {
  /** As the user wrote it; Talos gets the same text. */
  readonly text: string;
  readonly bytes: bigint;
}

/** A validated raw partition request. */
export interface RawPartition {
  readonly name: string;
  /** GPT partition name Talos writes: `r-<name>`. */
  readonly label: string;
  readonly selector: string;
  readonly minSize: Size;
  readonly maxSize?: Size;
  readonly ephemeralMaxSize?: Size;
}

/** The Longhorn v2 disk the partition becomes (an entry of the Node's `spec.disks`, by name). */
export interface RawPartitionDisk {
  readonly name: string;
  readonly path: string;
  readonly diskType: 'block';
  readonly diskDriver: 'aio';
}

/** Talos's raw volume name rule (raw_volume_config.go `Validate`). */
function checkRawPartitionName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name === '') {
    throw invalidInput(field, 'empty name; expected 1 to 34 ASCII letters, digits or hyphens');
  }
  const bad = [...name].find((ch) => !NAME_CHAR.test(ch));
  if (bad !== undefined) {
    throw invalidInput(
      field,
      `invalid character ${describeChar(bad)}; Talos allows only ASCII letters, digits and hyphens`,
    );
  }
  if (name.length > MAX_RAW_PARTITION_NAME_LENGTH) {
    throw invalidInput(
      field,
      `${name.length} characters; at most ${MAX_RAW_PARTITION_NAME_LENGTH} (the ${PARTITION_LABEL_LENGTH}-character partition label minus the "${RAW_VOLUME_PREFIX}" prefix)`,
    );
  }
  return name;
}

const KNOWN_KEYS = new Set(['name', 'minSize', 'maxSize', 'diskSelector', 'ephemeralMaxSize']);

/** Validate a plan's `rawPartition` (defaults filled in); every error names its field. */
export function parseRawPartition(options: unknown, field = 'rawPartition'): RawPartition {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidInput(
      field,
      'expected an object with minSize (and optionally name, maxSize, diskSelector, ephemeralMaxSize)',
    );
  }
  const record = options as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !KNOWN_KEYS.has(key));
  if (unknown !== undefined) {
    throw invalidInput(
      `${field}.${unknown}`,
      'unknown key; expected name, minSize, maxSize, diskSelector or ephemeralMaxSize',
    );
  }
  const name = checkRawPartitionName(record.name ?? DEFAULT_RAW_PARTITION_NAME, `${field}.name`);
  if (record.minSize === undefined) throw invalidInput(`${field}.minSize`, 'required');
  const minSize = parseTalosSize(record.minSize, `${field}.minSize`);
  const maxSize =
    record.maxSize === undefined ? undefined : parseTalosSize(record.maxSize, `${field}.maxSize`);
  if (maxSize !== undefined && maxSize.bytes < minSize.bytes) {
    throw invalidInput(
      `${field}.maxSize`,
      `${maxSize.text} is smaller than minSize ${minSize.text}`,
    );
  }
  const selector = checkDiskSelector(
    record.diskSelector ?? SYSTEM_DISK_SELECTOR,
    `${field}.diskSelector`,
  );
  const ephemeralMaxSize =
    record.ephemeralMaxSize === undefined
      ? undefined
      : parseTalosSize(record.ephemeralMaxSize, `${field}.ephemeralMaxSize`);
  if (selector === SYSTEM_DISK_SELECTOR && ephemeralMaxSize === undefined) {
    throw invalidInput(
      `${field}.ephemeralMaxSize`,
      `required on the system disk: ${ephemeralRule}; give the size EPHEMERAL may keep, e.g. 50GiB`,
    );
  }
  return {
    name,
    label: `${RAW_VOLUME_PREFIX}${name}`,
    selector,
    minSize,
    ...(maxSize === undefined ? {} : { maxSize }),
    ...(ephemeralMaxSize === undefined ? {} : { ephemeralMaxSize }),
  };
}

/** The partition's stable device path: `/dev/disk/by-partlabel/r-<name>`. */
export function rawPartitionPath(raw: Pick<RawPartition, 'label'>): string {
  return `${PARTLABEL_DIR}/${raw.label}`;
}

/**
 * The Talos documents for a raw partition: the EPHEMERAL cap (when given) and the
 * `RawVolumeConfig`. Talos < 1.11 has no raw volumes: `unsupported-need` (exit 2) naming
 * `field` and 1.11.
 */
export function rawPartitionDocuments(
  raw: RawPartition,
  version: TalosVersion,
  field = 'rawPartition',
): TalosDocument[] {
  requireCapability(version, 'rawVolumeConfig', field, 'a raw partition for a v2 disk');
  const documents: TalosDocument[] = [];
  if (raw.ephemeralMaxSize !== undefined) {
    const cap: VolumeConfigDocument = {
      apiVersion: 'v1alpha1',
      kind: 'VolumeConfig',
      name: EPHEMERAL_VOLUME,
      provisioning: { maxSize: raw.ephemeralMaxSize.text },
    };
    documents.push(cap);
  }
  const volume: RawVolumeConfigDocument = {
    apiVersion: 'v1alpha1',
    kind: 'RawVolumeConfig',
    name: raw.name,
    provisioning: {
      diskSelector: { match: raw.selector },
      minSize: raw.minSize.text,
      ...(raw.maxSize === undefined ? {} : { maxSize: raw.maxSize.text }),
    },
  };
  documents.push(volume);
  return documents;
}

/** The Longhorn v2 disk on the partition: a block disk through the AIO driver. */
export function rawPartitionDisk(raw: RawPartition): RawPartitionDisk {
  return { name: raw.name, path: rawPartitionPath(raw), diskType: 'block', diskDriver: 'aio' };
}

/** The data path's user volume as far as disk layout is concerned. */
export interface DataPathVolume {
  /** `dataPathDisk`: its CEL selector. */
  readonly selector: string;
  /** `dataPathMinSize`: it is created with this size and then grows (no maxSize). */
  readonly minSize: string;
  /** Its partition label, for messages (`u-longhorn`). */
  readonly label: string;
}

/**
 * What `layoutRawWithDataPath` found: the raw partition and the data path on different disks, or on
 * one disk with the order Talos creates them and the free space that needs.
 */
export type DiskLayout =
  /** Different selector text: Talos places each volume on the disk its expression matches. */
  | { readonly shared: false; readonly summary: string }
  | {
      readonly shared: true;
      /** Partition labels in the order Talos creates them. */
      readonly order: readonly string[];
      /** Free space the disk needs beyond Talos's own boot partitions. */
      readonly minimumFreeBytes: bigint;
      readonly summary: string;
    };

/**
 * Do the raw partition and the data path's user volume fit on one disk?
 *
 * How Talos lays out volumes on a disk (siderolabs/talos, `internal/app/machined/pkg/
 * controllers/block/internal/volumes/volumes.go` `CompareVolumeConfigs`, `partition.go`
 * `CreatePartition`, `grow.go` `Grow`; waves in `pkg/machinery/resources/block/volume_config.go`):
 * 1. volumes are provisioned wave by wave: system disk volumes (EPHEMERAL, wave -1) before user
 *    and raw volumes (wave 0);
 * 2. within a wave, volumes that do not grow come first, then smaller maxSize first (no maxSize
 *    counts as unlimited). Our raw partition does not grow and the data-path volume does, so
 *    the raw partition is created first;
 * 3. a new partition gets its maxSize, or the whole largest free extent when it has no maxSize
 *    or the extent is smaller; a volume whose minSize does not fit in the largest extent waits;
 * 4. a growing volume later extends into free space right after it, never shrinks.
 * So on a shared disk the raw partition needs a maxSize (otherwise it takes everything and the
 * data path never gets its partition), and then both fit when the disk has at least
 * raw maxSize + data-path minSize free (plus the EPHEMERAL cap on the system disk, created
 * before both). Selectors are compared as text: CEL is not evaluated here, so two different
 * expressions that match the same disk are not detected.
 */
export function layoutRawWithDataPath(
  raw: RawPartition,
  dataPath: DataPathVolume | undefined,
  field = 'rawPartition',
): DiskLayout {
  if (dataPath === undefined || dataPath.selector.trim() !== raw.selector) {
    return {
      shared: false,
      summary: `${raw.label} goes on the disk matching ${raw.selector}`,
    };
  }
  const dataMin = parseTalosSize(dataPath.minSize, 'dataPathMinSize');
  if (raw.maxSize === undefined) {
    throw invalidInput(
      `${field}.maxSize`,
      `required when the data path shares the disk ${raw.selector}: Talos creates ${raw.label} first (it does not grow) and without maxSize gives it all free space, leaving nothing for ${dataPath.label} (minSize ${dataPath.minSize})`,
    );
  }
  const ephemeral = raw.selector === SYSTEM_DISK_SELECTOR ? raw.ephemeralMaxSize : undefined;
  const order = [...(ephemeral === undefined ? [] : [EPHEMERAL_VOLUME]), raw.label, dataPath.label];
  const minimumFreeBytes = (ephemeral?.bytes ?? 0n) + raw.maxSize.bytes + dataMin.bytes;
  const parts = [
    ...(ephemeral === undefined ? [] : [`${EPHEMERAL_VOLUME} up to ${ephemeral.text}`]),
    `${raw.label} ${raw.maxSize.text}`,
    `${dataPath.label} from ${dataPath.minSize}, growing over the rest`,
  ];
  return {
    shared: true,
    order,
    minimumFreeBytes,
    summary: `${raw.selector}: ${parts.join(', then ')}; the disk needs at least ${describeBytes(minimumFreeBytes)} free`,
  };
}
