// Benchmark: `talos-longhorn generate` for plans of 50, 500 and 5 000 nodes, each in its own
// process (as users run it): wall time and peak RSS of a first run into an empty directory and
// of a second run that finds every file already right. Linear scaling shows as a flat
// time-per-node column.
// Run: npm run build && npx tsx test/bench/generate.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMs, median } from './stats.js';

const SIZES = (process.env.BENCH_SIZES ?? '50,500,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const cli = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
// Reports the child's peak resident set size on exit.
const reportRss = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;

function planText(nodes: number): string {
  const lines = ['talosVersion: "1.11"', 'defaults:', '  memorySizeMiB: 2048', 'nodes:'];
  for (let i = 0; i < nodes; i++) {
    lines.push(`  - name: node-${i}`);
    if (i % 2 === 0) lines.push(`    machineId: "${i.toString(16).padStart(32, '0')}"`);
    lines.push(`    disks: ["0000:${(i % 256).toString(16).padStart(2, '0')}:00.0", /dev/nvme1n1]`);
    if (i % 3 === 0) lines.push('    memorySizeMiB: 4096');
  }
  return `${lines.join('\n')}\n`;
}

function runGenerate(plan: string, out: string): { ms: number; rssMiB: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ['--import', reportRss, cli, 'generate', plan, '--out', out],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`generate exited ${result.status}: ${result.stderr}`);
  const kib = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
  return { ms, rssMiB: kib / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'tl-bench-generate-'));
try {
  console.log('nodes   first run    per node   peak RSS   | second run (unchanged)  peak RSS');
  for (const nodes of SIZES) {
    const plan = join(dir, `plan-${nodes}.yaml`);
    writeFileSync(plan, planText(nodes));
    const first: { ms: number; rssMiB: number }[] = [];
    const second: { ms: number; rssMiB: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const out = join(dir, `out-${nodes}-${run}`);
      first.push(runGenerate(plan, out));
      second.push(runGenerate(plan, out));
      rmSync(out, { recursive: true, force: true });
    }
    const firstMs = median(first.map((r) => r.ms));
    const secondMs = median(second.map((r) => r.ms));
    console.log(
      [
        String(nodes).padStart(5),
        formatMs(firstMs).padStart(11),
        `${(firstMs / nodes).toFixed(3)} ms`.padStart(10),
        `${Math.max(...first.map((r) => r.rssMiB)).toFixed(0)} MiB`.padStart(9),
        '  |',
        formatMs(secondMs).padStart(22),
        `${Math.max(...second.map((r) => r.rssMiB)).toFixed(0)} MiB`.padStart(9),
      ].join('  '),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
