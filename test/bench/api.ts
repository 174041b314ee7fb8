// Benchmark: client CPU per call of the transport (@grpc/grpc-js carrying protobuf-es messages)
// against the previous one (@connectrpc/connect-node), side by side in one run: batches of COSI
// Get calls to 100 nodes through one endpoint, warm connections, the fake apid (pre-encoded
// replies, 50 ms added per call) in its own process. Runs alternate; medians.
// Run: npx tsx test/bench/api.ts
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { TalosClient } from '../../src/api/client.js';
import { State } from '../../src/api/gen/cosi/state_pb.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { TalosTransport } from '../../src/api/transport.js';
import { encodeBase62 } from '../../src/identity/index.js';
import { mintTestPki } from '../helpers/pki.js';
import { type FakeNode, talosconfigText } from '../helpers/talos-server.js';
import { startFakeApidProcess } from './fake-apid-process.js';
import { median } from './stats.js';

const NODES = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const IDENTITY = { namespace: 'cluster', type: 'Identities.cluster.talos.dev', id: 'local' };

const pki = mintTestPki();
const nodes: Record<string, FakeNode> = {};
for (let i = 0; i < NODES; i++) {
  const nodeId = encodeBase62(new Uint8Array(32).fill(i + 1));
  nodes[`10.0.${i >> 8}.${i & 255}`] = { resources: [{ ...IDENTITY, spec: { nodeId } }] };
}
const names = Object.keys(nodes);
const server = await startFakeApidProcess({
  ca: pki.ca,
  server: pki.server,
  nodes,
  latencyMs: LATENCY_MS,
});
const context = parseTalosConfig(
  talosconfigText({ ca: pki.ca, client: pki.reader, endpoints: [server.endpoint] }),
  { source: 'bench' },
);

// The previous transport, as src/api/transport.ts drove it before.
const key = context.credentials.privateKeyPem();
const cert = context.credentials.cert;
const baseUrl = `https://${server.endpoint}`;
const session = new Http2SessionManager(
  baseUrl,
  { idleConnectionTimeoutMs: 60_000 },
  {
    ca: context.credentials.ca,
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  },
);
const connect = createClient(State, createGrpcTransport({ baseUrl, sessionManager: session }));
const transport = new TalosTransport({
  endpoints: [server.endpoint],
  credentials: context.credentials,
  concurrency: NODES,
});
const client = TalosClient.fromContext(context, { concurrency: NODES });

const variants: Record<string, () => Promise<unknown>> = {
  'old: connect-node': () =>
    Promise.all(names.map((node) => connect.get(IDENTITY, { headers: { node } }))),
  'new: grpc-js + protobuf-es': () =>
    Promise.all(
      names.map((node) =>
        transport.unary({ node, call: 'Get', idempotent: true }, State.method.get, IDENTITY),
      ),
    ),
  'new, whole client (Get + yaml_spec parsed)': () =>
    Promise.all(
      names.map(async (node) => {
        const r = await client.getResource(node, IDENTITY.namespace, IDENTITY.type, IDENTITY.id);
        return r.spec;
      }),
    ),
};

const cpu: Record<string, number[]> = {};
for (const [name, run] of Object.entries(variants)) {
  cpu[name] = [];
  await run(); // connect and warm up
  await run();
}
for (let i = 0; i < RUNS; i++) {
  for (const [name, run] of Object.entries(variants)) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    cpu[name]?.push((used.user + used.system) / 1000 / NODES);
  }
}
console.log(
  `client CPU per call (COSI Get, ${NODES} calls per batch, warm, median of ${RUNS} interleaved batches, ${LATENCY_MS} ms added per call):`,
);
for (const [name, values] of Object.entries(cpu)) {
  console.log(`  ${name.padEnd(44)} ${median(values).toFixed(3)} ms`);
}
session.abort();
transport.close();
client.close();
server.close();
