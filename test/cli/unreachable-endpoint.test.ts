import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/cli.js';
import { mintTestPki } from '../helpers/pki.js';
import { talosconfigText } from '../helpers/talos-server.js';

/**
 * An endpoint that drops connection attempts, as a firewall or a powered-off node does: a
 * listener in a stopped process whose accept queue is full, so the kernel ignores further SYNs
 * and a connect() stays pending for minutes (the kernel's SYN retries).
 */
async function droppingEndpoint(): Promise<{ port: number; close: () => void }> {
  const listener = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () {
        process.stdout.write(this.address().port + '\\n');
      });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    listener.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    listener.once('exit', () => reject(new Error('listener exited')));
  });
  listener.kill('SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    close: () => {
      for (const socket of fillers) socket.destroy();
      listener.kill('SIGKILL');
    },
  };
}

function run(args: string[], guardMs: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [cliPath, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, stderr });
    });
  });
}

describe('an endpoint that drops connection attempts', () => {
  let dir: string;
  let endpoint: { port: number; close: () => void };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-dropping-'));
    endpoint = await droppingEndpoint();
    const pki = mintTestPki();
    await writeFile(
      join(dir, 'talosconfig'),
      talosconfigText({
        ca: pki.ca,
        client: pki.admin,
        endpoints: [`127.0.0.1:${endpoint.port}`],
      }),
    );
  });
  afterAll(async () => {
    endpoint?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the command at its timeout and the process ends then, not when the kernel gives up', async () => {
    // The guard is far below the kernel's SYN retry time (about two minutes): a process kept
    // alive by the pending connect is killed by it and has no exit status.
    const result = await run(
      ['identity', '--talosconfig', join(dir, 'talosconfig'), '-n', '10.5.0.2', '--timeout', '1s'],
      30_000,
    );
    expect(result.stderr).toMatch(
      /^talos-longhorn: node 10\.5\.0\.2: .* did not finish within 1000 ms/,
    );
    expect(result.status).toBe(3);
  }, 40_000);
});
