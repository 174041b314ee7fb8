// The API source under test: the project's TalosClient against the fake apid, which serves
// fixture node directories over real gRPC with mutual TLS and Talos's role rules.
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
