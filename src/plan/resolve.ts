import { invalidInput, TalosLonghornError } from '../errors.js';
import { parseFieldPath } from '../field-path.js';
import { deriveIdentity, type Identity } from '../identity/derive.js';
import { machineIdFromNodeId, parseMachineId } from '../identity/machine-id.js';
import type { NodeOptions } from '../longhorn/options.js';
import { planNode, V2_ONLY_OPTIONS } from '../longhorn/plan.js';
import {
  DEFAULT_LONGHORN_VERSION,
  type LonghornVersion,
  parseLonghornVersion,
} from '../longhorn/versions.js';
import {
  checkConfigOrigin,
  type NodeMetadataForm,
  nodeMetadataForm,
} from '../talos/capabilities.js';
import { renderTalosDocuments } from '../talos/render.js';
import { longhornSchematic, schematicId } from '../talos/schematic.js';
import {
  DEFAULT_TALOS_VERSION,
  installerTag,
  parseTalosTarget,
  parseTalosVersion,
  type TalosTarget,
} from '../talos/versions.js';
import { checkNodeName } from './node-name.js';
import type { Plan, PlanNode, ResolvedNode, ResolvedPlan } from './types.js';

/** What the command line sets instead of the plan file (flags win over plan fields). */
export interface PlanOverrides {
  readonly longhornVersion?: LonghornVersion;
}

function nodeIdentity(node: PlanNode, index: number): Identity | undefined {
  const field = `nodes[${index}]`;
  if (node.machineId !== undefined && node.nodeId !== undefined) {
    throw invalidInput(`${field}.nodeId`, 'give only one of machineId or nodeId');
  }
  if (node.machineId !== undefined) {
    return deriveIdentity({ machineId: parseMachineId(node.machineId, `${field}.machineId`) });
  }
  if (node.nodeId !== undefined) {
    return deriveIdentity({ machineId: machineIdFromNodeId(node.nodeId, `${field}.nodeId`) });
  }
  return undefined;
}

/**
 * The node's options: the defaults with every field the node gives replacing the default's. A
 * node that opts out of v2 does not inherit the v2-only defaults (its own are still checked).
 */
function nodeOptions(defaults: NodeOptions, node: PlanNode): NodeOptions {
  const { name: _name, machineId: _machineId, nodeId: _nodeId, ...overrides } = node;
  const merged: Record<string, unknown> = { ...defaults, ...overrides };
  if (merged.v2DataEngine === false) {
    for (const key of V2_ONLY_OPTIONS) if (!Object.hasOwn(overrides, key)) delete merged[key];
  }
  return merged as NodeOptions;
}

/**
 * Re-point an error about a node's option (`hugepages`, `disks[1]`) at the plan field it came
 * from: the node's override when it has one, the defaults otherwise.
 */
function relocate(err: unknown, node: PlanNode, index: number): unknown {
  if (!(err instanceof TalosLonghornError) || err.field === undefined) return err;
  const key = parseFieldPath(err.field)[0];
  const message = err.detail;
  const fromDefaults = typeof key === 'string' && !Object.hasOwn(node, key);
  const field = fromDefaults ? `defaults.${err.field}` : `nodes[${index}].${err.field}`;
  const suffix = fromDefaults ? ` (for node ${node.name})` : '';
  return new TalosLonghornError(err.code, `${message}${suffix}`, { field, cause: err });
}

function resolveNode(
  node: PlanNode,
  index: number,
  defaults: NodeOptions,
  version: TalosTarget['version'],
  longhorn: LonghornVersion,
  nodeMetadata: NodeMetadataForm,
): ResolvedNode {
  checkNodeName(node.name, `nodes[${index}].name`);
  const identity = nodeIdentity(node, index);
  const options = nodeOptions(defaults, node);
  try {
    const needs = planNode(options, longhorn);
    const documents = renderTalosDocuments(needs, version, { nodeMetadata });
    return {
      name: node.name,
      options,
      needs,
      documents,
      ...(identity === undefined ? {} : { identity }),
    };
  } catch (err) {
    throw relocate(err, node, index);
  }
}

function checkUnique(plan: Plan, nodes: readonly ResolvedNode[]): void {
  const names = new Map<string, number>();
  const machineIds = new Map<string, number>();
  nodes.forEach((node, i) => {
    const earlier = names.get(node.name);
    if (earlier !== undefined) {
      throw invalidInput(`nodes[${i}].name`, `${node.name} repeats nodes[${earlier}].name`);
    }
    names.set(node.name, i);
    if (node.identity === undefined) return;
    const same = machineIds.get(node.identity.machineId);
    if (same !== undefined) {
      const key = plan.nodes[i]?.machineId === undefined ? 'nodeId' : 'machineId';
      throw invalidInput(
        `nodes[${i}].${key}`,
        `machine-id ${node.identity.machineId} is also nodes[${same}]'s (${nodes[same]?.name}); each node has its own`,
      );
    }
    machineIds.set(node.identity.machineId, i);
  });
}

/**
 * Resolve a validated plan: Talos version, schematic and, per node, the merged options, the
 * needs, the Talos documents and the identity. Throws `TalosLonghornError` naming the plan
 * field (`nodes[2].hugepages`, `defaults.memorySizeMiB`, `talosVersion`, `longhornVersion`).
 *
 * @example
 * ```ts
 * import { resolvePlan, validatePlan } from 'talos-longhorn';
 * const nodes = [{ name: 'storage-1', disks: ['0000:01:00.0'] }];
 * const plan = resolvePlan(validatePlan({ talosVersion: '1.11', nodes }));
 * plan.nodes[0]?.documents; // the v1alpha1 patch and an ExtensionServiceConfig
 * ```
 */
export function resolvePlan(plan: Plan, overrides: PlanOverrides = {}): ResolvedPlan {
  const target: TalosTarget =
    plan.talosVersion === undefined
      ? { version: DEFAULT_TALOS_VERSION }
      : parseTalosTarget(plan.talosVersion, 'talosVersion');
  const talosVersion = target.version;
  const configOrigin =
    plan.configOrigin === undefined
      ? talosVersion
      : parseTalosVersion(plan.configOrigin, 'configOrigin');
  checkConfigOrigin(talosVersion, configOrigin, 'configOrigin');
  const form = nodeMetadataForm(talosVersion, configOrigin);
  const longhornVersion =
    overrides.longhornVersion ??
    (plan.longhornVersion === undefined
      ? DEFAULT_LONGHORN_VERSION
      : parseLonghornVersion(plan.longhornVersion, 'longhornVersion'));
  const schematic = longhornSchematic({
    extensions: plan.extensions ?? [],
    extraKernelArgs: plan.extraKernelArgs ?? [],
  });
  const defaults = plan.defaults ?? {};
  const nodes = plan.nodes.map((node, i) =>
    resolveNode(node, i, defaults, talosVersion, longhornVersion, form),
  );
  checkUnique(plan, nodes);
  return {
    talosVersion,
    installer: installerTag(target),
    configOrigin,
    longhornVersion,
    longhornVersionDefaulted:
      overrides.longhornVersion === undefined && plan.longhornVersion === undefined,
    schematic,
    schematicId: schematicId(schematic),
    nodes,
  };
}
