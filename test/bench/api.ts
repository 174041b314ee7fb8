// Benchmark: identities of 100 nodes through one endpoint whose server adds 50 ms to every call,
// against one node through the same endpoint (target: 100 nodes ≤ 2× one node).
// Run: npx tsx test/bench/api.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TalosClient } from '../../src/api/client.js';
import { type FileCheckMode, readNodeIdentity } from '../../src/api/node-identity.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { mapLimited } from '../../src/concurrency.js';
import { encodeBase62 } from '../../src/identity/index.js';
import { type KeyPairPem, mintTestPki } from '../helpers/pki.js';
import { type FakeNode, startFakeTalos, talosconfigText } from '../helpers/talos-server.js';
import { formatMs, median } from './stats.js';

const NODES = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const pki = mintTestPki();
const nodes: Record<string, FakeNode> = {};
for (let i = 0; i < NODES; i++) {
  const nodeId = encodeBase62(new Uint8Array(32).fill(i + 1));
  nodes[`10.0.${i >> 8}.${i & 255}`] = {
    resources: [
      { namespace: 'cluster', type: 'Identities.cluster.talos.dev', id: 'local', spec: { nodeId } },
    ],
  };
}
const names = Object.keys(nodes);

/** Serve the nodes from another process (a real apid is another machine), or in this one. */
async function startServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const options = { ca: pki.ca, server: pki.server, nodes, latencyMs: LATENCY_MS };
  if (process.env.BENCH_IN_PROCESS) return startFakeTalos(options);
  const script = fileURLToPath(new URL('./fake-apid-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(options));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    endpoint: `127.0.0.1:${line.toString().trim()}`,
    close: async () => {
      child.kill();
    },
  };
}
const server = await startServer();

async function measure(client: TalosClient, count: number, check: FileCheckMode): Promise<number> {
  const start = process.hrtime.bigint();
  await mapLimited(names.slice(0, count), 256, (node) => readNodeIdentity(client, node, check));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function compare(label: string, cert: KeyPairPem) {
  const text = talosconfigText({ ca: pki.ca, client: cert, endpoints: [server.endpoint] });
  const client = TalosClient.fromContext(parseTalosConfig(text, { source: 'bench' }));
  await measure(client, 1, 'never'); // connect and warm up once
  const one: number[] = [];
  const many: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    one.push(await measure(client, 1, 'never'));
    const before = process.cpuUsage();
    many.push(await measure(client, NODES, 'never'));
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  client.close();
  const ratio = median(many) / median(one);
  console.log(
    `${label}: 1 node ${formatMs(median(one))}, ${NODES} nodes ${formatMs(median(many))}, ratio ${ratio.toFixed(2)} (target ≤ 2.00; median of ${RUNS}, ${LATENCY_MS} ms added per call); client CPU for ${NODES} nodes ${formatMs(median(cpu))}`,
  );
}

await compare('identities (COSI Get, os:reader)', pki.reader);
await server.close();
