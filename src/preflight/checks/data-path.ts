import { dataPathOnHost } from '../../talos/render.js';
import { type CheckDefinition, fail, pass, skip, skipUnobserved } from '../check.js';
import { REMEDY } from '../remedies.js';
import { nodeTalosVersion } from './system.js';

export const dataPathCheck: CheckDefinition = {
  id: 'data-path',
  group: 'base',
  summary:
    'when a data path is planned, it exists (/var/lib/longhorn on 1.9, /var/mnt/longhorn from 1.10)',
  reads: (needs) => (needs.dataPath ? ['talos', 'directories'] : []),
  run(facts, needs) {
    if (!needs.dataPath) return skip('no data path planned (block disks only)');
    const talos = nodeTalosVersion(facts);
    if ('reason' in talos) return skip(`cannot check: ${talos.reason}`);
    const path = dataPathOnHost(needs, talos.version);
    if (path === undefined) return skip('no data path planned (block disks only)');
    if (!facts.directories.ok) return skipUnobserved(facts.directories);
    if (facts.directories.value[path] !== true)
      return fail(`${path} does not exist`, REMEDY.dataPath(path));
    return pass(`${path} exists`);
  },
};
