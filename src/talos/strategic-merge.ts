// Strategic merge of a Talos config patch into a machine config, as `talosctl patch mc` does
// before it sends the merged config back with ApplyConfiguration. Pure: text in, text out.
//
// Rules (Talos configpatcher): documents are matched by apiVersion/kind/name (the v1alpha1
// document has no kind and matches the config's v1alpha1 document); unmatched patch documents
// are appended. Maps merge key by key, the patch winning for scalars; lists are appended, except
// the lists Talos merges by key (network interfaces by `interface`/`deviceSelector`, VLANs by
// `vlanId`, ExtensionServiceConfig `configFiles` by `mountPath`) and the ones it replaces
// (`podSubnets`, `serviceSubnets`, `auditPolicy`). `$patch: delete` removes a document, a map
// key, or a list item (matched on the item's first key).
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { TalosLonghornError } from '../errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

const isMap = (v: Json | undefined): v is JsonMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const DELETE = '$patch';

/** Parse multi-document YAML into mappings (empty documents dropped). */
export function parseDocuments(text: string, field: string): JsonMap[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: JsonMap[] = [];
  for (const [i, doc] of list.entries()) {
    if (doc.errors.length > 0) {
      // The message names the document only: config text may hold secrets.
      throw new TalosLonghornError('invalid-input', `document ${i + 1} is not valid YAML`, {
        field,
      });
    }
    const value = doc.toJS() as Json;
    if (value === null || value === undefined) continue;
    if (!isMap(value)) {
      throw new TalosLonghornError('invalid-input', `document ${i + 1} is not a mapping`, {
        field,
      });
    }
    out.push(value);
  }
  return out;
}

function documentKey(doc: JsonMap): string {
  if (doc.kind === undefined) return 'v1alpha1';
  return JSON.stringify([doc.apiVersion ?? '', doc.kind, doc.name ?? '']);
}

const MERGE_KEYS: Record<string, readonly string[]> = {
  interfaces: ['interface', 'deviceSelector'],
  vlans: ['vlanId'],
  configFiles: ['mountPath'],
};
const REPLACED = new Set(['podSubnets', 'serviceSubnets', 'auditPolicy']);

function deleteDirective(value: Json | undefined): boolean {
  return isMap(value) && value[DELETE] === 'delete';
}

function withoutDirective(map: JsonMap): JsonMap {
  const { [DELETE]: _, ...rest } = map;
  return rest;
}

function sameByKeys(a: Json, b: Json, keys: readonly string[]): boolean {
  if (!isMap(a) || !isMap(b)) return false;
  return keys.some((k) => a[k] !== undefined && isDeepStrictEqual(a[k], b[k]));
}

function mergeList(key: string, base: Json[], patch: Json[]): Json[] {
  if (REPLACED.has(key)) return patch.filter((item) => !deleteDirective(item));
  const mergeKeys = MERGE_KEYS[key];
  let result = [...base];
  for (const item of patch) {
    if (deleteDirective(item) && isMap(item)) {
      const [firstKey] = Object.keys(withoutDirective(item));
      result = result.filter(
        (existing) =>
          !(
            firstKey !== undefined &&
            isMap(existing) &&
            isDeepStrictEqual(existing[firstKey], item[firstKey])
          ),
      );
      continue;
    }
    const at = mergeKeys
      ? result.findIndex((existing) => sameByKeys(existing, item, mergeKeys))
      : -1;
    const existing = result[at];
    if (at >= 0 && existing !== undefined) result[at] = mergeValue(key, existing, item);
    else result.push(item);
  }
  return result;
}

function mergeValue(key: string, base: Json, patch: Json): Json {
  if (isMap(base) && isMap(patch)) return mergeMaps(base, patch);
  if (Array.isArray(base) && Array.isArray(patch)) return mergeList(key, base, patch);
  return patch;
}

function mergeMaps(base: JsonMap, patch: JsonMap): JsonMap {
  const result: JsonMap = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === DELETE) continue;
    if (deleteDirective(value)) {
      delete result[key];
      continue;
    }
    const existing = result[key];
    result[key] = existing === undefined ? value : mergeValue(key, existing, value);
  }
  return result;
}

/**
 * Merge patch documents into config documents (both already parsed), as Talos's configpatcher
 * does. Inputs are not modified.
 */
export function mergeDocuments(config: readonly JsonMap[], patches: readonly JsonMap[]): JsonMap[] {
  const merged = [...config];
  for (const patch of patches) {
    const key = documentKey(patch);
    const at = merged.findIndex((doc) => documentKey(doc) === key);
    if (deleteDirective(patch)) {
      if (at >= 0) merged.splice(at, 1);
      continue;
    }
    const existing = merged[at];
    if (at >= 0 && existing !== undefined) merged[at] = mergeMaps(existing, patch);
    else merged.push(withoutDirective(patch));
  }
  return merged;
}

/**
 * A machine config with a strategic-merge patch applied (`mergeConfigPatch`), and whether anything
 * changed.
 */
export interface MergeResult {
  /** The merged config as multi-document YAML. */
  readonly config: string;
  /** False when the patch changes nothing (talosctl then skips the apply). */
  readonly changed: boolean;
}

/** Merge a strategic-merge patch (one or more YAML documents) into a machine config. */
export function mergeConfigPatch(configText: string, patchText: string): MergeResult {
  const config = parseDocuments(configText, 'machine config');
  const patches = parseDocuments(patchText, 'patch');
  if (patches.length === 0) {
    // Talos treats an empty patch as JSON6902 (talos#12457); refuse rather than guess.
    throw new TalosLonghornError('invalid-input', 'the patch is empty', { field: 'patch' });
  }
  const merged = mergeDocuments(config, patches);
  const changed = !isDeepStrictEqual(config, merged);
  return { config: serialiseDocuments(merged), changed };
}

/** Documents as multi-document YAML, as the merge writes them. */
export function serialiseDocuments(docs: readonly JsonMap[]): string {
  return docs.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
