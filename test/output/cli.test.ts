import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, expectOneLineFailure, runCli } from '../helpers/cli.js';
import { snapshot } from '../helpers/snapshot.js';

const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-output-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writePlan(path: string, nodes: number, memorySizeMiB: number): Promise<void> {
  const plan = {
    talosVersion: '1.12',
    defaults: { memorySizeMiB },
    nodes: Array.from({ length: nodes }, (_, i) => ({ name: `w${i}` })),
  };
  await writeFile(path, JSON.stringify(plan));
}

const leftovers = (names: readonly string[]): string[] =>
  names.filter((name) => /\.staging$|\.tmp$/.test(name));

describe('commands never replace special files, never write through symlinks, never hang', () => {
  it.skipIf(!isRoot)(
    'patch --out onto a device node exits 3 naming it; the device stays',
    async () => {
      execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
      const result = await runCli(['patch', '--out', 'null'], { cwd: dir });
      const line = expectOneLineFailure(result, 3);
      expect(line).toBe(
        'talos-longhorn: --out: null exists and is a character device, not a regular file; refusing to replace it',
      );
      expect((await lstat(join(dir, 'null'))).isCharacterDevice()).toBe(true);
    },
  );

  it('generate with a FIFO named like an output file exits 3 at once and writes nothing', async () => {
    await writePlan(join(dir, 'plan.json'), 3, 2048);
    await mkdir(join(dir, 'out'));
    execFileSync('mkfifo', [join(dir, 'out', 'w1.patch.yaml')]);
    const result = await runCli(['generate', 'plan.json', '--out', 'out'], { cwd: dir });
    expect(expectOneLineFailure(result, 3)).toContain('out/w1.patch.yaml exists and is a FIFO');
    expect(await readdir(join(dir, 'out'))).toEqual(['w1.patch.yaml']);
  });

  it('generate with the plan a FIFO or a symlink to /dev/zero exits 2 without reading it', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    await symlink('/dev/zero', join(dir, 'zero.json'));
    const fifo = await runCli(['generate', 'fifo.json', '--out', 'out'], { cwd: dir });
    expect(expectOneLineFailure(fifo, 2)).toContain('fifo.json is a FIFO, not a regular file');
    const zero = await runCli(['generate', 'zero.json', '--out', 'out'], { cwd: dir });
    expect(expectOneLineFailure(zero, 2)).toContain('zero.json is a character device');
  });

  it('identity --write-root DIR with DIR/etc a symlink exits 3 and writes nothing outside', async () => {
    await mkdir(join(dir, 'outside'));
    await mkdir(join(dir, 'root'));
    await symlink(join(dir, 'outside'), join(dir, 'root', 'etc'));
    const result = await runCli(
      ['identity', '--machine-id', 'be871ac0d0dd31fa4caca753b0f3f1b2', '--write-root', 'root'],
      { cwd: dir },
    );
    expect(expectOneLineFailure(result, 3)).toBe(
      'talos-longhorn: --write-root: root/etc is a symbolic link; refusing to write through it',
    );
    expect(await readdir(join(dir, 'outside'))).toEqual([]);
  });

  it('a run killed mid-write, then a clean run: no temporaries and one consistent set', async () => {
    await writePlan(join(dir, 'a.json'), 300, 2048);
    await writePlan(join(dir, 'b.json'), 300, 4096);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [cliPath, 'generate', 'a.json', '--out', 'out'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it once it is staging: its private directory exists in the output directory.
    const deadline = Date.now() + 60_000;
    let staging: string[] = [];
    while (staging.length === 0 && Date.now() < deadline) {
      staging = leftovers(await readdir(out).catch(() => []));
      if (staging.length === 0) await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await exited;
    expect(staging.length).toBe(1);
    expect(leftovers(await readdir(out))).toEqual(staging); // what the kill left behind

    const clean = await runCli(['generate', 'b.json', '--out', 'out'], { cwd: dir });
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    expect(leftovers(await readdir(out))).toEqual([]);
    // The same plan into an empty directory is the reference for a consistent set.
    const fresh = await runCli(['generate', 'b.json', '--out', 'fresh'], { cwd: dir });
    expect(fresh.status).toBe(0);
    expect(await snapshot(out)).toEqual(await snapshot(join(dir, 'fresh')));
  }, 180_000);

  it('patch --out keeps unrelated files and leaves no temporary', async () => {
    await writeFile(join(dir, 'notes'), 'mine');
    const result = await runCli(['patch', '--out', 'p.yaml'], { cwd: dir });
    expect(result.status).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['notes', 'p.yaml']);
    expect(await readFile(join(dir, 'notes'), 'utf8')).toBe('mine');
  });
});
