import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirectories } from '../../src/output/dirs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeDirectories', () => {
  it('creates every missing level with the given mode and accepts existing ones', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeDirectories(deep, 0o750);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o750 & ~process.umask());
    await makeDirectories(deep); // already there: no error
    await Promise.all([1, 2, 3].map(() => makeDirectories(join(dir, 'x', 'y')))); // racing
    expect((await stat(join(dir, 'x', 'y'))).isDirectory()).toBe(true);
  });

  it('fails with ENOTDIR when a level is a file', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(makeDirectories(join(dir, 'file', 'sub'))).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });

  // Node's recursive mkdir never settles here; ours must fail.
  it.skipIf(!existsSync('/proc/self'))(
    'fails instead of hanging where a level cannot be created (/proc)',
    async () => {
      await expect(makeDirectories('/proc/talos-longhorn-test/sub')).rejects.toMatchObject({
        code: expect.stringMatching(/^(ENOENT|EPERM|EACCES)$/),
      });
    },
  );
});
