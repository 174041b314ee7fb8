// Talos 1.14 on clusters created by older Talos: our patch merged into the stored config as
// talosctl does, then judged by Talos's conflict rule as ../shared/talos/FACTS.md §8 states it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  planNode,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  type TalosVersion,
} from '../../src/index.js';
import { checkConfigOrigin, nodeMetadataForm } from '../../src/talos/capabilities.js';
import { configOriginOf } from '../../src/talos/config-origin.js';
import { supports } from '../../src/talos/index.js';
import { type JsonMap, mergeDocuments } from '../../src/talos/strategic-merge.js';
import { versionIndex } from '../../src/talos/versions.js';
import { itWithShared } from '../helpers/shared.js';
import { schemaErrors } from './official-schema.js';

/**
 * Talos 1.14's rule, written from FACTS §8 (not from our code): a KubeNodeConfig document is
 * refused when the v1alpha1 document sets .machine.nodeLabels, .machine.nodeAnnotations,
 * .machine.kubelet.nodeIP, .machine.kubelet.registerWithFQDN or
 * .cluster.allowSchedulingOnControlPlanes.
 */
function talosRefuses(config: readonly JsonMap[]): string | undefined {
  if (!config.some((doc) => doc.kind === 'KubeNodeConfig')) return undefined;
  const v1alpha1 = config.find((doc) => doc.kind === undefined) ?? {};
  const machine = (v1alpha1.machine ?? {}) as JsonMap;
  const kubelet = (machine.kubelet ?? {}) as JsonMap;
  const cluster = (v1alpha1.cluster ?? {}) as JsonMap;
  if (machine.nodeLabels != null) return '.machine.nodeLabels is already set in v1alpha1 config';
  if (machine.nodeAnnotations != null) return '.machine.nodeAnnotations is already set';
  if (kubelet.nodeIP != null) return '.machine.kubelet.nodeIP is already set';
  if (kubelet.registerWithFQDN != null) return '.machine.kubelet.registerWithFQDN is already set';
  if (cluster.allowSchedulingOnControlPlanes != null) {
    return '.cluster.allowSchedulingOnControlPlanes is already set';
  }
  return undefined;
}

const EXCLUDE_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';

/**
 * A control plane's machine config as `talosctl gen config` 1.13 writes it (the parts that
 * matter here; secrets replaced by placeholders). FACTS §8: gen config <= 1.13 writes
 * machine.nodeLabels with the exclude-from-external-load-balancers label on control planes.
 */
function controlPlane113(): JsonMap[] {
  return [
    {
      version: 'v1alpha1',
      debug: false,
      persist: true,
      machine: {
        type: 'controlplane',
        token: 'placeholder.token',
        ca: { crt: 'cGxhY2Vob2xkZXI=', key: 'cGxhY2Vob2xkZXI=' },
        certSANs: [],
        kubelet: {
          image: 'ghcr.io/siderolabs/kubelet:v1.34.1',
          defaultRuntimeSeccompProfileEnabled: true,
          disableManifestsDirectory: true,
        },
        network: {},
        install: { disk: '/dev/sda', image: 'ghcr.io/siderolabs/installer:v1.13.9', wipe: false },
        features: {
          rbac: true,
          stableHostname: true,
          apidCheckExtKeyUsage: true,
          diskQuotaSupport: true,
        },
        nodeLabels: { [EXCLUDE_LB]: '' },
      },
      cluster: {
        id: 'cGxhY2Vob2xkZXI=',
        secret: 'cGxhY2Vob2xkZXI=',
        controlPlane: { endpoint: 'https://10.0.0.10:6443' },
        clusterName: 'longhorn',
        network: {
          dnsDomain: 'cluster.local',
          podSubnets: ['10.244.0.0/16'],
          serviceSubnets: ['10.96.0.0/12'],
        },
        token: 'placeholder.token',
        ca: { crt: 'cGxhY2Vob2xkZXI=', key: 'cGxhY2Vob2xkZXI=' },
      },
    },
  ];
}

/** A worker from gen config 1.13: no node labels in the stored config. */
function worker113(): JsonMap[] {
  const [doc] = controlPlane113();
  const machine: JsonMap = { ...(doc?.machine as JsonMap), type: 'worker' };
  delete machine.nodeLabels;
  return [{ ...doc, machine }];
}

const withDisks = planNode({ disks: ['/dev/nvme1n1'] });

function merged(stored: readonly JsonMap[], documents: readonly unknown[]): JsonMap[] {
  return mergeDocuments(stored, documents as JsonMap[]);
}

describe('a 1.13-origin control plane upgraded to 1.14', () => {
  it('is refused by Talos with a KubeNodeConfig (the failure config origin prevents)', () => {
    const patch = renderTalosDocuments(withDisks, '1.14');
    expect(talosRefuses(merged(controlPlane113(), patch))).toMatch(/machine\.nodeLabels/);
  });

  it('with configOrigin 1.13 keeps labels in machine.nodeLabels, which Talos accepts', () => {
    const patch = renderTalosDocuments(withDisks, '1.14', {
      nodeMetadata: nodeMetadataForm('1.14', '1.13'),
    });
    const config = merged(controlPlane113(), patch);
    expect(talosRefuses(config)).toBeUndefined();
    const machine = config[0]?.machine as JsonMap;
    expect(machine.nodeLabels).toEqual({
      [EXCLUDE_LB]: '',
      'node.longhorn.io/create-default-disk': 'config',
    });
    expect(Object.keys(machine.nodeAnnotations as JsonMap)).toEqual([
      'node.longhorn.io/default-disks-config',
    ]);
    // Modules and sysctls keep their 1.14 documents: they merge with the old fields.
    const kinds = config.map((doc) => doc.kind);
    expect(kinds).toContain('KernelModuleConfig');
    expect(kinds).toContain('SysctlConfig');
    expect(kinds).not.toContain('KubeNodeConfig');
    expect(machine.kernel).toBeUndefined();
    expect(machine.sysctls).toBeUndefined();
  });

  it('configOriginOf reads the same answer from the stored config (what apply uses)', () => {
    expect(configOriginOf(controlPlane113())).toBe('machine-fields');
    expect(configOriginOf(worker113())).toBe('kube-node-config');
    const fresh114: JsonMap[] = [
      worker113()[0] ?? {},
      { apiVersion: 'v1alpha1', kind: 'KubeNodeConfig', labels: { a: 'b' } },
    ];
    expect(configOriginOf(fresh114)).toBe('kube-node-config');
    for (const stored of [controlPlane113(), worker113(), fresh114]) {
      const patch = renderTalosDocuments(withDisks, '1.14', {
        nodeMetadata: configOriginOf(stored),
      });
      expect(talosRefuses(merged(stored, patch))).toBeUndefined();
    }
    expect(() => configOriginOf([])).toThrow(/no documents/);
  });

  it('any stored v1alpha1 config with any of the conflicting fields: never refused', () => {
    const fields = fc.record(
      {
        nodeLabels: fc.constant({}),
        nodeAnnotations: fc.constant({ a: 'b' }),
        nodeIP: fc.constant<JsonMap>({ validSubnets: ['10.0.0.0/8'] }),
        registerWithFQDN: fc.boolean(),
        allowSchedulingOnControlPlanes: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fields, (f) => {
        const kubelet: JsonMap = {};
        if (f.nodeIP !== undefined) kubelet.nodeIP = f.nodeIP;
        if (f.registerWithFQDN !== undefined) kubelet.registerWithFQDN = f.registerWithFQDN;
        const machine: JsonMap = { type: 'worker', kubelet };
        if (f.nodeLabels !== undefined) machine.nodeLabels = f.nodeLabels;
        if (f.nodeAnnotations !== undefined) machine.nodeAnnotations = f.nodeAnnotations;
        const cluster: JsonMap =
          f.allowSchedulingOnControlPlanes === undefined
            ? {}
            : { allowSchedulingOnControlPlanes: f.allowSchedulingOnControlPlanes };
        const stored: JsonMap[] = [{ version: 'v1alpha1', machine, cluster }];
        const patch = renderTalosDocuments(withDisks, '1.14', {
          nodeMetadata: configOriginOf(stored),
        });
        expect(talosRefuses(merged(stored, patch))).toBeUndefined();
      }),
    );
  });

  it('an origin newer than the target is refused', () => {
    expect(() => checkConfigOrigin('1.13', '1.14', 'configOrigin')).toThrow(
      /^configOrigin: Talos 1\.14 is newer than the target Talos 1\.13/,
    );
  });
});

describe('every target/origin combination against the official schemas', () => {
  const pairs: [TalosVersion, TalosVersion][] = SUPPORTED_TALOS_VERSIONS.flatMap((target) =>
    SUPPORTED_TALOS_VERSIONS.filter((o) => versionIndex(o) <= versionIndex(target)).map(
      (origin): [TalosVersion, TalosVersion] => [target, origin],
    ),
  );
  for (const [target, origin] of pairs) {
    itWithShared(`target ${target}, config created by ${origin}`, () => {
      const needs = planNode({ disks: ['/dev/nvme1n1'], dataPath: true });
      const form = nodeMetadataForm(target, origin);
      const documents = renderTalosDocuments(needs, target, { nodeMetadata: form });
      for (const document of documents) {
        const legacyOn114 = 'machine' in document && supports(target, 'kubeNodeConfig');
        if (legacyOn114) {
          // 1.14 still parses machine.nodeLabels/nodeAnnotations but its schema no longer lists
          // them (FACTS §8): the document holds exactly those, in the origin's schema form.
          expect(Object.keys(document.machine).sort()).toEqual(['nodeAnnotations', 'nodeLabels']);
          expect(schemaErrors(origin, document)).toEqual([]);
          expect(schemaErrors(target, document)).not.toEqual([]);
        } else {
          expect(schemaErrors(target, document), JSON.stringify(document)).toEqual([]);
        }
      }
      const kinds = documents.map((d) => ('kind' in d ? d.kind : 'v1alpha1'));
      expect(kinds.includes('KubeNodeConfig')).toBe(
        supports(target, 'kubeNodeConfig') && supports(origin, 'kubeNodeConfig'),
      );
    });
  }
});
