import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  unlink,
} from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { ConcurrencyLimit } from '../concurrency.js';
import { TalosLonghornError } from '../errors.js';
import { makeDirectories } from './dirs.js';
import { errnoCode, errnoText } from './errno.js';
import { fileKind } from './file-kind.js';
import { readRegular } from './read.js';

/** One file of a run, at a path relative to the output directory (`/`-separated). */
export interface OutputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  /** Permission bits; 0644 when not given. Applied exactly (the umask does not narrow them). */
  readonly mode?: number;
}

export interface WriteFilesOptions {
  /** The input field errors are about (a CLI flag is the CLI's business). */
  readonly field?: string;
  /** How the output directory is named in messages; the directory as given by default. */
  readonly label?: string;
  /** Leave files whose bytes are already right untouched (not even their mtime changes). */
  readonly skipUnchanged?: boolean;
}

/**
 * What a write did: the paths it wrote and the paths it left alone because they already held the
 * same bytes.
 */
export interface WriteFilesResult {
  /** Paths (as given) that were written. */
  readonly written: readonly string[];
  /** Paths (as given) that already held the right bytes and were left alone. */
  readonly unchanged: readonly string[];
}

/** Fault injection for tests: runs after every file is staged and fsynced, before any rename. */
export interface WriteFilesHooks {
  readonly beforeCommit?: () => Promise<void>;
}

/** Files staged (written and fsynced) at a time: overlaps the fsyncs, stays far from EMFILE. */
const STAGING_CONCURRENCY = 16;

/**
 * A run's private staging directory, created inside each directory it writes to (so every
 * rename stays on one filesystem): `.talos-longhorn-<pid>-<12 hex>.staging`. The pid makes the
 * directories of killed runs recognisable: a later run removes those whose process is gone.
 */
const STAGING_PATTERN = /^\.talos-longhorn-(\d+)-[0-9a-f]{12}\.staging$/;

export function stagingName(): string {
  return `.talos-longhorn-${process.pid}-${randomBytes(6).toString('hex')}.staging`;
}

/** Temporaries of earlier versions of this program: `.<file>.<12 hex>.tmp` beside the file. */
function isLegacyTemporary(entry: string, names: ReadonlySet<string>): boolean {
  const match = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(entry);
  return match?.[1] !== undefined && names.has(match[1]);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ESRCH';
  }
}

/**
 * Remove what killed runs left in `dir`: staging directories whose process no longer exists and
 * legacy temporaries of the files in `names`. Entries are removed with `rm` on the entry itself,
 * which never follows a symlink.
 */
export async function removeStaleTemporaries(
  dir: string,
  names: ReadonlySet<string> = new Set(),
): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = STAGING_PATTERN.exec(entry)?.[1];
    const stale =
      (pid !== undefined && !processAlive(Number(pid))) || isLegacyTemporary(entry, names);
    if (stale) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** Split a relative output path into its components, refusing anything that could leave the root. */
function outputPathParts(path: string, field?: string): string[] {
  const parts = path.split('/');
  const bad =
    path === '' ||
    path.startsWith('/') ||
    path.includes('\0') ||
    path.includes('\\') ||
    parts.some((part) => part === '' || part === '.' || part === '..');
  if (bad) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(path)} is not a relative path inside the output directory`,
      field === undefined ? {} : { field },
    );
  }
  return parts;
}

function refusal(message: string, field: string | undefined): TalosLonghornError {
  return new TalosLonghornError('io', message, field === undefined ? {} : { field });
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

interface Target {
  readonly file: OutputFile;
  /** Directory (relative, `/`-separated, '' for the root) and name inside it. */
  readonly dir: string;
  readonly name: string;
  readonly full: string;
  /** The regular file that is there now, if any. */
  readonly existing: Stats | undefined;
}

type Done =
  | { readonly kind: 'created'; readonly full: string }
  | { readonly kind: 'replaced'; readonly full: string; readonly backup: string };

/** Errors of the link(2) fallbacks: filesystems without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Write a set of files under `dir`, all or none.
 *
 * - Every target is checked before anything is written: no component below `dir` may be a
 *   symlink or a non-directory, and an existing target must be a regular file (a FIFO, device,
 *   directory or symlink there is refused, never opened or replaced). `dir` itself (and what is
 *   above it) may be a symlink: it is the place the caller named.
 * - Files are staged in a private directory inside each destination directory, fsynced, then
 *   put in place one by one: a new file with link(2), which fails rather than replace anything
 *   that appeared meanwhile; an existing one by renaming over it after keeping the old inode as a
 *   hard link in the staging directory. When any step fails, what was already put in place is
 *   rolled back from those backups (new files removed, replaced ones restored), the staging
 *   directories and the directories this run created are removed, and the error is thrown.
 * - Every task is waited for (a failure does not leave other writes running), and the staging
 *   directories are removed on success and failure alike. Staging directories of killed runs
 *   (their pid no longer exists) are removed by the next run that writes to the same directory.
 *
 * What remains non-atomic: the files are put in place by successive renames, so a concurrent
 * reader can see some new and some old files while the commit runs, and a SIGKILL or power loss
 * during that (short) commit phase leaves a mix of new and old files (the next run completes the
 * set and removes the leftover staging directory with its backups). A concurrent writer in the
 * output directory that swaps a checked directory for a symlink between the check and the rename
 * is not defended against (Node has no renameat/openat).
 */
export async function writeFiles(
  dir: string,
  files: readonly OutputFile[],
  options: WriteFilesOptions = {},
): Promise<WriteFilesResult> {
  return writeFilesWithHooks(dir, files, options, {});
}

export async function writeFilesWithHooks(
  dir: string,
  files: readonly OutputFile[],
  options: WriteFilesOptions,
  hooks: WriteFilesHooks,
): Promise<WriteFilesResult> {
  const { field } = options;
  const root = resolve(dir);
  const label = (rel: string): string =>
    rel === '' ? (options.label ?? dir) : posix.join(options.label ?? dir, rel);
  let current = '';
  const created: string[] = [];
  const staging = new Map<string, string>();
  const done: Done[] = [];
  try {
    const planned = plan(files, field);
    current = '';
    await makeDirectories(root);

    // 1. Check every directory below the root and every target, before writing anything.
    const dirState = new Map<string, 'dir' | 'missing'>([['', 'dir']]);
    for (const rel of planned.dirs) {
      const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
      if (dirState.get(parent) === 'missing') {
        dirState.set(rel, 'missing');
        continue;
      }
      current = rel;
      const info = await lstatOrUndefined(join(root, rel));
      if (info === undefined) dirState.set(rel, 'missing');
      else if (info.isSymbolicLink()) {
        throw refusal(`${label(rel)} is a symbolic link; refusing to write through it`, field);
      } else if (!info.isDirectory()) {
        throw refusal(`${label(rel)} is ${fileKind(info)}, not a directory`, field);
      } else dirState.set(rel, 'dir');
    }
    const targets: Target[] = [];
    for (const { file, dir: rel, name } of planned.files) {
      current = file.path;
      const full = join(root, file.path);
      const info = dirState.get(rel) === 'missing' ? undefined : await lstatOrUndefined(full);
      if (info !== undefined && !info.isFile()) {
        throw refusal(
          `${label(file.path)} exists and is ${fileKind(info)}, not a regular file; refusing to replace it`,
          field,
        );
      }
      targets.push({ file, dir: rel, name, full, existing: info });
    }

    // 2. Files that already hold the right bytes are left alone.
    const unchanged = new Set<Target>();
    if (options.skipUnchanged) {
      await settleAll(targets, async (target) => {
        if (target.existing === undefined) return;
        const bytes = toBytes(target.file.content);
        if (target.existing.size !== bytes.length) return;
        // Unreadable (permissions, swapped meanwhile): rewritten, and checked again on commit.
        const now = await readRegular(target.full, bytes.length, { noFollow: true }).catch(
          () => undefined,
        );
        if (now?.state === 'ok' && now.bytes.equals(bytes)) unchanged.add(target);
      });
    }
    const changed = targets.filter((target) => !unchanged.has(target));

    // 3. Create the missing directories (each checked not to be a symlink once it exists).
    for (const rel of planned.dirs) {
      if (dirState.get(rel) !== 'missing') continue;
      current = rel;
      try {
        await mkdir(join(root, rel), { mode: 0o755 });
        created.push(rel);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        const info = await lstat(join(root, rel));
        if (!info.isDirectory()) {
          throw refusal(`${label(rel)} is ${fileKind(info)}, not a directory`, field);
        }
      }
    }

    // 4. Remove what killed runs left, then stage every changed file in its directory.
    const dirNames = new Map<string, Set<string>>();
    for (const target of targets) {
      const names = dirNames.get(target.dir) ?? new Set<string>();
      names.add(target.name);
      dirNames.set(target.dir, names);
    }
    for (const [rel, names] of dirNames) {
      current = rel;
      await removeStaleTemporaries(join(root, rel), names);
    }
    for (const rel of new Set(changed.map((target) => target.dir))) {
      current = rel;
      const stage = join(root, rel, stagingName());
      await mkdir(stage, { mode: 0o700 });
      staging.set(rel, stage);
      await mkdir(join(stage, 'new'), { mode: 0o700 });
      await mkdir(join(stage, 'old'), { mode: 0o700 });
    }
    const stagedPath = (target: Target): string =>
      join(staging.get(target.dir) ?? '', 'new', target.name);
    const failure = await settleAll(changed, async (target) => {
      const mode = target.file.mode ?? 0o644;
      const path = stagedPath(target);
      try {
        const handle = await open(path, 'wx', mode);
        try {
          await handle.writeFile(target.file.content);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await chmod(path, mode);
      } catch (err) {
        throw new TalosLonghornError(
          'io',
          `cannot write ${label(target.file.path)}: ${errnoText(err)}`,
          {
            ...(field === undefined ? {} : { field }),
            cause: err,
          },
        );
      }
    });
    if (failure !== undefined) throw failure;
    await hooks.beforeCommit?.();

    // 5. Commit: put every file in place, keeping what it replaces until the end.
    for (const target of changed) {
      current = target.file.path;
      const staged = stagedPath(target);
      if (target.existing === undefined) {
        await placeNew(staged, target.full, () =>
          refusal(
            `${label(target.file.path)} appeared while writing; refusing to replace it`,
            field,
          ),
        );
        done.push({ kind: 'created', full: target.full });
      } else {
        const backup = join(staging.get(target.dir) ?? '', 'old', target.name);
        await keepBackup(target.full, backup);
        const kept = await lstat(backup);
        if (
          !kept.isFile() ||
          kept.ino !== target.existing.ino ||
          kept.dev !== target.existing.dev
        ) {
          await rm(backup, { force: true });
          throw refusal(
            `${label(target.file.path)} was replaced while writing; refusing to replace it`,
            field,
          );
        }
        await rename(staged, target.full);
        done.push({ kind: 'replaced', full: target.full, backup });
      }
    }
    for (const rel of staging.keys()) await syncDirectory(join(root, rel));
    const unchangedPaths = targets.filter((t) => unchanged.has(t)).map((t) => t.file.path);
    return { written: changed.map((target) => target.file.path), unchanged: unchangedPaths };
  } catch (err) {
    const notRestored = await rollBack(done);
    await removeStaging(staging);
    for (const rel of created.reverse()) await rmdir(join(root, rel)).catch(() => undefined);
    const suffix =
      notRestored.length === 0
        ? ''
        : `; could not restore ${notRestored.map((p) => label(p.slice(root.length + 1))).join(', ')}`;
    if (err instanceof TalosLonghornError) {
      if (suffix === '') throw err;
      throw new TalosLonghornError(err.code, `${err.detail}${suffix}`, {
        ...(err.field === undefined ? {} : { field: err.field }),
        cause: err,
      });
    }
    throw new TalosLonghornError(
      'io',
      `cannot write ${label(current)}: ${errnoText(err)}${suffix}`,
      {
        ...(field === undefined ? {} : { field }),
        cause: err,
      },
    );
  } finally {
    await removeStaging(staging);
  }
}

async function removeStaging(staging: Map<string, string>): Promise<void> {
  for (const stage of staging.values()) {
    await rm(stage, { recursive: true, force: true }).catch(() => undefined);
  }
  staging.clear();
}

interface Planned {
  readonly files: readonly { file: OutputFile; dir: string; name: string }[];
  /** Every directory below the root that a file lives in, parents before children. */
  readonly dirs: readonly string[];
}

function plan(files: readonly OutputFile[], field: string | undefined): Planned {
  const seen = new Set<string>();
  const dirs = new Set<string>();
  const out: { file: OutputFile; dir: string; name: string }[] = [];
  for (const file of files) {
    const parts = outputPathParts(file.path, field);
    const path = parts.join('/');
    if (seen.has(path)) {
      throw new TalosLonghornError('internal', `${path} is written twice in one run`);
    }
    seen.add(path);
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    out.push({ file, dir: parts.slice(0, -1).join('/'), name: parts.at(-1) ?? '' });
  }
  for (const path of seen) {
    if (dirs.has(path)) {
      throw new TalosLonghornError('internal', `${path} is both a file and a directory in one run`);
    }
  }
  return { files: out, dirs: [...dirs].sort((a, b) => a.split('/').length - b.split('/').length) };
}

function toBytes(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
}

/**
 * Run `task` for every item, at most STAGING_CONCURRENCY at once, and wait for all of them. After
 * the first failure no new task starts; the first error is returned (not thrown) once every
 * running task has settled.
 */
async function settleAll<T>(
  items: readonly T[],
  task: (item: T) => Promise<void>,
): Promise<unknown> {
  const gate = new ConcurrencyLimit(STAGING_CONCURRENCY);
  let failed = false;
  const results = await Promise.allSettled(
    items.map((item) =>
      gate.run(async () => {
        if (failed) return;
        try {
          await task(item);
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
    ),
  );
  const rejected = results.find((result) => result.status === 'rejected');
  return rejected === undefined ? undefined : (rejected as PromiseRejectedResult).reason;
}

/** Put a staged file at `dest`, where nothing was: link(2) fails if something appeared since. */
async function placeNew(
  staged: string,
  dest: string,
  appeared: () => TalosLonghornError,
): Promise<void> {
  try {
    await link(staged, dest);
    return;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST') throw appeared();
    if (!NO_HARD_LINKS.has(code ?? '')) throw err;
  }
  if ((await lstatOrUndefined(dest)) !== undefined) throw appeared();
  await rename(staged, dest);
}

/** Keep the current inode at `dest` as `backup` (a hard link, or a copy without hard links). */
async function keepBackup(dest: string, backup: string): Promise<void> {
  try {
    await link(dest, backup);
  } catch (err) {
    if (!NO_HARD_LINKS.has(errnoCode(err) ?? '')) throw err;
    await copyFile(dest, backup, constants.COPYFILE_EXCL);
  }
}

/** Undo the commit in reverse order; returns the paths that could not be restored. */
async function rollBack(done: readonly Done[]): Promise<string[]> {
  const failed: string[] = [];
  for (const step of [...done].reverse()) {
    try {
      if (step.kind === 'created') await unlink(step.full);
      else await rename(step.backup, step.full);
    } catch {
      failed.push(step.full);
    }
  }
  return failed;
}

/** fsync a directory so the renames in it survive a crash (best effort: not every FS allows it). */
async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // EINVAL/EBADF on filesystems that cannot sync a directory: the files themselves are synced.
  }
}
