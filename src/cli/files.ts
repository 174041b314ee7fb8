import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { mapLimited } from '../concurrency.js';
import { TalosLonghornError } from '../errors.js';
import type { Io } from './io.js';

/**
 * Read a whole stream, refusing more than `maxBytes`. The stream is destroyed as soon as the
 * limit is passed so a huge input is never buffered.
 */
export async function readBounded(
  stream: Io['stdin'],
  maxBytes: number,
  field: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > maxBytes) {
      stream.destroy?.();
      throw new TalosLonghornError('invalid-input', `input is larger than ${maxBytes} bytes`, {
        field,
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Read an open file to its end, or undefined when it holds more than `maxBytes` (files in
 * /proc report size 0, so the size is found by reading, never from stat).
 */
export async function readAtMost(
  handle: Awaited<ReturnType<typeof open>>,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const buf = Buffer.alloc(maxBytes + 1);
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled > maxBytes ? undefined : buf.subarray(0, filled);
}

/** Read a file (or stdin for `-`), refusing more than `maxBytes`. Missing files are bad input. */
export async function readInputFile(
  path: string,
  io: Io,
  maxBytes: number,
  field: string,
): Promise<Buffer> {
  if (path === '-') return readBounded(io.stdin, maxBytes, field);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(resolve(io.cwd, path), 'r');
  } catch (err) {
    throw new TalosLonghornError('invalid-input', `cannot read ${path}: ${errnoText(err)}`, {
      field,
      cause: err,
    });
  }
  try {
    const bytes = await readAtMost(handle, maxBytes);
    if (bytes === undefined) {
      throw new TalosLonghornError('invalid-input', `${path} is larger than ${maxBytes} bytes`, {
        field,
      });
    }
    return bytes;
  } catch (err) {
    if (err instanceof TalosLonghornError) throw err;
    throw new TalosLonghornError('invalid-input', `cannot read ${path}: ${errnoText(err)}`, {
      field,
      cause: err,
    });
  } finally {
    await handle.close();
  }
}

/** `ENOENT: no such file…` → `no such file or directory` style text without the path twice. */
export function errnoText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = String((err as { code: unknown }).code);
    const known: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'not a directory',
      EEXIST: 'already exists',
      ENOSPC: 'no space left on device',
      EROFS: 'read-only file system',
    };
    return known[code] ?? code;
  }
  return err instanceof Error ? err.message : String(err);
}

const STAGING_CONCURRENCY = 16;

function errnoCode(err: unknown): string | undefined {
  return (err as { code?: unknown } | null)?.code?.toString();
}

/**
 * `mkdir -p`, one level at a time. Node's own `mkdir(…, { recursive: true })` never returns
 * when a level cannot be created but reports ENOENT (e.g. anywhere under /proc); this fails with
 * that error instead.
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

export interface FileToWrite {
  /** Absolute path, or relative to the directory given to `writeFilesAtomic`. */
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly mode?: number;
}

/**
 * Write several files so that each appears whole or not at all: every file is first written to a
 * temporary name beside its destination, and only when all of them are written are they renamed
 * into place. On failure the temporary files are removed and nothing is replaced.
 */
export async function writeFilesAtomic(
  baseDir: string,
  files: readonly FileToWrite[],
): Promise<void> {
  const staged: { tmp: string; dest: string }[] = [];
  try {
    // Files are staged concurrently (bounded): with thousands of files the per-file fsync, not
    // the CPU, is what takes the time.
    await mapLimited(files, STAGING_CONCURRENCY, async (file) => {
      const dest = resolve(baseDir, file.path);
      await makeDirectories(dirname(dest));
      const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
      const mode = file.mode ?? 0o644;
      const handle = await open(tmp, 'wx', mode);
      staged.push({ tmp, dest });
      try {
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(tmp, mode);
    });
    for (const { tmp, dest } of staged) await rename(tmp, dest);
  } catch (err) {
    await Promise.all(staged.map(({ tmp }) => unlink(tmp).catch(() => undefined)));
    throw new TalosLonghornError('io', `cannot write output: ${errnoText(err)}`, { cause: err });
  }
}

/** Write one file atomically; a relative `path` is resolved against `cwd`. */
export function writeFileAtomic(
  cwd: string,
  path: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  return writeFilesAtomic(cwd, [mode === undefined ? { path, content } : { path, content, mode }]);
}
