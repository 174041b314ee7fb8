import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  longhornHelmValues,
  renderLonghornHelmValues,
  renderLonghornNamespace,
} from '../../src/longhorn/helm-values.js';
import { planNode } from '../../src/longhorn/plan.js';
import {
  LONGHORN_REFERENCE_RELEASES,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../../src/longhorn/versions.js';
import { chartKeys, itWithLonghornFacts } from '../helpers/longhorn-oracles.js';

describe('Longhorn Helm values', () => {
  it('use string values, the per-engine settings as JSON objects', () => {
    const text = renderLonghornHelmValues(longhornHelmValues([planNode({})]));
    expect(parseYaml(text)).toEqual({
      defaultSettings: {
        v2DataEngine: 'true',
        dataEngineHugepageEnabled: '{"v2":"true"}',
        dataEngineMemorySize: '{"v2":"2048"}',
      },
    });
  });

  it('take the smallest memory size of the v2 nodes and ignore opted-out nodes', () => {
    const values = longhornHelmValues([
      planNode({ memorySizeMiB: 4096 }),
      planNode({ memorySizeMiB: 3000, hugepages: 1600 }),
      planNode({ v2DataEngine: false }),
    ]);
    expect(values.defaultSettings.dataEngineMemorySize).toBe('{"v2":"3000"}');
  });

  it('turn v2 off when no node runs it', () => {
    const values = longhornHelmValues([planNode({ v2DataEngine: false })]);
    expect(values).toEqual({ longhornVersion: '1.12', defaultSettings: { v2DataEngine: 'false' } });
    expect(parseYaml(renderLonghornHelmValues(values))).toEqual({
      defaultSettings: { v2DataEngine: 'false' },
    });
  });

  it('never ask for more than any v2 node reserves for its engine, nor less than all need', () => {
    const node = fc.record({
      memorySizeMiB: fc.integer({ min: 1, max: 65536 }),
      extraPages: fc.integer({ min: 0, max: 1000 }),
      pci: fc.boolean(),
      v2: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 8 }), (nodes) => {
        const needs = nodes.map(({ memorySizeMiB, extraPages, pci, v2 }) =>
          v2
            ? planNode({
                memorySizeMiB,
                hugepages: Math.ceil(memorySizeMiB / 2) + (pci ? 1024 : 0) + extraPages,
                disks: pci ? ['0000:01:00.0'] : [],
              })
            : planNode({ v2DataEngine: false }),
        );
        const values = longhornHelmValues(needs, { longhornVersion: '1.10' });
        const v2Nodes = nodes.filter((n) => n.v2);
        const setting = values.defaultSettings.dataEngineMemorySize;
        if (v2Nodes.length === 0) {
          expect(setting).toBeUndefined();
          return;
        }
        const size = Number((JSON.parse(setting ?? '') as { v2: string }).v2);
        // The instance manager requests `size` MiB of hugepages-2Mi on every v2 node: it must
        // fit in what each node reserves beyond SPDK's 1024 NVMe-driver pages (longhorn#13184)…
        for (const n of v2Nodes) {
          const reserved = Math.ceil(n.memorySizeMiB / 2) + n.extraPages;
          expect(size).toBeLessThanOrEqual(reserved * 2);
          expect(size).toBeLessThanOrEqual(n.memorySizeMiB);
        }
        // …and be a size some node asked for, not a smaller made-up one.
        expect(v2Nodes.map((n) => n.memorySizeMiB)).toContain(size);
      }),
    );
  });

  it('use the keys of the Longhorn version: v2DataEngineHugepageLimit before 1.10', () => {
    const needs = [planNode({ memorySizeMiB: 3000 })];
    for (const version of ['1.8', '1.9'] as const) {
      expect(longhornHelmValues(needs, { longhornVersion: version }).defaultSettings).toEqual({
        v2DataEngine: 'true',
        v2DataEngineHugepageLimit: '3000',
      });
    }
    for (const version of ['1.10', '1.11', '1.12'] as const) {
      expect(longhornHelmValues(needs, { longhornVersion: version }).defaultSettings).toEqual({
        v2DataEngine: 'true',
        dataEngineHugepageEnabled: '{"v2":"true"}',
        dataEngineMemorySize: '{"v2":"3000"}',
      });
    }
  });

  itWithLonghornFacts('emit only keys the chart of that version has', () => {
    const needs = [planNode({ disks: ['/dev/nvme1n1'] }), planNode({ memorySizeMiB: 4096 })];
    for (const version of SUPPORTED_LONGHORN_VERSIONS) {
      const values = longhornHelmValues(needs, { longhornVersion: version, dataPath: '/x' });
      const keys = chartKeys(LONGHORN_REFERENCE_RELEASES[version]);
      for (const key of Object.keys(values.defaultSettings)) expect(keys).toContain(key);
      expect(Object.keys(values.defaultSettings)).toHaveLength(
        version === '1.8' || version === '1.9' ? 4 : 5,
      );
    }
  });

  it('turn on createDefaultDiskLabeledNodes exactly when a node has the annotation', () => {
    const annotated = planNode({ disks: ['/dev/nvme1n1'] });
    const pci = planNode({ disks: ['0000:01:00.0'] });
    expect(longhornHelmValues([annotated, pci]).defaultSettings.createDefaultDiskLabeledNodes).toBe(
      'true',
    );
    expect(longhornHelmValues([pci]).defaultSettings).not.toHaveProperty(
      'createDefaultDiskLabeledNodes',
    );
    expect(longhornHelmValues([pci], { dataPath: '/var/mnt/longhorn' }).defaultSettings).toEqual(
      expect.objectContaining({ defaultDataPath: '/var/mnt/longhorn' }),
    );
  });

  it('namespace allows privileged pods', () => {
    expect(parseYaml(renderLonghornNamespace())).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'longhorn-system',
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'privileged',
          'pod-security.kubernetes.io/warn': 'privileged',
        },
      },
    });
  });
});
