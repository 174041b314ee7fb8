import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegular } from '../output/index.js';

/** No file of an extension comes near this; busybox, the largest, is about 2 MiB. */
const MAX_TREE_FILE_BYTES = 64 << 20;

/** A filesystem tree as the validator and the tar writer see it. */
export interface TreeEntry {
  /** Relative path with `/` separators, e.g. `rootfs/usr/local/etc/containers/x.yaml`. */
  readonly path: string;
  /** `other` is anything but a directory, regular file or symlink (device, FIFO, socket). */
  readonly type: 'dir' | 'file' | 'symlink' | 'other';
  readonly mode: number;
  readonly content?: Uint8Array;
  readonly linkTarget?: string;
}

/** Byte-wise path order (not locale order), so every machine sorts alike. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Read `dir/relative` recursively, with file contents, without following symlinks. Entries come
 * out sorted by path, parents first.
 */
export async function readTree(dir: string, relative: string): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const full = join(dir, rel);
    const stats = await lstat(full);
    const mode = stats.mode & 0o7777;
    if (stats.isDirectory()) {
      out.push({ path: rel, type: 'dir', mode });
      const names = (await readdir(full)).sort(comparePaths);
      for (const name of names) await visit(`${rel}/${name}`);
    } else if (stats.isFile()) {
      // Opened without following a link and checked again on the descriptor: a file swapped
      // for a FIFO or device after the lstat is reported as such, never read.
      const read = await readRegular(full, MAX_TREE_FILE_BYTES, { noFollow: true });
      if (read.state === 'ok') out.push({ path: rel, type: 'file', mode, content: read.bytes });
      else if (read.state === 'too-large') {
        throw Object.assign(new Error(`${rel} is larger than ${MAX_TREE_FILE_BYTES} bytes`), {
          code: 'EFBIG',
        });
      } else out.push({ path: rel, type: 'other', mode });
    } else if (stats.isSymbolicLink()) {
      out.push({ path: rel, type: 'symlink', mode, linkTarget: await readlink(full) });
    } else {
      out.push({ path: rel, type: 'other', mode });
    }
  };
  await visit(relative);
  return out;
}

/** Read an unpacked extension (a directory holding `manifest.yaml` and `rootfs/`). */
export async function readExtensionDir(dir: string): Promise<TreeEntry[]> {
  const names = (await readdir(dir)).sort(comparePaths);
  const entries: TreeEntry[] = [];
  for (const name of names) entries.push(...(await readTree(dir, name)));
  return entries;
}
