// Benchmark: `talos-longhorn preflight` over the Talos API, cold (a fresh CLI process per run),
// one node against 100 fixture nodes through one endpoint, one-to-one calls only. The fake apid
// runs in its own process (pre-encoded replies, 50 ms added per call); runs are interleaved,
// medians. Also counts the calls each node costs (from the fake's call log, in process).
// Run: npm run build && npx tsx test/bench/preflight.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planNode } from '../../src/longhorn/plan.js';
import { preflightNodes } from '../../src/preflight/run.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { type FakeNode, talosconfigText } from '../helpers/talos-server.js';
import { clientFor, pki, startFake } from '../preflight/api-harness.js';
import {
  buildFixtureNode,
  FIXTURE_DISK,
  fakeNodeFor,
  VARIANT_NAMES,
} from '../preflight/fixture-nodes.js';
import { startFakeApidProcess } from './fake-apid-process.js';
import { compareFleet, formatMs, timeCommandCpu } from './stats.js';

const NODES = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const RUNS = Math.max(7, Number(process.env.BENCH_RUNS ?? 7));
const cli = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'tl-bench-preflight-'));
const nodes: Record<string, FakeNode> = {};
for (let i = 0; i < NODES; i++) {
  const variant = VARIANT_NAMES[i % VARIANT_NAMES.length] ?? 'healthy-1.13';
  const name = `node-${String(i).padStart(3, '0')}`;
  nodes[name] = await fakeNodeFor(await buildFixtureNode(variant, join(dir, name)));
}
const names = Object.keys(nodes);

// Calls per node, by role, counted by the fake apid (in this process, no latency).
const counter = await startFake(nodes);
const needs = planNode({ disks: [FIXTURE_DISK], dataPath: true });
for (const role of ['admin', 'reader'] as const) {
  const client = clientFor(counter, role);
  const perNode: string[] = [];
  for (const allFacts of [false, true]) {
    const before = counter.calls.length;
    await preflightNodes(
      names.map((node) => ({ node, needs, open: async () => new TalosApiReader(client, node) })),
      { allFacts },
    );
    const calls = counter.calls.slice(before);
    const fanOut = calls.filter((c) => c.fanOut).length;
    perNode.push(`${(calls.length / NODES).toFixed(1)}${fanOut > 0 ? ` (${fanOut} fan-out)` : ''}`);
  }
  console.log(
    `calls per node (os:${role}): ${perNode[0]} with the plan's facts, ${perNode[1]} with every fact`,
  );
  client.close();
}
await counter.close();

const server = await startFakeApidProcess({
  ca: pki.ca,
  server: pki.server,
  nodes,
  latencyMs: LATENCY_MS,
});
try {
  const config = join(dir, 'talosconfig');
  await writeFile(
    config,
    talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [server.endpoint] }),
  );
  const run = (count: number) =>
    timeCommandCpu(
      process.execPath,
      [
        cli,
        'preflight',
        '--talosconfig',
        config,
        '-n',
        names.slice(0, count).join(','),
        '--disk',
        FIXTURE_DISK,
        '--data-path',
        '--output',
        'json',
        '--timeout',
        '2m',
      ],
      [0, 1, 3],
      (stdout) => {
        const broken = (
          JSON.parse(stdout) as { nodes: { node: string; error?: string }[] }
        ).nodes.filter((node) => node.error !== undefined);
        return broken.length === 0 ? undefined : `${broken[0]?.node}: ${broken[0]?.error}`;
      },
    );
  const r = compareFleet(run, NODES, RUNS);
  console.log(
    `preflight over the API, cold, os:admin (median of ${RUNS}, ${LATENCY_MS} ms added per call): 1 node ${formatMs(r.oneMs)}, ${NODES} nodes ${formatMs(r.manyMs)}, ratio ${r.ratio.toFixed(2)} (target ≤ 5.00); client CPU per extra node ${r.cpuPerNodeMs.toFixed(2)} ms (target ≤ 3)`,
  );
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
