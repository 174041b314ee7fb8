// The TLS side of a connection to apid: which servers get to see the client certificate, and
// how a connection that stalls before it can carry calls is ended.
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { checkServerIdentity, createSecureContext, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

type SecureConnector = ReturnType<grpc.ChannelCredentials['_createSecureConnector']>;
type ConnectorArgs = Parameters<grpc.ChannelCredentials['_createSecureConnector']>;
type SecureConnectResult = Awaited<ReturnType<SecureConnector['connect']>>;

/**
 * Server identity, checked by us on top of Node's chain verification: the certificate must be
 * signed by the talosconfig CA and name the endpoint. apid's certificate carries the node's
 * addresses and names as SANs (talosctl verifies them the same way, with the context CA as the
 * only root).
 */
function serverIdentityCheck(ca: X509Certificate, host: string) {
  return (_sni: string, cert: PeerCertificate): Error | undefined => {
    let peer: X509Certificate;
    try {
      peer = new X509Certificate(cert.raw);
    } catch {
      return Object.assign(new Error('the server sent no parsable certificate'), {
        code: 'CERT_SIGNATURE_FAILURE',
      });
    }
    if (!peer.checkIssued(ca) || !peer.verify(ca.publicKey)) {
      return Object.assign(new Error('server certificate not signed by the talosconfig CA'), {
        code: 'CERT_SIGNATURE_FAILURE',
      });
    }
    return checkServerIdentity(host, cert);
  };
}

export interface TlsChannelOptions {
  /** PEM of the talosconfig CA: the only root trusted. */
  readonly ca: string;
  readonly caCertificate: X509Certificate;
  /** PEM client certificate and PKCS#8 key; both or neither. */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  /** The endpoint's host, as its certificate must name it. */
  readonly host: string;
  /** How long a new connection may take to be ready for calls (TLS and the server's first HTTP/2 bytes). */
  readonly setupMs: number;
}

/**
 * gRPC channel credentials for one apid endpoint.
 *
 * What is guaranteed about the client certificate: it is sent only to a server whose
 * certificate chains to the talosconfig CA and names the endpoint, whatever the environment
 * says (`NODE_TLS_REJECT_UNAUTHORIZED=0`, `NODE_EXTRA_CA_CERTS`). How:
 * - Only TLS 1.3 is offered. In TLS 1.2 the client sends its certificate (in clear text) before
 *   the server has proven it holds its key, so a server of any CA could collect it; in TLS 1.3
 *   the client's certificate is part of its last flight, built only after the server's whole
 *   flight (certificate, signature, Finished) has arrived. apid speaks TLS 1.3 (Go's crypto/tls
 *   with siderolabs/crypto's config, minimum 1.2, maximum Go's default 1.3).
 * - The talosconfig CA is the only root (`ca` replaces Node's bundled and extra roots), and
 *   verification is set explicitly — `rejectUnauthorized: true` and our identity check — so no
 *   environment variable can loosen it. Node runs both when the handshake completes, in the
 *   same turn as OpenSSL writing the client's last flight into its buffer, and destroys the
 *   socket on failure before that buffer reaches the network (Node's client never aborts inside
 *   OpenSSL: it verifies in JavaScript). This ordering is Node's, not ours:
 *   `test/api/hostile-servers.test.ts` checks it with servers of a foreign CA.
 *
 * What is bounded: a connection that has not finished its TLS handshake, or whose server has
 * sent no HTTP/2 byte, `setupMs` after the TCP connection was made is destroyed (grpc-js has
 * no such bound and would wait forever), and `destroy()` ends every connection made through
 * these credentials, so no socket outlives the client.
 */
export class TlsChannelCredentials extends grpc.ChannelCredentials {
  readonly #inner: grpc.ChannelCredentials;
  readonly #setupMs: number;
  readonly #sockets = new Set<Socket>();

  constructor(options: TlsChannelOptions) {
    super();
    const both = options.cert !== undefined && options.key !== undefined;
    const context = createSecureContext({
      ca: options.ca,
      ...(both ? { cert: options.cert, key: options.key } : {}),
      minVersion: 'TLSv1.3',
    });
    this.#inner = grpc.credentials.createFromSecureContext(context, {
      rejectUnauthorized: true,
      checkServerIdentity: serverIdentityCheck(options.caCertificate, options.host),
    });
    this.#setupMs = options.setupMs;
  }

  _isSecure(): boolean {
    return true;
  }

  _equals(other: grpc.ChannelCredentials): boolean {
    return other === this;
  }

  _createSecureConnector(...args: ConnectorArgs): SecureConnector {
    const inner = this.#inner._createSecureConnector(...args);
    return {
      connect: (socket) => this.#connect(inner, socket),
      waitForReady: () => inner.waitForReady(),
      getCallCredentials: () => inner.getCallCredentials(),
      destroy: () => inner.destroy(),
    };
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #connect(inner: SecureConnector, socket: Socket): Promise<SecureConnectResult> {
    this.#track(socket);
    return new Promise((resolve, reject) => {
      let secured: Socket | undefined;
      const timer = setTimeout(() => {
        const what = secured === undefined ? 'TLS handshake' : 'HTTP/2 answer';
        const error = new Error(`no ${what} within ${this.#setupMs} ms (ETIMEDOUT)`);
        if (secured === undefined) {
          reject(error);
          socket.destroy();
        } else if (secured.bytesRead === 0) {
          // grpc-js waits for the server's HTTP/2 SETTINGS without a bound; this ends the wait.
          secured.destroy(error);
        }
      }, this.#setupMs);
      // The bound itself never keeps the process alive.
      timer.unref();
      inner.connect(socket).then(
        (result) => {
          secured = result.socket;
          this.#track(secured);
          resolve(result);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** End every connection these credentials made (calls still running on them fail). */
  destroy(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}
