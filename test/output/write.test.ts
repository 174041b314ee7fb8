import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import { removeStaleTemporaries, stagingName, writeFiles } from '../../src/output/index.js';
import { writeFilesWithHooks } from '../../src/output/write.js';

const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry under `root`, relative, sorted; directories end in `/`. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.push(`${path}/`);
        await walk(path);
      } else out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

const temporaries = (entries: readonly string[]): string[] =>
  entries.filter((entry) => /\.staging\/?$|\.tmp$/.test(entry.split('/').at(-1) ?? ''));

async function expectIoError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TalosLonghornError);
  expect((err as TalosLonghornError).code).toBe('io');
  expect((err as TalosLonghornError).message).toMatch(pattern);
  expect((err as TalosLonghornError).message).not.toContain('\n');
}

describe('writeFiles', () => {
  it('writes every file with its mode, creating directories, and reports unchanged files', async () => {
    const files = [
      { path: 'a.yaml', content: 'a\n' },
      { path: 'etc/nvme/hostid', content: 'id', mode: 0o600 },
    ];
    const first = await writeFiles(join(dir, 'out'), files, { skipUnchanged: true });
    expect(first.written).toEqual(['a.yaml', 'etc/nvme/hostid']);
    expect(await readFile(join(dir, 'out/etc/nvme/hostid'), 'utf8')).toBe('id');
    expect((await stat(join(dir, 'out/etc/nvme/hostid'))).mode & 0o777).toBe(0o600);
    const before = (await stat(join(dir, 'out/a.yaml'))).mtimeMs;
    const second = await writeFiles(join(dir, 'out'), files, { skipUnchanged: true });
    expect(second).toEqual({ written: [], unchanged: ['a.yaml', 'etc/nvme/hostid'] });
    expect((await stat(join(dir, 'out/a.yaml'))).mtimeMs).toBe(before);
    expect(temporaries(await tree(dir))).toEqual([]);
  });

  it('never deletes unrelated files in the output directory', async () => {
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await writeFiles(dir, [{ path: 'a.yaml', content: 'a' }]);
    expect(await tree(dir)).toEqual(['a.yaml', 'notes.txt']);
  });

  it('refuses paths that leave the output directory', async () => {
    for (const path of ['../x', '/etc/passwd', 'a/../../x', 'a//b', './a', '']) {
      await expect(writeFiles(dir, [{ path, content: 'x' }])).rejects.toMatchObject({
        code: 'invalid-input',
      });
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a FIFO target without opening it and writes nothing of the run', async () => {
    execFileSync('mkfifo', [join(dir, 'b.yaml')]);
    // Opening the FIFO for writing would block forever with no reader: a hang fails the test.
    await expectIoError(
      writeFiles(dir, [
        { path: 'a.yaml', content: 'a' },
        { path: 'b.yaml', content: 'b' },
      ]),
      /b\.yaml exists and is a FIFO, not a regular file; refusing to replace it/,
    );
    expect((await lstat(join(dir, 'b.yaml'))).isFIFO()).toBe(true);
    expect(await tree(dir)).toEqual(['b.yaml']);
  });

  it.skipIf(!isRoot)('refuses a character-device target and leaves it a device', async () => {
    execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
    await expectIoError(
      writeFiles(dir, [{ path: 'null', content: 'x' }], { field: 'out', label: 'OUT' }),
      /^out: OUT\/null exists and is a character device/,
    );
    const info = await lstat(join(dir, 'null'));
    expect(info.isCharacterDevice()).toBe(true);
    expect(info.rdev).toBe((await stat('/dev/null')).rdev);
  });

  it('refuses a directory or a symlink as target, and leaves the symlink and its target alone', async () => {
    await mkdir(join(dir, 'd.yaml'));
    await expectIoError(writeFiles(dir, [{ path: 'd.yaml', content: 'x' }]), /is a directory/);
    await writeFile(join(dir, 'victim'), 'keep');
    await symlink(join(dir, 'victim'), join(dir, 'l.yaml'));
    await expectIoError(writeFiles(dir, [{ path: 'l.yaml', content: 'x' }]), /symbolic link/);
    expect((await lstat(join(dir, 'l.yaml'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, 'victim'), 'utf8')).toBe('keep');
  });

  it('refuses a symlinked directory below the root (DIR/etc -> elsewhere), writing nowhere', async () => {
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await mkdir(join(dir, 'root'));
    await symlink(outside, join(dir, 'root', 'etc'));
    await expectIoError(
      writeFiles(join(dir, 'root'), [
        { path: 'aaa', content: 'first' },
        { path: 'etc/machine-id', content: 'x' },
      ]),
      /root\/etc is a symbolic link; refusing to write through it/,
    );
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(join(dir, 'root'))).toEqual(['etc']);
  });

  it('follows a symlink that is the root itself: the place the caller named', async () => {
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    await writeFiles(join(dir, 'link'), [{ path: 'a', content: 'a' }]);
    expect(await readFile(join(dir, 'real', 'a'), 'utf8')).toBe('a');
  });

  it('rolls back when putting a file in place fails midway (a destination became a directory)', async () => {
    await writeFile(join(dir, '1.yaml'), 'old 1');
    await writeFile(join(dir, '3.yaml'), 'old 3');
    const files = ['1', '2', '3', '4', '5'].map((n) => ({
      path: `${n}.yaml`,
      content: `new ${n}`,
    }));
    await expectIoError(
      writeFilesWithHooks(
        dir,
        files,
        {},
        // Checks passed; now, before the commit, a destination turns into a directory.
        { beforeCommit: () => mkdir(join(dir, '4.yaml')) },
      ),
      /4\.yaml appeared while writing/,
    );
    expect(await readFile(join(dir, '1.yaml'), 'utf8')).toBe('old 1');
    expect(await readFile(join(dir, '3.yaml'), 'utf8')).toBe('old 3');
    expect(await tree(dir)).toEqual(['1.yaml', '3.yaml', '4.yaml/']);
  });

  it('rolls back when an existing destination is swapped for a directory before its rename', async () => {
    for (const n of ['1', '2', '3']) await writeFile(join(dir, `${n}.yaml`), `old ${n}`);
    const files = ['1', '2', '3'].map((n) => ({ path: `${n}.yaml`, content: `new ${n}` }));
    await expect(
      writeFilesWithHooks(
        dir,
        files,
        {},
        {
          beforeCommit: async () => {
            await rm(join(dir, '3.yaml'));
            await mkdir(join(dir, '3.yaml'));
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'io' });
    expect(await readFile(join(dir, '1.yaml'), 'utf8')).toBe('old 1');
    expect(await readFile(join(dir, '2.yaml'), 'utf8')).toBe('old 2');
    expect(await tree(dir)).toEqual(['1.yaml', '2.yaml', '3.yaml/']);
  });

  it('removes the directories it created when the run fails', async () => {
    await expectIoError(
      writeFilesWithHooks(
        dir,
        [
          { path: 'a/b/c', content: 'x' },
          { path: 'z', content: 'y' },
        ],
        {},
        { beforeCommit: () => mkdir(join(dir, 'z')) },
      ),
      /z appeared while writing/,
    );
    expect(await tree(dir)).toEqual(['z/']);
  });

  it('removes staging directories of dead runs and legacy temporaries, keeps a live run’s', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const deadStage = `.talos-longhorn-${dead}-0123456789ab.staging`;
      const liveStage = `.talos-longhorn-${live.pid}-0123456789ab.staging`;
      await mkdir(join(dir, deadStage, 'new'), { recursive: true });
      await writeFile(join(dir, deadStage, 'new', 'a.yaml'), 'half');
      await mkdir(join(dir, liveStage));
      await writeFile(join(dir, '.a.yaml.0123456789ab.tmp'), 'old temp');
      await writeFile(join(dir, '.other.0123456789ab.tmp'), 'not ours');
      await writeFiles(dir, [{ path: 'a.yaml', content: 'a' }]);
      expect(await tree(dir)).toEqual(
        [`${liveStage}/`, '.other.0123456789ab.tmp', 'a.yaml'].sort(),
      );
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('names staging directories so that removeStaleTemporaries recognises them', async () => {
    const name = stagingName();
    expect(name).toMatch(new RegExp(`^\\.talos-longhorn-${process.pid}-[0-9a-f]{12}\\.staging$`));
    await mkdir(join(dir, name));
    await removeStaleTemporaries(dir);
    expect(await readdir(dir)).toEqual([name]); // this process is alive
  });
});

describe.skipIf(!isRoot)('writeFiles on a full filesystem (64 KiB tmpfs)', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(async () => {
    mnt = await mkdtemp(join(tmpdir(), 'tl-enospc-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    mounted = true;
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it('fails with ENOSPC, waits for every write, leaves no temporary and the old files intact', async () => {
    await writeFile(join(mnt, 'n0.yaml'), 'old');
    await writeFile(join(mnt, 'notes'), 'mine');
    const files = Array.from({ length: 200 }, (_, i) => ({
      path: `n${i}.yaml`,
      content: 'x'.repeat(4096),
    }));
    await expectIoError(writeFiles(mnt, files), /no space left on device/);
    expect(await tree(mnt)).toEqual(['n0.yaml', 'notes']);
    expect(await readFile(join(mnt, 'n0.yaml'), 'utf8')).toBe('old');
    // And a run that fits succeeds afterwards: nothing was leaked that uses the space.
    await writeFiles(mnt, files.slice(0, 4));
    expect(await tree(mnt)).toEqual(['n0.yaml', 'n1.yaml', 'n2.yaml', 'n3.yaml', 'notes']);
  });
});

if (!isRoot) console.warn('skipped: device-node and tmpfs (ENOSPC) tests need root');
