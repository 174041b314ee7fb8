// The client against servers that are not apid: a TLS server of a foreign CA that asks for the
// client certificate and records whether it got one (with TLS 1.3 and with TLS 1.2), and
// servers that stall — one accepts TCP and never answers, one completes TLS and never speaks
// HTTP/2. The CLI runs as a separate process, so environment variables such as
// NODE_TLS_REJECT_UNAUTHORIZED=0 apply to it alone, and so "it exits" is observed as users see it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TalosClient } from '../../src/api/client.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { rejectionOf } from '../helpers/errors.js';
import { mintTestPki } from '../helpers/pki.js';
import { startFakeTalos, talosconfigText } from '../helpers/talos-server.js';

const pki = mintTestPki();
/** Far above every deadline used here: a process still running then is hung. */
const HUNG_AFTER_MS = 10_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Listening {
  readonly endpoint: string;
  /** Every TCP connection the server accepted. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Socket[]): Promise<Listening> {
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `127.0.0.1:${port}`,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface RecordingServer extends Listening {
  /** Per TLS connection that got far enough to tell: the client certificate's subject, or null. */
  readonly presented: (string | null)[];
}

/**
 * A TLS server with a certificate of the second, unrelated CA. It asks for a client certificate
 * but accepts a connection without one (`requestCert: true, rejectUnauthorized: false`) and
 * records what it got, whether the handshake completed or the client hung up halfway.
 */
async function recordingServer(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<RecordingServer> {
  const presented: (string | null)[] = [];
  const peer = (socket: TLSSocket) => {
    const cert = socket.getPeerCertificate();
    presented.push(cert?.raw === undefined ? null : String(cert.subject?.O ?? ''));
    // Read (and drop) what the client sends, so its hang-up is seen.
    socket.resume();
  };
  const server = createTlsServer(
    {
      cert: pki.otherServer.cert,
      key: pki.otherServer.key,
      requestCert: true,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      maxVersion,
    },
    peer,
  );
  server.on('tlsClientError', (_err, socket) => peer(socket));
  return { ...(await listen(server, [])), presented };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Until every accepted connection has closed (the client gave up on all of them); one still
 * open long after every deadline here fails the test.
 */
async function allClosed(server: Listening): Promise<void> {
  const closed = Promise.all(
    server.sockets.map((s) =>
      s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`a connection is still open after ${HUNG_AFTER_MS} ms`)),
      HUNG_AFTER_MS,
    );
  });
  await Promise.race([closed, open]).finally(() => clearTimeout(timer));
}

async function talosconfigFile(name: string, endpoint: string, ca = pki.ca): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, talosconfigText({ ca, client: pki.admin, endpoints: [endpoint] }));
  return path;
}

/** `identity` against one node; Node's own warning about NODE_TLS_REJECT_UNAUTHORIZED is dropped. */
async function identity(config: string, timeout: string, env: Record<string, string> = {}) {
  const result = await runCli(
    ['identity', '--talosconfig', config, '--nodes', 'n1', '--timeout', timeout],
    { env, killAfterMs: HUNG_AFTER_MS },
  );
  const stderr = result.stderr.replace(
    /^\(node:\d+\) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED .*\n\(Use `node --trace-warnings .*\n/,
    '',
  );
  return { ...result, stderr };
}

describe('the client certificate goes only to a server of the talosconfig CA', () => {
  const environments: [string, () => Promise<Record<string, string>>][] = [
    ['a clean environment', async () => ({})],
    ['NODE_TLS_REJECT_UNAUTHORIZED=0', async () => ({ NODE_TLS_REJECT_UNAUTHORIZED: '0' })],
    [
      'NODE_EXTRA_CA_CERTS naming the foreign CA',
      async () => {
        const file = join(dir, 'foreign-ca.pem');
        await writeFile(file, pki.otherCa);
        return { NODE_EXTRA_CA_CERTS: file };
      },
    ],
  ];
  const cases = environments.flatMap(([name, env]) =>
    (['TLSv1.3', 'TLSv1.2'] as const).map((version) => [name, version, env] as const),
  );

  it.each(cases)(
    '%s, a foreign %s server: refused, no certificate sent',
    async (_n, version, env) => {
      const server = await recordingServer(version);
      try {
        const config = await talosconfigFile(`foreign-${version}.talosconfig`, server.endpoint);
        const result = await identity(config, '5s', await env());
        await allClosed(server);
        // The server asked for a certificate on every connection and never got one.
        expect(server.sockets.length).toBeGreaterThan(0);
        expect(server.presented.length).toBeGreaterThan(0);
        expect(server.presented.filter((subject) => subject !== null)).toEqual([]);
        expect(expectOneLineFailure(result, 3)).toContain(
          version === 'TLSv1.3'
            ? `node n1: the certificate of endpoint ${server.endpoint} is not signed by the talosconfig CA`
            : `node n1: endpoint ${server.endpoint} does not speak TLS 1.3, which apid does`,
        );
      } finally {
        await server.close();
      }
    },
  );

  it('the recording server does see a certificate when one is sent (TLS 1.3 and 1.2)', async () => {
    // Our client, trusting the server's CA: it sends its certificate over TLS 1.3.
    const v13 = await recordingServer('TLSv1.3');
    const v12 = await recordingServer('TLSv1.2');
    try {
      const config = await talosconfigFile('trusting.talosconfig', v13.endpoint, pki.otherCa);
      expectOneLineFailure(await identity(config, '5s'), 3);
      await allClosed(v13);
      expect(v13.presented).toContain('os:admin');
      // A plain TLS 1.2 client with a certificate: what our client would send without its fix.
      const [host, port] = v12.endpoint.split(':');
      const socket = connect({
        host,
        port: Number(port),
        ca: pki.otherCa,
        cert: pki.admin.cert,
        key: pki.admin.key,
        maxVersion: 'TLSv1.2',
        checkServerIdentity: () => undefined,
      });
      await new Promise((resolve, reject) =>
        socket.once('secureConnect', resolve).once('error', reject),
      );
      socket.destroy();
      await allClosed(v12);
      expect(v12.presented).toEqual(['os:admin']);
    } finally {
      await v13.close();
      await v12.close();
    }
  });
});

/** A server that accepts TCP connections and never sends a byte (it reads and drops). */
function silentTcpServer(): Promise<Listening> {
  return listen(
    createServer((socket) => socket.resume()),
    [],
  );
}

/** A TLS server of the right CA that completes the handshake and then never speaks HTTP/2. */
function silentTlsServer(): Promise<Listening> {
  const server = createTlsServer(
    {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca,
      requestCert: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => socket.resume(),
  );
  return listen(server, []);
}

const stalls: [string, () => Promise<Listening>][] = [
  ['accepts TCP and never answers', silentTcpServer],
  ['completes TLS and never speaks HTTP/2', silentTlsServer],
];

describe('a stalled server cannot hang a call or the process', () => {
  it.each(stalls)(
    'identity against a server that %s: the timeout error, exit 3',
    async (_n, start) => {
      const server = await start();
      try {
        const config = await talosconfigFile('stalled.talosconfig', server.endpoint);
        const result = await identity(config, '1s');
        // Not killed: it ended by itself, with the deadline error naming the node.
        expect(result.status).not.toBeNull();
        expect(expectOneLineFailure(result, 3)).toBe(
          'talos-longhorn: node n1: Get Identities.cluster.talos.dev cluster/local did not finish within 1000 ms (the call timeout; raise it for a slow node)',
        );
        expect(server.sockets.length).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    },
  );

  function clientOf(endpoint: string, timeoutMs: number) {
    const text = talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [endpoint] });
    return TalosClient.fromContext(parseTalosConfig(text, { source: 'test' }), {
      timeoutMs,
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 50 },
    });
  }

  it.each(stalls)(
    'close() ends the call and the connection to a server that %s',
    async (_n, start) => {
      const server = await start();
      // A deadline far away: only close() can end the call in time for the test.
      const client = clientOf(server.endpoint, 60_000);
      try {
        const call = rejectionOf(client.version('n1'));
        await until(() => server.sockets.length > 0);
        client.close();
        const err = await call;
        expect(err.code).toBe('connection');
        expect(err.message).toBe('node n1: Version: the client was closed');
        // The server sees the client hang up: no socket of the closed client stays open.
        await allClosed(server);
      } finally {
        client.close();
        await server.close();
      }
    },
  );

  it.each(stalls)(
    'a connection to a server that %s ends by itself after the timeout',
    async (_n, start) => {
      const server = await start();
      const client = clientOf(server.endpoint, 500);
      try {
        const err = await rejectionOf(client.version('n1'));
        expect(err.code).toBe('deadline-exceeded');
        expect(err.message).toBe(
          'node n1: Version did not finish within 500 ms (the call timeout; raise it for a slow node)',
        );
        // Without close(): the stalled connection is given up, so a later call can connect anew.
        await allClosed(server);
      } finally {
        client.close();
        await server.close();
      }
    },
  );
});

describe('the timeout bounds the whole call, retries included', () => {
  it('no retry starts after the deadline', async () => {
    const server = await startFakeTalos({
      ca: pki.ca,
      server: pki.server,
      nodes: {
        n1: { fault: () => ({ status: { code: status.UNAVAILABLE, message: 'node busy' } }) },
      },
    });
    const text = talosconfigText({ ca: pki.ca, client: pki.reader, endpoints: [server.endpoint] });
    const client = TalosClient.fromContext(parseTalosConfig(text, { source: 'test' }), {
      timeoutMs: 1000,
      // Five attempts need 4 × 400 ms of backoff alone: more than the call's 1000 ms.
      retry: { attempts: 5, baseDelayMs: 400, maxDelayMs: 400 },
    });
    try {
      const err = await rejectionOf(client.version('n1'));
      expect(err.code).toBe('connection');
      expect(err.message).toMatch(/node busy/);
      const tries = server.calls.filter((call) => call.method === 'Version').length;
      expect(tries).toBeGreaterThanOrEqual(1);
      expect(tries).toBeLessThanOrEqual(3);
    } finally {
      client.close();
      await server.close();
    }
  });
});
