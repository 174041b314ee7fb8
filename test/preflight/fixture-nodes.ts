// Fixture nodes: directories shaped like a Talos node's /proc, /sys, /dev and /etc, plus the
// Talos API answers a snapshot keeps under talos-api/. The healthy 1.13 node is committed under
// test/fixtures/preflight/healthy-1.13; every other fixture is that node with one thing changed,
// built here at test time (so each fixture differs from the healthy one in exactly one respect).
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { FakeNode, FakeResource } from '../helpers/talos-server.js';

export const HEALTHY_FIXTURE = fileURLToPath(
  new URL('../fixtures/preflight/healthy-1.13', import.meta.url),
);

/** The disk the fixtures' plans name: an NVMe drive at 0000:01:00.0. */
export const FIXTURE_DISK = '0000:01:00.0';

const RESOURCES = 'talos-api/resources';

async function edit(root: string, path: string, change: (text: string) => string) {
  const file = join(root, path);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

/** Drop the YAML documents whose metadata.id is in `ids` from a captured resource file. */
async function dropResources(root: string, type: string, ids: readonly string[]) {
  await edit(root, `${RESOURCES}/${type}.yaml`, (text) =>
    text
      .split(/^---\n/m)
      .filter((doc) => !ids.some((id) => doc.includes(`\n    id: ${id}\n`)))
      .join('---\n'),
  );
}

async function setTalosVersion(root: string, tag: string) {
  await edit(root, 'etc/os-release', (text) =>
    text.replace(/^VERSION_ID=.*$/m, `VERSION_ID=${tag}`).replace(/\(v[^)]*\)/, `(${tag})`),
  );
  await edit(root, 'talos-api/version.yaml', (text) => text.replace(/^tag: .*$/m, `tag: ${tag}`));
}

async function setKernel(root: string, release: string) {
  await edit(root, 'proc/version', (text) =>
    text.replace(/^Linux version \S+/, `Linux version ${release}`),
  );
}

async function removeModule(root: string, name: string) {
  await edit(root, 'proc/modules', (text) =>
    text
      .split('\n')
      .filter((line) => !line.startsWith(`${name} `))
      .join('\n'),
  );
  await rm(join(root, 'sys/module', name), { recursive: true, force: true });
  await dropResources(root, 'LoadedKernelModules.runtime.talos.dev', [name]);
}

function moduleStatus(id: string, type: 'built-in' | 'dynamic', state: string): string {
  return `node: 10.5.0.2
metadata:
    namespace: runtime
    type: KernelModuleStatuses.runtime.talos.dev
    id: ${id}
    version: 1
    owner: runtime.KernelModuleStatusController
    phase: running
spec:
    type: ${type}
    size: 0
    referenceCount: 0
    state: ${state}
    address: ""
`;
}

export const FIXTURE_VARIANTS = {
  'healthy-1.13': async () => {},
  'talos-1.9-no-dev-fd': async (root: string) => {
    await setTalosVersion(root, 'v1.9.5');
    await setKernel(root, '6.12.18-talos');
    for (const link of ['fd', 'stdin', 'stdout', 'stderr']) await rm(join(root, 'dev', link));
    // Before 1.10 Talos has no node identity and no loaded-modules resource; iscsi-tools wrote
    // a random IQN at install and nothing wrote a host NQN.
    await rm(join(root, RESOURCES, 'Identities.cluster.talos.dev.yaml'));
    await rm(join(root, RESOURCES, 'LoadedKernelModules.runtime.talos.dev.yaml'));
    await writeFile(
      join(root, 'etc/iscsi/initiatorname.iscsi'),
      'InitiatorName=iqn.2005-03.org.open-iscsi:7c1a2b3d4e5f\n',
    );
    await rm(join(root, 'etc/nvme'), { recursive: true });
    // The data path of 1.9 is the kubelet bind mount under /var/lib.
    await rm(join(root, 'var/mnt/longhorn'), { recursive: true });
    await mkdir(join(root, 'var/lib/longhorn'));
  },
  'missing-vfio-pci': (root: string) => removeModule(root, 'vfio_pci'),
  'dm-crypt-built-in-no-sys-module': async (root: string) => {
    // A built-in module has a /sys/module entry only when it has parameters; /proc/config.gz
    // (CONFIG_DM_CRYPT=y) is then the only witness.
    await rm(join(root, 'sys/module/dm_crypt'), { recursive: true });
  },
  'nvme-tcp-built-in-1.14': async (root: string) => {
    // 1.14 reports built-in modules itself; nvme_tcp built in without a /sys/module entry is
    // known only from KernelModuleStatuses.
    await setTalosVersion(root, 'v1.14.0');
    await rm(join(root, 'sys/module/nvme_tcp'), { recursive: true });
    const modules = (await readFile(join(root, 'proc/modules'), 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => moduleStatus(line.split(' ')[0] ?? '', 'dynamic', 'live'));
    const builtIn = ['nvme_tcp', 'nvme_core', 'printk'].map((name) =>
      moduleStatus(name, 'built-in', name === 'nvme_tcp' ? 'inactive' : 'active'),
    );
    await writeFile(
      join(root, RESOURCES, 'KernelModuleStatuses.runtime.talos.dev.yaml'),
      [...modules, ...builtIn].join('---\n'),
    );
  },
  'no-hugepages': async (root: string) => {
    await edit(root, 'proc/meminfo', (text) =>
      text
        .replace(/^HugePages_Total:\s+\d+/m, 'HugePages_Total:       0')
        .replace(/^HugePages_Free:\s+\d+/m, 'HugePages_Free:        0')
        .replace(/^Hugetlb:\s+\d+/m, 'Hugetlb:               0'),
    );
    await edit(root, `${RESOURCES}/KernelParamStatuses.runtime.talos.dev.yaml`, (text) =>
      text.replace(/current: "\d+"/, 'current: "0"'),
    );
  },
  'iommu-shared-bridge': async (root: string) => {
    // The NVMe drive sits behind a PCIe bridge that does not isolate it: one group for both.
    await rm(join(root, 'sys/kernel/iommu_groups/2'), { recursive: true });
    const { symlink } = await import('node:fs/promises');
    await symlink(
      `../../../../devices/pci0000:00/0000:00:01.0/${FIXTURE_DISK}`,
      join(root, 'sys/kernel/iommu_groups/1/devices', FIXTURE_DISK),
    );
  },
  'wrong-identity': (root: string) =>
    writeFile(
      join(root, 'etc/iscsi/initiatorname.iscsi'),
      'InitiatorName=iqn.2017-11.dev.talos:0123456789abcdef0123456789abcdef\n',
    ),
  'kernel-6.1': (root: string) => setKernel(root, '6.1.112-talos'),
} as const;

export type FixtureVariant = keyof typeof FIXTURE_VARIANTS;
export const VARIANT_NAMES = Object.keys(FIXTURE_VARIANTS) as FixtureVariant[];

/** Build a fixture node at `dir` (copied from the healthy node, symlinks kept as symlinks). */
export async function buildFixtureNode(variant: FixtureVariant, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await cp(HEALTHY_FIXTURE, dir, { recursive: true, verbatimSymlinks: true });
  await FIXTURE_VARIANTS[variant](dir);
  return dir;
}

/** The captured COSI resources of a fixture node, as the fake apid serves them. */
export async function fixtureResources(root: string): Promise<FakeResource[]> {
  const dir = join(root, RESOURCES);
  const resources: FakeResource[] = [];
  for (const file of (await readdir(dir)).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const value = doc.toJS() as {
        metadata: { namespace: string; type: string; id: string };
        spec: unknown;
      };
      const { namespace, type, id } = value.metadata;
      resources.push({ namespace, type, id: String(id), spec: value.spec });
    }
  }
  return resources;
}

/** A fake apid node serving the same fixture directory: files, listings, resources, version. */
export async function fakeNodeFor(root: string): Promise<FakeNode> {
  const version = await readFile(join(root, 'talos-api/version.yaml'), 'utf8');
  const tag = /^tag: (.*)$/m.exec(version)?.[1] ?? '';
  return { root, tag, resources: await fixtureResources(root) };
}

/** Every fixture variant under `dir`, and the fake apid nodes serving them (named by variant). */
export async function buildFixtureFleet(dir: string): Promise<{
  roots: Map<FixtureVariant, string>;
  nodes: Record<string, FakeNode>;
}> {
  const roots = new Map<FixtureVariant, string>();
  const nodes: Record<string, FakeNode> = {};
  for (const variant of VARIANT_NAMES) {
    const root = await buildFixtureNode(variant, join(dir, variant));
    roots.set(variant, root);
    nodes[variant] = await fakeNodeFor(root);
  }
  return { roots, nodes };
}
