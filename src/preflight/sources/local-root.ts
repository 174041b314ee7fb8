import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TalosLonghornError } from '../../errors.js';
import { readRegular, withDeadline } from '../../output/index.js';
import { parseOsRelease } from '../parse.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry, VersionInfo } from '../reader.js';
import {
  SNAPSHOT_VERSION_FILE,
  snapshotResourceFile,
  UNKNOWN_LINK_TARGET,
} from './snapshot-layout.js';

const MISSING: Probe<never> = { state: 'missing' };
const LEAVES_ROOT: Probe<never> = {
  state: 'unavailable',
  reason: 'a symlink that leaves the root directory',
};

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
  // `path` is a real path: a symlink as its last component means it was swapped meanwhile.
  const read = await readRegular(path, maxBytes, { noFollow: true });
  switch (read.state) {
    case 'ok':
      return { state: 'ok', value: read.bytes };
    case 'too-large':
      return { state: 'unavailable', reason: `larger than ${maxBytes} bytes` };
    case 'not-regular':
      return { state: 'unavailable', reason: `${read.kind}, not a regular file` };
  }
}

/** How long one read or listing under the root may take before it is reported unavailable. */
const LOCAL_READ_DEADLINE_MS = 10_000;

export interface LocalRootOptions {
  /** Per read or listing; `LOCAL_READ_DEADLINE_MS` by default. */
  readonly deadlineMs?: number;
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
  readonly #deadlineMs: number;
  #realRoot: Promise<string> | undefined;

  constructor(root: string, node: string, options: LocalRootOptions = {}) {
    this.#root = resolve(root);
    this.node = node;
    this.#deadlineMs = options.deadlineMs ?? LOCAL_READ_DEADLINE_MS;
  }

  /** The root must be a readable directory; anything else is bad input, checked up front. */
  static async open(
    root: string,
    node: string = root,
    options: LocalRootOptions = {},
  ): Promise<LocalRootReader> {
    const reader = new LocalRootReader(root, node, options);
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

  /**
   * The real path of a node path, or undefined when it leaves the root (through a symlink
   * anywhere on the way, e.g. `sys -> /sys`).
   */
  private async inside(nodePath: string): Promise<string | undefined> {
    const [real, root] = await Promise.all([realpath(this.hostPath(nodePath)), this.realRoot()]);
    return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)
      ? real
      : undefined;
  }

  private timed<T>(work: Promise<Probe<T>>): Promise<Probe<T>> {
    return withDeadline(work, this.#deadlineMs, () => ({
      state: 'unavailable',
      reason: `no answer within ${this.#deadlineMs} ms`,
    }));
  }

  readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    return this.timed(this.#readFile(path, maxBytes));
  }

  async #readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    try {
      const real = await this.inside(path);
      if (real === undefined) return LEAVES_ROOT;
      return await readBoundedFile(real, maxBytes);
    } catch (err) {
      return failed(err);
    }
  }

  list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>> {
    return this.timed(this.#list(path, depth));
  }

  async #list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>> {
    let base: string;
    try {
      const real = await this.inside(path);
      if (real === undefined) return LEAVES_ROOT;
      base = real;
      const info = await lstat(base);
      if (!info.isDirectory()) return MISSING;
    } catch (err) {
      return failed(err);
    }
    const entries: ListEntry[] = [];
    // Below `base` nothing is followed: entries are typed by lstat (readdir's d_type), so a
    // symlinked directory is reported as a symlink and never walked into.
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
