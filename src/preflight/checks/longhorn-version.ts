import {
  LONGHORN_CAPABILITIES,
  type LonghornCapabilityName,
  longhornSupports,
} from '../../longhorn/versions.js';
import { type CheckDefinition, listing, pass, warn } from '../check.js';

const VERSION_REMEDY =
  'plan a newer Longhorn (longhornVersion in the plan, --longhorn-version) and install that release';

function since(name: LonghornCapabilityName): string {
  const first = LONGHORN_CAPABILITIES[name].since;
  return first === null ? 'no release yet' : `Longhorn ${first}`;
}

/**
 * Node-side problems that depend on the planned Longhorn release. The first fixed releases come
 * from the Longhorn table (`src/longhorn/versions.ts`, which cites the changelogs): the NVMe-oF
 * controller-loss race (longhorn#9874) and the `/dev/fd` that SPDK's setup needs for a
 * PCI-addressed disk (longhorn#10313).
 */
export const longhornVersionCheck: CheckDefinition = {
  id: 'longhorn-version',
  group: 'v2',
  summary: 'the planned Longhorn has the v2 fixes this node relies on (longhorn#9874, #10313)',
  reads: () => [],
  run(_facts, needs) {
    const version = needs.longhornVersion;
    const problems: string[] = [];
    const remedies: string[] = [];
    if (!longhornSupports(version, 'controllerLossRaceFixed')) {
      problems.push(
        `Longhorn ${version} predates the fix for the NVMe-oF controller-loss race (longhorn#9874, fixed in ${since('controllerLossRaceFixed')}): v2 volumes may turn ERROR when a replica's instance manager goes away`,
      );
      remedies.push(VERSION_REMEDY);
    }
    const pci = needs.disks.some((disk) => disk.kind === 'pci');
    if (pci && !longhornSupports(version, 'devFdNotNeeded')) {
      const extension =
        needs.extension === undefined
          ? 'and the longhorn-v2-node extension is not configured'
          : 'which the longhorn-v2-node extension provides';
      problems.push(
        `Longhorn ${version} needs /dev/fd on the node for PCI-addressed disks (longhorn#10313, fixed in ${since('devFdNotNeeded')}), ${extension}`,
      );
      remedies.push(
        needs.extension === undefined
          ? `${VERSION_REMEDY}, or keep the longhorn-v2-node extension's service configured (no --no-extension)`
          : `${VERSION_REMEDY}, or keep the longhorn-v2-node extension installed`,
      );
    }
    if (problems.length > 0) return warn(problems.join('; '), [...new Set(remedies)].join('; '));
    const fixes = ['longhorn#9874', ...(pci ? ['longhorn#10313'] : [])];
    return pass(`Longhorn ${version} has the fixes for ${listing(fixes)}`);
  },
};
