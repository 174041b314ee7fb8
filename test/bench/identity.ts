// Benchmark: start-up of `talos-longhorn identity` against a bare `node -e 0`, measured side by
// side (alternating runs), derivations per second through the library, and identities of 1
// against 100 nodes over the Talos API, cold.
// Run: npm run build && npx tsx test/bench/identity.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBase62 } from '../../src/identity/index.js';
import { deriveIdentity } from '../../src/index.js';
import { mintTestPki } from '../helpers/pki.js';
import { type FakeNode, talosconfigText } from '../helpers/talos-server.js';
import { startFakeApidProcess } from './fake-apid-process.js';
import { compareFleet, formatMs, median, timeCommand, timeCommandCpu } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const cli = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const machineId = 'be871ac0d0dd31fa4caca753b0f3f1b2';

const bare: number[] = [];
const ours: number[] = [];
timeCommand(process.execPath, [cli, 'identity', '--machine-id', machineId]); // warm the page cache
for (let i = 0; i < RUNS; i++) {
  bare.push(timeCommand(process.execPath, ['-e', '0']));
  ours.push(timeCommand(process.execPath, [cli, 'identity', '--machine-id', machineId]));
}
const ratio = median(ours) / median(bare);
console.log(
  `start-up (median of ${RUNS}): node -e 0 ${formatMs(median(bare))}, identity ${formatMs(median(ours))}, ratio ${ratio.toFixed(2)} (target ≤ 1.50)`,
);

const COUNT = 100_000;
const ids: string[] = [];
for (let i = 0; i < COUNT; i++) ids.push(i.toString(16).padStart(32, '0'));
const start = process.hrtime.bigint();
let sink = 0;
for (const id of ids) sink += deriveIdentity({ machineId: id }).hostNqn.length;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `library: ${COUNT} derivations in ${formatMs(seconds * 1000)} → ${Math.round(COUNT / seconds).toLocaleString('en-US')} per second (checksum ${sink})`,
);

// Cold `identity --talosconfig … --nodes` over the Talos API: a fresh CLI process per run, one
// node against 100 nodes through one endpoint of the fake apid (its own process, pre-encoded
// replies, 50 ms added per call), runs interleaved; wall time and the CLI's own CPU.
const NODES = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const REMOTE_RUNS = Math.max(7, Number(process.env.BENCH_RUNS ?? 9));
const pki = mintTestPki();
const fleet: Record<string, FakeNode> = {};
for (let i = 0; i < NODES; i++) {
  const nodeId = encodeBase62(new Uint8Array(32).fill(i + 1));
  fleet[`10.0.${i >> 8}.${i & 255}`] = {
    resources: [
      { namespace: 'cluster', type: 'Identities.cluster.talos.dev', id: 'local', spec: { nodeId } },
    ],
  };
}
const server = await startFakeApidProcess({
  ca: pki.ca,
  server: pki.server,
  nodes: fleet,
  latencyMs: LATENCY_MS,
});
const dir = await mkdtemp(join(tmpdir(), 'tl-bench-identity-'));
try {
  const config = join(dir, 'talosconfig');
  await writeFile(
    config,
    talosconfigText({ ca: pki.ca, client: pki.reader, endpoints: [server.endpoint] }),
  );
  const names = Object.keys(fleet);
  const run = (count: number) =>
    timeCommandCpu(process.execPath, [
      cli,
      'identity',
      '--talosconfig',
      config,
      '-n',
      names.slice(0, count).join(','),
    ]);
  const r = compareFleet(run, NODES, REMOTE_RUNS);
  console.log(
    `identity over the API, cold (median of ${REMOTE_RUNS}, ${LATENCY_MS} ms added per call): 1 node ${formatMs(r.oneMs)}, ${NODES} nodes ${formatMs(r.manyMs)}, ratio ${r.ratio.toFixed(2)} (target ≤ 1.60); client CPU per extra node ${r.cpuPerNodeMs.toFixed(3)} ms (target ≤ 0.6)`,
  );
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
