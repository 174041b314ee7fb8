// `talosctl patch mc` without talosctl: read the node's machine config, merge the patch into it
// (strategic merge), and send the merged config back with ApplyConfiguration — unless nothing
// changed, in which case nothing is sent.
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { TalosLonghornError } from '../errors.js';
import { supports } from '../talos/capabilities.js';
import {
  type Json,
  type JsonMap,
  type MergeResult,
  mergeDocuments,
  parseDocuments,
  serialiseDocuments,
} from '../talos/strategic-merge.js';
import { parseTalosVersion, type TalosVersion } from '../talos/versions.js';
import {
  APPLY_MODES,
  type ApplyMode,
  type ApplyOptions,
  type ApplyResult,
  type CosiResource,
  type TalosClient,
} from './client.js';

/** The machine config as COSI serves it (role os:admin: the config holds the node's secrets). */
export const MACHINE_CONFIG_RESOURCE = {
  namespace: 'config',
  type: 'MachineConfigs.config.talos.dev',
  id: 'v1alpha1',
} as const;

/**
 * The config text of a MachineConfigs resource. Talos ≥ 1.12 marshals the spec as a YAML string
 * holding the config and marks the resource with an annotation (`talos.dev/yaml-spec`,
 * pkg/machinery/resources/config/machine_config.go); older nodes send the config itself. The
 * rule is talosctl's (cmd/talosctl/cmd/talos/patch.go, extractMachineConfigBody): no
 * annotations → the raw `yaml_spec`, else the string it holds.
 */
function machineConfigText(resource: CosiResource, node: string): string {
  if (Object.keys(resource.annotations).length === 0) return resource.specYaml;
  let body: unknown;
  try {
    body = parse(resource.specYaml);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'string') {
    throw new TalosLonghornError(
      'node-error',
      `${MACHINE_CONFIG_RESOURCE.type}: the annotated spec is not a YAML string holding the config`,
      { field: `node ${node}` },
    );
  }
  return body;
}

/**
 * v1alpha1 lists whose items our patches own, by the key naming an item: a patch item replaces
 * the node's item of the same key instead of being appended next to it.
 */
const OWNED_LISTS: readonly { readonly path: readonly string[]; readonly key: string }[] = [
  { path: ['machine', 'kernel', 'modules'], key: 'name' },
  { path: ['machine', 'kubelet', 'extraMounts'], key: 'destination' },
];

const isMap = (v: Json | undefined): v is JsonMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$patch: delete` before each owned item, so Talos's merge replaces rather than appends. */
function replacingItems(doc: JsonMap): JsonMap {
  let out = doc;
  for (const { path, key } of OWNED_LISTS) {
    const parents: JsonMap[] = [out];
    for (const part of path.slice(0, -1)) {
      const next = parents.at(-1)?.[part];
      if (!isMap(next)) break;
      parents.push(next);
    }
    const last = path.at(-1) ?? '';
    const list = parents.length === path.length ? parents.at(-1)?.[last] : undefined;
    if (!Array.isArray(list)) continue;
    const items = list.flatMap((item): Json[] =>
      isMap(item) && typeof item[key] === 'string'
        ? [{ [key]: item[key], $patch: 'delete' }, item]
        : [item],
    );
    // Rebuild the path with the new list, copying each map on the way (inputs stay untouched).
    let replaced: Json = items;
    for (let i = path.length - 1; i >= 0; i--) {
      const part = path[i] ?? '';
      replaced = { ...(parents[i] as JsonMap), [part]: replaced };
    }
    out = replaced as JsonMap;
  }
  return out;
}

/**
 * Merge one of our generated patches into a stored config so that applying it twice changes
 * nothing the second time: a named document (kind + name) replaces the node's document of the
 * same apiVersion/kind/name whole (its environment lines, config files and parameters are ours),
 * and owned v1alpha1 list items (kernel modules by name, kubelet mounts by destination) replace
 * the item with the same key. Everything else is Talos's strategic merge (src/talos).
 */
function mergeOwnedPatch(configText: string, patchText: string): MergeResult {
  const config = parseDocuments(configText, 'machine config');
  const patches = parseDocuments(patchText, 'patch');
  if (patches.length === 0) {
    throw new TalosLonghornError('invalid-input', 'the patch is empty', { field: 'patch' });
  }
  const steps = patches.flatMap((doc): JsonMap[] => {
    if (doc.$patch === 'delete') return [doc];
    if (doc.kind !== undefined && doc.name !== undefined) {
      const { apiVersion, kind, name } = doc;
      const remove: JsonMap = { kind, name, $patch: 'delete' };
      if (apiVersion !== undefined) remove.apiVersion = apiVersion;
      return [remove, doc];
    }
    return [replacingItems(doc)];
  });
  // Keep the node's document order where a replaced document already was.
  const merged = mergeDocuments(config, steps);
  const ordered = keepOrder(config, merged);
  return { config: serialiseDocuments(ordered), changed: !isDeepStrictEqual(config, ordered) };
}

function documentKey(doc: JsonMap): string {
  return doc.kind === undefined
    ? 'v1alpha1'
    : JSON.stringify([doc.apiVersion ?? null, doc.kind, doc.name ?? null]);
}

/** `merged` reordered so documents that were in `before` keep their positions. */
function keepOrder(before: readonly JsonMap[], merged: readonly JsonMap[]): JsonMap[] {
  const byKey = new Map(merged.map((doc) => [documentKey(doc), doc]));
  const out: JsonMap[] = [];
  for (const doc of before) {
    const key = documentKey(doc);
    const kept = byKey.get(key);
    if (kept !== undefined) {
      out.push(kept);
      byKey.delete(key);
    }
  }
  return [...out, ...byKey.values()];
}

/** The apply modes a node of `version` accepts (1.14 refuses `reboot`). */
export function acceptedApplyModes(version: TalosVersion): ApplyMode[] {
  return APPLY_MODES.filter((mode) => mode !== 'reboot' || supports(version, 'applyModeReboot'));
}

/** Fail unless a node running `tag` accepts `mode`; the error names the modes it does accept. */
export function checkApplyMode(tag: string, mode: ApplyMode, node: string): void {
  const version = parseTalosVersion(tag, `node ${node}`);
  const accepted = acceptedApplyModes(version);
  if (!accepted.includes(mode)) {
    throw new TalosLonghornError(
      'usage',
      `node ${node} runs Talos ${version}, which does not accept mode ${mode}; use ${accepted.join(', ')}`,
      { field: 'mode' },
    );
  }
}

/**
 * What `patchNodeConfig` did on one node: nothing (the patch changes nothing), or the apply and the
 * node's answer.
 */
export type PatchNodeResult =
  | { readonly node: string; readonly changed: false }
  | { readonly node: string; readonly changed: true; readonly apply: ApplyResult };

/** The node's stored config text (needs os:admin). */
export async function readMachineConfig(client: TalosClient, node: string): Promise<string> {
  const { namespace, type, id } = MACHINE_CONFIG_RESOURCE;
  return machineConfigText(await client.getResource(node, namespace, type, id), node);
}

export interface PatchNodeOptions extends ApplyOptions {
  /** Send the merged config even when the patch changes nothing. */
  readonly force?: boolean;
}

/**
 * Merge `patch` into the node's config and apply the result. A patch that changes nothing sends
 * nothing (unless `force`).
 */
export async function patchNodeConfig(
  client: TalosClient,
  node: string,
  patch: string,
  options: PatchNodeOptions,
  stored?: string,
): Promise<PatchNodeResult> {
  const current = stored ?? (await readMachineConfig(client, node));
  const merged = mergeOwnedPatch(current, patch);
  if (!merged.changed && options.force !== true) return { node, changed: false };
  const { force: _, ...apply } = options;
  return {
    node,
    changed: true,
    apply: await client.applyConfiguration(node, merged.config, apply),
  };
}
