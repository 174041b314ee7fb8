// Benchmark: preflight of 100 fixture nodes over the Talos API, with 50 ms added to every call
// by the fake apid, against one node's time (target: no more than 2×). Runs the library as the
// CLI does (TalosApiReader over TalosClient, nodes checked concurrently), after a warm-up so
// both figures share an open connection.
// Run: npx tsx test/bench/preflight.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planNode } from '../../src/longhorn/plan.js';
import {
  DEFAULT_CONCURRENCY,
  type PreflightTarget,
  preflightNodes,
} from '../../src/preflight/run.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { clientFor, startFake } from '../preflight/api-harness.js';
import {
  buildFixtureNode,
  FIXTURE_DISK,
  fakeNodeFor,
  VARIANT_NAMES,
} from '../preflight/fixture-nodes.js';
import { formatMs, median } from './stats.js';

const NODES = 100;
const LATENCY_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const dir = await mkdtemp(join(tmpdir(), 'tl-bench-preflight-'));
try {
  const nodes: Record<string, Awaited<ReturnType<typeof fakeNodeFor>>> = {};
  const names: string[] = [];
  for (let i = 0; i < NODES; i++) {
    const variant = VARIANT_NAMES[i % VARIANT_NAMES.length] ?? 'healthy-1.13';
    const name = `node-${String(i).padStart(3, '0')}`;
    nodes[name] = await fakeNodeFor(await buildFixtureNode(variant, join(dir, name)));
    names.push(name);
  }
  const server = await startFake(nodes, LATENCY_MS);
  // The CLI sizes the client the same way: every node's probes in flight at once.
  const client = clientFor(server, 'admin', Math.min(NODES, DEFAULT_CONCURRENCY) * 20);
  const needs = planNode({ disks: [FIXTURE_DISK], dataPath: true });
  const targets = names.map(
    (node): PreflightTarget => ({
      node,
      needs,
      open: async () => new TalosApiReader(client, node),
    }),
  );
  const time = async (list: readonly PreflightTarget[]) => {
    const start = process.hrtime.bigint();
    const report = await preflightNodes(list);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (report.nodes.some((node) => node.error !== undefined)) throw new Error('a node failed');
    return ms;
  };
  await time(targets.slice(0, 1)); // warm-up: TLS handshake, module loading
  const one: number[] = [];
  const all: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    one.push(await time(targets.slice(0, 1)));
    all.push(await time(targets));
  }
  const ratio = median(all) / median(one);
  console.log(
    `preflight over the API, ${LATENCY_MS} ms per call (median of ${RUNS}): 1 node ${formatMs(median(one))}, ${NODES} nodes ${formatMs(median(all))}, ratio ${ratio.toFixed(2)} (target ≤ 2.00); ${server.calls.length} calls served`,
  );
  client.close();
  await server.close();
  if (ratio > 2) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
