// talosctl users' habits: help/version commands, -o for the format and --out for files,
// "did you mean", and every --help ending with examples that actually run.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editDistance, suggest } from '../../src/cli/args.js';
import { COMMAND_NAMES, commandHelp, topLevelHelp } from '../../src/cli/main.js';
import { EXIT_STATUS_MEANINGS } from '../../src/errors.js';
import { cliPath, expectOneLineFailure, projectRoot, runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-habits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
  version: string;
};

describe('help and version', () => {
  it('help COMMAND is COMMAND --help; help alone is the command list', async () => {
    const [viaHelp, viaFlag, top, topFlag] = await Promise.all([
      runCli(['help', 'patch']),
      runCli(['patch', '--help']),
      runCli(['help']),
      runCli(['--help']),
    ]);
    expect(viaHelp).toMatchObject({ status: 0, stderr: '' });
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^Usage: talos-longhorn patch/);
    expect(top.stdout).toBe(topFlag.stdout);
    for (const name of COMMAND_NAMES) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('version, --version and -v print the package version', async () => {
    for (const args of [['version'], ['--version'], ['-v']]) {
      expect(await runCli(args)).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('every --help states its exit statuses from the one table and ends with examples', async () => {
    const meaning = new Map(EXIT_STATUS_MEANINGS);
    for (const text of [topLevelHelp(), ...(await Promise.all(COMMAND_NAMES.map(commandHelp)))]) {
      const section =
        /\nExit status:\n((?: {2}\d+ +.*\n)+)\nExamples:\n((?: {2}.*:\n {4}.*\btalos-longhorn .*\n)+)$/.exec(
          text,
        );
      expect(section, text.slice(0, 60)).not.toBeNull();
      const lines = (section?.[1] ?? '').trimEnd().split('\n');
      expect(lines[0]).toBe('  0    ok');
      for (const line of lines) {
        const [, status, text] = /^ {2}(\d+) +(.*)$/.exec(line) ?? [];
        const known = meaning.get(Number(status) as never);
        // Terraform's 1 is its own: Terraform fails on any non-zero status.
        if (!text?.startsWith('any error')) expect(text?.startsWith(known ?? '?'), line).toBe(true);
      }
    }
  });
});

describe('did you mean', () => {
  const cases: [string, string[], RegExp][] = [
    ['command', ['pach'], /unknown command "pach" \(did you mean patch\?\)/],
    ['help topic', ['help', 'generat'], /unknown command "generat" \(did you mean generate\?\)/],
    [
      'swapped letters',
      ['patch', '--dsik', 'x'],
      /unknown option --dsik \(did you mean --disk\?\)/,
    ],
    ['prefix', ['identity', '--machine'], /did you mean --machine-id or --machine-id-file\?/],
    ['subcommand', ['extension', 'biuld'], /unknown subcommand "biuld"; did you mean build\?/],
    ['nothing near', ['patch', '--zzzzzz'], /unknown option --zzzzzz \(see --help\)$/],
    ['nothing near (command)', ['frobnicate'], /unknown command "frobnicate" \(see --help\)$/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    expect(expectOneLineFailure(await runCli(args), 2)).toMatch(message);
  });

  it('edit distance agrees with a plain recursive definition', () => {
    const reference = (a: string, b: string): number => {
      if (a === '') return b.length;
      if (b === '') return a.length;
      const cost = a[a.length - 1] === b[b.length - 1] ? 0 : 1;
      let best = Math.min(
        reference(a.slice(0, -1), b) + 1,
        reference(a, b.slice(0, -1)) + 1,
        reference(a.slice(0, -1), b.slice(0, -1)) + cost,
      );
      const n = a.length;
      const m = b.length;
      if (n > 1 && m > 1 && a[n - 1] === b[m - 2] && a[n - 2] === b[m - 1]) {
        best = Math.min(best, reference(a.slice(0, -2), b.slice(0, -2)) + 1);
      }
      return best;
    };
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 6 });
    fc.assert(fc.property(word, word, (a, b) => editDistance(a, b) === reference(a, b)));
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggest('--outt', ['--out', '--output', '--options'])).toEqual(['--out', '--output']);
  });
});

describe('-o is the format, --out the file', () => {
  it('patch: -o json is --output json; --out - is stdout; --out FILE writes it', async () => {
    const args = ['patch', '--talos-version', '1.11', '--disk', '0000:01:00.0'];
    const [long, short, dash, toFile] = await Promise.all([
      runCli([...args, '--output', 'json']),
      runCli([...args, '-o', 'json']),
      runCli([...args, '-o', 'json', '--out', '-']),
      runCli([...args, '-o', 'json', '--out', 'p.json'], { cwd: dir }),
    ]);
    expect(long.status).toBe(0);
    expect(JSON.parse(long.stdout)).toBeInstanceOf(Array);
    expect(short.stdout).toBe(long.stdout);
    expect(dash.stdout).toBe(long.stdout);
    expect(toFile).toMatchObject({ status: 0, stdout: '' });
    expect(await readFile(join(dir, 'p.json'), 'utf8')).toBe(long.stdout);
  });

  it('schematic --out FILE holds what stdout shows; -o id', async () => {
    const args = ['schematic', '--extension', 'siderolabs/intel-ucode'];
    const [yaml, toFile, id] = await Promise.all([
      runCli(args),
      runCli([...args, '--out', 's.yaml'], { cwd: dir }),
      runCli([...args, '-o', 'id']),
    ]);
    expect(toFile).toMatchObject({ status: 0, stdout: '' });
    expect(await readFile(join(dir, 's.yaml'), 'utf8')).toBe(yaml.stdout);
    expect(id.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(yaml.stdout).toContain(id.stdout.trim());
  });

  const old: [string, string[], RegExp][] = [
    [
      'patch -o FILE',
      ['patch', '-o', 'node.yaml'],
      /--output: unknown value "node\.yaml"; expected one of yaml, json; -o\/--output is the format, a file is written with --out node\.yaml$/,
    ],
    [
      'schematic -o FILE',
      ['schematic', '-o', 'out/s.yaml'],
      /a file is written with --out out\/s\.yaml$/,
    ],
    ['generate -o DIR', ['generate', 'plan.yaml', '-o', 'out'], /unknown option -o: .*--out$/],
    [
      'generate --output DIR',
      ['generate', 'p', '--output', 'o'],
      /unknown option --output: .*--out$/,
    ],
    ['extension build -o DIR', ['extension', 'build', '-o', 'x'], /unknown option -o: .*--out$/],
    ['generate --out -', ['generate', 'p', '--out', '-'], /--out: generate writes several files/],
    [
      'extension --out -',
      ['extension', 'build', '--out', '-'],
      /--out: an image layout is a directory/,
    ],
  ];
  it.each(old)('%s fails naming --out, writes nothing', async (_name, args, message) => {
    const work = await mkdtemp(join(dir, 'old-'));
    expect(expectOneLineFailure(await runCli(args, { cwd: work }), 2)).toMatch(message);
    expect(await readdir(work)).toEqual([]);
  });
});

describe('the examples of every --help', () => {
  /** Examples that need live nodes or a busybox build are only checked to parse. */
  const needsCluster = (run: string) =>
    /--nodes|^talos-longhorn (apply|preflight|extension)/.test(run);

  it('run as shown (offline ones succeed; the others get past flag parsing)', {
    timeout: 120_000,
  }, async () => {
    const work = await mkdtemp(join(dir, 'examples-'));
    await mkdir(join(work, 'examples/talosctl'), { recursive: true });
    await copyFile(
      join(projectRoot, 'examples/talosctl/plan.yaml'),
      join(work, 'examples/talosctl/plan.yaml'),
    );
    await copyFile(join(projectRoot, 'examples/talosctl/plan.yaml'), join(work, 'plan.yaml'));
    await writeFile(join(work, 'worker-1.patch.yaml'), 'machine: {}\n');
    const all = [];
    for (const name of COMMAND_NAMES) {
      const examples = (await commandHelp(name)).split('\nExamples:\n')[1] ?? '';
      for (const [, run] of examples.matchAll(/^ {4}(.*\btalos-longhorn .*)$/gm))
        all.push(run ?? '');
    }
    expect(all.length).toBeGreaterThanOrEqual(COMMAND_NAMES.length);
    const results = await Promise.all(
      all.map((run) =>
        runCli(['-c', `talos-longhorn() { "${process.execPath}" "${cliPath}" "$@"; }\n${run}`], {
          cwd: work,
          env: { TALOSCONFIG: join(work, 'none') },
          program: 'bash',
        }).then((result) => ({ run, result })),
      ),
    );
    for (const { run, result } of results) {
      if (needsCluster(run)) {
        expect(result.stderr, run).not.toMatch(/unknown|unexpected argument|more than once/);
      } else {
        expect(result.stderr, run).toBe('');
        expect(result.status, run).toBe(0);
      }
    }
  });
});
