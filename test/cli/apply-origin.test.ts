// `patch --apply` and `apply` on Talos 1.14 nodes whose config was created by an older Talos:
// the node's stored config decides the label form, judged by Talos's conflict rule (FACTS §8:
// a KubeNodeConfig is refused while the stored v1alpha1 config sets .machine.nodeLabels, …).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { mintTestPki } from '../helpers/pki.js';
import {
  type AppliedConfig,
  type FakeNode,
  type FakeTalos,
  startFakeTalos,
  talosconfigText,
} from '../helpers/talos-server.js';

const pki = mintTestPki();
// What `gen config` ≤ 1.13 writes on a control plane (FACTS §8), trimmed to what matters here.
const UPGRADED_CONTROL_PLANE = `version: v1alpha1
machine:
  type: controlplane
  nodeLabels:
    node.kubernetes.io/exclude-from-external-load-balancers: ""
`;
// A config created by 1.14 itself: no v1alpha1 label fields.
const FRESH_WORKER = `version: v1alpha1
machine:
  type: worker
`;

const nodes: Record<string, FakeNode & { applied: AppliedConfig[] }> = {};
let server: FakeTalos;
let dir: string;
let cfg: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-apply-origin-'));
  nodes.cp = { tag: 'v1.14.0-rc.1', machineConfig: UPGRADED_CONTROL_PLANE, applied: [] };
  nodes.worker = { tag: 'v1.14.0-rc.1', machineConfig: FRESH_WORKER, applied: [] };
  server = await startFakeTalos({ ca: pki.ca, server: pki.server, nodes });
  cfg = join(dir, 'talosconfig');
  await writeFile(
    cfg,
    talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [server.endpoint] }),
  );
});
beforeEach(() => {
  for (const node of Object.values(nodes)) node.applied.length = 0;
  if (nodes.cp) nodes.cp.machineConfig = UPGRADED_CONTROL_PLANE;
  if (nodes.worker) nodes.worker.machineConfig = FRESH_WORKER;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Talos 1.14's rule as FACTS §8 states it, written here independently of our code. */
function talos114Refuses(documents: readonly Record<string, unknown>[]): boolean {
  const v1alpha1 = documents.find((doc) => doc.kind === undefined) as
    | { machine?: Record<string, unknown> }
    | undefined;
  const machine = v1alpha1?.machine ?? {};
  const legacy = 'nodeLabels' in machine || 'nodeAnnotations' in machine;
  return legacy && documents.some((doc) => doc.kind === 'KubeNodeConfig');
}

const sent = (name: string) =>
  parseAllDocuments(nodes[name]?.applied.at(-1)?.data ?? '').map(
    (d) => d.toJS() as Record<string, unknown>,
  );

/** `patch --apply` of a 1.14 patch with node labels (v2 off) to one node. */
const patchApply = (node: string) =>
  runCli([
    'patch',
    '--talos-version',
    '1.14',
    '--disable-v2',
    '--apply',
    '--talosconfig',
    cfg,
    '-n',
    node,
  ]);

describe('config origin decided from the node', () => {
  it('patch --apply keeps labels in machine.nodeLabels on an upgraded control plane', async () => {
    const result = await patchApply('cp');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const documents = sent('cp');
    expect(talos114Refuses(documents)).toBe(false);
    const machine = (documents[0] as { machine: { nodeLabels: Record<string, string> } }).machine;
    expect(machine.nodeLabels['node.longhorn.io/disable-v2-data-engine']).toBe('true');
    // Modules and sysctls keep their 1.14 documents; they merge with old fields (FACTS §8).
    expect(documents.some((doc) => doc.kind === 'KernelModuleConfig')).toBe(true);
  });

  it('patch --apply uses KubeNodeConfig on a node whose config has no old label fields', async () => {
    const result = await patchApply('worker');
    expect(result.status).toBe(0);
    const documents = sent('worker');
    expect(talos114Refuses(documents)).toBe(false);
    expect(documents.some((doc) => doc.kind === 'KubeNodeConfig')).toBe(true);
  });

  it('apply of a fixed KubeNodeConfig patch to an upgraded control plane: exit 2, nothing sent', async () => {
    const patch = await runCli(['patch', '--talos-version', '1.14', '--disable-v2']);
    expect(patch.status).toBe(0);
    const file = join(dir, 'kube-node.yaml');
    await writeFile(file, patch.stdout);
    const result = await runCli(['apply', file, '--talosconfig', cfg, '-n', 'cp']);
    expect(expectOneLineFailure(result, 2)).toMatch(
      /node cp: its stored config sets \.machine\.nodeLabels, so Talos refuses the patch's KubeNodeConfig/,
    );
    expect(nodes.cp?.applied).toEqual([]);
  });
});
