// Usage errors of every command: exit 2, one line naming the flag or argument, nothing on
// stdout and nothing written where it ran. Run in-process
// (`main` with collected streams); test/cli/habits.test.ts covers the same contract end to end.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineFailure, runMain } from '../helpers/cli.js';
import { mintTestPki } from '../helpers/pki.js';
import { talosconfigText } from '../helpers/talos-server.js';

const healthy = 'test/fixtures/preflight/healthy-1.13';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-usage-'));
  await writeFile(join(dir, 'node.json'), '{"kind": "Node",');
  await writeFile(join(dir, 'patch.yaml'), 'machine: {}\n');
  const pki = mintTestPki();
  // A context that names a node but no endpoint to reach it through.
  await writeFile(
    join(dir, 'no-endpoints.yaml'),
    talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [], nodes: ['10.5.0.2'] }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('usage errors', () => {
  const cases: [string, string[], string][] = [
    [
      'help with two commands',
      ['help', 'patch', 'generate'],
      'unexpected argument generate (see --help)',
    ],
    ['version with an argument', ['version', '1.0'], 'unexpected argument 1.0 (see --help)'],
    [
      'apply without a patch file',
      ['apply'],
      'PATCH_FILE: give exactly one patch file (or - for stdin)',
    ],
    [
      'apply with two patch files',
      ['apply', 'a.yaml', 'b.yaml'],
      'PATCH_FILE: give exactly one patch file (or - for stdin)',
    ],
    [
      'extension validate without a directory',
      ['extension', 'validate'],
      'DIR: give exactly one directory (an unpacked extension)',
    ],
    [
      'extension validate with two directories',
      ['extension', 'validate', 'a', 'b'],
      'DIR: give exactly one directory (an unpacked extension)',
    ],
    ['preflight with an empty --root', ['preflight', '--root', ''], '--root: empty path'],
    [
      'preflight with an empty --capture',
      ['preflight', '--root', healthy, '--capture', ''],
      '--capture: empty path',
    ],
    [
      'preflight with an empty --kube-node',
      ['preflight', '--root', healthy, '--kube-node', ''],
      '--kube-node: empty path',
    ],
    [
      'identity with an empty --write-root',
      ['identity', '--machine-id', 'be871ac0d0dd31fa4caca753b0f3f1b2', '--write-root', ''],
      '--write-root: empty path',
    ],
    ['patch with an empty --out', ['patch', '--out', ''], '--out: empty path'],
    ['schematic with an empty --out', ['schematic', '--out', ''], '--out: empty path'],
    [
      'patch --apply with --out',
      ['patch', '--apply', '--nodes', '10.5.0.2', '--out', 'p.yaml'],
      '--out: cannot be combined with --apply',
    ],
    [
      'patch --apply as JSON',
      ['patch', '--apply', '--nodes', '10.5.0.2', '-o', 'json'],
      '--output: --apply sends a YAML patch; drop --output',
    ],
  ];
  it.each(cases)('%s → exit 2 naming it', async (_name, args, message) => {
    const result = await runMain(args, { cwd: dir });
    expect(expectOneLineFailure(result, 2)).toBe(`talos-longhorn: ${message}`);
    // Nothing was written where the command ran.
    expect((await readdir(dir)).sort()).toEqual(['no-endpoints.yaml', 'node.json', 'patch.yaml']);
  });

  it('a --kube-node file that is not JSON names the flag and the file', async () => {
    const result = await runMain(['preflight', '--root', healthy, '--kube-node', 'node.json'], {
      cwd: dir,
    });
    expect(expectOneLineFailure(result, 2)).toMatch(
      /^talos-longhorn: --kube-node: node\.json is not JSON: .+/,
    );
  });

  it('a context without endpoints asks for --endpoints before connecting anywhere', async () => {
    const args = ['--talosconfig', join(dir, 'no-endpoints.yaml')];
    const expected =
      'talos-longhorn: --endpoints: no endpoints; give --endpoints or set endpoints in context "fake"';
    for (const command of [['identity'], ['preflight'], ['apply', 'patch.yaml']]) {
      const result = await runMain([...command, ...args], { cwd: dir });
      expect(expectOneLineFailure(result, 2)).toBe(expected);
    }
  });
});
