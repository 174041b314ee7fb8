import {
  longhornHelmValues,
  renderLonghornHelmValues,
  renderLonghornNamespace,
} from '../longhorn/helm-values.js';
import { patchHeader } from '../talos/capabilities.js';
import { renderInstallerFile } from '../talos/installer.js';
import { renderSchematicFile } from '../talos/schematic.js';
import { renderPatch } from '../talos/serialise.js';
import type { ResolvedNode, ResolvedPlan } from './types.js';

/** A generated file, relative to the output directory. */
export interface ClusterFile {
  readonly path: string;
  readonly content: string;
}

export const CLUSTER_FILE_NAMES = {
  schematic: 'schematic.yaml',
  installer: 'installer.yaml',
  helmValues: 'longhorn-values.yaml',
  namespace: 'longhorn-namespace.yaml',
} as const;

export const patchFileName = (node: string): string => `${node}.patch.yaml`;
export const identityFileName = (node: string): string => `${node}.identity.json`;

function nodeFiles(plan: ResolvedPlan, node: ResolvedNode): ClusterFile[] {
  const header = patchHeader(plan.talosVersion, plan.configOrigin);
  const content = renderPatch(node.documents, { format: 'yaml', header });
  const files = [{ path: patchFileName(node.name), content }];
  if (node.identity !== undefined) {
    const content = `${JSON.stringify(node.identity, null, 2)}\n`;
    files.push({ path: identityFileName(node.name), content });
  }
  return files;
}

/**
 * Every file `generate` writes, in a fixed order: per node its patch and (when the identity is
 * known) its identity, then the schematic, the installer's imager profile, the Longhorn Helm
 * values and the namespace.
 */
export function renderClusterFiles(plan: ResolvedPlan): ClusterFile[] {
  const files = plan.nodes.flatMap((node) => nodeFiles(plan, node));
  const values = longhornHelmValues(plan.nodes.map((node) => node.needs));
  files.push(
    {
      path: CLUSTER_FILE_NAMES.schematic,
      content: renderSchematicFile(plan.schematic, {
        version: plan.talosVersion,
        ...(plan.installer.fromFacts ? {} : { tag: plan.installer.tag }),
      }),
    },
    {
      path: CLUSTER_FILE_NAMES.installer,
      content: renderInstallerFile({
        schematicId: plan.schematicId,
        tag: plan.installer.tag,
        tagFromFacts: plan.installer.fromFacts,
      }),
    },
    { path: CLUSTER_FILE_NAMES.helmValues, content: renderLonghornHelmValues(values) },
    { path: CLUSTER_FILE_NAMES.namespace, content: renderLonghornNamespace() },
  );
  return files;
}

function diskList(node: ResolvedNode): string {
  const disks = node.needs.disks.map((disk) => (disk.kind === 'pci' ? disk.address : disk.path));
  return disks.length === 0 ? '-' : disks.join(',');
}

/** The table `generate` prints: node, IQN, host NQN, huge pages, disks; columns aligned. */
export function formatSummary(plan: ResolvedPlan): string {
  const rows = [
    ['NODE', 'IQN', 'HOST NQN', 'PAGES', 'DISKS'],
    ...plan.nodes.map((node) => [
      node.name,
      node.identity?.iqn ?? '-',
      node.identity?.hostNqn ?? '-',
      node.needs.v2DataEngine ? String(node.needs.hugepages) : 'v2 off',
      diskList(node),
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  '),
    )
    .map((line) => `${line}\n`)
    .join('');
}
