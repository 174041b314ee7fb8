import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { mergeConfigPatch } from '../../src/talos/strategic-merge.js';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

const CONFIG = `version: v1alpha1
machine:
  type: worker
  kernel:
    modules:
      - name: nvme_tcp
  sysctls:
    vm.swappiness: "10"
  network:
    interfaces:
      - interface: eth0
        dhcp: true
cluster:
  network:
    podSubnets: [10.244.0.0/16]
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: longhorn-v2-node
configFiles:
  - mountPath: /etc/a
    content: old
`;

describe('mergeConfigPatch (Talos strategic merge)', () => {
  it('merges maps, appends lists, overrides scalars', () => {
    const { config, changed } = mergeConfigPatch(
      CONFIG,
      `machine:
  kernel:
    modules:
      - name: vfio_pci
  sysctls:
    vm.nr_hugepages: "1024"
`,
    );
    expect(changed).toBe(true);
    const [v1] = docs(config);
    expect(v1.machine.kernel.modules).toEqual([{ name: 'nvme_tcp' }, { name: 'vfio_pci' }]);
    expect(v1.machine.sysctls).toEqual({ 'vm.swappiness': '10', 'vm.nr_hugepages': '1024' });
    expect(v1.machine.type).toBe('worker');
  });

  it('matches named documents and merges configFiles by mountPath; appends new documents', () => {
    const { config } = mergeConfigPatch(
      CONFIG,
      `apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: longhorn-v2-node
configFiles:
  - mountPath: /etc/a
    content: new
---
apiVersion: v1alpha1
kind: KernelModuleConfig
name: vfio_pci
`,
    );
    const all = docs(config);
    expect(all).toHaveLength(3);
    expect(all[1].configFiles).toEqual([{ mountPath: '/etc/a', content: 'new' }]);
    expect(all[2]).toEqual({
      apiVersion: 'v1alpha1',
      kind: 'KernelModuleConfig',
      name: 'vfio_pci',
    });
  });

  it('merges interfaces by name, replaces podSubnets', () => {
    const { config } = mergeConfigPatch(
      CONFIG,
      `machine:
  network:
    interfaces:
      - interface: eth0
        mtu: 9000
cluster:
  network:
    podSubnets: [10.0.0.0/8]
`,
    );
    const [v1] = docs(config);
    expect(v1.machine.network.interfaces).toEqual([{ interface: 'eth0', dhcp: true, mtu: 9000 }]);
    expect(v1.cluster.network.podSubnets).toEqual(['10.0.0.0/8']);
  });

  it('$patch: delete removes a key, a list item and a document', () => {
    const { config } = mergeConfigPatch(
      CONFIG,
      `machine:
  sysctls:
    vm.swappiness:
      $patch: delete
  kernel:
    modules:
      - name: nvme_tcp
        $patch: delete
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: longhorn-v2-node
$patch: delete
`,
    );
    const all = docs(config);
    expect(all).toHaveLength(1);
    expect(all[0].machine.sysctls).toEqual({});
    expect(all[0].machine.kernel.modules).toEqual([]);
  });

  it('reports no change when the patch is already in the config, and refuses an empty patch', () => {
    expect(mergeConfigPatch(CONFIG, 'machine:\n  type: worker\n').changed).toBe(false);
    expect(() => mergeConfigPatch(CONFIG, '\n# nothing\n')).toThrow(/patch: the patch is empty/);
    expect(() => mergeConfigPatch(CONFIG, 'machine: [')).toThrow(
      /patch: document 1 is not valid YAML/,
    );
  });

  it('named documents merge idempotently (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), (names) => {
        const patch = names
          .map((n) => `apiVersion: v1alpha1\nkind: KernelModuleConfig\nname: ${n}\n`)
          .join('---\n');
        const once = mergeConfigPatch(CONFIG, patch);
        const twice = mergeConfigPatch(once.config, patch);
        expect(twice.changed).toBe(false);
        expect(docs(once.config)).toHaveLength(2 + names.length);
      }),
    );
  });
});
