// Every API feature against a fake apid of every supported Talos version (1.9–1.14), whose
// per-version behaviour follows Talos's sources (see APID_BY_VERSION in the fake). Expected
// values are written from those sources (and ../shared talos FACTS §9), not from our client.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { TalosClient, type TalosClientOptions } from '../../src/api/client.js';
import {
  acceptedApplyModes,
  checkApplyMode,
  MACHINE_CONFIG_RESOURCE,
  patchNodeConfig,
  readMachineConfig,
} from '../../src/api/patch-config.js';
import { parseTalosConfig } from '../../src/api/talosconfig.js';
import { TalosLonghornError } from '../../src/errors.js';
import { mintTestPki } from '../helpers/pki.js';
import {
  type AppliedConfig,
  type FakeNode,
  type FakeTalos,
  REBOOT_REFUSED,
  startFakeTalos,
  talosconfigText,
} from '../helpers/talos-server.js';

const pki = mintTestPki();
const TAGS = ['v1.9.5', 'v1.10.7', 'v1.11.3', 'v1.12.4', 'v1.13.2', 'v1.14.0-rc.1'] as const;
const CONFIG = `version: v1alpha1
machine:
  type: worker
  kernel:
    modules:
      - name: br_netfilter
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: longhorn-v2-node
environment:
  - USER_SETTING=1
`;
// A patch as `talos-longhorn patch` emits it for 1.9–1.13: a module list entry and a named
// document holding our environment lines.
const PATCH = `machine:
  kernel:
    modules:
      - name: vfio_pci
      - name: nvme_tcp
        parameters:
          - max_queues=8
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: longhorn-v2-node
environment:
  - LONGHORN_V2_HUGEPAGES=1024
`;

const nodes: Record<string, FakeNode & { applied: AppliedConfig[] }> = {};
let server: FakeTalos;

beforeAll(async () => {
  for (const tag of TAGS) {
    nodes[tag] = {
      tag,
      machineConfig: CONFIG,
      applied: [],
      resources: [
        {
          namespace: 'runtime',
          type: 'KernelModuleStatuses.runtime.talos.dev',
          id: 'nvme_tcp',
          spec: { type: 'built-in' },
        },
      ],
    };
  }
  nodes.hostile = {
    tag: 'v1.13.2',
    applied: [],
    endlessList: true,
    readChunk: 512 * 1024,
    files: { '/var/huge': randomBytes(1024 * 1024) },
  };
  server = await startFakeTalos({ ca: pki.ca, server: pki.server, nodes });
});
afterAll(() => server.close());

function client(admin = true, extra: Partial<TalosClientOptions> = {}): TalosClient {
  const text = talosconfigText({
    ca: pki.ca,
    client: admin ? pki.admin : pki.reader,
    endpoints: [server.endpoint],
  });
  return TalosClient.fromContext(parseTalosConfig(text, { source: 'test' }), {
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<TalosLonghornError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TalosLonghornError);
  return err as TalosLonghornError;
}

const minor = (tag: string) => Number(/^v1\.(\d+)/.exec(tag)?.[1]);

describe.each(TAGS)('Talos %s', (tag) => {
  it('Version one-to-one: the tag, no common.Metadata (hostname empty)', async () => {
    const c = client(false);
    const before = server.calls.length;
    const version = await c.version(tag);
    expect(version.tag).toBe(tag);
    expect(version.hostname).toBe('');
    expect(server.calls.slice(before).every((call) => !call.fanOut && call.node === tag)).toBe(
      true,
    );
    c.close();
  });

  it('the machine config: unwrapped from the ≥ 1.12 string scalar, sensitive for os:reader', async () => {
    const c = client();
    const { namespace, type, id } = MACHINE_CONFIG_RESOURCE;
    const raw = await c.getResource(tag, namespace, type, id);
    if (minor(tag) >= 12) {
      // FACTS §9: a YAML string scalar holding the config, annotated talos.dev/yaml-spec.
      expect(raw.annotations).toHaveProperty(['talos.dev/yaml-spec']);
      expect(typeof parse(raw.specYaml)).toBe('string');
    } else {
      expect(raw.annotations).toEqual({});
      expect(raw.specYaml).toBe(CONFIG);
    }
    expect(await readMachineConfig(c, tag)).toBe(CONFIG);
    c.close();
    const reader = client(false);
    expect((await failure(readMachineConfig(reader, tag))).code).toBe('permission-denied');
    reader.close();
  });

  it('apply twice: the second run sends nothing and nothing is duplicated', async () => {
    const c = client();
    const node = nodes[tag];
    if (node === undefined) throw new Error('no node');
    node.machineConfig = CONFIG;
    node.applied.length = 0;
    const first = await patchNodeConfig(c, tag, PATCH, { mode: 'no-reboot', dryRun: false });
    expect(first.changed).toBe(true);
    const stored = parseAllDocuments(node.machineConfig ?? '').map((d) => d.toJS());
    expect(stored[0].machine.kernel.modules.map((m: { name: string }) => m.name)).toEqual([
      'br_netfilter',
      'vfio_pci',
      'nvme_tcp',
    ]);
    // The named document is ours: replaced whole, our environment line once.
    expect(stored[1]).toEqual({
      apiVersion: 'v1alpha1',
      kind: 'ExtensionServiceConfig',
      name: 'longhorn-v2-node',
      environment: ['LONGHORN_V2_HUGEPAGES=1024'],
    });
    const second = await patchNodeConfig(c, tag, PATCH, { mode: 'no-reboot', dryRun: false });
    expect(second).toEqual({ node: tag, changed: false });
    expect(node.applied).toHaveLength(1);
    const forced = await patchNodeConfig(c, tag, PATCH, {
      mode: 'no-reboot',
      dryRun: true,
      force: true,
    });
    expect(forced.changed).toBe(true);
    expect(node.applied).toHaveLength(2);
    c.close();
  });

  it('apply modes: reboot only where the node accepts it', async () => {
    const c = client();
    const rebootOk = minor(tag) < 14;
    expect(acceptedApplyModes(`1.${minor(tag)}` as '1.9').includes('reboot')).toBe(rebootOk);
    if (rebootOk) {
      expect(() => checkApplyMode(tag, 'reboot', tag)).not.toThrow();
      const dry = await c.applyConfiguration(tag, CONFIG, { mode: 'reboot', dryRun: true });
      expect(dry.mode).toBe('reboot');
    } else {
      expect(() => checkApplyMode(tag, 'reboot', tag)).toThrow(
        `node ${tag} runs Talos 1.14, which does not accept mode reboot; use auto, no-reboot, staged, try`,
      );
      // The fake refuses it as 1.14 does, even as a dry run (FACTS §9).
      const refused = await failure(
        c.applyConfiguration(tag, CONFIG, { mode: 'reboot', dryRun: true }),
      );
      expect(refused.message).toContain(REBOOT_REFUSED);
    }
    c.close();
  });

  it('a resource type the version does not register → not-found saying so', async () => {
    const c = client(false);
    const list = c.listResources(tag, 'runtime', 'KernelModuleStatuses.runtime.talos.dev');
    if (minor(tag) >= 14) {
      expect((await list).map((r) => r.id)).toEqual(['nvme_tcp']);
    } else {
      const err = await failure(list);
      expect(err.code).toBe('not-found');
      expect(err.message).toMatch(/this Talos version has no such resource/);
      expect(err.message).toMatch(/resource type "KernelModuleStatuses.runtime.talos.dev"/);
    }
    c.close();
  });

  it('List of a missing directory is not-found (apid: Unknown "lstat …")', async () => {
    const c = client(false);
    const err = await failure(c.list(tag, '/sys/kernel/iommu_groups'));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/lstat \/sys\/kernel\/iommu_groups: no such file or directory/);
    c.close();
  });
});

describe('bounds against a hostile node', () => {
  it('an endless List stops at the entry cap and the call is cancelled', async () => {
    const c = client(false, { maxListEntries: 500, timeoutMs: 60_000 });
    const before = server.calls.length;
    const err = await failure(c.list('hostile', '/var'));
    expect(err.message).toBe('node hostile: List /var: more than 500 entries');
    const call = server.calls.slice(before).find((x) => x.method === 'List');
    await new Promise((r) => setTimeout(r, 100));
    expect(call?.cancelled).toBe(true);
    c.close();
  });

  it('a message above the receive limit fails the call', async () => {
    const c = client(true, { maxMessageBytes: 64 * 1024 });
    const err = await failure(c.readFile('hostile', '/var/huge', { maxBytes: 4 << 20 }));
    expect(err.code).toBe('node-error');
    expect(err.message).toMatch(/larger than max \(\d+ vs\. 65536\)|exceeds|max/i);
    c.close();
  });

  it('maxBytes cancels the Read as soon as it trips', async () => {
    const c = client(true, { timeoutMs: 60_000 });
    const before = server.calls.length;
    const err = await failure(c.readFile('hostile', '/var/huge', { maxBytes: 1000 }));
    expect(err.message).toBe('node hostile: Read /var/huge: the file is larger than 1000 bytes');
    await new Promise((r) => setTimeout(r, 100));
    expect(server.calls.slice(before).find((x) => x.method === 'Read')?.cancelled).toBe(true);
    c.close();
  });

  it('the per-node byte budget stops a node that keeps sending', async () => {
    const c = client(true, { maxNodeBytes: 600 * 1024 });
    await c.readFile('hostile', '/var/huge', { maxBytes: 4 << 20 }).then(
      () => undefined,
      () => undefined,
    );
    const err = await failure(c.readFile('hostile', '/var/huge', { maxBytes: 4 << 20 }));
    expect(err.message).toMatch(/the node sent more than 614400 bytes in total/);
    c.close();
  });
});

describe('TLS verification does not depend on the environment', () => {
  it('NODE_TLS_REJECT_UNAUTHORIZED=0 still refuses a server of another CA', async () => {
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const other = await startFakeTalos({
      ca: pki.otherCa,
      server: pki.otherServer,
      nodes: { n: { tag: 'v1.13.2' } },
    });
    try {
      const text = talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [other.endpoint] });
      const c = TalosClient.fromContext(parseTalosConfig(text, { source: 'test' }), {
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const err = await failure(c.version('n'));
      expect(err.code).toBe('tls');
      expect(err.message).toMatch(/is not signed by the talosconfig CA/);
      expect(other.calls).toHaveLength(0);
      c.close();
    } finally {
      await other.close();
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
  });
});
