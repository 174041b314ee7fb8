import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-root-bounds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--root reads stay in the root, on regular files, within a deadline', () => {
  it('a FIFO as proc/meminfo is unavailable at once instead of hanging', async () => {
    await mkdir(join(dir, 'proc'));
    execFileSync('mkfifo', [join(dir, 'proc/meminfo')]);
    const reader = await LocalRootReader.open(dir);
    expect(await reader.readFile('/proc/meminfo', 1 << 20)).toEqual({
      state: 'unavailable',
      reason: 'a FIFO, not a regular file',
    });
  });

  it('a symlink to /dev/zero is not read', async () => {
    await mkdir(join(dir, 'proc'));
    await symlink('/dev/zero', join(dir, 'proc/meminfo'));
    const reader = await LocalRootReader.open(dir);
    expect((await reader.readFile('/proc/meminfo', 1 << 20)).state).toBe('unavailable');
  });

  it('list does not follow sys -> /sys out of the root (no host entries)', async () => {
    await symlink('/sys', join(dir, 'sys'));
    const reader = await LocalRootReader.open(dir);
    expect(await reader.list('/sys/module', 1)).toEqual({
      state: 'unavailable',
      reason: 'a symlink that leaves the root directory',
    });
    // Listing the root reports the link itself, and does not walk into it.
    expect(await reader.list('/', 3)).toEqual({
      state: 'ok',
      value: [{ path: 'sys', type: 'symlink', link: '/sys' }],
    });
  });

  it('list follows a symlink that stays inside the root, like readFile', async () => {
    await mkdir(join(dir, 'sys/devices/pci'), { recursive: true });
    await writeFile(join(dir, 'sys/devices/pci/vendor'), '0x8086\n');
    await mkdir(join(dir, 'sys/bus'), { recursive: true });
    await symlink('../devices/pci', join(dir, 'sys/bus/pci'));
    const reader = await LocalRootReader.open(dir);
    expect(await reader.list('/sys/bus/pci', 1)).toEqual({
      state: 'ok',
      value: [{ path: 'vendor', type: 'file' }],
    });
  });
});
