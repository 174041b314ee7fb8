import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { cliPath, expectOneLineFailure, runCli } from '../helpers/cli.js';
import { type KeyPairPem, mintTestPki } from '../helpers/pki.js';
import { type FakeTalos, startFakeTalos, talosconfigText } from '../helpers/talos-server.js';

const pki = mintTestPki();
const NODE_ID = 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L';
const MACHINE_ID = 'be871ac0d0dd31fa4caca753b0f3f1b2';
const HOST_ID = '62653837-3161-6330-6430-646433316661';
const IQN = `iqn.2017-11.dev.talos:${MACHINE_ID}`;
const NQN = `nqn.2017-11.dev.talos:uuid:${HOST_ID}`;
const identityResource = (nodeId: string) => ({
  namespace: 'cluster',
  type: 'Identities.cluster.talos.dev',
  id: 'local',
  spec: { nodeId },
});
const talosFiles = {
  '/etc/machine-id': MACHINE_ID,
  '/etc/iscsi/initiatorname.iscsi': `InitiatorName=${IQN}\n`,
  '/etc/nvme/hostid': HOST_ID,
  '/etc/nvme/hostnqn': NQN,
};
const { '/etc/nvme/hostid': _hostId, ...withoutHostId } = talosFiles;

let server: FakeTalos;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-identity-remote-'));
  server = await startFakeTalos({
    ca: pki.ca,
    server: pki.server,
    nodes: {
      'node-a': { resources: [identityResource(NODE_ID)], files: talosFiles },
      // The node's hostnqn was overwritten by hand and its hostid is missing.
      'node-b': {
        resources: [identityResource(NODE_ID)],
        files: { ...withoutHostId, '/etc/nvme/hostnqn': 'nqn.2014-08.org.nvmexpress:uuid:other' },
      },
      // A broken node whose identity resource has no node ID.
      'node-c': { resources: [{ ...identityResource(NODE_ID), spec: { nodeID: NODE_ID } }] },
    },
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function talosconfig(
  name: string,
  client: KeyPairPem | undefined,
  endpoints = [server.endpoint],
) {
  const path = join(dir, name);
  await writeFile(path, talosconfigText({ ca: pki.ca, endpoints, ...(client ? { client } : {}) }));
  return path;
}

describe('talos-longhorn identity --talosconfig', () => {
  it('os:reader: identity from COSI, files not checked', async () => {
    const cfg = await talosconfig('reader.yaml', pki.reader);
    const result = await runCli(['identity', '--talosconfig', cfg, '--nodes', 'node-a']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      nodes: [
        {
          node: 'node-a',
          machineId: MACHINE_ID,
          iqn: IQN,
          initiatorName: `InitiatorName=${IQN}\n`,
          hostId: HOST_ID,
          hostNqn: NQN,
          files: {
            checked: false,
            reason: 'reading files needs os:admin; the client certificate has os:reader',
          },
        },
      ],
    });
    expect(server.calls.filter((c) => c.method === 'Read')).toEqual([]);
  });

  it('os:admin: files compared; all match → exit 0 (yaml)', async () => {
    const cfg = await talosconfig('admin.yaml', pki.admin);
    const result = await runCli([
      'identity',
      '--talosconfig',
      cfg,
      '--nodes',
      'node-a',
      '--output',
      'yaml',
    ]);
    expect(result.status).toBe(0);
    const [node] = parseYaml(result.stdout).nodes;
    expect(node.files).toEqual({ checked: true, mismatches: [] });
  });

  it('mismatches are reported in the output and on stderr, exit 1', async () => {
    const cfg = await talosconfig('admin.yaml', pki.admin);
    const result = await runCli(['identity', '--talosconfig', cfg, '--nodes', 'node-a,node-b']);
    expect(result.status).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out.nodes.map((n: { node: string }) => n.node)).toEqual(['node-a', 'node-b']);
    expect(out.nodes[1].files.mismatches).toEqual([
      { path: '/etc/nvme/hostid', expected: HOST_ID, actual: null },
      { path: '/etc/nvme/hostnqn', expected: NQN, actual: 'nqn.2014-08.org.nvmexpress:uuid:other' },
    ]);
    expect(result.stderr).toBe(
      `talos-longhorn: node node-b: /etc/nvme/hostid is missing: expected "${HOST_ID}"\n` +
        `talos-longhorn: node node-b: /etc/nvme/hostnqn differs: expected "${NQN}", found "nqn.2014-08.org.nvmexpress:uuid:other"\n`,
    );
  });

  it('env output: plain keys for one node, suffixed keys for several; $TALOSCONFIG is used', async () => {
    const cfg = await talosconfig('admin.yaml', pki.admin);
    const one = await runCli(['identity', '--nodes', 'node-a', '--output', 'env'], {
      env: { TALOSCONFIG: cfg },
    });
    expect(one.stdout).toBe(
      `TALOS_NODE='node-a'\nTALOS_MACHINE_ID='${MACHINE_ID}'\nISCSI_INITIATOR_NAME='${IQN}'\nNVME_HOSTID='${HOST_ID}'\nNVME_HOSTNQN='${NQN}'\nTALOS_IDENTITY_MISMATCHES='0'\n`,
    );
    const two = await runCli(
      ['identity', '--nodes', 'node-a,node-b', '--output', 'env', '--check-files', 'never'],
      {
        env: { TALOSCONFIG: cfg },
      },
    );
    expect(two.status).toBe(0);
    expect(two.stdout).toContain("TALOS_NODE_NODE_A='node-a'\n");
    expect(two.stdout).toContain(`NVME_HOSTNQN_NODE_B='${NQN}'\n`);
  });

  const failures: [string, (cfg: string) => string[], number, RegExp][] = [
    [
      'local and remote flags',
      (c) => ['--talosconfig', c, '--machine-id', MACHINE_ID],
      2,
      /--machine-id: cannot be combined/,
    ],
    [
      'bad --nodes',
      (c) => ['--talosconfig', c, '--nodes', 'a,,b'],
      2,
      /--nodes: "a,,b" is not a comma-separated list/,
    ],
    [
      'bad --timeout',
      (c) => ['--talosconfig', c, '--nodes', 'a', '--timeout', '5'],
      2,
      /--timeout: "5" is not a duration/,
    ],
    [
      'bad --check-files',
      (c) => ['--talosconfig', c, '--nodes', 'a', '--check-files', 'x'],
      2,
      /--check-files: unknown value "x"/,
    ],
    [
      'missing talosconfig',
      () => ['--talosconfig', join(dir, 'none.yaml'), '--nodes', 'a'],
      2,
      /--talosconfig: cannot read talosconfig .*none\.yaml: no such file/,
    ],
    [
      'unknown --context',
      (c) => ['--talosconfig', c, '--context', 'nope', '--nodes', 'a'],
      2,
      /--context: no context "nope" in .*reader\.yaml; it has: fake$/,
    ],
    [
      'empty --talosconfig',
      () => ['--talosconfig', '', '--nodes', 'a'],
      2,
      /--talosconfig: empty path$/,
    ],
    [
      'unknown node',
      (c) => ['--talosconfig', c, '--nodes', 'node-z', '--timeout', '2s'],
      3,
      /node node-z: Get Identities.* connection error/,
    ],
    [
      'an identity resource without spec.nodeId',
      (c) => ['--talosconfig', c, '--nodes', 'node-c'],
      3,
      /^talos-longhorn: node node-c: Identities\.cluster\.talos\.dev cluster\/local has no spec\.nodeId$/,
    ],
    [
      'os:reader with --check-files always',
      (c) => ['--talosconfig', c, '--nodes', 'node-a', '--check-files', 'always'],
      3,
      /node node-a: Read \/etc\/machine-id is not allowed \(client certificate roles: os:reader\): not authorized/,
    ],
  ];
  it.each(failures)('%s → one line and its exit status', async (_name, args, status, message) => {
    const cfg = await talosconfig('reader.yaml', pki.reader);
    const result = await runCli(['identity', ...args(cfg)]);
    expect(expectOneLineFailure(result, status)).toMatch(message);
  });

  it("a talosconfig whose own current context is missing names the file's context key", async () => {
    const path = join(dir, 'no-current.yaml');
    await writeFile(path, stringify({ context: 'gone', contexts: {} }));
    const result = await runCli(['identity', '--talosconfig', path, '--nodes', 'a']);
    expect(expectOneLineFailure(result, 2)).toMatch(
      /^talos-longhorn: context: no context "gone" in .*no-current\.yaml; it has: none$/,
    );
  });

  it('an unreachable endpoint is exit 3, and the key never shows, even with --debug', async () => {
    const cfg = await talosconfig('dead.yaml', pki.admin, ['127.0.0.1:1']);
    const result = await runCli(['identity', '--talosconfig', cfg, '--nodes', 'node-a']);
    expect(expectOneLineFailure(result, 3)).toMatch(
      /node node-a: cannot connect to endpoint 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    );
    const debug = await runCli(['identity', '--talosconfig', cfg, '--nodes', 'node-a', '--debug']);
    expect(debug.status).toBe(3);
    const keyB64 = Buffer.from(pki.admin.talosKey).toString('base64');
    for (const text of [result.stderr, debug.stderr, debug.stdout]) {
      expect(text).not.toContain(keyB64.slice(0, 32));
      for (const line of pki.admin.key.split('\n').slice(1, -2)) expect(text).not.toContain(line);
    }
  });

  it('a broken talosconfig field is named; the key in the same file never shows', async () => {
    const path = join(dir, 'broken.yaml');
    const text = talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [server.endpoint] });
    await writeFile(path, text.replace(/ca: .*/, 'ca: bm90IGEgcGVt'));
    const result = await runCli(['identity', '--talosconfig', path, '--nodes', 'a', '--debug']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^talos-longhorn: contexts\.fake\.ca: expected base64 of a PEM block/,
    );
    const keyB64 = Buffer.from(pki.admin.talosKey).toString('base64');
    expect(result.stderr).not.toContain(keyB64.slice(0, 32));
  });

  it('the local path loads no Talos API code (start-up budget)', async () => {
    // Every module the CLI loads, and in the bundled CLI every source a chunk holds.
    const register = fileURLToPath(new URL('../helpers/report-sources.mjs', import.meta.url));
    const API = /^source .*(connectrpc|bufbuild|grpc-js|\/src\/api\/).*$/gm;
    // Asynchronous: the fake Talos API answers from this process, so a synchronous spawn of a
    // remote call would block the very event loop the server needs and never return.
    const run = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', register, cliPath, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
        });
        child.on('error', reject);
        child.on('close', () => resolve([...stderr.matchAll(API)].map((m) => m[0]).join('\n')));
      });
    expect(await run(['identity', '--machine-id', MACHINE_ID, '--output', 'yaml'])).toBe('');
    // The hook does see API code when the remote path runs (so the check above can fail).
    const cfg = await talosconfig('reader.yaml', pki.reader);
    expect(await run(['identity', '--talosconfig', cfg, '--nodes', 'node-a'])).toMatch(
      /^source .*(@grpc\/grpc-js|src\/api\/)/,
    );
  }, 90_000);
});
