// docs/reference/cli/ is generated from --help (npm run docs:cli): it must match what the
// generator produces now, and each page must hold exactly what the built CLI prints.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_DOCS_DIR, renderCliDocs } from '../../scripts/gen-cli-docs.js';
import { runCli } from '../helpers/cli.js';

describe('docs/reference/cli', () => {
  it('is what npm run docs:cli generates (run it after changing a help text)', async () => {
    const pages = await renderCliDocs();
    const committed = (await readdir(CLI_DOCS_DIR)).filter((f) => f.endsWith('.md')).sort();
    expect(committed, 'pages on disk').toEqual([...pages.keys()].sort());
    for (const [file, content] of pages) {
      expect(await readFile(join(CLI_DOCS_DIR, file), 'utf8'), `${file} drifted`).toBe(content);
    }
  });

  it('each page shows exactly what the built CLI prints for --help', async () => {
    const pages = await renderCliDocs();
    const block = (text: string) => /```text\n([\s\S]*?)\n```/.exec(text)?.[1];
    const runs = [...pages].map(async ([file, content]) => {
      const args = file === 'README.md' ? ['--help'] : [file.replace(/\.md$/, ''), '--help'];
      const result = await runCli(args);
      expect(result.status, file).toBe(0);
      expect(block(content), file).toBe(result.stdout.trimEnd());
    });
    await Promise.all(runs);
  });
});
