import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { TalosLonghornError } from '../errors.js';
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

async function writeRecorded(dir: string, item: Recorded): Promise<void> {
  const { stringify } = await import('yaml');
  switch (item.kind) {
    case 'version': {
      await mkdir(join(dir, dirname(SNAPSHOT_VERSION_FILE)), { recursive: true });
      await writeFile(join(dir, SNAPSHOT_VERSION_FILE), stringify(item.version));
      return;
    }
    case 'resources': {
      const file = join(dir, snapshotResourceFile(item.type));
      await mkdir(dirname(file), { recursive: true });
      const docs = item.entries.map((entry) =>
        stringify({
          metadata: { namespace: item.namespace, type: item.type, id: entry.id },
          spec: entry.spec ?? null,
        }),
      );
      await writeFile(file, docs.join('---\n'));
      return;
    }
    case 'file': {
      const rel = safeRelative(item.path);
      if (rel === undefined) return;
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), item.bytes);
      return;
    }
    case 'list': {
      const base = safeRelative(item.path);
      if (base === undefined) return;
      await mkdir(join(dir, base), { recursive: true });
      for (const entry of item.entries) {
        const rel = safeRelative(base, entry.path);
        if (rel === undefined) continue;
        if (entry.type === 'dir') await mkdir(join(dir, rel), { recursive: true });
        else if (entry.type === 'symlink') {
          await mkdir(dirname(join(dir, rel)), { recursive: true });
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
 * exist yet.
 */
export async function writeSnapshot(dir: string, recording: RecordingReader): Promise<void> {
  const target = resolve(dir);
  const exists = await lstat(target).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new TalosLonghornError('invalid-input', `${dir} already exists; give a new directory`, {
      field: '--capture',
    });
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(temp, { mode: 0o755 });
    // Listings first: a file read later lands inside the directories they created.
    const order = { list: 0, file: 1, resources: 2, version: 3 } as const;
    const items = [...recording.recorded].sort((a, b) => order[a.kind] - order[b.kind]);
    for (const item of items) await writeRecorded(temp, item);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    const code = (err as { code?: string }).code;
    throw new TalosLonghornError('io', `cannot write ${dir}: ${code ?? String(err)}`, {
      field: '--capture',
      cause: err,
    });
  }
}
