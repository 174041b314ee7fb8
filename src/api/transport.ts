// gRPC over HTTP/2 with mutual TLS to a list of apid endpoints: fail-over from one endpoint to
// the next, retry with backoff for reads that failed UNAVAILABLE, per-call deadlines and a limit
// on calls in flight.
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { ConcurrencyLimit } from '../concurrency.js';
import { TalosLonghornError } from '../errors.js';
import { type CallContext, callError, classifyFailure } from './call-errors.js';
import { endpointUrl } from './endpoints.js';
import { State } from './gen/cosi/state_pb.js';
import { MachineService } from './gen/machine/machine_pb.js';
import type { ClientCertificateInfo, TalosCredentials } from './talosconfig.js';

export interface RetryPolicy {
  /** Attempts in total for a read that keeps failing UNAVAILABLE (1 = no retry). */
  readonly attempts: number;
  /** First backoff; doubled each attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 };
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_CONCURRENCY = 128;

export interface TransportOptions {
  /** apid endpoints: `host`, `host:port` (default port 50000) or `[IPv6]:port`. */
  readonly endpoints: readonly string[];
  readonly credentials: TalosCredentials;
  /** The client certificate's details, used in messages (roles, expiry). */
  readonly certificate?: ClientCertificateInfo | undefined;
  /** Deadline of each call in milliseconds (default 15 000). */
  readonly timeoutMs?: number;
  /** Calls in flight at once across all nodes (default 128). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
}

/** The service clients bound to one endpoint. */
export interface EndpointClients {
  readonly machine: Client<typeof MachineService>;
  readonly cosi: Client<typeof State>;
}

/** Per-call options handed to the generated client. */
export interface CallOptions {
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
}

export interface Invocation {
  readonly node: string;
  /** Name used in messages, e.g. `Read /etc/machine-id`. */
  readonly call: string;
  /** Reads may be retried and failed over freely; writes only when nothing was delivered. */
  readonly idempotent: boolean;
  readonly timeoutMs?: number;
}

/** Set by a streaming call once a message arrived: after that, a failure is not retried. */
export interface Progress {
  started: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TalosTransport {
  readonly endpoints: readonly string[];
  readonly #credentials: TalosCredentials;
  readonly #certificate: ClientCertificateInfo | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #limit: ConcurrencyLimit;
  readonly #clients = new Map<string, EndpointClients & { session: Http2SessionManager }>();
  /** The endpoint that answered last: calls start there. */
  #preferred = 0;

  constructor(options: TransportOptions) {
    if (options.endpoints.length === 0) {
      throw new TalosLonghornError(
        'invalid-input',
        'no endpoints; give --endpoints or add endpoints to the talosconfig context',
        { field: 'endpoints' },
      );
    }
    this.endpoints = options.endpoints.map((e) => endpointUrl(e, 'endpoints'));
    this.#credentials = options.credentials;
    this.#certificate = options.certificate;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#limit = new ConcurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
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

  #clientsFor(baseUrl: string): EndpointClients {
    let clients = this.#clients.get(baseUrl);
    if (clients === undefined) {
      const key = this.#credentials.privateKeyPem();
      const cert = this.#credentials.cert;
      const session = new Http2SessionManager(
        baseUrl,
        { idleConnectionTimeoutMs: 60_000 },
        {
          ca: this.#credentials.ca,
          ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
        },
      );
      const transport = createGrpcTransport({ baseUrl, sessionManager: session });
      clients = {
        machine: createClient(MachineService, transport),
        cosi: createClient(State, transport),
        session,
      };
      this.#clients.set(baseUrl, clients);
    }
    return clients;
  }

  /**
   * Run one call against the endpoints: start at the one that answered last, move on when an
   * endpoint cannot be reached, and retry reads that failed UNAVAILABLE with backoff.
   */
  invoke<T>(
    invocation: Invocation,
    fn: (clients: EndpointClients, options: CallOptions, progress: Progress) => Promise<T>,
  ): Promise<T> {
    return this.#limit.run(() => this.#invokeNow(invocation, fn));
  }

  async #invokeNow<T>(
    invocation: Invocation,
    fn: (clients: EndpointClients, options: CallOptions, progress: Progress) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = invocation.timeoutMs ?? this.#timeoutMs;
    const options: CallOptions = { headers: { node: invocation.node }, timeoutMs };
    const attempts = invocation.idempotent ? Math.max(1, this.#retry.attempts) : 1;
    let failure: { err: unknown; endpoint: string } | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = this.#retry.baseDelayMs * 2 ** (attempt - 1);
        await sleep(Math.min(delay, this.#retry.maxDelayMs));
      }
      const start = this.#preferred;
      for (let step = 0; step < this.endpoints.length; step++) {
        const index = (start + step) % this.endpoints.length;
        const endpoint = this.endpoints[index] ?? '';
        const progress: Progress = { started: false };
        try {
          const result = await fn(this.#clientsFor(endpoint), options, progress);
          this.#preferred = index;
          return result;
        } catch (err) {
          failure = { err, endpoint };
          const kind = classifyFailure(err);
          const delivered = kind !== 'unreachable' && kind !== 'tls';
          const switchable = invocation.idempotent ? kind !== 'other' : !delivered;
          if (progress.started || !switchable) throw this.#error(err, invocation, endpoint);
        }
      }
      // Retry with backoff only what failed UNAVAILABLE (refused, unreachable, node not reachable).
      const last = failure === undefined ? 'other' : classifyFailure(failure.err);
      if (last !== 'unreachable' && last !== 'unavailable') break;
    }
    throw this.#error(failure?.err, invocation, failure?.endpoint ?? '', this.endpoints.length);
  }

  /** Close every connection; calls still running fail. */
  close(): void {
    for (const { session } of this.#clients.values()) session.abort();
    this.#clients.clear();
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
