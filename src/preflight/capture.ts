import { lstat, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TalosLonghornError } from '../errors.js';
import { removeStaleTemporaries, stagingName } from '../output/index.js';
import { yamlText } from '../yaml-text.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry, VersionInfo } from './reader.js';
import {
  SNAPSHOT_VERSION_FILE,
  snapshotResourceFile,
  UNKNOWN_LINK_TARGET,
} from './sources/snapshot-layout.js';

type Recorded =
  | { readonly kind: 'file'; readonly path: string; readonly bytes: Uint8Array }
  | { readonly kind: 'list'; readonly path: string; readonly entries: readonly ListEntry[] }
  | {
      readonly kind: 'resources';
      readonly namespace: string;
      readonly type: string;
      readonly entries: readonly ResourceEntry[];
    }
  | { readonly kind: 'version'; readonly version: VersionInfo };

/**
 * Wraps a source and remembers every answer it gave, so that exactly what preflight saw can be
 * written out as a node directory (`writeSnapshot`) and checked again with `--root`.
 */
export class RecordingReader implements NodeReader {
  readonly node: string;
  readonly recorded: Recorded[] = [];
  readonly #inner: NodeReader;

  constructor(inner: NodeReader) {
    this.#inner = inner;
    this.node = inner.node;
  }

  async version(): Promise<Probe<VersionInfo>> {
    const probe = await this.#inner.version();
    if (probe.state === 'ok') this.recorded.push({ kind: 'version', version: probe.value });
    return probe;
  }

  async readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    const probe = await this.#inner.readFile(path, maxBytes);
    if (probe.state === 'ok') this.recorded.push({ kind: 'file', path, bytes: probe.value });
    return probe;
  }

  async list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>> {
    const probe = await this.#inner.list(path, depth);
    if (probe.state === 'ok') this.recorded.push({ kind: 'list', path, entries: probe.value });
    return probe;
  }

  async resources(namespace: string, type: string): Promise<Probe<readonly ResourceEntry[]>> {
    const probe = await this.#inner.resources(namespace, type);
    if (probe.state === 'ok') {
      this.recorded.push({ kind: 'resources', namespace, type, entries: probe.value });
    }
    return probe;
  }

  /** The wrapped source's verdict, so a node that gave nothing is still an error (exit 3). */
  failure(): string | undefined {
    return this.#inner.failure?.();
  }
}

/** A node path or entry path as a relative path with no way out of the snapshot. */
function safeRelative(...parts: readonly string[]): string | undefined {
  const segments = parts
    .join('/')
    .split('/')
    .filter((part) => part !== '' && part !== '.');
  if (segments.length === 0 || segments.some((part) => part === '..')) return undefined;
  return segments.join('/');
}

/** Every path the recording reports as a symlink: nothing is written below one of them. */
function symlinkPaths(items: readonly Recorded[]): Set<string> {
  const links = new Set<string>();
  for (const item of items) {
    if (item.kind !== 'list') continue;
    for (const entry of item.entries) {
      const rel = entry.type === 'symlink' ? safeRelative(item.path, entry.path) : undefined;
      if (rel !== undefined) links.add(rel);
    }
  }
  return links;
}

function belowSymlink(rel: string, links: ReadonlySet<string>): boolean {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) if (links.has(parts.slice(0, i).join('/'))) return true;
  return false;
}

/**
 * `mkdir -p` of `rel` inside `root`, level by level, never through a symlink: false when a level
 * exists and is not a directory (a symlink stored from a listing), so nothing goes below it.
 */
async function directoryInside(root: string, rel: string): Promise<boolean> {
  let dir = root;
  for (const part of rel.split('/').filter((p) => p !== '')) {
    dir = join(dir, part);
    try {
      await mkdir(dir, { mode: 0o755 });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      if (!(await lstat(dir)).isDirectory()) return false;
    }
  }
  return true;
}

/** Write a new file inside `root` (never through or over a symlink); an existing path is kept. */
async function fileInside(root: string, rel: string, content: string | Uint8Array): Promise<void> {
  if (!(await directoryInside(root, dirname(rel) === '.' ? '' : dirname(rel)))) return;
  await writeFile(join(root, rel), content, { flag: 'wx', mode: 0o644 }).catch(
    (err: { code?: string }) => {
      if (err.code !== 'EEXIST') throw err;
    },
  );
}

async function writeRecorded(
  dir: string,
  item: Recorded,
  links: ReadonlySet<string>,
): Promise<void> {
  switch (item.kind) {
    case 'version':
      await fileInside(dir, SNAPSHOT_VERSION_FILE, yamlText(item.version));
      return;
    case 'resources': {
      const docs = item.entries.map((entry) =>
        yamlText({
          metadata: { namespace: item.namespace, type: item.type, id: entry.id },
          spec: entry.spec ?? null,
        }),
      );
      await fileInside(dir, snapshotResourceFile(item.type), docs.join('---\n'));
      return;
    }
    case 'file': {
      const rel = safeRelative(item.path);
      if (rel === undefined || links.has(rel) || belowSymlink(rel, links)) return;
      await fileInside(dir, rel, item.bytes);
      return;
    }
    case 'list': {
      // The listed directory itself may be the node's root (`/`).
      const base = item.path.split('/').every((p) => p === '' || p === '.')
        ? ''
        : safeRelative(item.path);
      if (base === undefined || links.has(base) || belowSymlink(base, links)) return;
      if (!(await directoryInside(dir, base))) return;
      for (const entry of item.entries) {
        const rel = safeRelative(base, entry.path);
        if (rel === undefined || belowSymlink(rel, links)) continue;
        if (entry.type === 'dir' && !links.has(rel)) await directoryInside(dir, rel);
        else if (entry.type === 'symlink') {
          if (!(await directoryInside(dir, dirname(rel) === '.' ? '' : dirname(rel)))) continue;
          // Stored as a link, never followed; its target is only text.
          await symlink(entry.link ?? UNKNOWN_LINK_TARGET, join(dir, rel)).catch(
            (err: { code?: string }) => {
              if (err.code !== 'EEXIST') throw err;
            },
          );
        }
      }
      return;
    }
  }
}

/**
 * Write what a `RecordingReader` saw as a node directory at `dir`: files at their node paths,
 * listed directories and symlinks, API answers under `talos-api/`. Atomic: everything is written
 * to a temporary directory beside `dir`, which is renamed into place at the end; `dir` must not
 * exist yet. Errors (`invalid-input` when it exists, `io` when it cannot be written) name `dir`.
 */
export async function writeSnapshot(dir: string, recording: RecordingReader): Promise<void> {
  const target = resolve(dir);
  const exists = await lstat(target).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new TalosLonghornError('invalid-input', `${dir} already exists; give a new directory`, {
      field: 'dir',
    });
  }
  await removeStaleTemporaries(dirname(target));
  const temp = join(dirname(target), stagingName());
  try {
    await mkdir(temp, { mode: 0o755 });
    // API answers first, so the snapshot's own directories are real ones; then listings, so a
    // file read later lands inside the directories they created. Nothing is written below a
    // path the node reported as a symlink.
    const order = { version: 0, resources: 1, list: 2, file: 3 } as const;
    const items = [...recording.recorded].sort((a, b) => order[a.kind] - order[b.kind]);
    const links = symlinkPaths(items);
    for (const item of items) await writeRecorded(temp, item, links);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    const code = (err as { code?: string }).code;
    throw new TalosLonghornError('io', `cannot write ${dir}: ${code ?? String(err)}`, {
      field: 'dir',
      cause: err,
    });
  }
}
