// gRPC over HTTP/2 with mutual TLS to a list of apid endpoints: @grpc/grpc-js carries the calls,
// the protobuf-es generated messages are the codec. Fail-over from one endpoint to the next,
// retry with backoff for reads that failed UNAVAILABLE, one deadline per call (retries
// included), connections that cannot stall (see tls-channel.ts), a limit on calls in flight, and bounds on what a server may send (message size, cancellation as soon as a
// caller's limit trips).
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { ConcurrencyLimit } from '../concurrency.js';
import { TalosLonghornError } from '../errors.js';
import { type CallContext, callError, classifyFailure } from './call-errors.js';
import { endpointUrl } from './endpoints.js';
import type { ClientCertificateInfo, TalosCredentials } from './talosconfig.js';
import { TlsChannelCredentials } from './tls-channel.js';

/**
 * How reads (idempotent calls) are retried when an endpoint answers UNAVAILABLE: attempts in total
 * and an exponential backoff (default 3 attempts, 200 ms doubling up to 2 s). Writes are never
 * retried.
 */
export interface RetryPolicy {
  /** Attempts in total for a read that keeps failing UNAVAILABLE (1 = no retry). */
  readonly attempts: number;
  /** First backoff; doubled each attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 };
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CONCURRENCY = 128;
/** Largest single gRPC message accepted from a server (grpc-go's default is 4 MiB). */
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface TransportOptions {
  /** apid endpoints: `host`, `host:port` (default port 50000) or `[IPv6]:port`. */
  readonly endpoints: readonly string[];
  readonly credentials: TalosCredentials;
  /** The client certificate's details, used in messages (roles, expiry). */
  readonly certificate?: ClientCertificateInfo | undefined;
  /**
   * Budget of each call in milliseconds, retries and fail-over included (default 15 000); also
   * how long a new connection may take to be ready (TLS handshake, the server's first HTTP/2
   * bytes) before it is given up.
   */
  readonly timeoutMs?: number;
  /** Calls in flight at once across all nodes (default 128). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** Largest message a server may send (default 16 MiB); a bigger one fails the call. */
  readonly maxMessageBytes?: number;
}

export interface Invocation {
  readonly node: string;
  /** Name used in messages, e.g. `Read /etc/machine-id`. */
  readonly call: string;
  /** Reads may be retried and failed over freely; writes only when nothing was delivered. */
  readonly idempotent: boolean;
  readonly timeoutMs?: number;
}

/**
 * Receives each message of a server stream with its encoded size; throwing stops the stream at
 * once (the call is cancelled) and fails the call with that error.
 */
export type StreamSink<O> = (message: O, bytes: number) => void;

/** One attempt of a call, as the code making the gRPC call reports on it. */
interface Attempt {
  /** Set once a stream delivered a message: the call is then never retried elsewhere. */
  started: boolean;
  /** Cancels the gRPC call (set once it was made). */
  cancel?: () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `https://host:port` → grpc-js target `host:port` (IPv6 stays bracketed). */
function targetOf(baseUrl: string): string {
  return baseUrl.replace(/^https:\/\//, '');
}

/** `host:port` / `[v6]:port` → host without brackets. */
function hostOf(target: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(target);
  return bracketed ? (bracketed[1] ?? '') : target.replace(/:\d+$/, '');
}

function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

export class TalosTransport {
  readonly endpoints: readonly string[];
  readonly #credentials: TalosCredentials;
  readonly #certificate: ClientCertificateInfo | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #limit: ConcurrencyLimit;
  readonly #maxMessageBytes: number;
  readonly #clients = new Map<string, grpc.Client>();
  readonly #channelCredentials: TlsChannelCredentials[] = [];
  /** The attempts in flight, so that `close()` can end them. */
  readonly #running = new Set<Attempt>();
  #ca: X509Certificate | undefined;
  /** The endpoint that answered last: calls start there. */
  #preferred = 0;

  constructor(options: TransportOptions) {
    if (options.endpoints.length === 0) {
      throw new TalosLonghornError(
        'invalid-input',
        'none given; pass endpoints (host[:port]) or use a talosconfig context that lists them',
        { field: 'endpoints' },
      );
    }
    this.endpoints = options.endpoints.map((e) => endpointUrl(e, 'endpoints'));
    this.#credentials = options.credentials;
    this.#certificate = options.certificate;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#limit = new ConcurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
    const maxMessage = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(maxMessage) || maxMessage < 1024) {
      throw new TalosLonghornError('invalid-input', 'expected a whole number of bytes ≥ 1024', {
        field: 'maxMessageBytes',
      });
    }
    this.#maxMessageBytes = maxMessage;
    this.#checkValidity();
  }

  /** An expired or not-yet-valid client certificate fails here, before any connection. */
  #checkValidity(): void {
    const cert = this.#certificate;
    if (cert === undefined) return;
    const now = Date.now();
    if (now > cert.notAfter.getTime()) {
      throw new TalosLonghornError(
        'tls',
        `the client certificate (${cert.subject}) expired on ${cert.notAfter.toISOString()}; renew the talosconfig (talosctl config new)`,
        { field: 'talosconfig' },
      );
    }
    if (now < cert.notBefore.getTime()) {
      throw new TalosLonghornError(
        'tls',
        `the client certificate (${cert.subject}) is not valid before ${cert.notBefore.toISOString()}; check the clock`,
        { field: 'talosconfig' },
      );
    }
  }

  /** The endpoint's TLS credentials: what they guarantee is told at `TlsChannelCredentials`. */
  #tls(host: string): grpc.ChannelCredentials {
    this.#ca ??= new X509Certificate(this.#credentials.ca);
    const credentials = new TlsChannelCredentials({
      ca: this.#credentials.ca,
      caCertificate: this.#ca,
      cert: this.#credentials.cert,
      key: this.#credentials.privateKeyPem(),
      host,
      setupMs: this.#timeoutMs,
    });
    this.#channelCredentials.push(credentials);
    return credentials;
  }

  #clientFor(baseUrl: string): grpc.Client {
    let client = this.#clients.get(baseUrl);
    if (client === undefined) {
      const target = targetOf(baseUrl);
      const host = hostOf(target);
      client = new grpc.Client(target, this.#tls(host), {
        'grpc.max_receive_message_length': this.#maxMessageBytes,
        // Retries are ours (reads only, with backoff); grpc-js must not replay writes.
        'grpc.enable_retries': 0,
        'grpc.initial_reconnect_backoff_ms': 100,
        // TLS forbids an IP address as server name (RFC 6066 §3; Go's client sends none): give
        // the handshake a reserved placeholder; the identity check above uses the real host.
        ...(isIP(host) === 0 ? {} : { 'grpc.ssl_target_name_override': 'apid.invalid' }),
      });
      this.#clients.set(baseUrl, client);
    }
    return client;
  }

  #metadata(node: string): grpc.Metadata {
    const metadata = new grpc.Metadata();
    // One-to-one, as talosctl's client.WithNode: apid proxies the call to that node.
    metadata.set('node', node);
    return metadata;
  }

  /** A unary call, e.g. `unary(inv, MachineService.method.version, {})`. */
  unary<I extends DescMessage, O extends DescMessage>(
    invocation: Invocation,
    method: DescMethod & { input: I; output: O },
    request: MessageInitShape<I>,
  ): Promise<MessageShape<O>> {
    const message = create(method.input, request) as MessageShape<I>;
    const encoded = Buffer.from(toBinary(method.input, message));
    return this.#invoke(invocation, (client, deadline, progress) => {
      return new Promise<MessageShape<O>>((resolve, reject) => {
        const call = client.makeUnaryRequest(
          methodPath(method),
          () => encoded,
          (buf: Buffer) => fromBinary(method.output, buf),
          message,
          this.#metadata(invocation.node),
          { deadline },
          (err, reply) => (err || reply === undefined ? reject(err) : resolve(reply)),
        );
        progress.cancel = () => call.cancel();
      });
    });
  }

  /**
   * A server-streaming call: each message goes to `sink` as it arrives (nothing is buffered
   * here). Resolves when the stream ends; a sink that throws cancels the call at once.
   */
  stream<I extends DescMessage, O extends DescMessage>(
    invocation: Invocation,
    method: DescMethod & { input: I; output: O },
    request: MessageInitShape<I>,
    sink: (attempt: number) => StreamSink<MessageShape<O>>,
  ): Promise<void> {
    const message = create(method.input, request) as MessageShape<I>;
    const encoded = Buffer.from(toBinary(method.input, message));
    let attempt = 0;
    return this.#invoke(invocation, (client, deadline, progress) => {
      const onMessage = sink(attempt++);
      return new Promise<void>((resolve, reject) => {
        let size = 0;
        let settled = false;
        const call = client.makeServerStreamRequest(
          methodPath(method),
          () => encoded,
          (buf: Buffer) => {
            size = buf.length;
            return fromBinary(method.output, buf);
          },
          message,
          this.#metadata(invocation.node),
          { deadline },
        );
        progress.cancel = () => call.cancel();
        call.on('data', (reply: MessageShape<O>) => {
          if (settled) return;
          progress.started = true;
          try {
            onMessage(reply, size);
          } catch (err) {
            settled = true;
            call.cancel();
            reject(err);
          }
        });
        call.on('error', (err) => {
          if (settled) return;
          settled = true;
          reject(err);
        });
        call.on('end', () => {
          if (settled) return;
          settled = true;
          resolve();
        });
      });
    });
  }

  #invoke<T>(
    invocation: Invocation,
    fn: (client: grpc.Client, deadline: Date, progress: Attempt) => Promise<T>,
  ): Promise<T> {
    return this.#limit.run(() => this.#invokeNow(invocation, fn));
  }

  /**
   * Run one call against the endpoints: start at the one that answered last, move on when an
   * endpoint cannot be reached, and retry reads that failed UNAVAILABLE with backoff. The
   * timeout is the budget of the whole call: every attempt shares one deadline, and no retry or
   * fail-over starts once it has passed (the last failure is then the call's error).
   */
  async #invokeNow<T>(
    invocation: Invocation,
    fn: (client: grpc.Client, deadline: Date, progress: Attempt) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = invocation.timeoutMs ?? this.#timeoutMs;
    const deadline = new Date(Date.now() + timeoutMs);
    const timeLeft = () => deadline.getTime() - Date.now();
    const attempts = invocation.idempotent ? Math.max(1, this.#retry.attempts) : 1;
    const tried = new Set<string>();
    let failure: { err: unknown; endpoint: string } | undefined;
    retries: for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(
          this.#retry.baseDelayMs * 2 ** (attempt - 1),
          this.#retry.maxDelayMs,
        );
        if (delay >= timeLeft()) break;
        await sleep(delay);
      }
      const start = this.#preferred;
      for (let step = 0; step < this.endpoints.length; step++) {
        if (failure !== undefined && timeLeft() <= 0) break retries;
        const index = (start + step) % this.endpoints.length;
        const endpoint = this.endpoints[index] ?? '';
        const progress: Attempt = { started: false };
        tried.add(endpoint);
        this.#running.add(progress);
        try {
          const result = await fn(this.#clientFor(endpoint), deadline, progress);
          this.#preferred = index;
          return result;
        } catch (err) {
          if (err instanceof TalosLonghornError) throw err;
          failure = { err, endpoint };
          const kind = classifyFailure(err);
          const delivered = kind !== 'unreachable' && kind !== 'tls';
          const switchable = invocation.idempotent ? kind !== 'other' : !delivered;
          if (progress.started || !switchable) throw this.#error(err, invocation, endpoint);
        } finally {
          this.#running.delete(progress);
        }
      }
      // Retry with backoff only what failed UNAVAILABLE (refused, unreachable, node not reachable).
      const last = failure === undefined ? 'other' : classifyFailure(failure.err);
      if (last !== 'unreachable' && last !== 'unavailable') break;
    }
    throw this.#error(failure?.err, invocation, failure?.endpoint ?? '', tried.size);
  }

  /** Close every connection, including any still connecting; calls still running fail. */
  close(): void {
    // grpc-js keeps a call that waits for a connection until its deadline, even on a closed
    // channel: cancel them all.
    for (const attempt of this.#running) attempt.cancel?.();
    this.#running.clear();
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
    // grpc-js leaves a connection that never finished its handshake open: end it here.
    for (const credentials of this.#channelCredentials) credentials.destroy();
    this.#channelCredentials.length = 0;
  }

  #error(err: unknown, invocation: Invocation, endpoint: string, tried = 1): TalosLonghornError {
    const ctx: CallContext = {
      node: invocation.node,
      call: invocation.call,
      endpoint: endpoint.replace(/^https:\/\//, ''),
      timeoutMs: invocation.timeoutMs ?? this.#timeoutMs,
      certificate: this.#certificate,
    };
    const error = callError(err, ctx);
    if (tried < 2) return error;
    return new TalosLonghornError(
      error.code,
      `${error.message.replace(/^node [^:]+: /, '')} (all ${tried} endpoints failed)`,
      { field: `node ${invocation.node}`, cause: err },
    );
  }
}
