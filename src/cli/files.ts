import { basename, dirname, resolve } from 'node:path';
import { readBounded, readInputPath, writeFiles } from '../output/index.js';
import type { Io } from './io.js';

export { errnoText, readBounded } from '../output/index.js';

/** Read a file (or stdin for `-`), refusing more than `maxBytes` and anything not a regular file. */
export function readInputFile(
  path: string,
  io: Io,
  maxBytes: number,
  field: string,
): Promise<Buffer> {
  if (path === '-') return readBounded(io.stdin, maxBytes, field);
  return readInputPath(resolve(io.cwd, path), path, maxBytes, field);
}

/** Write one file atomically (see `writeFiles`); a relative `path` is resolved against `cwd`. */
export async function writeFileAtomic(
  cwd: string,
  path: string,
  content: string | Uint8Array,
  field = '--out',
): Promise<void> {
  const full = resolve(cwd, path);
  await writeFiles(dirname(full), [{ path: basename(full), content }], {
    field,
    label: dirname(path),
  });
}
