// Which form node labels and annotations must take, read from a node's stored machine config.
import { TalosLonghornError } from '../errors.js';
import type { NodeMetadataForm } from './capabilities.js';

/**
 * The v1alpha1 fields whose presence makes Talos 1.14 refuse a `KubeNodeConfig` document
 * (siderolabs/talos `pkg/machinery/config/types/k8s/node.go`, `V1Alpha1ConflictValidate`). Talos
 * tests each for nil, so a field that is present counts even when it is empty (`nodeLabels: {}`).
 */
const KUBE_NODE_CONFIG_CONFLICTS: readonly (readonly string[])[] = [
  ['cluster', 'allowSchedulingOnControlPlanes'],
  ['cluster', 'allowSchedulingOnMasters'],
  ['machine', 'kubelet', 'skipNodeRegistration'],
  ['machine', 'kubelet', 'registerWithFQDN'],
  ['machine', 'kubelet', 'nodeIP'],
  ['machine', 'nodeLabels'],
  ['machine', 'nodeAnnotations'],
  ['machine', 'nodeTaints'],
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function present(document: Record<string, unknown>, path: readonly string[]): boolean {
  let value: unknown = document;
  for (const key of path) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return false;
    value = value[key];
  }
  return value !== null && value !== undefined;
}

/** The fields of the stored v1alpha1 document that rule out a `KubeNodeConfig` (dotted paths). */
export function kubeNodeConfigConflicts(storedDocuments: readonly unknown[]): string[] {
  const found: string[] = [];
  for (const document of storedDocuments) {
    // The v1alpha1 document is the one without a `kind`.
    if (!isRecord(document) || document.kind !== undefined) continue;
    for (const path of KUBE_NODE_CONFIG_CONFLICTS) {
      if (present(document, path)) found.push(`.${path.join('.')}`);
    }
  }
  return found;
}

/**
 * The form node labels and annotations must take for a node, from its stored machine
 * configuration (the parsed YAML documents of `MachineConfigs.config.talos.dev` `v1alpha1`):
 * `machine-fields` while the stored config sets any field that conflicts with `KubeNodeConfig`
 * (every control plane created by `gen config` up to 1.13 does), else `kube-node-config`. On
 * targets below 1.14 the renderer uses `machine-fields` whatever this returns.
 */
export function configOriginOf(storedDocuments: readonly unknown[]): NodeMetadataForm {
  if (!Array.isArray(storedDocuments) || storedDocuments.length === 0) {
    throw new TalosLonghornError('invalid-input', 'the stored machine config has no documents', {
      field: 'machine config',
    });
  }
  return kubeNodeConfigConflicts(storedDocuments).length > 0
    ? 'machine-fields'
    : 'kube-node-config';
}
