import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TalosClient, type TalosClientOptions } from '../../src/api/client.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { TalosLonghornError } from '../../src/errors.js';
import { type KeyPairPem, mintTestPki } from '../helpers/pki.js';
import {
  type AppliedConfig,
  type FakeCall,
  type FakeFault,
  type FakeTalos,
  startFakeTalos,
  talosconfigText,
} from '../helpers/talos-server.js';

const pki = mintTestPki();
const NODE = '10.5.0.2';
const OTHER = '10.5.0.3';
const NO_RETRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const big = randomBytes(10 * 1024 * 1024);
const applied: AppliedConfig[] = [];
let faults: ((call: FakeCall) => FakeFault | undefined)[] = [];
let server: FakeTalos;
let second: FakeTalos;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tl-fake-root-'));
  await mkdir(join(root, 'etc/nvme'), { recursive: true });
  await writeFile(join(root, 'etc/nvme/hostnqn'), 'nqn.from-disk');
  await writeFile(join(root, 'etc/hostname'), 'worker-1\n');
  const nodes = {
    [NODE]: {
      hostname: 'worker-1',
      tag: 'v1.11.3',
      root,
      files: { '/var/big.bin': big, '/etc/machine-id': 'be871ac0d0dd31fa4caca753b0f3f1b2' },
      resources: [
        {
          namespace: 'cluster',
          type: 'Identities.cluster.talos.dev',
          id: 'local',
          spec: { nodeId: 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L' },
        },
        {
          namespace: 'runtime',
          type: 'ExtensionStatuses.runtime.talos.dev',
          id: '0',
          spec: { image: 'iscsi-tools.sqsh', metadata: { name: 'iscsi-tools' } },
        },
        {
          namespace: 'runtime',
          type: 'ExtensionStatuses.runtime.talos.dev',
          id: '1',
          spec: { image: 'util-linux-tools.sqsh', metadata: { name: 'util-linux-tools' } },
        },
      ],
      machineConfig: 'version: v1alpha1\nmachine:\n  type: worker\n',
      applied,
      fault: (call: FakeCall) => {
        for (const f of faults) {
          const out = f(call);
          if (out) return out;
        }
        return undefined;
      },
    },
    [OTHER]: { hostname: 'worker-2', tag: 'v1.10.6' },
  };
  server = await startFakeTalos({ ca: pki.ca, server: pki.server, nodes });
  second = await startFakeTalos({ ca: pki.ca, server: pki.server, nodes });
});
afterAll(async () => {
  await server.close();
  await second.close();
  await rm(root, { recursive: true, force: true });
});

function clientFor(
  client: KeyPairPem | undefined,
  endpoints: readonly string[] = [server.endpoint],
  extra: Partial<TalosClientOptions> = {},
  ca = pki.ca,
): TalosClient {
  const text = talosconfigText({ ca, endpoints, ...(client ? { client } : {}) });
  const context = parseTalosConfig(text, { source: 'test' });
  return TalosClient.fromContext(context, { retry: NO_RETRY, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<TalosLonghornError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TalosLonghornError);
  return err as TalosLonghornError;
}

/** The port of a listener that was opened and closed: nothing answers there. */
async function deadEndpoint(): Promise<string> {
  const net = await import('node:net');
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return `127.0.0.1:${port}`;
}

describe('TalosClient against a fake apid', () => {
  it('refuses to start without endpoints, naming the field and not the CLI', () => {
    let caught: unknown;
    try {
      clientFor(pki.reader, []);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TalosLonghornError);
    expect((caught as TalosLonghornError).field).toBe('endpoints');
    expect((caught as TalosLonghornError).message).toBe(
      'endpoints: none given; pass endpoints (host[:port]) or use a talosconfig context that lists them',
    );
  });

  it('Version: per node, routed by the node header', async () => {
    const client = clientFor(pki.reader);
    const before = server.calls.length;
    const [a, b] = await Promise.all([client.version(NODE), client.version(OTHER)]);
    // One-to-one (the `node` header) apid adds no common.Metadata: no hostname.
    expect(a).toMatchObject({ node: NODE, hostname: '', tag: 'v1.11.3', platform: 'metal' });
    expect(b).toMatchObject({ node: OTHER, hostname: '', tag: 'v1.10.6' });
    const calls = server.calls.slice(before);
    expect(calls.map((c) => [c.method, c.node]).sort()).toEqual([
      ['Version', NODE],
      ['Version', OTHER],
    ]);
    expect(calls[0]?.roles).toEqual(['os:reader']);
    expect(calls.every((c) => !c.fanOut)).toBe(true);
    client.close();
  });

  it('readFile: from memory and from the node root directory', async () => {
    const client = clientFor(pki.admin);
    expect((await client.readFile(NODE, '/etc/machine-id', { maxBytes: 64 })).toString()).toBe(
      'be871ac0d0dd31fa4caca753b0f3f1b2',
    );
    expect((await client.readFile(NODE, '/etc/hostname', { maxBytes: 64 })).toString()).toBe(
      'worker-1\n',
    );
    client.close();
  });

  it('readFile: a 10 MiB file arrives whole through the stream', async () => {
    const client = clientFor(pki.admin);
    const bytes = await client.readFile(NODE, '/var/big.bin', { maxBytes: 16 * 1024 * 1024 });
    expect(bytes.length).toBe(big.length);
    expect(bytes.equals(big)).toBe(true);
    client.close();
  });

  it('readFile: refuses more than maxBytes, and a missing file is not-found', async () => {
    const client = clientFor(pki.admin);
    const tooBig = await failure(client.readFile(NODE, '/var/big.bin', { maxBytes: 1000 }));
    expect(tooBig.code).toBe('node-error');
    expect(tooBig.message).toBe(
      `node ${NODE}: Read /var/big.bin: the file is larger than 1000 bytes`,
    );
    const missing = await failure(client.readFile(NODE, '/etc/nope', { maxBytes: 10 }));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toMatch(/stat \/etc\/nope: no such file or directory/);
    client.close();
  });

  it('readFile with os:reader is permission-denied and names the role', async () => {
    const client = clientFor(pki.reader);
    const err = await failure(client.readFile(NODE, '/etc/machine-id', { maxBytes: 64 }));
    expect(err.code).toBe('permission-denied');
    expect(err.message).toBe(
      `node ${NODE}: Read /etc/machine-id is not allowed (client certificate roles: os:reader): not authorized`,
    );
    client.close();
  });

  it('list: entries of a directory, recursively', async () => {
    const client = clientFor(pki.reader);
    const flat = await client.list(NODE, '/etc');
    expect(flat.map((e) => [e.relativeName, e.isDir])).toEqual([
      ['.', true],
      ['hostname', false],
      ['machine-id', false],
      ['nvme', true],
    ]);
    const deep = await client.list(NODE, '/etc', { recurse: true });
    expect(deep.find((e) => e.name === '/etc/nvme/hostnqn')).toMatchObject({
      relativeName: 'nvme/hostnqn',
      size: 13n,
      isDir: false,
    });
    client.close();
  });

  it('getResource / listResources: yaml_spec parsed', async () => {
    const client = clientFor(pki.reader);
    const identity = await client.getResource(
      NODE,
      'cluster',
      'Identities.cluster.talos.dev',
      'local',
    );
    expect(identity).toMatchObject({
      namespace: 'cluster',
      id: 'local',
      phase: 'running',
      spec: { nodeId: 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L' },
    });
    const extensions = await client.listResources(
      NODE,
      'runtime',
      'ExtensionStatuses.runtime.talos.dev',
    );
    expect(extensions.map((r) => (r.spec as { metadata: { name: string } }).metadata.name)).toEqual(
      ['iscsi-tools', 'util-linux-tools'],
    );
    const missing = await failure(
      client.getResource(OTHER, 'cluster', 'Identities.cluster.talos.dev', 'local'),
    );
    expect(missing.code).toBe('not-found');
    expect(missing.field).toBe(`node ${OTHER}`);
    client.close();
  });

  it('the machine config is sensitive: os:reader cannot get it, os:admin gets the raw text', async () => {
    const reader = clientFor(pki.reader);
    const denied = await failure(
      reader.getResource(NODE, 'config', 'MachineConfigs.config.talos.dev', 'v1alpha1'),
    );
    expect(denied.code).toBe('permission-denied');
    reader.close();
    const admin = clientFor(pki.admin);
    const config = await admin.getResource(
      NODE,
      'config',
      'MachineConfigs.config.talos.dev',
      'v1alpha1',
    );
    expect(config.specYaml).toContain('type: worker');
    admin.close();
  });

  it('applyConfiguration: mode and dry run reach the node; the reply is returned', async () => {
    const client = clientFor(pki.admin);
    const result = await client.applyConfiguration(NODE, 'version: v1alpha1\n', {
      mode: 'no-reboot',
      dryRun: true,
    });
    expect(result).toMatchObject({ node: NODE, mode: 'no-reboot', warnings: [] });
    expect(result.modeDetails).toMatch(/^Dry run summary/);
    expect(applied.at(-1)).toEqual({
      data: 'version: v1alpha1\n',
      mode: 'NO_REBOOT',
      dryRun: true,
    });
    const invalid = await failure(
      client.applyConfiguration(NODE, ': : :', { mode: 'auto', dryRun: true }),
    );
    expect(invalid.code).toBe('node-error');
    expect(invalid.message).toMatch(/failed to parse config/);
    client.close();
  });

  it('metadata errors become typed errors', async () => {
    faults = [
      (call) =>
        call.method === 'Version'
          ? { metadataError: { message: 'machined is restarting' } }
          : call.method === 'Read'
            ? { metadataError: { message: 'denied by policy', code: status.PERMISSION_DENIED } }
            : undefined,
    ];
    const client = clientFor(pki.admin);
    const version = await failure(client.version(NODE));
    expect(version.code).toBe('node-error');
    expect(version.message).toBe(`node ${NODE}: Version (worker-1): machined is restarting`);
    const read = await failure(client.readFile(NODE, '/etc/machine-id', { maxBytes: 64 }));
    expect(read.code).toBe('permission-denied');
    faults = [];
    client.close();
  });

  it('deadline exceeded names the call and the deadline', async () => {
    faults = [(call) => (call.method === 'Version' ? { delayMs: 500 } : undefined)];
    const client = clientFor(pki.reader, [server.endpoint], { timeoutMs: 100 });
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('deadline-exceeded');
    expect(err.message).toBe(
      `node ${NODE}: Version did not finish within 100 ms (the call timeout; raise it for a slow node)`,
    );
    faults = [];
    client.close();
  });

  it('reads failing UNAVAILABLE are retried with backoff; applies are not', async () => {
    let unavailable = 2;
    faults = [
      () =>
        unavailable-- > 0
          ? { status: { code: status.UNAVAILABLE, message: 'node busy' } }
          : undefined,
    ];
    const retrying = clientFor(pki.admin, [server.endpoint], {
      retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    });
    expect((await retrying.version(NODE)).tag).toBe('v1.11.3');
    unavailable = 1;
    const err = await failure(
      retrying.applyConfiguration(NODE, 'version: v1alpha1\n', { mode: 'auto', dryRun: true }),
    );
    expect(err.code).toBe('connection');
    expect(err.message).toMatch(/node busy/);
    faults = [];
    retrying.close();
  });

  it('a node apid cannot reach is a connection error naming the node', async () => {
    const client = clientFor(pki.reader);
    const err = await failure(client.version('10.9.9.9'));
    expect(err.code).toBe('connection');
    expect(err.message).toMatch(
      /^node 10\.9\.9\.9: Version via 127\.0\.0\.1:\d+: connection error/,
    );
    client.close();
  });
});

describe('connection and TLS failures', () => {
  it('unreachable endpoint → connection error', async () => {
    const dead = await deadEndpoint();
    const client = clientFor(pki.reader, [dead]);
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('connection');
    expect(err.message).toBe(`node ${NODE}: cannot connect to endpoint ${dead} (ECONNREFUSED)`);
    client.close();
  });

  it('fails over to the second endpoint, and stays there', async () => {
    const dead = await deadEndpoint();
    const client = clientFor(pki.reader, [dead, second.endpoint]);
    const before = second.calls.length;
    expect((await client.version(NODE)).tag).toBe('v1.11.3');
    expect((await client.version(OTHER)).tag).toBe('v1.10.6');
    expect(second.calls.length - before).toBe(2);
    client.close();
  });

  it('every endpoint down → one error saying all failed', async () => {
    const client = clientFor(pki.reader, [await deadEndpoint(), await deadEndpoint()]);
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('connection');
    expect(err.message).toMatch(
      /cannot connect to endpoint .* \(ECONNREFUSED\) \(all 2 endpoints failed\)$/,
    );
    client.close();
  });

  it('server certificate from another CA → tls error', async () => {
    const client = clientFor(pki.admin, [server.endpoint], {}, pki.otherCa);
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('tls');
    expect(err.message).toMatch(
      /the certificate of endpoint 127\.0\.0\.1:\d+ is not signed by the talosconfig CA/,
    );
    client.close();
  });

  it('no client certificate → tls error saying the context has none', async () => {
    const client = clientFor(undefined);
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('tls');
    expect(err.message).toMatch(
      /requires a client certificate and the talosconfig context has none/,
    );
    client.close();
  });

  it('client certificate of another CA → tls error', async () => {
    const client = clientFor(pki.otherAdmin);
    const err = await failure(client.version(NODE));
    expect(err.code).toBe('tls');
    expect(err.message).toMatch(/client certificate is not issued by the talosconfig CA/);
    client.close();
  });

  it('expired client certificate → tls error with the expiry date, before connecting', async () => {
    const before = server.calls.length;
    const err = await failure(Promise.resolve().then(() => clientFor(pki.expiredAdmin)));
    expect(err.code).toBe('tls');
    expect(err.message).toMatch(
      /^talosconfig: the client certificate \(O=os:admin\) expired on \d{4}-/,
    );
    expect(server.calls.length).toBe(before);
  });
});
