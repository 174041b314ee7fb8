import type { CheckDefinition } from '../check.js';
import type { KubeNodeFact } from '../kube-node.js';
import { dataPathCheck } from './data-path.js';
import { devFdCheck } from './dev-fd.js';
import { extensionsCheck, iscsidServiceCheck } from './extensions.js';
import { hugepagesCheck } from './hugepages.js';
import { identityFilesCheck } from './identity.js';
import { kubeletHugepagesCheck } from './kubelet-hugepages.js';
import { longhornVersionCheck } from './longhorn-version.js';
import { kernelModulesCheck, vfioIommuCheck } from './modules.js';
import { rawPartitionCheck } from './raw-partition.js';
import { cpuFlagsCheck, kernelVersionCheck, talosVersionCheck } from './system.js';

export interface PreflightCheckSources {
  /** The Kubernetes node (`kubectl get node -o json`) of a preflight node, when given. */
  readonly kubeNodeFor?: (node: string) => KubeNodeFact | undefined;
}

/** Every check, in report order, fed by the sources beyond the node itself. */
export function preflightChecks(sources: PreflightCheckSources = {}): CheckDefinition[] {
  return [
    talosVersionCheck,
    kernelVersionCheck,
    cpuFlagsCheck,
    kernelModulesCheck,
    vfioIommuCheck,
    hugepagesCheck,
    kubeletHugepagesCheck(sources.kubeNodeFor ?? (() => undefined)),
    devFdCheck,
    longhornVersionCheck,
    identityFilesCheck,
    extensionsCheck,
    iscsidServiceCheck,
    dataPathCheck,
    rawPartitionCheck,
  ];
}

/** Every check, in report order (without a Kubernetes node, kubelet-hugepages skips). */
export const PREFLIGHT_CHECKS: readonly CheckDefinition[] = preflightChecks();
