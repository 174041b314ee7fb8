// Benchmark: preflight of 100 fixture nodes over the Talos API, with 50 ms added to every call
// by the fake apid, against one node's time (target: no more than 2×). The client side runs as
// the CLI does (TalosApiReader over TalosClient, nodes concurrently, the client sized for every
// node's probes in flight); the fake apid runs in its own process, as apid runs on the node.
// Both figures are taken on a warm connection. Run: npx tsx test/bench/preflight.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TalosClient } from '../../src/api/client.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { planNode } from '../../src/longhorn/plan.js';
import {
  DEFAULT_CONCURRENCY,
  type PreflightTarget,
  preflightNodes,
} from '../../src/preflight/run.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { type FakeNode, talosconfigText } from '../helpers/talos-server.js';
import { pki } from '../preflight/api-harness.js';
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
/** Version, 8 file reads, 5 listings, 6 resource lists: what collectFacts asks of a node. */
const CALLS_PER_NODE = 20;

const dir = await mkdtemp(join(tmpdir(), 'tl-bench-preflight-'));
let fake: ReturnType<typeof spawn> | undefined;
try {
  const nodes: Record<string, FakeNode> = {};
  for (let i = 0; i < NODES; i++) {
    const variant = VARIANT_NAMES[i % VARIANT_NAMES.length] ?? 'healthy-1.13';
    const name = `node-${String(i).padStart(3, '0')}`;
    nodes[name] = await fakeNodeFor(await buildFixtureNode(variant, join(dir, name)));
  }
  // The fake apid of test/bench/api.ts, in its own process: a real apid is another machine.
  fake = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fake-apid-process.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const stdout = fake.stdout;
  if (stdout === null) throw new Error('no stdout from the fake apid');
  fake.stdin?.end(JSON.stringify({ ca: pki.ca, server: pki.server, nodes, latencyMs: LATENCY_MS }));
  const [line] = (await once(stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const context = parseTalosConfig(
    talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [`127.0.0.1:${port}`] }),
    { source: 'bench' },
  );
  // Sized as the CLI sizes it: every node's probes in flight at once.
  const client = TalosClient.fromContext(context, {
    concurrency: Math.min(NODES, DEFAULT_CONCURRENCY) * 20,
  });
  const needs = planNode({ disks: [FIXTURE_DISK], dataPath: true });
  const targets = Object.keys(nodes).map(
    (node): PreflightTarget => ({
      node,
      needs,
      open: async () => new TalosApiReader(client, node),
    }),
  );
  let clientCpuMs = 0;
  const time = async (list: readonly PreflightTarget[]) => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const report = await preflightNodes(list);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    clientCpuMs = (used.user + used.system) / 1000;
    const broken = report.nodes.find((node) => node.error !== undefined);
    if (broken) throw new Error(`${broken.node}: ${broken.error}`);
    return ms;
  };
  await time(targets); // warm-up: TLS handshake, module loading, JIT
  const one: number[] = [];
  const all: number[] = [];
  const allCpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    one.push(await time(targets.slice(0, 1)));
    all.push(await time(targets));
    allCpu.push(clientCpuMs);
  }
  const ratio = median(all) / median(one);
  console.log(
    `preflight over the API, ${LATENCY_MS} ms added per call (median of ${RUNS}): 1 node ${formatMs(median(one))}, ${NODES} nodes ${formatMs(median(all))}, ratio ${ratio.toFixed(2)} (target ≤ 2.00); client CPU for ${NODES} nodes ${formatMs(median(allCpu))} = ${formatMs(median(allCpu) / (NODES * CALLS_PER_NODE))} per call (${CALLS_PER_NODE} calls per node)`,
  );
  client.close();
  if (ratio > 2) process.exitCode = 1;
} finally {
  fake?.kill();
  await rm(dir, { recursive: true, force: true });
}
