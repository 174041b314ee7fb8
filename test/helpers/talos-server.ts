// A fake Talos apid for tests: a real gRPC server (@grpc/grpc-js + @grpc/proto-loader, loaded
// from the project's own .proto files) on loopback with mutual TLS. Like apid it routes each call
// by the `node` metadata header, enforces Talos's role rules (Read and ApplyConfiguration need
// os:admin; sensitive COSI resources too) and answers in Talos's formats: Read streams
// common.Data chunks, COSI resources carry yaml_spec, a missing file or resource is NOT_FOUND,
// an unreachable node is UNAVAILABLE, a forbidden call is PERMISSION_DENIED "not authorized".
//
// Its behaviour follows each node's Talos version (1.9–1.14), from Talos's sources
// (siderolabs/talos; see APID_BY_VERSION below): how the machine config is wrapped, which apply
// modes are accepted, which resource types exist; one-to-one calls (`node` header) get no
// common.Metadata, fan-out calls (`nodes`) do, and COSI refuses fan-out.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { parseAllDocuments, stringify } from 'yaml';

const protoDir = fileURLToPath(new URL('../../src/api/proto', import.meta.url));

export interface FakeResource {
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
  /** Served as yaml_spec: an object is stringified as YAML, a string is sent as is. */
  readonly spec: unknown;
  readonly version?: string;
  readonly phase?: string;
}

export type FakeMethod =
  | 'Version'
  | 'Read'
  | 'List'
  | 'ApplyConfiguration'
  | 'Get'
  | 'ListResources';

export interface FakeCall {
  readonly method: FakeMethod;
  /** The `node` header (or the first of `nodes`), or undefined when the endpoint was asked. */
  readonly node: string | undefined;
  /** Sent with the deprecated `nodes` fan-out header. */
  readonly fanOut: boolean;
  /** Set when the client cancelled the call. */
  cancelled?: boolean;
  readonly roles: readonly string[];
  readonly request: Record<string, unknown>;
}

/** What a hook may do to a call: delay it, fail it with a gRPC status, or fail it in metadata. */
export interface FakeFault {
  readonly delayMs?: number;
  readonly status?: { readonly code: grpc.status; readonly message: string };
  /** Answer normally shaped, with `common.Metadata.error` set (as apid does for a node). */
  readonly metadataError?: { readonly message: string; readonly code?: grpc.status };
}

export interface AppliedConfig {
  readonly data: string;
  readonly mode: string;
  readonly dryRun: boolean;
}

export interface FakeNode {
  readonly hostname?: string;
  /** Talos version tag answered by Version (default v1.11.3); chooses apid's behaviour. */
  readonly tag?: string;
  /** Files by absolute node path; they win over `root`. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** A directory standing for the node's `/`: Read and List map node paths below it. */
  readonly root?: string;
  readonly resources?: readonly FakeResource[];
  /** The node's machine config, served as MachineConfigs.config.talos.dev config/v1alpha1. */
  machineConfig?: string;
  /** apid cannot reach this node: every call fails UNAVAILABLE. */
  readonly unreachable?: boolean;
  /** Called for every call to this node before it is answered. */
  readonly fault?: (call: FakeCall) => FakeFault | undefined;
  /** Size of the Read messages (default 4096; a hostile node may send one huge message). */
  readonly readChunk?: number;
  /** A broken node whose List streams entries without end. */
  readonly endlessList?: boolean;
  /** ApplyConfiguration requests received (dry runs included). */
  readonly applied?: AppliedConfig[];
}

export interface FakeTalosOptions {
  readonly nodes: Record<string, FakeNode>;
  /** PEM: the CA that client certificates must chain to, and the server's certificate and key. */
  readonly ca: string;
  readonly server: { readonly cert: string; readonly key: string };
  /** Added to every call, like a slow network or node. */
  readonly latencyMs?: number;
  /** The node that answers calls without a `node` header (default: the first node). */
  readonly self?: string;
  readonly port?: number;
  /** Encode each reply once and send the same bytes again (benchmarks: server cost near zero). */
  readonly preEncode?: boolean;
}

export interface FakeTalos {
  readonly port: number;
  /** `127.0.0.1:<port>`, ready for a talosconfig's endpoints. */
  readonly endpoint: string;
  readonly calls: FakeCall[];
  close(): Promise<void>;
}

/** Talos minor version of a tag (`v1.12.4` → 12). */
function minorOf(tag: string): number {
  return Number(/^v?1\.(\d+)/.exec(tag)?.[1] ?? 11);
}

/**
 * How apid differs per Talos minor version. Written from Talos's sources, independently of the
 * client's capability table:
 * - `configAsString`: from 1.12 MachineConfig's spec marshals as a YAML string holding the
 *   config, marked by the annotation `talos.dev/yaml-spec`
 *   (pkg/machinery/resources/config/machine_config.go; talosctl unwraps it in
 *   cmd/talosctl/cmd/talos/patch.go extractMachineConfigBody).
 * - `rebootMode`: 1.14 refuses ApplyConfiguration mode REBOOT with Unimplemented
 *   (internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go).
 * - `types`: resource types registered only from some version (LoadedKernelModules 1.11,
 *   KernelModuleStatuses 1.14); an unregistered one is PermissionDenied "resource type … is not
 *   supported".
 */
export const APID_BY_VERSION = {
  configAsString: (minor: number) => minor >= 12,
  rebootMode: (minor: number) => minor < 14,
  typeSince: {
    'LoadedKernelModules.runtime.talos.dev': 11,
    'KernelModuleStatuses.runtime.talos.dev': 14,
  } as Readonly<Record<string, number>>,
} as const;

export const REBOOT_REFUSED =
  'the REBOOT mode is not supported, please use AUTO or NO_REBOOT modes instead';

const MACHINE_CONFIG_TYPE = 'MachineConfigs.config.talos.dev';
const SENSITIVE_TYPES = new Set([MACHINE_CONFIG_TYPE, 'OSRootSecrets.secrets.talos.dev']);
const ADMIN_ONLY: ReadonlySet<FakeMethod> = new Set(['Read', 'ApplyConfiguration']);
const READ_CHUNK = 4096;
const DEFAULT_TAG = 'v1.11.3';
/** Go's os.FileMode bits as Talos sends them: ModeDir is bit 31, ModeSymlink bit 27. */
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

let packageCache: grpc.GrpcObject | undefined;
function loadPackage(): grpc.GrpcObject {
  packageCache ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(['machine/machine.proto', 'cosi/state.proto'], {
      includeDirs: [protoDir],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
    }),
  );
  return packageCache;
}

/** A service definition whose replies may also be given already encoded (a Buffer). */
function serviceOf(pkg: grpc.GrpcObject, path: string): grpc.ServiceDefinition {
  let value: unknown = pkg;
  for (const part of path.split('.')) value = (value as Record<string, unknown>)[part];
  const service = (value as { service: grpc.ServiceDefinition }).service;
  return Object.fromEntries(
    Object.entries(service).map(([name, def]) => [
      name,
      {
        ...def,
        responseSerialize: (reply: unknown) =>
          Buffer.isBuffer(reply) ? reply : def.responseSerialize(reply),
      },
    ]),
  );
}

/** Encode a reply as the method's response message. */
function encoder(pkg: grpc.GrpcObject, path: string, method: string): (reply: unknown) => Buffer {
  let value: unknown = pkg;
  for (const part of path.split('.')) value = (value as Record<string, unknown>)[part];
  const def = (value as { service: grpc.ServiceDefinition }).service[method];
  if (def === undefined) throw new Error(`no method ${path}/${method}`);
  return (reply) => def.responseSerialize(reply);
}

type AnyCall =
  | grpc.ServerUnaryCall<Record<string, unknown>, unknown>
  | grpc.ServerWritableStream<Record<string, unknown>, unknown>;

function rolesOf(call: AnyCall): string[] {
  const o = call.getAuthContext()?.sslPeerCertificate?.subject?.O;
  if (o === undefined) return [];
  return Array.isArray(o) ? o : [o];
}

function statusError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Everything a handler needs about one call, after routing and authorisation. */
interface Routed {
  readonly node: FakeNode;
  readonly name: string;
  readonly minor: number;
  /** common.Metadata for fan-out replies; undefined one-to-one. */
  readonly metadata: Record<string, unknown> | undefined;
  /** A metadata error to answer with instead of data. */
  readonly metadataError?: Record<string, unknown>;
}

export async function startFakeTalos(options: FakeTalosOptions): Promise<FakeTalos> {
  const pkg = loadPackage();
  const calls: FakeCall[] = [];
  const self = options.self ?? Object.keys(options.nodes)[0];

  async function route(method: FakeMethod, call: AnyCall): Promise<Routed> {
    const header = call.metadata.get('node')[0];
    const fanOutHeader = call.metadata.get('nodes')[0];
    const fanOut = fanOutHeader !== undefined;
    const nodeName =
      header !== undefined
        ? String(header)
        : fanOut
          ? String(fanOutHeader).split(',')[0]
          : undefined;
    const roles = rolesOf(call);
    const request = call.request;
    const record: FakeCall = { method, node: nodeName, fanOut, roles, request };
    calls.push(record);
    call.on('cancelled', () => {
      record.cancelled = true;
    });
    if (options.latencyMs) await sleep(options.latencyMs);
    if (fanOut && (method === 'Get' || method === 'ListResources')) {
      // apid proxies only MachineService-like services to several nodes (apid's director).
      throw statusError(grpc.status.INVALID_ARGUMENT, 'one-to-many proxying is not supported');
    }
    const name = nodeName ?? self ?? '';
    const node = Object.hasOwn(options.nodes, name) ? options.nodes[name] : undefined;
    if (node === undefined || node.unreachable) {
      throw statusError(
        grpc.status.UNAVAILABLE,
        `connection error: desc = "transport: Error while dialing: dial tcp ${name}:50000: connect: no route to host"`,
      );
    }
    const minor = minorOf(node.tag ?? DEFAULT_TAG);
    const type = String(request.type ?? '');
    const since = APID_BY_VERSION.typeSince[type];
    if ((method === 'Get' || method === 'ListResources') && since !== undefined && minor < since) {
      throw statusError(grpc.status.PERMISSION_DENIED, `resource type "${type}" is not supported`);
    }
    const isAdmin = roles.includes('os:admin');
    const sensitive = SENSITIVE_TYPES.has(String(request.type ?? ''));
    if (!isAdmin && (ADMIN_ONLY.has(method) || sensitive)) {
      throw statusError(grpc.status.PERMISSION_DENIED, 'not authorized');
    }
    const fault = node.fault?.(record);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status) throw statusError(fault.status.code, fault.status.message);
    const hostname = node.hostname ?? name;
    // One-to-one apid passes the node's reply through untouched: no common.Metadata.
    const metadata = fanOut ? { hostname } : undefined;
    if (fault?.metadataError) {
      const code = fault.metadataError.code ?? grpc.status.UNKNOWN;
      return {
        node,
        name,
        minor,
        metadata,
        metadataError: {
          hostname,
          error: fault.metadataError.message,
          status: { code, message: fault.metadataError.message, details: [] },
        },
      };
    }
    return { node, name, minor, metadata };
  }

  /** With `preEncode`: the encoded replies of a call already answered once, by node and request. */
  const encoded = new Map<string, Buffer[]>();
  const cacheKey = (method: FakeMethod, r: Routed, req: unknown) =>
    options.preEncode && r.metadataError === undefined && method !== 'ApplyConfiguration'
      ? `${method}|${r.name}|${JSON.stringify(req)}`
      : undefined;
  const SERVICE_OF: Record<FakeMethod, [string, string]> = {
    Version: ['machine.MachineService', 'Version'],
    Read: ['machine.MachineService', 'Read'],
    List: ['machine.MachineService', 'List'],
    ApplyConfiguration: ['machine.MachineService', 'ApplyConfiguration'],
    Get: ['cosi.resource.State', 'Get'],
    ListResources: ['cosi.resource.State', 'List'],
  };
  const encode = (method: FakeMethod) => encoder(pkg, ...SERVICE_OF[method]);

  function unary(
    method: FakeMethod,
    answer: (r: Routed, req: Record<string, unknown>) => Promise<unknown>,
  ) {
    const toWire = encode(method);
    return (
      call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      route(method, call)
        .then(async (routed) => {
          const key = cacheKey(method, routed, call.request);
          const cached = key === undefined ? undefined : encoded.get(key)?.[0];
          if (cached !== undefined) return cached;
          const reply = await answer(routed, call.request);
          if (key === undefined) return reply;
          const bytes = toWire(reply);
          encoded.set(key, [bytes]);
          return bytes;
        })
        .then(
          (reply) => callback(null, reply),
          (err: grpc.ServiceError) => callback(err),
        );
    };
  }

  function streaming(
    method: FakeMethod,
    produce: (
      r: Routed,
      req: Record<string, unknown>,
      write: (m: unknown) => Promise<void>,
      call: grpc.ServerWritableStream<Record<string, unknown>, unknown>,
    ) => Promise<void>,
  ) {
    const toWire = encode(method);
    return (call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) => {
      const send = (message: unknown) =>
        new Promise<void>((resolve) => {
          if (call.cancelled || call.write(message)) resolve();
          else {
            call.once('drain', () => resolve());
            call.once('cancelled', () => resolve());
          }
        });
      route(method, call)
        .then(async (routed) => {
          const key = cacheKey(method, routed, call.request);
          const cached = key === undefined ? undefined : encoded.get(key);
          if (cached !== undefined) {
            for (const bytes of cached) await send(bytes);
            return;
          }
          if (key === undefined) return produce(routed, call.request, send, call);
          const recorded: Buffer[] = [];
          await produce(
            routed,
            call.request,
            (message) => {
              const bytes = toWire(message);
              recorded.push(bytes);
              return send(bytes);
            },
            call,
          );
          encoded.set(key, recorded);
        })
        .then(
          () => call.end(),
          (err: grpc.ServiceError) => call.emit('error', err),
        );
    };
  }

  const server = new grpc.Server();
  server.addService(serviceOf(pkg, 'machine.MachineService'), {
    Version: unary('Version', async (r) => ({
      messages: [
        {
          metadata: r.metadataError ?? r.metadata,
          version: {
            tag: r.node.tag ?? DEFAULT_TAG,
            sha: 'fake',
            built: '',
            go_version: 'go1.24',
            os: 'linux',
            arch: 'amd64',
          },
          platform: { name: 'metal', mode: 'metal' },
          features: { rbac: true },
        },
      ],
    })),
    Read: streaming('Read', async (r, req, write) => {
      if (r.metadataError) return write({ metadata: r.metadataError });
      const bytes = await readNodeFile(r.node, String(req.path));
      const chunk = r.node.readChunk ?? READ_CHUNK;
      for (let at = 0; at < bytes.length; at += chunk) {
        await write({ bytes: bytes.subarray(at, at + chunk) });
      }
    }),
    List: streaming('List', async (r, req, write, call) => {
      if (r.metadataError) return write({ metadata: r.metadataError });
      if (r.node.endlessList) {
        for (let i = 0; !call.cancelled; i++) {
          await write(fileInfo(`${String(req.root)}/f${i}`, String(req.root), 0, false, 0o644));
        }
        return;
      }
      for (const entry of await listNode(r.node, String(req.root), Boolean(req.recurse))) {
        await write(entry);
      }
    }),
    ApplyConfiguration: unary('ApplyConfiguration', async (r, req) => {
      if (r.metadataError) return { messages: [{ metadata: r.metadataError }] };
      const data = Buffer.from(req.data as Uint8Array).toString('utf8');
      const docs = parseAllDocuments(data);
      const list = Array.isArray(docs) ? docs : [docs];
      if (data.trim() === '' || list.some((d) => d.errors.length > 0)) {
        throw statusError(grpc.status.INVALID_ARGUMENT, 'failed to parse config: invalid YAML');
      }
      const mode = String(req.mode);
      const dryRun = Boolean(req.dry_run);
      // Refused before anything else, dry run or not (v1alpha1_server.go ApplyConfiguration).
      if (mode === 'REBOOT' && !APID_BY_VERSION.rebootMode(r.minor)) {
        throw statusError(grpc.status.UNIMPLEMENTED, REBOOT_REFUSED);
      }
      r.node.applied?.push({ data, mode, dryRun });
      const effective = mode === 'AUTO' ? 'NO_REBOOT' : mode;
      if (!dryRun && mode !== 'STAGED') r.node.machineConfig = data;
      const summary = dryRun
        ? `Dry run summary:\nApplied configuration with mode ${effective} (skipped in dry-run).`
        : `Applied configuration with mode ${effective}`;
      return {
        messages: [{ metadata: r.metadata, warnings: [], mode: effective, mode_details: summary }],
      };
    }),
  });
  server.addService(serviceOf(pkg, 'cosi.resource.State'), {
    Get: unary('Get', async (r, req) => {
      if (r.metadataError) throw statusError(grpc.status.UNKNOWN, String(r.metadataError.error));
      const found = resourcesOf(r.node).find(
        (res) => res.namespace === req.namespace && res.type === req.type && res.id === req.id,
      );
      if (found === undefined) {
        throw statusError(
          grpc.status.NOT_FOUND,
          `resource ${String(req.type)}(${String(req.namespace)}/${String(req.id)}@undefined) doesn't exist`,
        );
      }
      return { resource: wireResource(found, r.minor) };
    }),
    List: streaming('ListResources', async (r, req, write) => {
      if (r.metadataError) throw statusError(grpc.status.UNKNOWN, String(r.metadataError.error));
      for (const res of resourcesOf(r.node)) {
        if (res.namespace === req.namespace && res.type === req.type) {
          await write({ resource: wireResource(res, r.minor) });
        }
      }
    }),
  });

  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(options.ca),
    [
      {
        cert_chain: Buffer.from(options.server.cert),
        private_key: Buffer.from(options.server.key),
      },
    ],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    endpoint: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

function resourcesOf(node: FakeNode): FakeResource[] {
  const list = [...(node.resources ?? [])];
  if (node.machineConfig !== undefined) {
    list.push({
      namespace: 'config',
      type: MACHINE_CONFIG_TYPE,
      id: 'v1alpha1',
      spec: node.machineConfig,
    });
  }
  return list;
}

function wireResource(res: FakeResource, minor: number) {
  const text = typeof res.spec === 'string' ? res.spec : stringify(res.spec);
  const wrapped = res.type === MACHINE_CONFIG_TYPE && APID_BY_VERSION.configAsString(minor);
  // ≥ 1.12: the config text as one YAML string scalar (Go's yaml.Marshal of a string).
  const yaml_spec = wrapped ? stringify(text, { blockQuote: 'literal' }) : text;
  return {
    metadata: {
      namespace: res.namespace,
      type: res.type,
      id: res.id,
      version: res.version ?? '1',
      owner: '',
      phase: res.phase ?? 'running',
      finalizers: [],
      labels: {},
      annotations: wrapped ? { 'talos.dev/yaml-spec': '1' } : {},
    },
    spec: { yaml_spec },
  };
}

function notFound(path: string): grpc.ServiceError {
  return statusError(grpc.status.NOT_FOUND, `stat ${path}: no such file or directory`);
}

async function readNodeFile(node: FakeNode, path: string): Promise<Buffer> {
  const inMemory = node.files?.[path];
  if (inMemory !== undefined) return Buffer.from(inMemory);
  if (node.root === undefined) throw notFound(path);
  const onDisk = join(node.root, path);
  const info = await lstat(onDisk).catch(() => undefined);
  if (info === undefined) throw notFound(path);
  if (!info.isFile()) throw statusError(grpc.status.UNKNOWN, 'path must be a regular file');
  return readFile(onDisk);
}

interface WireFileInfo {
  name: string;
  size: string;
  mode: number;
  modified: string;
  is_dir: boolean;
  error: string;
  link: string;
  relative_name: string;
  uid: number;
  gid: number;
}

function fileInfo(
  name: string,
  root: string,
  size: number,
  isDir: boolean,
  mode: number,
  link = '',
) {
  const rel = relative(root, name) || '.';
  const entry: WireFileInfo = {
    name,
    size: String(size),
    mode,
    modified: '0',
    is_dir: isDir,
    error: '',
    link,
    relative_name: rel,
    uid: 0,
    gid: 0,
  };
  return entry;
}

async function listNode(node: FakeNode, root: string, recurse: boolean): Promise<WireFileInfo[]> {
  const entries = new Map<string, WireFileInfo>();
  const prefix = root.endsWith('/') ? root : `${root}/`;
  for (const [path, content] of Object.entries(node.files ?? {})) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (!recurse && rest.includes('/')) {
      const dir = prefix + rest.slice(0, rest.indexOf('/'));
      entries.set(dir, fileInfo(dir, root, 0, true, GO_MODE_DIR + 0o755));
      continue;
    }
    entries.set(path, fileInfo(path, root, Buffer.from(content).length, false, 0o644));
  }
  const onDisk =
    node.root === undefined ? undefined : await lstat(join(node.root, root)).catch(() => undefined);
  if (onDisk?.isDirectory() && node.root !== undefined) {
    await walk(node.root, root, root, recurse, entries);
  }
  if (entries.size === 0 && onDisk === undefined && node.files?.[root] === undefined) {
    // Talos's List stats the root first (internal/app/machined/internal/server/v1alpha1): the
    // error reaches the client as code Unknown with Go's message.
    throw statusError(grpc.status.UNKNOWN, `lstat ${root}: no such file or directory`);
  }
  const sorted = [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  return [fileInfo(root, root, 0, true, GO_MODE_DIR + 0o755), ...sorted];
}

async function walk(
  hostRoot: string,
  nodeDir: string,
  listRoot: string,
  recurse: boolean,
  into: Map<string, WireFileInfo>,
): Promise<void> {
  const names = await readdir(join(hostRoot, nodeDir)).catch(() => []);
  for (const name of names.sort()) {
    const nodePath = `${nodeDir.replace(/\/$/, '')}/${name}`;
    const info = await lstat(join(hostRoot, nodePath));
    const mode =
      (info.mode & 0o777) +
      (info.isDirectory() ? GO_MODE_DIR : 0) +
      (info.isSymbolicLink() ? GO_MODE_SYMLINK : 0);
    // Like Talos, a symlink's entry carries its target.
    const link = info.isSymbolicLink() ? await readlink(join(hostRoot, nodePath)) : '';
    into.set(nodePath, fileInfo(nodePath, listRoot, info.size, info.isDirectory(), mode, link));
    if (recurse && info.isDirectory()) await walk(hostRoot, nodePath, listRoot, recurse, into);
  }
}

export interface TalosconfigInput {
  readonly ca: string;
  /** Client certificate and key (PEM); the key is written as talosctl does (`ED25519 PRIVATE KEY`). */
  readonly client?: { readonly cert: string; readonly talosKey: string };
  readonly endpoints: readonly string[];
  readonly nodes?: readonly string[];
  readonly context?: string;
}

/** A talosconfig file's text for the fake server, in talosctl's layout (base64 PEM fields). */
export function talosconfigText(input: TalosconfigInput): string {
  const name = input.context ?? 'fake';
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  return stringify({
    context: name,
    contexts: {
      [name]: {
        endpoints: [...input.endpoints],
        ...(input.nodes ? { nodes: [...input.nodes] } : {}),
        ca: b64(input.ca),
        ...(input.client ? { crt: b64(input.client.cert), key: b64(input.client.talosKey) } : {}),
      },
    },
  });
}
