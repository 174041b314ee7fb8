// `identity -o env` is meant to be sourced by a shell: every value must come back out of
// `sh -c '. file'` exactly as it went in, and nothing in a value may run. Checked with the
// system's POSIX sh (dash on Debian), not with our own parser.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSuffixes, formatEnv, shellQuote } from '../../src/cli/env-output.js';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { mintTestPki } from '../helpers/pki.js';
import { type FakeTalos, startFakeTalos, talosconfigText } from '../helpers/talos-server.js';

const HOSTILE = ['x$(id>PWNED)', "it's", '`id>PWNED`', 'a"b', 'back\\slash', '$HOME', '*'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-env-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Source `text` with sh in an empty directory and print the named variables, NUL-separated. */
async function sourced(text: string, names: readonly string[]): Promise<string[]> {
  const work = await mkdtemp(join(dir, 'sh-'));
  await writeFile(join(work, 'node.env'), text);
  const script = `. ./node.env && printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')}`;
  const out = execFileSync('sh', ['-c', script], { cwd: work, encoding: 'utf8' });
  // Nothing ran: a command in a value would have created a file here.
  expect(await readdir(work)).toEqual(['node.env']);
  return out.split('\0').slice(0, -1);
}

describe('env output', () => {
  it('every printable value survives sh sourcing unchanged and runs nothing', async () => {
    const values = [...HOSTILE, "'", "''", '', ' lead and trail ', 'ü → ✓'];
    const entries = values.map((value, i) => [`V${i}`, value] as const);
    const text = formatEnv(entries, 'f');
    expect(
      await sourced(
        text,
        entries.map(([k]) => k),
      ),
    ).toEqual(values);
  });

  it('property: random strings without control characters round-trip through sh', async () => {
    const printable = fc
      .string({ unit: 'grapheme', maxLength: 24 })
      .filter((s) => ![...s].some((ch) => ch < ' ' || ch === '\u007f'));
    const samples = fc.sample(fc.array(printable, { minLength: 1, maxLength: 8 }), 20);
    for (const values of samples) {
      const entries = values.map((value, i) => [`K${i}`, value] as const);
      expect(
        await sourced(
          formatEnv(entries, 'f'),
          entries.map(([k]) => k),
        ),
      ).toEqual(values);
    }
  });

  it('refuses newlines and other control characters, naming the field', () => {
    expect(() => shellQuote('a\nb', '--nodes')).toThrow(/--nodes: "a\\nb" contains U\+000A/);
    expect(() => shellQuote('a\u0000', '--nodes')).toThrow(/U\+0000/);
    expect(() => shellQuote('a\u007f', '--nodes')).toThrow(/U\+007F/);
  });

  it('suffix collisions name both nodes; distinct suffixes pass', () => {
    expect(() => envSuffixes(['w1.lab', 'w2', 'w1-lab'], '--nodes')).toThrow(
      '--nodes: nodes "w1.lab" and "w1-lab" both give the env key suffix _W1_LAB',
    );
    expect(() => envSuffixes(['node-a', 'NODE_A'], '--nodes')).toThrow(/"node-a" and "NODE_A"/);
    expect([...envSuffixes(['10.5.0.2', 'w1.lab'], '--nodes').values()]).toEqual([
      '_10_5_0_2',
      '_W1_LAB',
    ]);
  });
});

describe('identity -o env against nodes with hostile names', () => {
  const pki = mintTestPki();
  const MACHINE_ID = 'be871ac0d0dd31fa4caca753b0f3f1b2';
  const resource = {
    namespace: 'cluster',
    type: 'Identities.cluster.talos.dev',
    id: 'local',
    spec: { nodeId: 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L' },
  };
  let server: FakeTalos;
  let cfg: string;
  beforeAll(async () => {
    const names = [...HOSTILE, 'w1.lab', 'w1-lab'];
    server = await startFakeTalos({
      ca: pki.ca,
      server: pki.server,
      nodes: Object.fromEntries(names.map((name) => [name, { resources: [resource] }])),
    });
    cfg = join(dir, 'talosconfig');
    await writeFile(
      cfg,
      talosconfigText({ ca: pki.ca, client: pki.reader, endpoints: [server.endpoint] }),
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('each hostile node name comes back from sh as given, and nothing runs', async () => {
    for (const node of HOSTILE) {
      const result = await runCli(['identity', '--talosconfig', cfg, '--nodes', node, '-o', 'env']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(await sourced(result.stdout, ['TALOS_NODE', 'TALOS_MACHINE_ID'])).toEqual([
        node,
        MACHINE_ID,
      ]);
    }
  });

  it('several hostile nodes in one file keep apart', async () => {
    const nodes = ["it's", 'x$(id>PWNED)'];
    const result = await runCli([
      'identity',
      '--talosconfig',
      cfg,
      '--nodes',
      nodes.join(','),
      '-o',
      'env',
    ]);
    expect(result.status).toBe(0);
    expect(await sourced(result.stdout, ['TALOS_NODE_IT_S', 'TALOS_NODE_X__ID_PWNED_'])).toEqual(
      nodes,
    );
  });

  it('w1.lab and w1-lab: exit 2 naming both, before any node is asked', async () => {
    const calls = server.calls.length;
    const result = await runCli([
      'identity',
      '--talosconfig',
      cfg,
      '--nodes',
      'w1.lab,w1-lab',
      '-o',
      'env',
    ]);
    expect(expectOneLineFailure(result, 2)).toBe(
      'talos-longhorn: --nodes: nodes "w1.lab" and "w1-lab" both give the env key suffix _W1_LAB; use -o json or -o yaml',
    );
    expect(server.calls.length).toBe(calls);
    // The same nodes are fine as JSON, where nothing collides.
    const json = await runCli(['identity', '--talosconfig', cfg, '--nodes', 'w1.lab,w1-lab']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).nodes.map((n: { node: string }) => n.node)).toEqual([
      'w1.lab',
      'w1-lab',
    ]);
  });

  it('the local path is single-quoted too and sources back', async () => {
    const result = await runCli(['identity', '--machine-id', MACHINE_ID, '-o', 'env']);
    expect(result.status).toBe(0);
    expect(await sourced(result.stdout, ['TALOS_MACHINE_ID', 'NVME_HOSTNQN'])).toEqual([
      MACHINE_ID,
      'nqn.2017-11.dev.talos:uuid:62653837-3161-6330-6430-646433316661',
    ]);
  });
});
