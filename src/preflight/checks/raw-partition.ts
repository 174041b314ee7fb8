import { describeBytes } from '../../talos/byte-size.js';
import { type RawPartition, rawPartitionPath } from '../../talos/raw-volume.js';
import {
  type CheckDefinition,
  type CheckOutcome,
  fail,
  pass,
  skip,
  skipUnobserved,
  warn,
} from '../check.js';
import type { Observed } from '../facts.js';
import type { PartitionsFact } from '../partitions.js';

const REMEDY_APPLY =
  'apply the patch with its RawVolumeConfig (and the EPHEMERAL cap on the system disk) and reboot; `talosctl get volumestatus r-<name>` says why Talos has not created it (no matching disk, not enough free space)';

/**
 * The planned raw partition (`r-<name>`) exists, exactly once, is not mounted, and is at least
 * `minSize`. Pure: the node's partitions (see `collectPartitions`) and the validated request.
 */
export function rawPartitionOutcome(
  partitions: Observed<PartitionsFact>,
  raw: RawPartition | undefined,
): CheckOutcome {
  if (raw === undefined) return skip('no raw partition planned');
  if (!partitions.ok) return skipUnobserved(partitions);
  const found = partitions.value.partitions.filter((p) => p.name === raw.label);
  const remedy = REMEDY_APPLY.replace('r-<name>', raw.label);
  if (found.length === 0) return fail(`no partition is labelled ${raw.label}`, remedy);
  if (found.length > 1) {
    return fail(
      `${found.length} partitions are labelled ${raw.label} (${found.map((p) => p.device).join(', ')}): ${rawPartitionPath(raw)} names only one of them`,
      'remove the stale partition (wipe the disk it is on) so the label is unique',
    );
  }
  const [partition] = found;
  if (partition === undefined) return fail(`no partition is labelled ${raw.label}`, remedy);
  const where = `${raw.label} (${partition.device})`;
  if (partition.mounted === true) {
    return fail(
      `${where} is mounted; Longhorn's v2 engine needs it unmounted and unformatted`,
      'remove whatever mounts it (a UserVolumeConfig or ExistingVolumeConfig with this partition, a machine.disks entry) and reboot',
    );
  }
  const min = raw.minSize.bytes;
  if (partition.sizeBytes !== undefined && BigInt(partition.sizeBytes) < min) {
    return fail(
      `${where} is ${describeBytes(BigInt(partition.sizeBytes))}, smaller than minSize ${raw.minSize.text}`,
      `Talos does not resize raw volumes down or up past free space: wipe the partition (talosctl wipe disk ${partition.device} --drop-partition) and reboot so Talos creates it again at minSize ${raw.minSize.text}`,
    );
  }
  const unknowns = [
    ...(partition.sizeBytes === undefined ? ['its size'] : []),
    ...(partition.mounted === undefined ? ['whether it is mounted'] : []),
  ];
  if (unknowns.length > 0) {
    return warn(
      `${where} exists; ${unknowns.join(' and ')} could not be read (${partitions.source})`,
      'run preflight over the Talos API with an os:admin or os:reader role so DiscoveredVolumes and mounts can be read',
    );
  }
  return pass(
    `${where}, ${describeBytes(BigInt(partition.sizeBytes ?? 0))}, not mounted (${partitions.source})`,
  );
}

/** Skips on nodes without a planned raw partition, like `data-path` without a data path. */
export const rawPartitionCheck: CheckDefinition = {
  id: 'raw-partition',
  group: 'v2',
  summary:
    'when a raw partition is planned, r-<name> exists once (PARTNAME in sysfs or DiscoveredVolumes), is not mounted and is at least minSize',
  reads: (needs) => (needs.rawPartition === undefined ? [] : ['partitions']),
  run: (facts, needs) => rawPartitionOutcome(facts.partitions, needs.rawPartition),
};
