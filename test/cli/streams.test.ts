// Writing stdout into a pipe whose reader went away, or onto a full device: real pipes and a
// real /dev/full, with the built CLI in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_ENVIRONMENT, EXIT_STDOUT_CLOSED } from '../../src/errors.js';
import { cliPath } from '../helpers/cli.js';

let dir: string;
let plan: string;
const NODES = 700;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-streams-'));
  // A summary table far larger than a pipe's 64 KiB buffer, so writing it must hit EPIPE.
  const lines = ['talosVersion: "1.11"', 'nodes:'];
  for (let i = 0; i < NODES; i++) {
    lines.push(`  - name: node-${i}`, `    machineId: "${i.toString(16).padStart(32, '0')}"`);
  }
  plan = join(dir, 'plan.yaml');
  await writeFile(plan, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `sh -c` with `tl` standing for the built CLI; bash for PIPESTATUS. */
function shell(script: string) {
  return spawnSync('bash', ['-c', `tl() { "${process.execPath}" "${cliPath}" "$@"; }\n${script}`], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe('stdout is a closed pipe', () => {
  it('generate … | head -1: one line through, exit 141, no trace, every file written', async () => {
    const result = shell(
      'tl generate plan.yaml --out out | head -1; echo "status $((PIPESTATUS[0]))" >&2',
    );
    expect(result.stdout).toMatch(/^NODE +IQN +HOST NQN/);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(result.stderr).toBe(`status ${EXIT_STDOUT_CLOSED}\n`);
    const files = await readdir(join(dir, 'out'));
    expect(files).toHaveLength(NODES * 2 + 4);
    expect(files.filter((f) => !/\.(yaml|json)$/.test(f))).toEqual([]);
    expect(await readFile(join(dir, 'out', `node-${NODES - 1}.patch.yaml`), 'utf8')).toMatch(
      /\nmachine:/,
    );
  });

  it('a reader closed before the first write: quiet exit 141', async () => {
    const child = spawn(process.execPath, [cliPath, 'patch', '--disk', '0000:01:00.0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(EXIT_STDOUT_CLOSED);
  });

  it('an error keeps its own status when stdout is closed too', () => {
    const result = shell('tl patch --disk bad | head -1; echo "status $((PIPESTATUS[0]))"');
    expect(result.stdout).toBe('status 2\n');
    expect(result.stderr).toMatch(/^talos-longhorn: --disk\b.*\n$/);
  });
});

describe.runIf(existsSync('/dev/full'))('stdout on a full device', () => {
  it('exit 3 with one line naming stdout; files already written stay', async () => {
    const result = shell('tl generate plan.yaml --out full >/dev/full');
    expect(result.status).toBe(EXIT_ENVIRONMENT);
    expect(result.stderr).toBe('talos-longhorn: stdout: cannot write: ENOSPC\n');
    expect(await readdir(join(dir, 'full'))).toHaveLength(NODES * 2 + 4);
  });

  it('patch >/dev/full: exit 3, one line', () => {
    const result = shell('tl patch >/dev/full');
    expect(result.status).toBe(EXIT_ENVIRONMENT);
    expect(result.stderr).toBe('talos-longhorn: stdout: cannot write: ENOSPC\n');
  });
});
