// talosconfig: which context to use, its endpoints and nodes, and the mutual-TLS credentials.
// `ca`, `crt` and `key` are base64 of PEM; the key is held privately and never printed.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TalosLonghornError } from '../errors.js';

/** What the client certificate says about itself; roles come from its Organization entries. */
export interface ClientCertificateInfo {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whether the talosconfig CA issued it (apid only accepts client certificates of its CA). */
  readonly issuedByCa: boolean;
}

/**
 * The PEM material of one context. The private key is kept in a private field so that logging,
 * `JSON.stringify` or `util.inspect` of a context can never reveal it.
 */
export class TalosCredentials {
  readonly ca: string;
  readonly cert: string | undefined;
  readonly #key: string | undefined;

  constructor(ca: string, cert?: string, key?: string) {
    this.ca = ca;
    this.cert = cert;
    this.#key = key;
  }

  /** The client key as PKCS#8 PEM with the standard label; only the TLS layer asks for it. */
  privateKeyPem(): string | undefined {
    return this.#key;
  }

  get hasClientCertificate(): boolean {
    return this.cert !== undefined && this.#key !== undefined;
  }
}

/**
 * One context of a talosconfig, ready to connect with: endpoints, default nodes, TLS credentials
 * and what the client certificate allows.
 */
export interface TalosContext {
  /** Context name as in the talosconfig. */
  readonly name: string;
  /** Where the talosconfig was read from, for error messages (a path or a description). */
  readonly source: string;
  readonly endpoints: readonly string[];
  readonly nodes: readonly string[];
  readonly credentials: TalosCredentials;
  /** Undefined when the context has no client certificate (Talos maintenance mode). */
  readonly certificate: ClientCertificateInfo | undefined;
}

/** Options of `parseTalosConfig`: how to name the file in messages, and which context to use. */
export interface ParseTalosConfigOptions {
  /** Path or description of the file, used in messages. */
  readonly source: string;
  /**
   * Context to use instead of the file's `context:`. Errors about the context name the field
   * `context`: this option when given, else the file's key.
   */
  readonly context?: string;
}

interface RawContext {
  endpoints?: unknown;
  nodes?: unknown;
  ca?: unknown;
  crt?: unknown;
  key?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new TalosLonghornError('invalid-input', 'expected a list of non-empty strings', {
      field,
    });
  }
  return value.map((v: string) => v.trim());
}

/** Decode a base64 PEM field; the value itself never appears in an error (it may be a key). */
function decodePem(value: unknown, field: string, labels: readonly string[]): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TalosLonghornError('invalid-input', 'missing; expected base64 of a PEM block', {
      field,
    });
  }
  const text = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (label === undefined || !labels.includes(label) || !text.includes(`-----END ${label}-----`)) {
    throw new TalosLonghornError(
      'invalid-input',
      `expected base64 of a PEM block labelled ${labels.join(' or ')}`,
      { field },
    );
  }
  return text;
}

function parseCertificate(pem: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TalosLonghornError('invalid-input', 'not a valid X.509 certificate', {
      field,
      cause: err,
    });
  }
}

/** Organization entries of an X.509 subject (`O=os:admin`, possibly several). */
function rolesFromSubject(subject: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith('O='))
    .map((line) => line.slice(2));
}

function describeCertificate(cert: X509Certificate, ca: X509Certificate): ClientCertificateInfo {
  return {
    issuedByCa: cert.checkIssued(ca) && cert.verify(ca.publicKey),
    subject: cert.subject.replace(/\n/g, ', '),
    roles: rolesFromSubject(cert.subject),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** Parse talosconfig text and pick one context. Pure apart from X.509 parsing. */
export function parseTalosConfig(text: string, options: ParseTalosConfigOptions): TalosContext {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new TalosLonghornError('invalid-input', `${options.source} is not valid YAML`, {
      field: 'talosconfig',
      cause: err,
    });
  }
  if (!isRecord(doc) || !isRecord(doc.contexts)) {
    throw new TalosLonghornError(
      'invalid-input',
      `${options.source} has no contexts; expected a talosconfig (context:, contexts:)`,
      { field: 'talosconfig' },
    );
  }
  const contexts = doc.contexts;
  const name = options.context ?? (typeof doc.context === 'string' ? doc.context : undefined);
  // The field `context` is the option when it was given, else the file's own `context:` key.
  if (name === undefined || name === '') {
    throw new TalosLonghornError('invalid-input', `${options.source} names no current context`, {
      field: 'context',
    });
  }
  const raw = Object.hasOwn(contexts, name) ? contexts[name] : undefined;
  if (!isRecord(raw)) {
    const known = Object.keys(contexts).sort().join(', ') || 'none';
    throw new TalosLonghornError(
      'invalid-input',
      `no context ${JSON.stringify(name)} in ${options.source}; it has: ${known}`,
      { field: 'context' },
    );
  }
  return contextFrom(name, raw as RawContext, options.source);
}

function contextFrom(name: string, raw: RawContext, source: string): TalosContext {
  const at = `contexts.${name}`;
  const ca = decodePem(raw.ca, `${at}.ca`, ['CERTIFICATE']);
  const caCert = parseCertificate(ca, `${at}.ca`);
  const hasCrt = raw.crt !== undefined && raw.crt !== null && raw.crt !== '';
  const hasKey = raw.key !== undefined && raw.key !== null && raw.key !== '';
  if (hasCrt !== hasKey) {
    throw new TalosLonghornError('invalid-input', 'crt and key must be given together', {
      field: hasCrt ? `${at}.key` : `${at}.crt`,
    });
  }
  let credentials = new TalosCredentials(ca);
  let certificate: ClientCertificateInfo | undefined;
  if (hasCrt) {
    const cert = decodePem(raw.crt, `${at}.crt`, ['CERTIFICATE']);
    certificate = describeCertificate(parseCertificate(cert, `${at}.crt`), caCert);
    // talosctl writes Ed25519 keys as `ED25519 PRIVATE KEY` around PKCS#8; Node wants the
    // standard label for the same bytes.
    const key = decodePem(raw.key, `${at}.key`, [
      'ED25519 PRIVATE KEY',
      'PRIVATE KEY',
      'EC PRIVATE KEY',
      'RSA PRIVATE KEY',
    ]).replaceAll('ED25519 PRIVATE KEY', 'PRIVATE KEY');
    credentials = new TalosCredentials(ca, cert, key);
  }
  return {
    name,
    source,
    endpoints: stringList(raw.endpoints, `${at}.endpoints`),
    nodes: stringList(raw.nodes, `${at}.nodes`),
    credentials,
    certificate,
  };
}

/**
 * Options of `loadTalosConfig`: an explicit path or talosctl's default locations (from `env`,
 * `homeDir`, the pod mount), and the context to use.
 */
export interface LoadTalosConfigOptions {
  /** Explicit path (the CLI's `--talosconfig`); wins over every default. Errors about it name `path`. */
  readonly path?: string;
  readonly context?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Base for a relative `path`; defaults to the process's working directory. */
  readonly cwd?: string;
  /** Home directory for `~/.talos/config`; defaults to the user's home. */
  readonly homeDir?: string;
  /** Where a pod's Talos service account is mounted (default /var/run/secrets/talos.dev). */
  readonly serviceAccountDir?: string;
}

/** Talos's service-account mount inside a pod (pkg/machinery/constants ServiceAccountMountPath). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/talos.dev';

export interface TalosConfigCandidate {
  readonly path: string;
  /** Where the path came from, for messages (`path` for the explicit one, `$TALOSCONFIG`, …). */
  readonly field: string;
}

/**
 * Where the talosconfig may be, in talosctl's order (pkg/machinery/client/config/path.go,
 * GetDefaultPaths): the explicit `path` alone when given; else `$TALOSCONFIG`, then
 * `$TALOS_HOME/config` (only an absolute TALOS_HOME) or `~/.talos/config`, then the in-cluster
 * service-account file. The first that exists is used.
 */
export function resolveTalosConfigPath(options: LoadTalosConfigOptions): TalosConfigCandidate[] {
  const cwd = options.cwd ?? process.cwd();
  if (options.path !== undefined) {
    if (options.path === '') {
      throw new TalosLonghornError('usage', 'empty path', { field: 'path' });
    }
    return [{ path: resolve(cwd, options.path), field: 'path' }];
  }
  const env = options.env ?? process.env;
  const candidates: TalosConfigCandidate[] = [];
  const fromEnv = env.TALOSCONFIG;
  if (fromEnv !== undefined && fromEnv !== '') {
    candidates.push({ path: resolve(cwd, fromEnv), field: '$TALOSCONFIG' });
  }
  const talosHome = env.TALOS_HOME;
  if (talosHome !== undefined && isAbsolute(talosHome)) {
    candidates.push({ path: join(talosHome, 'config'), field: '$TALOS_HOME/config' });
  } else {
    candidates.push({
      path: join(options.homeDir ?? homedir(), '.talos', 'config'),
      field: '~/.talos/config',
    });
  }
  candidates.push({
    path: join(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, 'config'),
    field: 'talosconfig',
  });
  return candidates;
}

/** A talosconfig is a few KiB; refuse anything absurd rather than buffer it. */
const MAX_TALOSCONFIG_BYTES = 1 << 20;

function readError(err: unknown, path: string, field: string): TalosLonghornError {
  if (err instanceof TalosLonghornError) return err;
  const code = (err as { code?: string }).code;
  const reason = code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable');
  return new TalosLonghornError('invalid-input', `cannot read talosconfig ${path}: ${reason}`, {
    field,
    cause: err,
  });
}

/**
 * Find, read (at most 1 MiB) and parse the talosconfig as talosctl does, and pick one context.
 * `resolveTalosConfigPath` gives the order; a default location that does not exist passes to the
 * next. Errors name where the path came from (`path`, `$TALOSCONFIG`, …) or the field of the
 * file; the private key never appears in a message.
 */
export async function loadTalosConfig(options: LoadTalosConfigOptions = {}): Promise<TalosContext> {
  const candidates = resolveTalosConfigPath(options);
  let found: { text: string; path: string } | undefined;
  for (const { path, field } of candidates) {
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_TALOSCONFIG_BYTES) {
        throw new TalosLonghornError('invalid-input', `${path} is larger than 1 MiB`, { field });
      }
      found = { text: bytes.toString('utf8'), path };
      break;
    } catch (err) {
      // As talosctl: a default location that does not exist passes to the next one.
      const missing = (err as { code?: string }).code === 'ENOENT';
      if (!missing || candidates.length === 1) throw readError(err, path, field);
    }
  }
  if (found === undefined) {
    const [first] = candidates;
    const others = candidates
      .slice(1)
      .map((c) => c.path)
      .join(', ');
    throw new TalosLonghornError(
      'invalid-input',
      `cannot read talosconfig ${first?.path ?? ''}: no such file (nor ${others})`,
      { field: first?.field ?? 'talosconfig' },
    );
  }
  return parseTalosConfig(
    found.text,
    options.context === undefined
      ? { source: found.path }
      : { source: found.path, context: options.context },
  );
}
