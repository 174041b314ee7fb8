import {
  type LonghornHelmValues,
  longhornHelmValues,
  renderLonghornHelmValues,
  renderLonghornNamespace,
} from '../longhorn/helm-values.js';
import {
  longhornNodeDisks,
  longhornNodePatchCommand,
  longhornNodePatchFileName,
  renderLonghornNodePatch,
} from '../longhorn/node-cr.js';
import { rawPartitionLayout } from '../longhorn/plan.js';
import { patchHeader } from '../talos/capabilities.js';
import { renderInstallerFile } from '../talos/installer.js';
import { rawPartitionPath } from '../talos/raw-volume.js';
import { dataPathOnHost } from '../talos/render.js';
import { renderSchematicFile } from '../talos/schematic.js';
import { renderPatch } from '../talos/serialise.js';
import { checkNodeName } from './node-name.js';
import type { ResolvedNode, ResolvedPlan } from './types.js';

/** A generated file, relative to the output directory. */
export interface ClusterFile {
  readonly path: string;
  readonly content: string;
}

/** Names of the cluster-wide files `renderClusterFiles` gives (beside the per-node ones). */
export const CLUSTER_FILE_NAMES = {
  schematic: 'schematic.yaml',
  installer: 'installer.yaml',
  helmValues: 'longhorn-values.yaml',
  namespace: 'longhorn-namespace.yaml',
} as const;

/** A node's Talos patch file: `<node>.patch.yaml`. */
export const patchFileName = (node: string): string => `${node}.patch.yaml`;
/**
 * A node's identity file: `<node>.identity.json` (when the plan gives its machine-id or node id).
 */
export const identityFileName = (node: string): string => `${node}.identity.json`;

/** Whether a node's v2 disks (listed or on its raw partition) get a Longhorn Node patch. */
function hasV2Disks(node: ResolvedNode): boolean {
  const { needs } = node;
  return needs.v2DataEngine && (needs.disks.length > 0 || needs.rawPartition !== undefined);
}

/** Nodes whose v2 disks are registered with a Longhorn Node patch. */
function nodesWithDisks(plan: ResolvedPlan): ResolvedNode[] {
  return plan.nodes.filter(hasV2Disks);
}

function nodeFiles(node: ResolvedNode, plan: ResolvedPlan): ClusterFile[] {
  const header = patchHeader(plan.talosVersion, plan.configOrigin);
  const content = renderPatch(node.documents, { format: 'yaml', header });
  const files = [{ path: patchFileName(node.name), content }];
  if (node.identity !== undefined) {
    const content = `${JSON.stringify(node.identity, null, 2)}\n`;
    files.push({ path: identityFileName(node.name), content });
  }
  if (hasV2Disks(node)) {
    const { disks: listed, rawPartition } = node.needs;
    const disks = longhornNodeDisks(listed, plan.longhornVersion, rawPartition);
    files.push({
      path: longhornNodePatchFileName(node.name),
      content: renderLonghornNodePatch(node.name, disks, plan.longhornVersion),
    });
  }
  return files;
}

/** The plan's Helm values: its Longhorn version, and the data path when the patches provide it. */
function planHelmValues(plan: ResolvedPlan): LonghornHelmValues {
  const dataPath = plan.nodes
    .map((node) => dataPathOnHost(node.needs, plan.talosVersion))
    .find((path) => path !== undefined);
  return longhornHelmValues(
    plan.nodes.map((node) => node.needs),
    { longhornVersion: plan.longhornVersion, ...(dataPath === undefined ? {} : { dataPath }) },
  );
}

/**
 * Every file `generate` writes, in a fixed order: per node its patch, (when the identity is
 * known) its identity and (when it has v2 disks) its Longhorn Node patch, then the schematic,
 * the installer's imager profile, the Longhorn Helm values and the namespace.
 *
 * @example
 * ```ts
 * import { renderClusterFiles, resolvePlan, validatePlan } from 'talos-longhorn';
 * const files = renderClusterFiles(resolvePlan(validatePlan({ nodes: [{ name: 'storage-1' }] })));
 * files.map((file) => file.path);
 * // ['storage-1.patch.yaml', 'schematic.yaml', 'installer.yaml', 'longhorn-values.yaml',
 * //  'longhorn-namespace.yaml']
 * ```
 */
export function renderClusterFiles(plan: ResolvedPlan): ClusterFile[] {
  for (const [i, node] of plan.nodes.entries()) checkNodeName(node.name, `nodes[${i}].name`);
  const files = plan.nodes.flatMap((node) => nodeFiles(node, plan));
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
    {
      path: CLUSTER_FILE_NAMES.helmValues,
      content: renderLonghornHelmValues(planHelmValues(plan)),
    },
    { path: CLUSTER_FILE_NAMES.namespace, content: renderLonghornNamespace() },
  );
  return files;
}

/**
 * What to do once the files are written, beyond the table: the Longhorn version (and whether it
 * was the default), kubelet's restart for new huge pages, and the Node patch commands.
 */
export function formatNextSteps(plan: ResolvedPlan, dir: string): string {
  const settings = planHelmValues(plan).defaultSettings;
  const memory = settings.dataEngineMemorySize ?? settings.v2DataEngineHugepageLimit ?? '-';
  const lines = [
    `Longhorn ${plan.longhornVersion}${plan.longhornVersionDefaulted ? ' (default: the newest supported; set longhornVersion in the plan)' : ''}: v2DataEngine ${settings.v2DataEngine}, memory size ${memory}`,
  ];
  if (plan.nodes.some((node) => node.needs.hugepages > 0)) {
    lines.push(
      'After the patch changes huge pages, restart kubelet so the node reports them (Longhorn checks hugepages-2Mi capacity): talosctl -n <node> service kubelet restart',
    );
  }
  for (const node of plan.nodes) {
    const { rawPartition, dataPathDisk } = node.needs;
    if (rawPartition === undefined) continue;
    lines.push(
      `Raw partition of ${node.name} (Talos creates it once the patch is applied): ${rawPartitionLayout(rawPartition, dataPathDisk).summary}`,
    );
  }
  const withDisks = nodesWithDisks(plan);
  if (withDisks.length > 0) {
    lines.push('Once Longhorn runs, register the v2 disks:');
    for (const node of withDisks) {
      const file = `${dir.replace(/\/+$/, '')}/${longhornNodePatchFileName(node.name)}`;
      lines.push(`  ${longhornNodePatchCommand(node.name, file)}`);
    }
  }
  return lines.map((line) => `${line}\n`).join('');
}

function diskList(node: ResolvedNode): string {
  const disks = node.needs.disks.map((disk) => (disk.kind === 'pci' ? disk.address : disk.path));
  if (node.needs.rawPartition !== undefined) disks.push(rawPartitionPath(node.needs.rawPartition));
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
