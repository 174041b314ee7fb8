// `talosctl patch mc` without talosctl: read the node's machine config, merge the patch into it
// (strategic merge), and send the merged config back with ApplyConfiguration — unless nothing
// changed, in which case nothing is sent.

import { mergeConfigPatch } from '../talos/strategic-merge.js';
import type { ApplyOptions, ApplyResult, TalosClient } from './client.js';

/** The machine config as COSI serves it (role os:admin: the config holds the node's secrets). */
export const MACHINE_CONFIG_RESOURCE = {
  namespace: 'config',
  type: 'MachineConfigs.config.talos.dev',
  id: 'v1alpha1',
} as const;

export type PatchNodeResult =
  | { readonly node: string; readonly changed: false }
  | { readonly node: string; readonly changed: true; readonly apply: ApplyResult };

export async function patchNodeConfig(
  client: TalosClient,
  node: string,
  patch: string,
  options: ApplyOptions,
): Promise<PatchNodeResult> {
  const { namespace, type, id } = MACHINE_CONFIG_RESOURCE;
  const current = await client.getResource(node, namespace, type, id);
  const merged = mergeConfigPatch(current.specYaml, patch);
  if (!merged.changed) return { node, changed: false };
  const apply = await client.applyConfiguration(node, merged.config, options);
  return { node, changed: true, apply };
}
