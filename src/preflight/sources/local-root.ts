import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { readAtMost } from '../../cli/files.js';
import { TalosLonghornError } from '../../errors.js';
import { parseOsRelease } from '../parse.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry, VersionInfo } from '../reader.js';
import {
  SNAPSHOT_VERSION_FILE,
  snapshotResourceFile,
  UNKNOWN_LINK_TARGET,
} from './snapshot-layout.js';

const MISSING: Probe<never> = { state: 'missing' };

function errnoCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err ? String(err.code) : undefined;
}

function failed(err: unknown): Probe<never> {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return MISSING;
  if (code === 'EACCES' || code === 'EPERM') {
    return { state: 'unavailable', reason: 'permission denied' };
  }
  return {
    state: 'unavailable',
    reason: code ?? (err instanceof Error ? err.message : String(err)),
  };
}

async function readBoundedFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
  const handle = await open(path, 'r');
  try {
    const bytes = await readAtMost(handle, maxBytes);
    if (bytes === undefined)
      return { state: 'unavailable', reason: `larger than ${maxBytes} bytes` };
    return { state: 'ok', value: bytes };
  } finally {
    await handle.close();
  }
}

function entryType(dirent: {
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}): ListEntry['type'] {
  if (dirent.isSymbolicLink()) return 'symlink';
  if (dirent.isDirectory()) return 'dir';
  return dirent.isFile() ? 'file' : 'other';
}

/**
 * A node read from a directory: `/` on a node or inside the extension, or a captured snapshot.
 * Node paths are looked up under the root; symlinks are reported, never followed, and a file
 * whose real path leaves the root is refused, so a snapshot cannot make us read the host.
 */
export class LocalRootReader implements NodeReader {
  readonly node: string;
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  constructor(root: string, node: string) {
    this.#root = resolve(root);
    this.node = node;
  }

  /** The root must be a readable directory; anything else is bad input, checked up front. */
  static async open(root: string, node: string = root): Promise<LocalRootReader> {
    const reader = new LocalRootReader(root, node);
    let isDirectory = false;
    try {
      isDirectory = (await lstat(await reader.realRoot())).isDirectory();
    } catch (err) {
      throw new TalosLonghornError('invalid-input', `cannot read ${root}: ${errnoCode(err)}`, {
        field: 'root',
        cause: err,
      });
    }
    if (!isDirectory) {
      throw new TalosLonghornError('invalid-input', `${root} is not a directory`, {
        field: 'root',
      });
    }
    return reader;
  }

  private realRoot(): Promise<string> {
    this.#realRoot ??= realpath(this.#root);
    return this.#realRoot;
  }

  private hostPath(nodePath: string): string {
    return join(this.#root, ...nodePath.split('/').filter((part) => part !== '' && part !== '..'));
  }

  async readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    const full = this.hostPath(path);
    try {
      const [real, root] = await Promise.all([realpath(full), this.realRoot()]);
      if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
        return { state: 'unavailable', reason: 'a symlink that leaves the root directory' };
      }
      return await readBoundedFile(real, maxBytes);
    } catch (err) {
      return failed(err);
    }
  }

  async list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>> {
    const base = this.hostPath(path);
    try {
      const info = await lstat(base);
      if (!info.isDirectory()) return MISSING;
    } catch (err) {
      return failed(err);
    }
    const entries: ListEntry[] = [];
    const walk = async (dir: string, level: number): Promise<void> => {
      const dirents = await readdir(dir, { withFileTypes: true });
      for (const dirent of dirents) {
        const full = join(dir, dirent.name);
        const rel = relative(base, full).split(sep).join('/');
        const type = entryType(dirent);
        if (type === 'symlink') {
          const link = await readlink(full);
          entries.push(
            link === UNKNOWN_LINK_TARGET ? { path: rel, type } : { path: rel, type, link },
          );
        } else {
          entries.push({ path: rel, type });
          if (type === 'dir' && level < depth) await walk(full, level + 1);
        }
      }
    };
    try {
      await walk(base, 1);
    } catch (err) {
      return failed(err);
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { state: 'ok', value: entries };
  }

  async version(): Promise<Probe<VersionInfo>> {
    const osRelease = await this.readFile('/etc/os-release', 64 * 1024);
    if (osRelease.state === 'ok') {
      const values = parseOsRelease(Buffer.from(osRelease.value).toString('utf8'));
      const tag = values.get('VERSION_ID');
      if (values.get('ID') === 'talos' && tag !== undefined && tag !== '') return ok({ tag });
    }
    const saved = await this.readYamlDocuments(SNAPSHOT_VERSION_FILE);
    if (saved.state === 'ok') {
      const doc = saved.value[0] as { tag?: unknown; arch?: unknown } | undefined;
      if (typeof doc?.tag === 'string' && doc.tag !== '') {
        return ok(
          typeof doc.arch === 'string' ? { tag: doc.tag, arch: doc.arch } : { tag: doc.tag },
        );
      }
    }
    return {
      state: 'unavailable',
      reason: `no etc/os-release with ID=talos and no ${SNAPSHOT_VERSION_FILE} under the root`,
    };
  }

  async resources(_namespace: string, type: string): Promise<Probe<readonly ResourceEntry[]>> {
    const file = snapshotResourceFile(type);
    const docs = await this.readYamlDocuments(file);
    if (docs.state === 'missing') {
      return { state: 'unavailable', reason: `not captured (no ${file} under the root)` };
    }
    if (docs.state !== 'ok') return docs;
    const entries: ResourceEntry[] = [];
    for (const doc of docs.value) {
      const id = (doc as { metadata?: { id?: unknown } } | null)?.metadata?.id;
      if (typeof id === 'string') entries.push({ id, spec: (doc as { spec?: unknown }).spec });
    }
    return ok(entries);
  }

  private async readYamlDocuments(path: string): Promise<Probe<readonly unknown[]>> {
    const file = await this.readFile(path, 4 << 20);
    if (file.state !== 'ok') return file;
    const { parseAllDocuments } = await import('yaml');
    const docs = parseAllDocuments(Buffer.from(file.value).toString('utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    const errors = list.flatMap((doc) => doc.errors);
    if (errors.length > 0) {
      return { state: 'unavailable', reason: `${path}: not YAML (${errors[0]?.message ?? ''})` };
    }
    return ok(list.map((doc) => doc.toJS() as unknown).filter((doc) => doc != null));
  }
}

function ok<T>(value: T): Probe<T> {
  return { state: 'ok', value };
}
