// Turn gRPC/transport failures into typed, one-line, secret-free errors that say which node,
// which call and — where it explains the failure — what the client certificate allows.
import { Code, ConnectError } from '@connectrpc/connect';
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

/** Node/OpenSSL error codes anywhere in the cause chain. */
function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
]);

const SERVER_CERT_FAILURES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is not signed by the talosconfig CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is not signed by the talosconfig CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'is not signed by the talosconfig CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed, not signed by the talosconfig CA',
  CERT_SIGNATURE_FAILURE: 'is not signed by the talosconfig CA',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'does not name this endpoint',
};

/** How this failure relates to the endpoint: could the request have reached a node at all? */
export type FailureKind = 'tls' | 'unreachable' | 'closed' | 'unavailable' | 'other';

export function classifyFailure(err: unknown): FailureKind {
  const codes = causeCodes(err);
  if (codes.some((c) => c in SERVER_CERT_FAILURES || c.startsWith('ERR_SSL_'))) return 'tls';
  if (codes.some((c) => CONNECT_FAILURES.has(c))) return 'unreachable';
  if (err instanceof ConnectError && err.code === Code.Unavailable) return 'unavailable';
  // The peer reset the connection before answering: what a TLS 1.3 server does when it rejects
  // the client certificate after the handshake (and what a crashing endpoint does).
  if (
    err instanceof ConnectError &&
    err.code === Code.Canceled &&
    /CANCEL \(0x8\)/.test(err.rawMessage)
  ) {
    return 'closed';
  }
  return 'other';
}

function describeRoles(certificate: ClientCertificateInfo | undefined): string {
  if (certificate === undefined) return 'no client certificate';
  const roles = certificate.roles.length ? certificate.roles.join(', ') : 'none';
  return `client certificate roles: ${roles}`;
}

function tlsMessage(err: unknown, ctx: CallContext): string {
  const codes = causeCodes(err);
  for (const code of codes) {
    const why = SERVER_CERT_FAILURES[code];
    if (why) return `the certificate of endpoint ${ctx.endpoint} ${why}`;
  }
  const alert = codes.find((c) => c.startsWith('ERR_SSL_')) ?? '';
  const cert = ctx.certificate;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/.test(alert) && cert === undefined) {
    return `endpoint ${ctx.endpoint} requires a client certificate and the talosconfig context has none`;
  }
  if (/CERTIFICATE_EXPIRED/.test(alert) && cert) {
    return `endpoint ${ctx.endpoint} rejected the client certificate: it expired on ${cert.notAfter.toISOString()}`;
  }
  if (/UNKNOWN_CA|BAD_CERTIFICATE|DECRYPT_ERROR/.test(alert)) {
    return `endpoint ${ctx.endpoint} rejected the client certificate (not issued by its CA?)`;
  }
  return `TLS handshake with endpoint ${ctx.endpoint} failed (${alert.toLowerCase() || 'unknown reason'})`;
}

const CODE_BY_GRPC: Partial<Record<Code, ErrorCode>> = {
  [Code.PermissionDenied]: 'permission-denied',
  [Code.Unauthenticated]: 'tls',
  [Code.DeadlineExceeded]: 'deadline-exceeded',
  [Code.NotFound]: 'not-found',
  [Code.Unavailable]: 'connection',
};

/** A failure of one call → TalosLonghornError; `field` is the node the error is about. */
export function callError(err: unknown, ctx: CallContext): TalosLonghornError {
  if (err instanceof TalosLonghornError) return err;
  const where = { field: `node ${ctx.node}`, cause: err };
  const kind = classifyFailure(err);
  if (kind === 'tls') return new TalosLonghornError('tls', tlsMessage(err, ctx), where);
  if (kind === 'unreachable') {
    const code = causeCodes(err).find((c) => CONNECT_FAILURES.has(c)) ?? 'unreachable';
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
  const ce = ConnectError.from(err);
  const code = CODE_BY_GRPC[ce.code] ?? 'node-error';
  const text = ce.rawMessage || Code[ce.code];
  switch (code) {
    case 'deadline-exceeded':
      return new TalosLonghornError(
        code,
        `${ctx.call} did not finish within ${ctx.timeoutMs} ms (raise --timeout?)`,
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
  const grpcCode = (metadata.status?.code ?? Code.Unknown) as Code;
  const code = CODE_BY_GRPC[grpcCode] ?? 'node-error';
  const host = metadata.hostname ? ` (${metadata.hostname})` : '';
  return new TalosLonghornError(code, `${ctx.call}${host}: ${metadata.error}`, {
    field: `node ${ctx.node}`,
  });
}
