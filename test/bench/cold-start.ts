// Cold start of every command, side by side with `node -e 0`: a fresh process per run, runs
// interleaved so that load on the machine hits both alike, medians compared. Terraform starts
// one process per data source and bootstrap scripts one per node, so the target is <= 1.5x.
//   npx tsx test/bench/cold-start.ts [BIN]   (BIN: a built dist/cli/bin.js; default this one)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMs, median, timeCommand } from './stats.js';

const bin = process.argv[2] ?? fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const plan = fileURLToPath(new URL('../../examples/talosctl/plan.yaml', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const out = mkdtempSync(join(tmpdir(), 'talos-longhorn-bench-'));
const query = join(out, 'query.json');
writeFileSync(query, '{"machine_id":"0123456789abcdef0123456789abcdef","disks":"0000:01:00.0"}');

const COMMANDS: Record<string, readonly string[]> = {
  identity: ['identity', '--machine-id', '0123456789abcdef0123456789abcdef'],
  schematic: ['schematic'],
  terraform: ['-c', `node ${bin} terraform < ${query}`],
  patch: ['patch', '--disk', '0000:01:00.0', '--memory-size', '4096'],
  generate: ['generate', plan, '--out', join(out, 'generated')],
};

function runOf(name: string, args: readonly string[]): () => number {
  if (name === 'terraform') {
    // stdin from a file through sh; the baseline pays for the same sh.
    return () => timeCommand('sh', args);
  }
  if (name === 'generate') {
    return () => {
      rmSync(join(out, 'generated'), { recursive: true, force: true });
      return timeCommand(process.execPath, [bin, ...args]);
    };
  }
  return () => timeCommand(process.execPath, [bin, ...args]);
}

const baseline = () => timeCommand(process.execPath, ['-e', '0']);
const shBaseline = () => timeCommand('sh', ['-c', `node -e 0 < ${query}`]);

console.log(`cold start, median of ${RUNS} fresh processes (bin: ${bin})`);
for (const [name, args] of Object.entries(COMMANDS)) {
  const run = runOf(name, args);
  const base = name === 'terraform' ? shBaseline : baseline;
  run();
  base();
  const times: number[] = [];
  const bases: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bases.push(base());
    times.push(run());
  }
  const ratio = median(times) / median(bases);
  console.log(
    `  ${name.padEnd(10)} ${formatMs(median(times)).padStart(9)}  node -e 0 ${formatMs(median(bases)).padStart(9)}  ${ratio.toFixed(2)}x${ratio <= 1.5 ? '' : '  (over 1.5x)'}`,
  );
}
rmSync(out, { recursive: true, force: true });
