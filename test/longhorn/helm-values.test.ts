import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  longhornHelmValues,
  renderLonghornHelmValues,
  renderLonghornNamespace,
} from '../../src/longhorn/helm-values.js';
import { planNode } from '../../src/longhorn/plan.js';

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
    expect(values).toEqual({ defaultSettings: { v2DataEngine: 'false' } });
    expect(parseYaml(renderLonghornHelmValues(values))).toEqual({
      defaultSettings: { v2DataEngine: 'false' },
    });
  });

  it('never ask for more memory than any v2 node reserves in huge pages', () => {
    const node = fc.record({
      memorySizeMiB: fc.integer({ min: 1, max: 65536 }),
      extraPages: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 8 }), (nodes) => {
        const needs = nodes.map(({ memorySizeMiB, extraPages }) =>
          planNode({ memorySizeMiB, hugepages: Math.ceil(memorySizeMiB / 2) + extraPages }),
        );
        const setting = longhornHelmValues(needs).defaultSettings.dataEngineMemorySize ?? '';
        const size = Number((JSON.parse(setting) as { v2: string }).v2);
        for (const n of needs) expect(size).toBeLessThanOrEqual(n.hugepages * 2);
        expect(size).toBe(Math.min(...needs.map((n) => n.memorySizeMiB)));
      }),
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
