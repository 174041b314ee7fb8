import { spawnSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Wall time of one run of a command, in milliseconds. */
export function timeCommand(command: string, args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return elapsed;
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** Run a command (a fresh process) and return its wall time and its own CPU time. */
export function timeCommandCpu(
  command: string,
  args: readonly string[],
  okStatuses: readonly number[] = [0],
  /** Given stdout, a reason the run is invalid (then it throws), or undefined. */
  invalid?: (stdout: string) => string | undefined,
): { ms: number; cpuMs: number } {
  // The child reports its own CPU use on exit (process.cpuUsage), on stderr's last line.
  const hook =
    "data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();writeSync(2,'\\nBENCH_CPU_US '+(u.user+u.system)+'\\n')})";
  const start = process.hrtime.bigint();
  const result = spawnSync(command, ['--import', hook, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const stderr = result.stderr.toString('utf8');
  const why = invalid?.(result.stdout.toString('utf8'));
  if (!okStatuses.includes(result.status ?? -1) || why !== undefined) {
    throw new Error(`${args[1] ?? ''} exited ${result.status}: ${why ?? stderr.slice(0, 400)}`);
  }
  const cpu = /BENCH_CPU_US (\d+)/.exec(stderr)?.[1];
  if (cpu === undefined) throw new Error('the child reported no CPU use');
  return { ms, cpuMs: Number(cpu) / 1000 };
}

/**
 * One node against `nodes` nodes, cold: `run(count)` starts a fresh process; runs alternate
 * (`runs` of each), medians. CPU per node is the difference spread over the extra nodes.
 */
export function compareFleet(
  run: (count: number) => { ms: number; cpuMs: number },
  nodes: number,
  runs: number,
): { oneMs: number; manyMs: number; ratio: number; cpuPerNodeMs: number } {
  run(nodes); // warm the page cache and the fake's replies
  const one: { ms: number; cpuMs: number }[] = [];
  const many: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    one.push(run(1));
    many.push(run(nodes));
  }
  const oneMs = median(one.map((r) => r.ms));
  const manyMs = median(many.map((r) => r.ms));
  const cpuPerNodeMs =
    (median(many.map((r) => r.cpuMs)) - median(one.map((r) => r.cpuMs))) / (nodes - 1);
  return { oneMs, manyMs, ratio: manyMs / oneMs, cpuPerNodeMs };
}
