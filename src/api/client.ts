// The Talos API calls this project makes, with plain TypeScript results and typed errors.
import { create } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { parse, parseAllDocuments } from 'yaml';
import { TalosLonghornError } from '../errors.js';
import {
  type CallContext,
  GrpcCode,
  grpcFailure,
  metadataError,
  type ReplyMetadata,
} from './call-errors.js';
import { checkNodeName } from './endpoints.js';
import type { Resource } from './gen/cosi/resource_pb.js';
import { State } from './gen/cosi/state_pb.js';
import {
  ApplyConfigurationRequest_Mode,
  ListRequest_Type,
  MachineService,
} from './gen/machine/machine_pb.js';
import { parseSimpleYaml } from './spec-yaml.js';
import type { ClientCertificateInfo, TalosContext } from './talosconfig.js';
import { type Invocation, TalosTransport, type TransportOptions } from './transport.js';

/** Bounds on what one node may send, whatever a broken or hostile server tries. */
export interface ReceiveLimits {
  /** Entries one `List` call may return (default 200 000). */
  readonly maxListEntries?: number;
  /** Bytes all calls to one node may receive over the client's life (default 256 MiB). */
  readonly maxNodeBytes?: number;
}

const DEFAULT_MAX_LIST_ENTRIES = 200_000;
const DEFAULT_MAX_NODE_BYTES = 256 * 1024 * 1024;

/** How to reach the nodes: the transport's options (endpoints, credentials, limits). */
export type TalosClientOptions = TransportOptions & ReceiveLimits;

/**
 * What `Version` reports for one node: Talos's build (`tag` such as `v1.11.6`, commit, Go version)
 * and the machine's OS, architecture and platform.
 */
export interface NodeVersion {
  readonly node: string;
  readonly hostname: string;
  readonly tag: string;
  readonly sha: string;
  readonly built: string;
  readonly goVersion: string;
  readonly os: string;
  readonly arch: string;
  readonly platform: string;
}

/**
 * One entry of a `List` reply, as Talos reports it (`machine.FileInfo`): names, size, mode bits,
 * modification time, symlink target and owner.
 */
export interface FileEntry {
  readonly name: string;
  readonly relativeName: string;
  readonly size: bigint;
  readonly mode: number;
  readonly modified: bigint;
  readonly isDir: boolean;
  readonly link: string;
  readonly uid: number;
  readonly gid: number;
  /** Talos reports a file it could not stat in the entry itself rather than failing the call. */
  readonly error: string;
}

/** A kind of entry a `List` call may be limited to (`ListOptions.types`). */
export type FileType = 'regular' | 'directory' | 'symlink';

/** Options of `TalosClient.list`: recursion, depth, entry types and the call's deadline. */
export interface ListOptions {
  readonly recurse?: boolean;
  /** With `recurse`: how deep (0 = unlimited). */
  readonly recursionDepth?: number;
  readonly types?: readonly FileType[];
  readonly timeoutMs?: number;
}

/**
 * One COSI resource as `getResource`/`listResources` return it: metadata, and the spec both as the
 * node's YAML and parsed.
 */
export interface CosiResource {
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
  readonly version: string;
  readonly phase: string;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * The spec parsed from `yaml_spec` (one document → that value; several → their list). Parsed
   * on first access: most callers read ids only, and YAML parsing is the costly part of a reply.
   */
  readonly spec: unknown;
  /** `yaml_spec` exactly as the node sent it. */
  readonly specYaml: string;
}

/**
 * How a node takes a new machine configuration (`ApplyConfigurationRequest.Mode`): `auto` lets
 * Talos decide whether to reboot, `no-reboot` refuses changes that need one, `staged` applies at
 * the next reboot, `try` rolls back after a timeout; `reboot` exists up to Talos 1.13.
 */
export type ApplyMode = 'reboot' | 'auto' | 'no-reboot' | 'staged' | 'try';
/** Every `ApplyMode`, in the order the CLI lists them. */
export const APPLY_MODES: readonly ApplyMode[] = ['auto', 'no-reboot', 'reboot', 'staged', 'try'];

/**
 * Options of `TalosClient.applyConfiguration`: the mode, a dry run (Talos validates and reports,
 * changes nothing), the `try` timeout and the call's deadline.
 */
export interface ApplyOptions {
  readonly mode: ApplyMode;
  readonly dryRun: boolean;
  /** For `try`: how long the node keeps the config before rolling back (Talos default 1 min). */
  readonly tryModeTimeoutMs?: number;
  readonly timeoutMs?: number;
}

/**
 * What a node answered to `ApplyConfiguration`: the mode it used, Talos's description of what
 * happens next (`modeDetails`) and its warnings.
 */
export interface ApplyResult {
  readonly node: string;
  readonly mode: ApplyMode;
  readonly modeDetails: string;
  readonly warnings: readonly string[];
}

const MODE_TO_WIRE: Record<ApplyMode, ApplyConfigurationRequest_Mode> = {
  reboot: ApplyConfigurationRequest_Mode.REBOOT,
  auto: ApplyConfigurationRequest_Mode.AUTO,
  'no-reboot': ApplyConfigurationRequest_Mode.NO_REBOOT,
  staged: ApplyConfigurationRequest_Mode.STAGED,
  try: ApplyConfigurationRequest_Mode.TRY,
};

const TYPE_TO_WIRE: Record<FileType, ListRequest_Type> = {
  regular: ListRequest_Type.REGULAR,
  directory: ListRequest_Type.DIRECTORY,
  symlink: ListRequest_Type.SYMLINK,
};

function modeFromWire(mode: ApplyConfigurationRequest_Mode): ApplyMode {
  const found = (Object.keys(MODE_TO_WIRE) as ApplyMode[]).find((m) => MODE_TO_WIRE[m] === mode);
  return found ?? 'reboot';
}

/** Parse `yaml_spec`; a node sending unparseable YAML is a node error, not ours. */
function parseYamlSpec(text: string, what: string, node: string): unknown {
  // Most specs are small mappings of plain scalars: read those without the general parser.
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) return simple;
  // Resource specs are one document; only a `---` line needs the multi-document parser.
  if (!/^---/m.test(text)) {
    try {
      return parse(text, { uniqueKeys: false }) as unknown;
    } catch {
      throw new TalosLonghornError('node-error', `${what}: yaml_spec is not valid YAML`, {
        field: `node ${node}`,
      });
    }
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) {
    throw new TalosLonghornError('node-error', `${what}: yaml_spec is not valid YAML`, {
      field: `node ${node}`,
    });
  }
  const values = list.map((d) => d.toJS() as unknown);
  return values.length === 1 ? values[0] : values;
}

/** `lstat /x: no such file or directory` — how Talos's List reports a missing root. */
const MISSING_PATH = /^(?:lstat|stat|open) \S+: no such file or directory$/;
/** apid's answer for a resource type the node does not register (cosi-project/runtime). */
const UNSUPPORTED_TYPE = /^resource type "[^"]*" is not supported$/;

/**
 * The Talos-level meaning of a call failure that is not a transport problem: a missing path or
 * an unregistered resource type become `not-found` with a message saying so.
 */
function nodeFailure(err: unknown, inv: Invocation): TalosLonghornError | undefined {
  // The transport wraps gRPC failures; the status is in the cause.
  const raw = err instanceof TalosLonghornError ? err.cause : err;
  if (raw === undefined || raw instanceof TalosLonghornError) return undefined;
  const failure = grpcFailure(raw);
  const field = `node ${inv.node}`;
  if (failure.code === GrpcCode.UNKNOWN && MISSING_PATH.test(failure.details)) {
    return new TalosLonghornError('not-found', `${inv.call}: ${failure.details}`, { field });
  }
  if (failure.code === GrpcCode.PERMISSION_DENIED && UNSUPPORTED_TYPE.test(failure.details)) {
    return new TalosLonghornError(
      'not-found',
      `${inv.call}: this Talos version has no such resource (${failure.details})`,
      { field },
    );
  }
  return undefined;
}

function positiveLimit(value: number | undefined, fallback: number, field: string): number {
  const limit = value ?? fallback;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TalosLonghornError('invalid-input', 'expected a whole number ≥ 1', { field });
  }
  return limit;
}

/** A client for Talos's apid: one instance per talosconfig context, any number of nodes. */
export class TalosClient {
  readonly #transport: TalosTransport;
  readonly #certificate: ClientCertificateInfo | undefined;
  readonly #maxListEntries: number;
  readonly #maxNodeBytes: number;
  /** Bytes received per node so far, against `maxNodeBytes`. */
  readonly #received = new Map<string, number>();

  constructor(options: TalosClientOptions) {
    this.#certificate = options.certificate;
    this.#maxListEntries = positiveLimit(
      options.maxListEntries,
      DEFAULT_MAX_LIST_ENTRIES,
      'maxListEntries',
    );
    this.#maxNodeBytes = positiveLimit(
      options.maxNodeBytes,
      DEFAULT_MAX_NODE_BYTES,
      'maxNodeBytes',
    );
    this.#transport = new TalosTransport(options);
  }

  /** A client for a loaded talosconfig context (`endpoints` overrides the context's). */
  static fromContext(
    context: TalosContext,
    options: Omit<TalosClientOptions, 'credentials' | 'certificate' | 'endpoints'> & {
      endpoints?: readonly string[];
    } = {},
  ): TalosClient {
    return new TalosClient({
      ...options,
      endpoints: options.endpoints ?? context.endpoints,
      credentials: context.credentials,
      certificate: context.certificate,
    });
  }

  /** The client certificate's roles (`os:admin`, `os:reader`, …); empty without one. */
  get roles(): readonly string[] {
    return this.#certificate?.roles ?? [];
  }

  close(): void {
    this.#transport.close();
  }

  #context(invocation: Invocation): CallContext {
    return {
      node: invocation.node,
      call: invocation.call,
      endpoint: '',
      timeoutMs: invocation.timeoutMs ?? 0,
      certificate: this.#certificate,
    };
  }

  #check(metadata: ReplyMetadata | undefined, invocation: Invocation): void {
    const error = metadataError(metadata, this.#context(invocation));
    if (error) throw error;
  }

  /** Count `bytes` against the node's budget; past it, the call stops. */
  #count(inv: Invocation, bytes: number): void {
    const total = (this.#received.get(inv.node) ?? 0) + bytes;
    this.#received.set(inv.node, total);
    if (total > this.#maxNodeBytes) {
      throw new TalosLonghornError(
        'node-error',
        `${inv.call}: the node sent more than ${this.#maxNodeBytes} bytes in total`,
        { field: `node ${inv.node}` },
      );
    }
  }

  #invocation(node: string, call: string, idempotent: boolean, timeoutMs?: number): Invocation {
    const name = checkNodeName(node, 'node');
    return timeoutMs === undefined
      ? { node: name, call, idempotent }
      : { node: name, call, idempotent, timeoutMs };
  }

  async #unary<T>(inv: Invocation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw nodeFailure(err, inv) ?? err;
    }
  }

  async version(node: string, options: { timeoutMs?: number } = {}): Promise<NodeVersion> {
    const inv = this.#invocation(node, 'Version', true, options.timeoutMs);
    const reply = await this.#unary(inv, () =>
      this.#transport.unary(inv, MachineService.method.version, {}),
    );
    const message = reply.messages[0];
    // One-to-one (the `node` header) apid adds no common.Metadata; a fan-out reply has it.
    this.#check(message?.metadata, inv);
    if (message?.version === undefined) {
      throw new TalosLonghornError('node-error', 'Version: the reply holds no version', {
        field: `node ${inv.node}`,
      });
    }
    const v = message.version;
    return {
      node: inv.node,
      hostname: message.metadata?.hostname ?? '',
      tag: v.tag,
      sha: v.sha,
      built: v.built,
      goVersion: v.goVersion,
      os: v.os,
      arch: v.arch,
      platform: message.platform?.name ?? '',
    };
  }

  /**
   * Read a file from the node (needs `os:admin`). More than `maxBytes` cancels the call the
   * moment it is exceeded; nothing beyond one message is buffered past the limit.
   */
  async readFile(
    node: string,
    path: string,
    options: { maxBytes: number; timeoutMs?: number },
  ): Promise<Buffer> {
    const inv = this.#invocation(node, `Read ${path}`, true, options.timeoutMs);
    let chunks: Uint8Array[] = [];
    let total = 0;
    await this.#unary(inv, () =>
      this.#transport.stream(inv, MachineService.method.read, { path }, () => {
        chunks = [];
        total = 0;
        return (data, bytes) => {
          this.#count(inv, bytes);
          this.#check(data.metadata, inv);
          total += data.bytes.length;
          if (total > options.maxBytes) {
            throw new TalosLonghornError(
              'node-error',
              `${inv.call}: the file is larger than ${options.maxBytes} bytes`,
              { field: `node ${inv.node}` },
            );
          }
          chunks.push(data.bytes);
        };
      }),
    );
    return Buffer.concat(chunks, total);
  }

  /** List a directory; more than `maxListEntries` entries cancels the call. */
  async list(node: string, root: string, options: ListOptions = {}): Promise<FileEntry[]> {
    const inv = this.#invocation(node, `List ${root}`, true, options.timeoutMs);
    const request = {
      root,
      recurse: options.recurse ?? false,
      recursionDepth: options.recursionDepth ?? 0,
      types: (options.types ?? []).map((t) => TYPE_TO_WIRE[t]),
    };
    let entries: FileEntry[] = [];
    await this.#unary(inv, () =>
      this.#transport.stream(inv, MachineService.method.list, request, () => {
        entries = [];
        return (info, bytes) => {
          this.#count(inv, bytes);
          this.#check(info.metadata, inv);
          if (entries.length >= this.#maxListEntries) {
            throw new TalosLonghornError(
              'node-error',
              `${inv.call}: more than ${this.#maxListEntries} entries`,
              { field: `node ${inv.node}` },
            );
          }
          entries.push({
            name: info.name,
            relativeName: info.relativeName,
            size: info.size,
            mode: info.mode,
            modified: info.modified,
            isDir: info.isDir,
            link: info.link,
            uid: info.uid,
            gid: info.gid,
            error: info.error,
          });
        };
      }),
    );
    return entries;
  }

  #resource(resource: Resource | undefined, inv: Invocation): CosiResource {
    const meta = resource?.metadata;
    if (meta === undefined) {
      throw new TalosLonghornError('node-error', `${inv.call}: the reply holds no resource`, {
        field: `node ${inv.node}`,
      });
    }
    const specYaml = resource?.spec?.yamlSpec ?? '';
    let parsed: { value: unknown } | undefined;
    return {
      namespace: meta.namespace,
      type: meta.type,
      id: meta.id,
      version: meta.version,
      phase: meta.phase,
      annotations: meta.annotations,
      get spec() {
        parsed ??= { value: parseYamlSpec(specYaml, inv.call, inv.node) };
        return parsed.value;
      },
      specYaml,
    };
  }

  /** COSI Get, e.g. `getResource(node, 'cluster', 'Identities.cluster.talos.dev', 'local')`. */
  async getResource(
    node: string,
    namespace: string,
    type: string,
    id: string,
    options: { timeoutMs?: number } = {},
  ): Promise<CosiResource> {
    const inv = this.#invocation(node, `Get ${type} ${namespace}/${id}`, true, options.timeoutMs);
    const reply = await this.#unary(inv, () =>
      this.#transport.unary(inv, State.method.get, { namespace, type, id }),
    );
    return this.#resource(reply.resource, inv);
  }

  async listResources(
    node: string,
    namespace: string,
    type: string,
    options: { timeoutMs?: number } = {},
  ): Promise<CosiResource[]> {
    const inv = this.#invocation(node, `List ${type} ${namespace}`, true, options.timeoutMs);
    let out: CosiResource[] = [];
    await this.#unary(inv, () =>
      this.#transport.stream(inv, State.method.list, { namespace, type }, () => {
        out = [];
        return (item, bytes) => {
          this.#count(inv, bytes);
          if (out.length >= this.#maxListEntries) {
            throw new TalosLonghornError(
              'node-error',
              `${inv.call}: more than ${this.#maxListEntries} resources`,
              { field: `node ${inv.node}` },
            );
          }
          out.push(this.#resource(item.resource, inv));
        };
      }),
    );
    return out;
  }

  /**
   * Send a machine configuration (the whole document set: Talos replaces the node's config
   * with `data`). Never retried: a second delivery could reboot the node twice.
   */
  async applyConfiguration(
    node: string,
    config: string,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const verb = options.dryRun ? 'ApplyConfiguration (dry run)' : 'ApplyConfiguration';
    const inv = this.#invocation(node, verb, false, options.timeoutMs);
    const request = {
      data: new TextEncoder().encode(config),
      mode: MODE_TO_WIRE[options.mode],
      dryRun: options.dryRun,
      ...(options.tryModeTimeoutMs === undefined
        ? {}
        : { tryModeTimeout: durationFromMs(options.tryModeTimeoutMs) }),
    };
    const reply = await this.#unary(inv, () =>
      this.#transport.unary(inv, MachineService.method.applyConfiguration, request),
    );
    const message = reply.messages[0];
    this.#check(message?.metadata, inv);
    return {
      node: inv.node,
      mode: message ? modeFromWire(message.mode) : options.mode,
      modeDetails: message?.modeDetails ?? '',
      warnings: message?.warnings ?? [],
    };
  }
}

function durationFromMs(ms: number) {
  return create(DurationSchema, {
    seconds: BigInt(Math.floor(ms / 1000)),
    nanos: (ms % 1000) * 1_000_000,
  });
}
