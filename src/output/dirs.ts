import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoCode } from './errno.js';

/**
 * `mkdir -p`, one level at a time. Node's own `mkdir(…, { recursive: true })` never returns
 * when a level cannot be created but reports ENOENT (e.g. anywhere under /proc); this fails with
 * that error instead. Symlinks are followed: use it for the output root, never below it.
 */
export async function makeDirectories(path: string, mode = 0o755): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) throw Object.assign(new Error(dir), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || dirname(dir) === dir) throw err;
      missing.push(dir);
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir, { mode });
    } catch (err) {
      // Created meanwhile by a concurrent writer: fine if it is a directory.
      if (errnoCode(err) !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw err;
    }
  }
}
