import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  defaultDisksAnnotation,
  type LonghornNodeDisk,
  longhornNodeDisks,
  longhornNodePatch,
  renderLonghornNodePatch,
} from '../../src/longhorn/node-cr.js';
import { planNode } from '../../src/longhorn/plan.js';
import { itWithLonghornFacts, nodeCrdValidator } from '../helpers/longhorn-oracles.js';

describe('Longhorn Node patch', () => {
  const needs = planNode({ disks: ['0000:01:00.0', '/dev/nvme1n1'] });

  it('sets every disk field, nvme for PCI addresses from 1.10 and auto before, aio for paths', () => {
    expect(longhornNodePatch(longhornNodeDisks(needs.disks, '1.12'))).toEqual({
      spec: {
        disks: {
          'nvme-0000-01-00-0': {
            path: '0000:01:00.0',
            diskType: 'block',
            diskDriver: 'nvme',
            allowScheduling: true,
            evictionRequested: false,
            storageReserved: 0,
            tags: [],
          },
          'aio-nvme1n1': {
            path: '/dev/nvme1n1',
            diskType: 'block',
            diskDriver: 'aio',
            allowScheduling: true,
            evictionRequested: false,
            storageReserved: 0,
            tags: [],
          },
        },
      },
    });
    const old = longhornNodeDisks(needs.disks, '1.9').map((d) => d.diskDriver);
    expect(old).toEqual(['auto', 'aio']);
  });

  itWithLonghornFacts(
    'accepts a raw partition disk as one more list entry, valid per the CRD',
    () => {
      const raw: LonghornNodeDisk = {
        name: 'raw-longhorn',
        path: '/dev/disk/by-partlabel/r-longhorn',
        diskType: 'block',
        diskDriver: 'aio',
      };
      const disks = [...longhornNodeDisks(needs.disks, '1.8'), raw];
      const text = renderLonghornNodePatch('w1', disks, '1.8');
      const patch = parseYaml(text, { version: '1.1' }) as { spec: { disks: object } };
      expect(Object.keys(patch.spec.disks)).toEqual([
        'nvme-0000-01-00-0',
        'aio-nvme1n1',
        'raw-longhorn',
      ]);
      expect(nodeCrdValidator('1.8.2')(patch)).toBeUndefined();
      expect(
        nodeCrdValidator('1.8.2')({ spec: { disks: { x: { ...raw, diskDriver: 'nvme' } } } }),
      ).toMatch(/diskDriver/);
      expect(
        nodeCrdValidator('1.12.1')({ spec: { disks: { x: { ...raw, colour: 'red' } } } }),
      ).toMatch(/additional properties/);
    },
  );

  it('writes the annotation only for at most one /dev/ path and no PCI address', () => {
    const disk = (name: string, path: string): LonghornNodeDisk => ({
      name,
      path,
      diskType: 'block',
      diskDriver: path.startsWith('/') ? 'aio' : 'nvme',
    });
    expect(defaultDisksAnnotation([], '1.12')).toBeUndefined();
    expect(defaultDisksAnnotation([disk('a', '/dev/a')], '1.12')).toBe(
      '[{"name":"a","path":"/dev/a","diskType":"block","diskDriver":"aio","allowScheduling":true}]',
    );
    expect(
      defaultDisksAnnotation([disk('a', '/dev/a'), disk('b', '/dev/b')], '1.12'),
    ).toBeUndefined();
    expect(defaultDisksAnnotation([disk('p', '0000:01:00.0')], '1.12')).toBeUndefined();
  });

  it('names the kubectl command in the file and quotes PCI addresses for YAML 1.1 readers', () => {
    const text = renderLonghornNodePatch('w1', longhornNodeDisks(needs.disks, '1.12'), '1.12');
    expect(text).toContain(
      'kubectl -n longhorn-system patch nodes.longhorn.io w1 --type merge --patch-file w1.longhorn-node.yaml',
    );
    expect(text).toContain('path: "0000:01:00.0"');
  });
});
