import { type ErrorCode, isTalosLonghornError } from '../../errors.js';
import { type CapabilityName, supports } from '../../talos/capabilities.js';
import { parseTalosVersion } from '../../talos/versions.js';
import {
  type ListEntry,
  NODE_RESOURCES,
  type NodeReader,
  type Probe,
  type ResourceEntry,
  type VersionInfo,
} from '../reader.js';

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

/** MachineService Read needs os:admin (Talos's RBAC, internal/app/apid's authorizer rules). */
const READ_ROLE = 'os:admin';

/** Resource types registered only from some Talos version (the capability table says which). */
const TYPE_CAPABILITY: Readonly<Record<string, CapabilityName>> = {
  [NODE_RESOURCES.loadedKernelModules.type]: 'loadedKernelModules',
  [NODE_RESOURCES.kernelModuleStatuses.type]: 'kernelModuleStatuses',
};

/**
 * A node read over the Talos API. Files come from MachineService Read (role os:admin) and List
 * (os:reader); the rest from COSI resources. A call the role may not make, a file or resource
 * type the node does not have, becomes a probe without a value; an unreachable node throws.
 *
 * The call plan is lean: no Read without os:admin and no resource type the node's version does
 * not register (which facts are asked at all, and which fallbacks, `collectFacts` decides).
 */
export class TalosApiReader implements NodeReader {
  readonly node: string;
  readonly #api: TalosReadApi;
  readonly #files = new Map<string, Promise<Probe<Uint8Array>>>();
  #version: Promise<Probe<VersionInfo>> | undefined;
  /** Calls made, and the reasons of those that failed without a value. */
  #calls = 0;
  readonly #refused: string[] = [];

  constructor(api: TalosReadApi, node: string) {
    this.#api = api;
    this.node = node;
  }

  #roles(): string {
    return this.#api.roles.length > 0 ? this.#api.roles.join(', ') : 'none';
  }

  async #probe<T>(what: string, call: () => Promise<T>): Promise<Probe<T>> {
    this.#calls++;
    try {
      return { state: 'ok', value: await call() };
    } catch (err) {
      if (!isTalosLonghornError(err) || FATAL.has(err.code)) throw err;
      if (err.code === 'not-found') return { state: 'missing' };
      const detail = err.message.replace(/^node [^:]+: /, '');
      // A refusal names the missing role only when the certificate lacks it; a node refusing
      // an os:admin certificate has another reason, and says it.
      const reason =
        err.code === 'permission-denied' && !this.#api.roles.includes(READ_ROLE)
          ? `${what} is not allowed for role ${this.#roles()} (needs ${READ_ROLE})`
          : detail;
      this.#refused.push(reason);
      return { state: 'unavailable', reason };
    }
  }

  /** Why nothing could be read, when every call made failed (auth or protocol), else undefined. */
  failure(): string | undefined {
    if (this.#calls === 0 || this.#refused.length < this.#calls) return undefined;
    return `every call to the node failed (${this.#refused[0] ?? 'no reason given'})`;
  }

  version(): Promise<Probe<VersionInfo>> {
    this.#version ??= this.#probe('Version', async () => {
      const version = await this.#api.version(this.node);
      return version.arch ? { tag: version.tag, arch: version.arch } : { tag: version.tag };
    });
    return this.#version;
  }

  readFile(path: string, maxBytes: number): Promise<Probe<Uint8Array>> {
    let probe = this.#files.get(path);
    if (probe === undefined) {
      probe = this.#api.roles.includes(READ_ROLE)
        ? this.#probe(`reading ${path}`, () => this.#api.readFile(this.node, path, { maxBytes }))
        : Promise.resolve({
            state: 'unavailable',
            reason: `reading ${path} is not allowed for role ${this.#roles()} (needs ${READ_ROLE})`,
          });
      this.#files.set(path, probe);
    }
    return probe;
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

  /** Whether the node's version registers `type`; undefined when the version is unknown. */
  async #registered(type: string): Promise<boolean | undefined> {
    const capability = TYPE_CAPABILITY[type];
    if (capability === undefined) return true;
    const version = await this.version();
    if (version.state !== 'ok') return undefined;
    try {
      return supports(parseTalosVersion(version.value.tag), capability);
    } catch {
      return undefined;
    }
  }

  async resources(namespace: string, type: string): Promise<Probe<readonly ResourceEntry[]>> {
    if ((await this.#registered(type)) === false) {
      return { state: 'unavailable', reason: 'this Talos version does not have it' };
    }
    const probe = await this.#probe(`resource ${type}`, () =>
      this.#api.listResources(this.node, namespace, type),
    );
    if (probe.state === 'missing') {
      return { state: 'unavailable', reason: 'this Talos version does not have it' };
    }
    if (probe.state !== 'ok') return probe;
    // The spec stays unparsed until a fact reads it.
    return {
      state: 'ok',
      value: probe.value.map((res) => ({
        id: res.id,
        get spec() {
          return res.spec;
        },
      })),
    };
  }
}
