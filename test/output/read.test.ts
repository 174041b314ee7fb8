import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readInputPath, readRegular, withDeadline } from '../../src/output/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readInputPath', () => {
  it('reads a regular file, also through a symlink', async () => {
    await writeFile(join(dir, 'plan.yaml'), 'nodes: []\n');
    await symlink(join(dir, 'plan.yaml'), join(dir, 'link.yaml'));
    expect((await readInputPath(join(dir, 'link.yaml'), 'link.yaml', 100, 'PLAN')).toString()).toBe(
      'nodes: []\n',
    );
  });

  it('refuses a FIFO without blocking in open (no writer ever comes)', async () => {
    execFileSync('mkfifo', [join(dir, 'plan.yaml')]);
    await expect(readInputPath(join(dir, 'plan.yaml'), 'plan.yaml', 100, 'PLAN')).rejects.toThrow(
      'PLAN: plan.yaml is a FIFO, not a regular file; refusing to read it',
    );
  });

  it('refuses a symlink to /dev/zero without reading it', async () => {
    await symlink('/dev/zero', join(dir, 'plan.yaml'));
    await expect(
      readInputPath(join(dir, 'plan.yaml'), 'plan.yaml', 1 << 20, 'PLAN'),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: 'PLAN: plan.yaml is a character device, not a regular file; refusing to read it',
    });
  });

  it('refuses a directory, a missing file and a file over the bound', async () => {
    await mkdir(join(dir, 'd'));
    await expect(readInputPath(join(dir, 'd'), 'd', 100, 'F')).rejects.toThrow(
      'd is a directory, not a regular file',
    );
    await expect(readInputPath(join(dir, 'nope'), 'nope', 100, 'F')).rejects.toThrow(
      'F: cannot read nope: no such file or directory',
    );
    await writeFile(join(dir, 'big'), 'x'.repeat(101));
    await expect(readInputPath(join(dir, 'big'), 'big', 100, 'F')).rejects.toThrow(
      'big is larger than 100 bytes',
    );
  });

  it('bounds files whose size stat does not know (/proc)', async () => {
    expect(await readRegular('/proc/self/status', 10)).toEqual({ state: 'too-large' });
    const whole = await readRegular('/proc/self/status', 1 << 20);
    expect(whole.state).toBe('ok');
  });

  it('refuses a symlink as last component with noFollow', async () => {
    await writeFile(join(dir, 'f'), 'x');
    await symlink(join(dir, 'f'), join(dir, 'l'));
    await expect(readRegular(join(dir, 'l'), 10, { noFollow: true })).rejects.toMatchObject({
      code: 'ELOOP',
    });
  });
});

describe('withDeadline', () => {
  it('answers the timeout value when the work never settles, the work value otherwise', async () => {
    const never = new Promise<string>(() => undefined);
    expect(await withDeadline(never, 20, () => 'late')).toBe('late');
    expect(await withDeadline(Promise.resolve('now'), 1000, () => 'late')).toBe('now');
  });
});
