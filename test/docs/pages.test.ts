import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, projectRoot } from '../helpers/cli.js';
import { pageExamples } from './markdown-commands.js';

// Every page a user reads and copies commands from. Each page runs in a workspace of its own
// holding a copy of `examples/` and `schemas/`, with `talos-longhorn` on PATH (the built CLI),
// so a page's commands run exactly as shown and may build on each other's files.
const pages = [
  'README.md',
  ...(existsSync(join(projectRoot, 'docs/guides'))
    ? readdirSync(join(projectRoot, 'docs/guides'))
    : []
  )
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/guides/${name}`),
  'examples/talosctl/README.md',
].filter((page) => existsSync(join(projectRoot, page)));

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'tl-doc-'));
  workspaces.push(dir);
  for (const sub of ['examples', 'schemas']) {
    cpSync(join(projectRoot, sub), join(dir, sub), { recursive: true });
  }
  // A POSIX-sh shim: the page's `talos-longhorn …` is the package's bin entry.
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const shim = join(bin, 'talos-longhorn');
  writeFileSync(
    shim,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    HOME: dir,
    NO_COLOR: '1',
    LC_ALL: 'C',
  };
  return { dir, env };
}

/**
 * What a reader types maps to what runs here: `npx talos-longhorn` is the project's own bin
 * (the page is read in a clone after `npm ci`), and a leading `npm ci &&` has already happened.
 */
function asRun(script: string): string {
  return script.replace(/^npm ci && /gm, '').replace(/\bnpx talos-longhorn\b/g, 'talos-longhorn');
}

describe.each(pages)('%s', (page) => {
  const examples = pageExamples(readFileSync(join(projectRoot, page), 'utf8'));

  it('runs every shown command with the shown output', () => {
    const { dir, env } = workspace();
    for (const example of examples.run) {
      const result = spawnSync('sh', ['-e', '-u', '-c', `exec 2>&1\n${asRun(example.script)}`], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const where = `${page}:${example.line}`;
      expect(result.status, `${where} exited ${result.status}:\n${result.stdout}`).toBe(0);
      if (example.expected !== undefined) {
        expect(result.stdout.replace(/\n$/, ''), where).toBe(example.expected);
      }
    }
  });

  it('says why each command it does not run cannot run here', () => {
    for (const skipped of examples.skipped) expect(skipped.reason.length).toBeGreaterThan(10);
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

  it('stays short enough to read in five minutes (≤ 10 KB)', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(10 * 1024);
  });

  it('keeps the quick start and the test command that CI runs word for word', () => {
    expect(readme).toContain('## Quick start');
    expect(readme).toContain(
      '```sh\nnpm ci && npx talos-longhorn generate examples/talosctl/plan.yaml --out out/\n```',
    );
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
  });

  it('links only to pages that exist', () => {
    for (const [, target] of readme.matchAll(/\]\(([^)#]+)\)/g)) {
      if (target === undefined || /^[a-z]+:/.test(target)) continue;
      expect(existsSync(join(projectRoot, target)), target).toBe(true);
    }
  });
});
