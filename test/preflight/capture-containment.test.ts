import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingReader, writeSnapshot } from '../../src/preflight/capture.js';
import type { ListEntry, NodeReader, Probe } from '../../src/preflight/reader.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-capture-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hostile node: its listing says `/sys` is a symlink out, and still lists entries below it. */
function hostileNode(outside: string): NodeReader {
  const listings: Record<string, ListEntry[]> = {
    '/': [
      { path: 'sys', type: 'symlink', link: outside },
      { path: 'sys/evil', type: 'dir' },
      { path: 'sys/evil/deeper', type: 'symlink', link: '/etc' },
      { path: 'etc', type: 'dir' },
      { path: 'etc/ok-link', type: 'symlink', link: '../sys' },
    ],
    '/sys/module': [{ path: 'nvme_tcp', type: 'dir' }],
  };
  const files: Record<string, string> = {
    '/sys/kernel/mm/hugepages/nr': 'below the link',
    '/etc/os-release': 'ID=talos\n',
    '/etc/ok-link/x': 'below a link too',
  };
  const answer = <T>(value: T | undefined): Probe<T> =>
    value === undefined ? { state: 'missing' } : { state: 'ok', value };
  return {
    node: 'hostile',
    version: async () => ({ state: 'ok', value: { tag: 'v1.12.0' } }),
    readFile: async (path) =>
      answer(files[path] === undefined ? undefined : Buffer.from(files[path])),
    list: async (path) => answer(listings[path]),
    resources: async () => ({ state: 'ok', value: [] }),
  };
}

describe('preflight --capture', () => {
  it('stores links as links and drops everything a node reports below a symlink', async () => {
    const outside = join(dir, 'outside');
    await mkdir(outside);
    const recording = new RecordingReader(hostileNode(outside));
    await recording.list('/', 3);
    await recording.list('/sys/module', 1);
    await recording.readFile('/sys/kernel/mm/hugepages/nr', 100);
    await recording.readFile('/etc/os-release', 100);
    await recording.readFile('/etc/ok-link/x', 100);
    await recording.version();
    const snap = join(dir, 'snap');
    await writeSnapshot(snap, recording);

    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(snap, 'sys'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(snap, 'sys'))).toBe(outside);
    expect(await readlink(join(snap, 'etc/ok-link'))).toBe('../sys');
    expect(await readFile(join(snap, 'etc/os-release'), 'utf8')).toBe('ID=talos\n');
    expect((await readdir(join(snap, 'etc'))).sort()).toEqual(['ok-link', 'os-release']);
    expect(await readdir(dir)).toEqual(['outside', 'snap']); // no temporary left beside it

    // Read back with --root: the link is reported, what is below it is not the host's.
    await mkdir(join(outside, 'module', 'nvme_tcp'), { recursive: true });
    const reader = await LocalRootReader.open(snap);
    expect(await reader.list('/', 1)).toMatchObject({ state: 'ok' });
    expect((await reader.list('/sys/module', 1)).state).toBe('unavailable');
  });
});
