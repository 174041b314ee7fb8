// Turn gRPC/transport failures into typed, one-line, secret-free errors that say which node,
// which call and — where it explains the failure — what the client certificate allows.
import { type ErrorCode, TalosLonghornError } from '../errors.js';
import type { ClientCertificateInfo } from './talosconfig.js';

/** Who was asked what, for messages. */
export interface CallContext {
  readonly node: string;
  readonly call: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly certificate: ClientCertificateInfo | undefined;
}

/** gRPC status codes (grpc/grpc `doc/statuscodes.md`). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(GrpcCode).map(([name, code]) => [code, name]),
);

/** A failed call as grpc-js reports it: a status code and its details text. */
export interface GrpcFailure {
  readonly code: number;
  readonly details: string;
}

export function grpcFailure(err: unknown): GrpcFailure {
  if (err !== null && typeof err === 'object') {
    const { code, details, message } = err as {
      code?: unknown;
      details?: unknown;
      message?: unknown;
    };
    if (typeof code === 'number') {
      return { code, details: typeof details === 'string' ? details : String(message ?? '') };
    }
  }
  return { code: GrpcCode.UNKNOWN, details: err instanceof Error ? err.message : String(err) };
}

/** grpc-js reports a failed connection as UNAVAILABLE "No connection established. Last error: …". */
function lastError(failure: GrpcFailure): string | undefined {
  if (failure.code !== GrpcCode.UNAVAILABLE) return undefined;
  const match =
    /No connection established\. Last error: (.*?)(?: \(\d{4}-[^)]*\))?\. Resolution note/s.exec(
      failure.details,
    );
  return match?.[1];
}

const CONNECT_FAILURES = [
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
];

/** Node's texts for the server-certificate failures (OpenSSL X509_V_ERR_* and ERR_TLS_*). */
const SERVER_CERT_FAILURES: readonly (readonly [RegExp, string])[] = [
  [
    /unable to verify the first certificate|unable to get local issuer certificate/,
    'is not signed by the talosconfig CA',
  ],
  [/self[- ]signed certificate in certificate chain/, 'is not signed by the talosconfig CA'],
  [/self[- ]signed certificate/, 'is self-signed, not signed by the talosconfig CA'],
  [
    /certificate signature failure|not signed by the talosconfig CA/,
    'is not signed by the talosconfig CA',
  ],
  [/certificate has expired/, 'has expired'],
  [/certificate is not yet valid/, 'is not valid yet'],
  [
    /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/,
    'does not name this endpoint',
  ],
];

/** How this failure relates to the endpoint: could the request have reached a node at all? */
export type FailureKind = 'tls' | 'unreachable' | 'closed' | 'unavailable' | 'other';

export function classifyFailure(err: unknown): FailureKind {
  const failure = grpcFailure(err);
  const last = lastError(failure);
  if (last !== undefined) {
    if (SERVER_CERT_FAILURES.some(([re]) => re.test(last)) || /SSL routines|SSL alert/.test(last)) {
      return 'tls';
    }
    if (CONNECT_FAILURES.some((code) => last.includes(code))) return 'unreachable';
    // TLS succeeded and the peer hung up before HTTP/2 began: what a TLS 1.3 server does when
    // it rejects the client certificate after the handshake (and what a crashing endpoint does).
    if (/Failed to connect|Connection dropped|socket hang up/.test(last)) return 'closed';
    return 'unreachable';
  }
  if (failure.code === GrpcCode.UNAVAILABLE) return 'unavailable';
  return 'other';
}

function describeRoles(certificate: ClientCertificateInfo | undefined): string {
  if (certificate === undefined) return 'no client certificate';
  const roles = certificate.roles.length ? certificate.roles.join(', ') : 'none';
  return `client certificate roles: ${roles}`;
}

function tlsMessage(last: string, ctx: CallContext): string {
  for (const [re, why] of SERVER_CERT_FAILURES) {
    if (re.test(last)) return `the certificate of endpoint ${ctx.endpoint} ${why}`;
  }
  const alert =
    /alert ([a-z0-9 _]+?):/i.exec(last)?.[1] ?? /SSL routines:[^:]*:([^:]+)/.exec(last)?.[1] ?? '';
  const cert = ctx.certificate;
  if (/protocol version|unsupported protocol/i.test(alert)) {
    return `endpoint ${ctx.endpoint} does not speak TLS 1.3, which apid does (the client offers no older version)`;
  }
  if (/certificate required|handshake failure/i.test(alert) && cert === undefined) {
    return `endpoint ${ctx.endpoint} requires a client certificate and the talosconfig context has none`;
  }
  if (/certificate expired/i.test(alert) && cert) {
    return `endpoint ${ctx.endpoint} rejected the client certificate: it expired on ${cert.notAfter.toISOString()}`;
  }
  if (/unknown ca|bad certificate|decrypt error/i.test(alert)) {
    return `endpoint ${ctx.endpoint} rejected the client certificate (not issued by its CA?)`;
  }
  return `TLS handshake with endpoint ${ctx.endpoint} failed (${alert.trim().toLowerCase() || 'unknown reason'})`;
}

const CODE_BY_GRPC: Partial<Record<number, ErrorCode>> = {
  [GrpcCode.PERMISSION_DENIED]: 'permission-denied',
  [GrpcCode.UNAUTHENTICATED]: 'tls',
  [GrpcCode.DEADLINE_EXCEEDED]: 'deadline-exceeded',
  [GrpcCode.NOT_FOUND]: 'not-found',
  [GrpcCode.UNAVAILABLE]: 'connection',
};

/** A failure of one call → TalosLonghornError; `field` is the node the error is about. */
export function callError(err: unknown, ctx: CallContext): TalosLonghornError {
  if (err instanceof TalosLonghornError) return err;
  const where = { field: `node ${ctx.node}`, cause: err };
  const kind = classifyFailure(err);
  const failure = grpcFailure(err);
  const last = lastError(failure) ?? '';
  if (kind === 'tls') return new TalosLonghornError('tls', tlsMessage(last, ctx), where);
  if (kind === 'unreachable') {
    const code = CONNECT_FAILURES.find((c) => last.includes(c)) ?? 'unreachable';
    return new TalosLonghornError(
      'connection',
      `cannot connect to endpoint ${ctx.endpoint} (${code})`,
      where,
    );
  }
  if (kind === 'closed') {
    const cert = ctx.certificate;
    const hint =
      cert === undefined
        ? 'the talosconfig context has no client certificate'
        : cert.issuedByCa
          ? 'did it reject the client certificate?'
          : 'the client certificate is not issued by the talosconfig CA, so apid rejects it';
    return new TalosLonghornError(
      'tls',
      `endpoint ${ctx.endpoint} closed the connection without answering (${hint})`,
      where,
    );
  }
  if (failure.code === GrpcCode.CANCELLED && failure.details === 'Cancelled on client') {
    // grpc-js's text for a call we cancelled: only `close()` does that to a running call.
    return new TalosLonghornError('connection', `${ctx.call}: the client was closed`, where);
  }
  const code = CODE_BY_GRPC[failure.code] ?? 'node-error';
  const text = failure.details || (CODE_NAMES[failure.code] ?? `status ${failure.code}`);
  switch (code) {
    case 'deadline-exceeded':
      return new TalosLonghornError(
        code,
        `${ctx.call} did not finish within ${ctx.timeoutMs} ms (the call timeout; raise it for a slow node)`,
        where,
      );
    case 'permission-denied':
      return new TalosLonghornError(
        code,
        `${ctx.call} is not allowed (${describeRoles(ctx.certificate)}): ${text}`,
        where,
      );
    case 'connection':
      return new TalosLonghornError(code, `${ctx.call} via ${ctx.endpoint}: ${text}`, where);
    default:
      return new TalosLonghornError(code, `${ctx.call}: ${text}`, where);
  }
}

/** `common.Metadata` of a proxied reply: a non-empty `error` is that node's failure. */
export interface ReplyMetadata {
  readonly hostname: string;
  readonly error: string;
  readonly status?: { readonly code: number; readonly message: string } | undefined;
}

export function metadataError(
  metadata: ReplyMetadata | undefined,
  ctx: CallContext,
): TalosLonghornError | undefined {
  if (metadata === undefined || metadata.error === '') return undefined;
  const code = CODE_BY_GRPC[metadata.status?.code ?? GrpcCode.UNKNOWN] ?? 'node-error';
  const host = metadata.hostname ? ` (${metadata.hostname})` : '';
  return new TalosLonghornError(code, `${ctx.call}${host}: ${metadata.error}`, {
    field: `node ${ctx.node}`,
  });
}
