// Write docs/reference/cli/*.md from the CLI's own --help texts (the same render as
// `talos-longhorn COMMAND --help`). Run: npm run docs:cli. test/docs/cli-reference.test.ts
// regenerates in memory and fails when the committed files differ.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES, commandHelp, topLevelHelp } from '../src/cli/main.js';

export const CLI_DOCS_DIR = fileURLToPath(new URL('../docs/reference/cli/', import.meta.url));

const NOTICE =
  '<!-- Generated from the --help texts by `npm run docs:cli`; edit the help in src/cli, not this file. -->';

function page(title: string, command: string, help: string): string {
  return `${NOTICE}\n\n# ${title}\n\n\`${command}\`:\n\n\`\`\`text\n${help.trimEnd()}\n\`\`\`\n`;
}

/** Every page of the CLI reference: file name → content. */
export async function renderCliDocs(): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const index = COMMAND_NAMES.map((name) => `- [\`talos-longhorn ${name}\`](${name}.md)`);
  pages.set(
    'README.md',
    `${page('talos-longhorn CLI reference', 'talos-longhorn --help', topLevelHelp()).trimEnd()}\n\nCommands:\n\n${index.join('\n')}\n`,
  );
  for (const name of COMMAND_NAMES) {
    pages.set(
      `${name}.md`,
      page(`talos-longhorn ${name}`, `talos-longhorn ${name} --help`, await commandHelp(name)),
    );
  }
  return pages;
}

async function writeCliDocs(dir: string): Promise<void> {
  const pages = await renderCliDocs();
  mkdirSync(dir, { recursive: true });
  // Pages of commands that no longer exist go; nothing else lives in this directory.
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.md') && !pages.has(file)) rmSync(join(dir, file));
  }
  for (const [file, content] of pages) writeFileSync(join(dir, file), content);
  process.stdout.write(`${pages.size} pages in docs/reference/cli/\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeCliDocs(CLI_DOCS_DIR);
}
