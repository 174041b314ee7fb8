import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { identityVectors, itWithShared } from '../helpers/shared.js';

const FIRST = {
  nodeId: 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L',
  machineId: 'be871ac0d0dd31fa4caca753b0f3f1b2',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-identity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('talos-longhorn identity', () => {
  itWithShared('reproduces every shared vector in every format', async () => {
    for (const v of identityVectors()) {
      const expected = {
        machineId: v.machineId,
        iqn: `iqn.2017-11.dev.talos:${v.machineId}`,
        initiatorName: v.initiatorNameFile,
        hostId: v.hostId,
        hostNqn: v.hostNqn,
      };
      const fromNode = await runCli(['identity', '--node-id', v.nodeId]);
      expect(fromNode.status).toBe(0);
      expect(JSON.parse(fromNode.stdout)).toEqual(expected);
      const fromFile = await runCli(['identity', '--machine-id-file', '-', '--output', 'yaml'], {
        input: `${v.machineId}\n`,
      });
      expect(parseYaml(fromFile.stdout)).toEqual(expected);
      const env = await runCli([
        'identity',
        '--machine-id',
        v.machineId.toUpperCase(),
        '--output',
        'env',
      ]);
      expect(env.stdout).toBe(
        `TALOS_MACHINE_ID='${v.machineId}'\nISCSI_INITIATOR_NAME='${expected.iqn}'\nNVME_HOSTID='${v.hostId}'\nNVME_HOSTNQN='${v.hostNqn}'\n`,
      );
    }
  });

  it('writes the four files under --write-root byte-identical, with Talos modes', async () => {
    const result = await runCli(['identity', '--node-id', FIRST.nodeId, '--write-root', dir]);
    expect(result.status).toBe(0);
    const expectFile = async (path: string, content: string, mode: number) => {
      expect(await readFile(join(dir, path), 'utf8')).toBe(content);
      expect((await stat(join(dir, path))).mode & 0o777).toBe(mode);
    };
    await expectFile('etc/machine-id', FIRST.machineId, 0o444);
    await expectFile(
      'etc/iscsi/initiatorname.iscsi',
      `InitiatorName=iqn.2017-11.dev.talos:${FIRST.machineId}\n`,
      0o600,
    );
    await expectFile('etc/nvme/hostid', '62653837-3161-6330-6430-646433316661', 0o600);
    await expectFile(
      'etc/nvme/hostnqn',
      'nqn.2017-11.dev.talos:uuid:62653837-3161-6330-6430-646433316661',
      0o600,
    );
    // No temporary files are left behind.
    expect((await readdir(join(dir, 'etc'))).sort()).toEqual(['iscsi', 'machine-id', 'nvme']);
    expect((await readdir(join(dir, 'etc/nvme'))).sort()).toEqual(['hostid', 'hostnqn']);
  });

  it('reads --machine-id-file from a path', async () => {
    const file = join(dir, 'machine-id');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, `${FIRST.machineId}\n`));
    const result = await runCli(['identity', '--machine-id-file', file]);
    expect(JSON.parse(result.stdout).machineId).toBe(FIRST.machineId);
  });

  const bad: [string, string[], string, RegExp][] = [
    ['empty machine-id', ['--machine-id', ''], '', /--machine-id: empty/],
    ['31 characters', ['--machine-id', FIRST.machineId.slice(1)], '', /got 31/],
    ['33 characters', ['--machine-id', `${FIRST.machineId}a`], '', /got 33/],
    ['non-hex', ['--machine-id', `${FIRST.machineId.slice(0, 31)}z`], '', /"z" at position 32/],
    ['non-ASCII', ['--machine-id', `é${FIRST.machineId.slice(1)}`], '', /U\+00E9 at position 1/],
    [
      'bad node ID character',
      ['--node-id', `${FIRST.nodeId.slice(0, 10)}!`],
      '',
      /--node-id: invalid character "!" at position 11/,
    ],
    ['short node ID', ['--node-id', 'abcdefgh'], '', /--node-id: decodes to 6 bytes/],
    [
      'two inputs',
      ['--machine-id', FIRST.machineId, '--node-id', FIRST.nodeId],
      '',
      /only one of --machine-id, --node-id/,
    ],
    ['no input', [], '', /give one of --machine-id/],
    ['1 MiB on stdin', ['--machine-id-file', '-'], 'a'.repeat(1 << 20), /larger than 4096 bytes/],
    ['empty stdin', ['--machine-id-file', '-'], '', /--machine-id-file: empty/],
    [
      'missing file',
      ['--machine-id-file', 'does/not/exist'],
      '',
      /cannot read does\/not\/exist: no such file/,
    ],
    [
      'unknown output',
      ['--machine-id', FIRST.machineId, '--output', 'xml'],
      '',
      /--output: unknown value "xml"; expected one of json, yaml, env/,
    ],
    ['unknown flag', ['--machine', FIRST.machineId], '', /unknown option --machine/],
  ];
  it.each(bad)('%s → exit 2, one line, nothing written', async (_name, args, input, message) => {
    const result = await runCli(['identity', ...args, '--write-root', dir], { input });
    expect(expectOneLineFailure(result, 2)).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('prints a stack trace only with --debug', async () => {
    const plain = await runCli(['identity', '--machine-id', 'x']);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(['identity', '--machine-id', 'x', '--debug']);
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('has --help, and --version prints the package version', async () => {
    const help = await runCli(['identity', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: talos-longhorn identity/);
    const version = await runCli(['--version']);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });

  it('exits 3 with one line when the output cannot be written', async () => {
    const file = join(dir, 'a-file');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, ''));
    const result = await runCli([
      'identity',
      '--machine-id',
      FIRST.machineId,
      '--write-root',
      file,
    ]);
    expect(expectOneLineFailure(result, 3)).toMatch(
      /^talos-longhorn: --write-root: cannot write .*a-file: not a directory$/,
    );
  });
});
