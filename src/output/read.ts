import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { TalosLonghornError } from '../errors.js';
import { errnoText } from './errno.js';
import { fileKind } from './file-kind.js';

/** Anything that yields chunks and can be stopped: `process.stdin`, a socket, a test stream. */
export interface ByteStream extends AsyncIterable<unknown> {
  destroy?(): unknown;
}

/**
 * Read a whole stream, refusing more than `maxBytes`. The stream is destroyed as soon as the
 * limit is passed so a huge input is never buffered.
 */
export async function readBounded(
  stream: ByteStream,
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
async function readAtMost(handle: FileHandle, maxBytes: number): Promise<Buffer | undefined> {
  const buf = Buffer.alloc(maxBytes + 1);
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled > maxBytes ? undefined : buf.subarray(0, filled);
}

export type RegularRead =
  | { readonly state: 'ok'; readonly bytes: Buffer }
  | { readonly state: 'too-large' }
  | { readonly state: 'not-regular'; readonly kind: string };

/**
 * Open `path` once and read it only if the opened file is a regular file (checked with fstat on
 * the open descriptor, so what is checked is what is read), at most `maxBytes`. The open is
 * non-blocking, so a FIFO cannot hang it, and never acquires a controlling terminal; with
 * `noFollow` a symlink as last component is refused by the kernel (ELOOP). System errors
 * (ENOENT, EACCES…) are thrown as they are.
 */
export async function readRegular(
  path: string,
  maxBytes: number,
  options: { readonly noFollow?: boolean } = {},
): Promise<RegularRead> {
  const flags =
    constants.O_RDONLY |
    constants.O_NONBLOCK |
    constants.O_NOCTTY |
    (options.noFollow ? constants.O_NOFOLLOW : 0);
  const handle = await open(path, flags);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { state: 'not-regular', kind: fileKind(info) };
    // The size is a first, cheap bound; the read itself is bounded too (the file may grow).
    if (info.size > maxBytes) return { state: 'too-large' };
    const bytes = await readAtMost(handle, maxBytes);
    return bytes === undefined ? { state: 'too-large' } : { state: 'ok', bytes };
  } finally {
    await handle.close();
  }
}

/**
 * Read an input file the user named: a regular file of at most `maxBytes`. Anything else — a
 * missing file, a directory, a FIFO, a device, a symlink to one — is bad input naming `label`
 * (the path as given) and `field`.
 */
export async function readInputPath(
  path: string,
  label: string,
  maxBytes: number,
  field: string,
): Promise<Buffer> {
  let result: RegularRead;
  try {
    result = await readRegular(path, maxBytes);
  } catch (err) {
    throw new TalosLonghornError('invalid-input', `cannot read ${label}: ${errnoText(err)}`, {
      field,
      cause: err,
    });
  }
  switch (result.state) {
    case 'ok':
      return result.bytes;
    case 'too-large':
      throw new TalosLonghornError('invalid-input', `${label} is larger than ${maxBytes} bytes`, {
        field,
      });
    case 'not-regular':
      throw new TalosLonghornError(
        'invalid-input',
        `${label} is ${result.kind}, not a regular file; refusing to read it`,
        { field },
      );
  }
}

/**
 * `promise`, or `onTimeout()` when it has not settled within `ms`. The timer does not keep the
 * process alive. The late result of `promise` is ignored (its rejection handled).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
