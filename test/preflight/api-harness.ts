// The API source under test: the project's TalosClient against the fake apid, which serves
// fixture node directories over real gRPC with mutual TLS and Talos's role rules.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { TalosClient } from '../../src/api/client.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { mintTestPki } from '../helpers/pki.js';
import {
  type FakeNode,
  type FakeTalos,
  startFakeTalos,
  talosconfigText,
} from '../helpers/talos-server.js';

export const pki = mintTestPki();

export type Role = 'admin' | 'reader';

export function startFake(nodes: Record<string, FakeNode>, latencyMs?: number): Promise<FakeTalos> {
  return startFakeTalos({
    ca: pki.ca,
    server: pki.server,
    nodes,
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
}

/** A talosconfig for the fake with the given role's client certificate. */
export function talosconfigFor(server: FakeTalos, role: Role, nodes?: readonly string[]): string {
  return talosconfigText({
    ca: pki.ca,
    client: role === 'admin' ? pki.admin : pki.reader,
    endpoints: [server.endpoint],
    ...(nodes === undefined ? {} : { nodes }),
  });
}

export function clientFor(server: FakeTalos, role: Role, concurrency?: number): TalosClient {
  const context = parseTalosConfig(talosconfigFor(server, role), { source: 'test' });
  return TalosClient.fromContext(context, {
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    ...(concurrency === undefined ? {} : { concurrency }),
  });
}

export interface FakeFleet {
  /** The temporary directory the nodes were built in. */
  readonly dir: string;
  readonly server: FakeTalos;
  readonly admin: TalosClient;
  readonly reader: TalosClient;
}

/**
 * Before the file's tests: build nodes in a fresh temporary directory and serve them over the
 * fake apid, with an os:admin and an os:reader client. After them: close and remove it all.
 * The returned object is filled in by `beforeAll`; read it inside tests only.
 */
export function useFakeFleet(
  prefix: string,
  build: (dir: string) => Promise<Record<string, FakeNode>>,
): FakeFleet {
  const fleet = {} as { -readonly [K in keyof FakeFleet]: FakeFleet[K] };
  beforeAll(async () => {
    fleet.dir = await mkdtemp(join(tmpdir(), prefix));
    fleet.server = await startFake(await build(fleet.dir));
    fleet.admin = clientFor(fleet.server, 'admin');
    fleet.reader = clientFor(fleet.server, 'reader');
  });
  afterAll(async () => {
    fleet.admin?.close();
    fleet.reader?.close();
    await fleet.server?.close();
    if (fleet.dir !== undefined) await rm(fleet.dir, { recursive: true, force: true });
  });
  return fleet;
}
