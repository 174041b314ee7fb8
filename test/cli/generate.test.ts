import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOneLineFailure, projectRoot, runCli } from '../helpers/cli.js';
import { checkLonghornGoldens, itWithLonghornFacts } from '../helpers/longhorn-oracles.js';
import { snapshot } from '../helpers/snapshot.js';

const fixture = join(projectRoot, 'test/fixtures/generate/talos-1.14');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-generate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('talos-longhorn generate', () => {
  it('matches the golden files and summary for a Talos 1.14 JSON plan', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['generate', join(fixture, 'plan.json'), '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const stdout = await readFile(join(fixture, 'stdout.txt'), 'utf8');
    expect(result.stdout).toBe(stdout.replaceAll('OUT', out));
    expect(await snapshot(out)).toEqual(await snapshot(join(fixture, 'expected')));
  });

  itWithLonghornFacts(
    'the golden files are valid for Longhorn 1.12 (chart keys, Node CRD)',
    async () => {
      const { nodeDisks } = await checkLonghornGoldens(join(fixture, 'expected'), '1.12.1');
      expect(nodeDisks['n1.example.com']).toHaveLength(2);
    },
  );

  it('--longhorn-version picks the chart keys; an unknown version is exit 2 naming the field', async () => {
    const plan = join(fixture, 'plan.json');
    const old = await runCli(['generate', plan, '--out', dir, '--longhorn-version', '1.9.2']);
    expect(old.status).toBe(0);
    expect(old.stdout).toContain('Longhorn 1.9: v2DataEngine true, memory size 3000\n');
    expect(await readFile(join(dir, 'longhorn-values.yaml'), 'utf8')).toContain(
      "v2DataEngineHugepageLimit: '3000'",
    );
    const flag = await runCli(['generate', plan, '--out', dir, '--longhorn-version', '1.7']);
    expect(expectOneLineFailure(flag, 2)).toMatch(
      /--longhorn-version: Longhorn 1\.7 is not supported; expected one of 1\.8, 1\.9, 1\.10, 1\.11, 1\.12$/,
    );
    const text = 'longhornVersion: "2.0"\nnodes:\n  - name: a\n';
    const field = await runCli(['generate', '-', '--out', dir], { input: text });
    expect(expectOneLineFailure(field, 2)).toMatch(
      /<stdin>:1:18: longhornVersion: Longhorn 2\.0 is not supported; expected one of 1\.8, 1\.9, 1\.10, 1\.11, 1\.12$/,
    );
  });

  it('a second run changes no byte and rewrites nothing', async () => {
    const plan = join(fixture, 'plan.json');
    const first = await runCli(['generate', plan, '--out', dir]);
    expect(first.status).toBe(0);
    const before = await snapshot(dir);
    const times = await Promise.all(Object.keys(before).map((n) => stat(join(dir, n))));
    await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['generate', plan, '--out', dir]);
    expect(second.stdout).toBe(first.stdout);
    expect(await snapshot(dir)).toEqual(before);
    const after = await Promise.all(Object.keys(before).map((n) => stat(join(dir, n))));
    expect(after.map((s) => s.mtimeMs)).toEqual(times.map((s) => s.mtimeMs));
  });

  it('repairs a file that was changed by hand, and leaves no temporary files', async () => {
    const plan = join(fixture, 'plan.json');
    await runCli(['generate', plan, '--out', dir]);
    const before = await snapshot(dir);
    await writeFile(join(dir, 'n2.patch.yaml'), 'edited\n');
    await runCli(['generate', plan, '--out', dir]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('reads the plan from stdin with "-"', async () => {
    const text = await readFile(join(fixture, 'plan.json'), 'utf8');
    const result = await runCli(['generate', '-', '--out', dir], { input: text });
    expect(result.status).toBe(0);
    expect(await snapshot(dir)).toEqual(await snapshot(join(fixture, 'expected')));
  });

  const bad: [string, string[], string, number, RegExp][] = [
    ['no plan', ['--out', 'x'], '', 2, /PLAN: give the plan file/],
    ['two plans', ['a', 'b', '--out', 'x'], '', 2, /PLAN: give one plan file/],
    ['no --out', ['-'], '', 2, /--out: give the output directory/],
    [
      'missing file',
      ['does/not/exist.yaml', '--out', 'x'],
      '',
      2,
      /cannot read does\/not\/exist\.yaml/,
    ],
    [
      'located plan error',
      ['-', '--out', 'x'],
      'nodes:\n  - name: a\n    hugepages: 3\n',
      2,
      /^talos-longhorn: <stdin>:3:16: nodes\[0\]\.hugepages: 3 pages are fewer/,
    ],
    ['not UTF-8', ['-', '--out', 'x'], '\xff\xfe', 2, /PLAN: - is not UTF-8 text/],
    [
      'huge plan',
      ['-', '--out', 'x'],
      'a'.repeat(17 * 1024 * 1024),
      2,
      /larger than 16777216 bytes/,
    ],
  ];
  it.each(bad)(
    '%s → exit %i-ish, one line, nothing written',
    async (_name, args, input, status, message) => {
      const result = await runCli(['generate', ...args], {
        cwd: dir,
        input: input === '\xff\xfe' ? Buffer.from([0xff, 0xfe]) : input,
      });
      expect(expectOneLineFailure(result, status)).toMatch(message);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('exits 3 when the output directory cannot be written', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const result = await runCli(['generate', join(fixture, 'plan.json'), '--out', file]);
    expect(expectOneLineFailure(result, 3)).toMatch(
      /^talos-longhorn: --out: cannot write .*a-file: not a directory$/,
    );
  });
});
