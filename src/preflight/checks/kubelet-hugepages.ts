import { HUGEPAGE_SIZE_MIB } from '../../longhorn/requirements.js';
import { type CheckDefinition, fail, pass, skip, warn } from '../check.js';
import type { KubeNodeFact } from '../kube-node.js';
import { REMEDY } from '../remedies.js';

const MIB = 2 ** 20;

/**
 * Longhorn (longhorn-manager's node condition, longhornctl) checks the Kubernetes node's
 * `hugepages-2Mi` capacity, which kubelet reads only when it starts (longhorn#11241, #9092): the
 * instance manager requests `hugepages-2Mi: <memory size>Mi`. `kubeNodeFor` gives the node's
 * `kubectl get node -o json` when one was supplied.
 */
export function kubeletHugepagesCheck(
  kubeNodeFor: (node: string) => KubeNodeFact | undefined,
): CheckDefinition {
  return {
    id: 'kubelet-hugepages',
    group: 'v2',
    summary: "the Kubernetes node's hugepages-2Mi capacity covers Longhorn's request (--kube-node)",
    reads: (needs) => (needs.hugepages === 0 ? [] : ['hugepages']),
    run(facts, needs) {
      if (needs.hugepages === 0) return skip('no huge pages planned');
      const kubeNode = kubeNodeFor(facts.node);
      if (kubeNode === undefined) {
        return skip(
          'no Kubernetes node given (--kube-node FILE, from kubectl get node NAME -o json)',
        );
      }
      const capacityMiB = Math.floor(kubeNode.hugepages2MiBytes / MIB);
      const plannedMiB = needs.hugepages * HUGEPAGE_SIZE_MIB;
      const reserved = facts.hugepages.ok ? facts.hugepages.value.total : undefined;
      const stale = reserved !== undefined && reserved * HUGEPAGE_SIZE_MIB > capacityMiB;
      const where = `Kubernetes node ${kubeNode.name} reports hugepages-2Mi ${capacityMiB} MiB`;
      const onNode = reserved === undefined ? '' : ` while the node has ${reserved} pages reserved`;
      const remedy = stale
        ? REMEDY.restartKubelet(facts.node)
        : `${REMEDY.hugepages(needs.hugepages)}; ${REMEDY.restartKubelet(facts.node)}`;
      if (capacityMiB < needs.memorySizeMiB) {
        return fail(
          `${where}${onNode}, less than the ${needs.memorySizeMiB} MiB Longhorn's v2 instance manager requests`,
          remedy,
        );
      }
      if (capacityMiB < plannedMiB) {
        return warn(
          `${where}${onNode}, less than the ${plannedMiB} MiB planned (${needs.hugepages} pages)`,
          remedy,
        );
      }
      return pass(`${where}, at least the ${plannedMiB} MiB planned`);
    },
  };
}
