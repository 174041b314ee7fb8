// The fake apid of the API benchmarks in its own process, as a real apid runs on its own
// machine: reads {ca, server, nodes, latencyMs} as JSON on stdin, serves pre-encoded replies,
// prints the port, serves until killed. `startFakeApidProcess` starts it from a benchmark.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FakeTalosOptions } from '../helpers/talos-server.js';

export async function startFakeApidProcess(
  options: FakeTalosOptions,
): Promise<{ endpoint: string; close(): void }> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify({ ...options, preEncode: true }));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { endpoint: `127.0.0.1:${line.toString().trim()}`, close: () => child.kill() };
}

if (process.argv.includes('--serve')) {
  const { startFakeTalos } = await import('../helpers/talos-server.js');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const server = await startFakeTalos(input);
  process.stdout.write(`${server.port}\n`);
}
