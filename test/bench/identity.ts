// Benchmark: start-up of `talos-longhorn identity` against a bare `node -e 0`, measured side by
// side (alternating runs), and derivations per second through the library.
// Run: npm run build && npx tsx test/bench/identity.ts
import { fileURLToPath } from 'node:url';
import { deriveIdentity } from '../../src/index.js';
import { formatMs, median, timeCommand } from './stats.js';

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
