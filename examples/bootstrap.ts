// A cluster-bootstrap script using the library: plan a three-node cluster and write every
// node's Talos patch (plus schematic and Longhorn Helm values) to a directory.
// Run: npx tsx examples/bootstrap.ts [DIR]   (without DIR, a fresh temporary directory)
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePlan, validatePlan, writeClusterFiles } from 'talos-longhorn';

// In a real script the identities come from `talosctl get identities` or an inventory; a node
// without one still gets its patch.
const plan = validatePlan({
  talosVersion: '1.12',
  defaults: { memorySizeMiB: 2048, disks: ['0000:01:00.0'] },
  nodes: [
    { name: 'storage-1', machineId: 'be871ac0d0dd31fa4caca753b0f3f1b2' },
    { name: 'storage-2', nodeId: 'gvqfS27LxD58lPlASmpaueeRVzuof16iXoieRgEvBWaE', ublk: true },
    { name: 'storage-3', memorySizeMiB: 4096, disks: ['0000:01:00.0', '0000:02:00.0'] },
  ],
});
const cluster = resolvePlan(plan);

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'talos-longhorn-')));
// All files or none, never through a symlink; files already right are left untouched.
const { written, unchanged } = await writeClusterFiles(cluster, dir);
for (const node of cluster.nodes) {
  const iqn = node.identity?.iqn ?? '(identity not known yet)';
  console.log(`${node.name}: ${node.needs.hugepages} huge pages, ${iqn}`);
}
console.log(
  `schematic ${cluster.schematicId}; files written to ${dir} (${written.length} written, ${unchanged.length} unchanged)`,
);
