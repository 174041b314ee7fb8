import { type RawPartition, rawPartitionDisk } from '../talos/raw-volume.js';
import { yamlText } from '../yaml-text.js';
import { LONGHORN_NAMESPACE } from './helm-values.js';
import type { DiskNeed } from './needs.js';
import { type LonghornVersion, longhornSupports } from './versions.js';

/** `spec.disks.*.diskDriver` values this project writes (the CRD also allows `""`). */
export type LonghornDiskDriver = 'auto' | 'aio' | 'nvme';

/**
 * One disk of a Longhorn `Node` (`nodes.longhorn.io` v1beta2, `spec.disks.<name>`). A raw
 * partition's disk is `{ name, path: '/dev/disk/by-partlabel/…', diskType: 'block',
 * diskDriver: 'aio' }` (`rawPartitionDisk`).
 */
export interface LonghornNodeDisk {
  /** The key under `spec.disks`; unique per node. */
  readonly name: string;
  /** A PCI address (`0000:01:00.0`) or a block device path (`/dev/...`). */
  readonly path: string;
  readonly diskType: 'block';
  readonly diskDriver: LonghornDiskDriver;
}

/** The driver a PCI address gets: `nvme` where the CRD has it, else `auto` (which picks it). */
function pciDiskDriver(version: LonghornVersion): LonghornDiskDriver {
  return longhornSupports(version, 'nvmeDiskDriver') ? 'nvme' : 'auto';
}

/**
 * The planned v2 disks as Longhorn Node disks: SPDK's NVMe driver for PCI addresses, AIO else;
 * the raw partition (when planned) last, as an AIO block disk on its partition label.
 */
export function longhornNodeDisks(
  disks: readonly DiskNeed[],
  version: LonghornVersion,
  raw?: RawPartition,
): LonghornNodeDisk[] {
  const listed: LonghornNodeDisk[] = disks.map((disk) =>
    disk.kind === 'pci'
      ? {
          name: disk.name,
          path: disk.address,
          diskType: 'block',
          diskDriver: pciDiskDriver(version),
        }
      : { name: disk.name, path: disk.path, diskType: 'block', diskDriver: 'aio' },
  );
  return raw === undefined ? listed : [...listed, rawPartitionDisk(raw)];
}

/**
 * The `node.longhorn.io/default-disks-config` annotation, or `undefined` where Longhorn would
 * drop it. longhorn-manager (`CreateDisksFromAnnotation`) runs `statfs` on every path and drops
 * the whole annotation when one fails — a PCI address always does before the fix of
 * longhorn#13491 — and rejects two paths on the same filesystem, which two `/dev/…` block
 * devices are (both on devtmpfs). So the annotation is kept for at most one device path and
 * for PCI addresses only where the version accepts them.
 */
export function defaultDisksAnnotation(
  disks: readonly LonghornNodeDisk[],
  version: LonghornVersion,
): string | undefined {
  if (disks.length === 0) return undefined;
  const devicePaths = disks.filter((disk) => disk.path.startsWith('/'));
  const pci = disks.length - devicePaths.length;
  if (devicePaths.length > 1) return undefined;
  if (pci > 0 && !longhornSupports(version, 'defaultDisksAcceptPci')) return undefined;
  return JSON.stringify(
    disks.map((disk) => ({
      name: disk.name,
      path: disk.path,
      diskType: disk.diskType,
      diskDriver: disk.diskDriver,
      allowScheduling: true,
    })),
  );
}

/** `spec.disks.<name>` of the merge patch: every field the CRD defines for a disk, set. */
export interface LonghornNodeDiskSpec {
  readonly path: string;
  readonly diskType: 'block';
  readonly diskDriver: LonghornDiskDriver;
  readonly allowScheduling: true;
  readonly evictionRequested: false;
  readonly storageReserved: 0;
  readonly tags: readonly string[];
}

/** A JSON merge patch (RFC 7386) for a Longhorn `Node`: adds or updates the given disks. */
export interface LonghornNodePatch {
  readonly spec: { readonly disks: Readonly<Record<string, LonghornNodeDiskSpec>> };
}

export function longhornNodePatch(disks: readonly LonghornNodeDisk[]): LonghornNodePatch {
  const specs: Record<string, LonghornNodeDiskSpec> = {};
  for (const disk of disks) {
    specs[disk.name] = {
      path: disk.path,
      diskType: disk.diskType,
      diskDriver: disk.diskDriver,
      allowScheduling: true,
      evictionRequested: false,
      storageReserved: 0,
      tags: [],
    };
  }
  return { spec: { disks: specs } };
}

export const longhornNodePatchFileName = (node: string): string => `${node}.longhorn-node.yaml`;

/** The command that applies a node's patch; the Longhorn Node is named after the Kubernetes node. */
export function longhornNodePatchCommand(node: string, file = longhornNodePatchFileName(node)) {
  return `kubectl -n ${LONGHORN_NAMESPACE} patch nodes.longhorn.io ${node} --type merge --patch-file ${file}`;
}

/** The patch file: a comment naming the command, then the YAML of `longhornNodePatch`. */
export function renderLonghornNodePatch(
  node: string,
  disks: readonly LonghornNodeDisk[],
  version: LonghornVersion,
): string {
  const header = [
    `# Longhorn ${version} Node patch: registers the v2 disks of node ${node} (nodes.longhorn.io v1beta2).`,
    '# Apply once Longhorn runs (the Node is named after the Kubernetes node):',
    `#   ${longhornNodePatchCommand(node)}`,
  ];
  // Quoted by YAML 1.1 rules, which kubectl's reader follows: `0000:01:00.0` stays a string.
  const yaml = yamlText(longhornNodePatch(disks));
  return `${header.join('\n')}\n${yaml}`;
}
