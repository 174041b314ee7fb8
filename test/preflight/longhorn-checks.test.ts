import { describe, expect, it } from 'vitest';
import { planNode } from '../../src/longhorn/plan.js';
import { SUPPORTED_LONGHORN_VERSIONS } from '../../src/longhorn/versions.js';
import { preflightChecks } from '../../src/preflight/checks/index.js';
import { collectFacts } from '../../src/preflight/collect.js';
import { type NodeFacts, observed } from '../../src/preflight/facts.js';
import { type KubeNodeFact, parseKubeNode, parseQuantity } from '../../src/preflight/kube-node.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';
import { errorOf } from '../helpers/errors.js';
import { FIXTURE_DISK, HEALTHY_FIXTURE } from './fixture-nodes.js';

const healthy: NodeFacts = await collectFacts(await LocalRootReader.open(HEALTHY_FIXTURE, 'n'));

function run(
  id: string,
  needs = planNode({ disks: [FIXTURE_DISK] }),
  kube?: KubeNodeFact,
  facts = healthy,
) {
  const check = preflightChecks({ kubeNodeFor: () => kube }).find((c) => c.id === id);
  if (check === undefined) throw new Error(`no check ${id}`);
  return check.run(facts, needs);
}

/** `kubectl get node -o json` as the API server returns it (trimmed to what matters). */
function kubeNode(hugepages: string | undefined): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'w1' },
    status: {
      capacity: {
        cpu: '8',
        memory: '32839324Ki',
        pods: '110',
        'hugepages-1Gi': '0',
        ...(hugepages === undefined ? {} : { 'hugepages-2Mi': hugepages }),
      },
    },
  };
}

describe('longhorn-version', () => {
  it('warns on 1.8 with a PCI disk (longhorn#10313, fixed in 1.9), passes from 1.9', () => {
    const on18 = run('longhorn-version', planNode({ disks: [FIXTURE_DISK] }, '1.8'));
    expect(on18.status).toBe('warn');
    expect(on18.message).toMatch(/longhorn#10313, fixed in Longhorn 1\.9/);
    expect(on18.remedy).toMatch(/--longhorn-version/);
    const noExtension = run(
      'longhorn-version',
      planNode({ disks: [FIXTURE_DISK], extension: false }, '1.8'),
    );
    expect(noExtension.message).toMatch(/extension is not configured/);
    // AIO disks do not run SPDK's setup, so /dev/fd does not matter.
    expect(run('longhorn-version', planNode({ disks: ['/dev/nvme1n1'] }, '1.8')).status).toBe(
      'pass',
    );
    for (const version of SUPPORTED_LONGHORN_VERSIONS.slice(1)) {
      expect(run('longhorn-version', planNode({ disks: [FIXTURE_DISK] }, version)).status).toBe(
        'pass',
      );
    }
  });
});

describe('kubelet-hugepages', () => {
  it('reads quantities and Node objects', () => {
    expect(parseQuantity('2Gi', 'f')).toBe(2 * 2 ** 30);
    expect(parseQuantity('4096Mi', 'f')).toBe(4 * 2 ** 30);
    expect(parseQuantity('2147483648', 'f')).toBe(2 ** 31);
    expect(parseQuantity('1.5Gi', 'f')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2G', 'f')).toBe(2e9);
    expect(() => parseQuantity('2 Gi', '--kube-node')).toThrow(
      /--kube-node: "2 Gi" is not a Kubernetes quantity/,
    );
    expect(parseKubeNode(kubeNode('4Gi'), 'f')).toEqual({
      name: 'w1',
      hugepages2MiBytes: 4 * 2 ** 30,
    });
    expect(parseKubeNode(kubeNode(undefined), 'f').hugepages2MiBytes).toBe(0);
    expect(() => parseKubeNode({ kind: 'Pod' }, '--kube-node')).toThrow(
      /--kube-node: expected a Kubernetes Node/,
    );
  });

  it('refuses a Node object without a name or capacity, naming the field and the node', () => {
    const node = kubeNode('4Gi') as { metadata: object; status: object };
    const error = (value: unknown) => errorOf(() => parseKubeNode(value, '--kube-node'));
    expect(error({ ...node, metadata: {} })).toMatchObject({
      code: 'invalid-input',
      field: '--kube-node',
      detail: 'metadata.name is missing; expected a Kubernetes Node object',
    });
    expect(error({ ...node, status: {} }).message).toBe(
      '--kube-node: status.capacity of node w1 is missing',
    );
    expect(error({ ...node, status: { capacity: { 'hugepages-2Mi': 4096 } } }).message).toBe(
      '--kube-node: status.capacity["hugepages-2Mi"] of node w1 is not a quantity',
    );
  });

  it('quantities: decimal and binary suffixes as Kubernetes reads them; no milli, no exponent', () => {
    expect(parseQuantity('1k', 'f')).toBe(1000);
    expect(parseQuantity('1Ki', 'f')).toBe(1024);
    expect(parseQuantity('0.5Mi', 'f')).toBe(2 ** 19);
    expect(parseQuantity('3T', 'f')).toBe(3e12);
    for (const text of ['500m', '1e3', '-1Gi', '', '2gi']) {
      expect(errorOf(() => parseQuantity(text, 'f')).detail).toMatch(
        /is not a Kubernetes quantity/,
      );
    }
    // Beyond 2^53 bytes the count would no longer be exact.
    expect(errorOf(() => parseQuantity('9Ei', 'f')).message).toBe('f: 9Ei is out of range');
  });

  it('fails below the memory size, warns below the planned pages, says to restart kubelet', () => {
    // Planned: 2048 MiB for the engine + 1024 pages for SPDK's NVMe driver = 2048 pages (4 GiB).
    const needs = planNode({ disks: [FIXTURE_DISK] });
    expect(run('kubelet-hugepages', needs).status).toBe('skip');
    const none = run('kubelet-hugepages', needs, parseKubeNode(kubeNode('0'), 'f'));
    expect(none.status).toBe('fail');
    // The healthy node has 2048 pages reserved: kubelet started before they were.
    expect(none.message).toBe(
      "Kubernetes node w1 reports hugepages-2Mi 0 MiB while the node has 2048 pages reserved, less than the 2048 MiB Longhorn's v2 instance manager requests",
    );
    expect(none.remedy).toBe(
      'restart kubelet so it reads the huge pages again: talosctl -n n service kubelet restart',
    );
    const partial = run('kubelet-hugepages', needs, parseKubeNode(kubeNode('2Gi'), 'f'));
    expect(partial.status).toBe('warn');
    expect(partial.message).toMatch(/less than the 4096 MiB planned \(2048 pages\)/);
    expect(run('kubelet-hugepages', needs, parseKubeNode(kubeNode('4Gi'), 'f')).status).toBe(
      'pass',
    );
    // Fewer pages on the node than planned: reserve them first, then restart.
    const few = run('kubelet-hugepages', needs, parseKubeNode(kubeNode('0'), 'f'), {
      ...healthy,
      hugepages: observed({ total: 0, free: 0, pageSizeKiB: 2048 }, 'x'),
    });
    expect(few.remedy).toMatch(/vm\.nr_hugepages=2048.*talosctl -n n service kubelet restart/);
  });
});
