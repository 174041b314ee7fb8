import { type ErrorCode, isTalosLonghornError } from '../../errors.js';
import type { ListEntry, NodeReader, Probe, ResourceEntry, VersionInfo } from '../reader.js';

/** The part of `TalosClient` preflight uses (so tests and capture can wrap it). */
export interface TalosReadApi {
  readonly roles: readonly string[];
  version(node: string): Promise<{ readonly tag: string; readonly arch: string }>;
  readFile(node: string, path: string, options: { maxBytes: number }): Promise<Uint8Array>;
  list(
    node: string,
    root: string,
    options: { recurse?: boolean; recursionDepth?: number },
  ): Promise<
    readonly {
      readonly name: string;
      readonly relativeName: string;
      readonly mode: number;
      readonly isDir: boolean;
      readonly link: string;
      readonly error: string;
    }[]
  >;
  listResources(
    node: string,
    namespace: string,
    type: string,
  ): Promise<readonly { readonly id: string; readonly spec: unknown }[]>;
}

/** Failures that mean the node cannot be asked at all: the whole node fails (exit 3). */
const FATAL: ReadonlySet<ErrorCode> = new Set(['connection', 'tls', 'deadline-exceeded']);

/** Go's os.FileMode symlink bit, as Talos's List sends it. */
const GO_MODE_SYMLINK = 2 ** 27;

function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

/**
 * A node read over the Talos API. Files come from MachineService Read (role os:admin) and List
 * (os:reader); the rest from COSI resources. A call the role may not make, a file or resource
 * type the node does not have, becomes a probe without a value; an unreachable node throws.
 */
export class TalosApiReader implements NodeReader {
  readonly node: string;
  readonly #api: TalosReadApi;

  constructor(api: TalosReadApi, node: string) {
    this.#api = api;
    this.node = node;
  }

  async #probe<T>(what: string, call: () => Promise<T>): Promise<Probe<T>> {
    try {
      return { state: 'ok', value: await call() };
    } catch (err) {
      if (!isTalosLonghornError(err) || FATAL.has(err.code)) throw err;
      if (err.code === 'not-found') return { state: 'missing' };
      if (err.code === 'permission-denied') {
        const roles = this.#api.roles.length > 0 ? this.#api.roles.join(', ') : 'none';
        return {
          state: 'unavailable',
          reason: `${what} is not allowed for role ${roles} (needs os:admin)`,
        };
      }
      return { state: 'unavailable', reason: err.message.replace(/^node [^:]+: /, '') };
    }
  }

  async version(): Promise<Probe<VersionInfo>> {
    return this.#probe('Version', async () => {
      const version = await this.#api.version(this.node);
      return version.arch ? { tag: version.tag, arch: version.arch } : { tag: version.tag };
    });
  }

  readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    return this.#probe(`reading ${path}`, () => this.#api.readFile(this.node, path, { maxBytes }));
  }

  async list(path: string, depth: number): Promise<Probe<readonly ListEntry[]>> {
    const options = depth <= 1 ? { recurse: false } : { recurse: true, recursionDepth: depth };
    const probe = await this.#probe(`listing ${path}`, () =>
      this.#api.list(this.node, path, options),
    );
    if (probe.state !== 'ok') return probe;
    const entries: ListEntry[] = [];
    for (const info of probe.value) {
      const rel = info.relativeName;
      if (info.error !== '' || rel === '' || rel === '.' || rel.startsWith('..')) continue;
      if (rel.split('/').length > depth) continue;
      if (hasBit(info.mode, GO_MODE_SYMLINK)) {
        entries.push(
          info.link === ''
            ? { path: rel, type: 'symlink' }
            : { path: rel, type: 'symlink', link: info.link },
        );
      } else {
        entries.push({ path: rel, type: info.isDir ? 'dir' : 'file' });
      }
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { state: 'ok', value: entries };
  }

  async resources(namespace: string, type: string): Promise<Probe<readonly ResourceEntry[]>> {
    const probe = await this.#probe(`resource ${type}`, () =>
      this.#api.listResources(this.node, namespace, type),
    );
    if (probe.state === 'missing') {
      return { state: 'unavailable', reason: 'this Talos version does not have it' };
    }
    if (probe.state !== 'ok') return probe;
    return { state: 'ok', value: probe.value.map((res) => ({ id: res.id, spec: res.spec })) };
  }
}
