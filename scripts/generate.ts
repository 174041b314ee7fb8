/** `npm run generate`: write every file derived from the option and plan-field tables. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './generated-files.js';

const root = new URL('..', import.meta.url);
for (const [path, text] of generatedFiles()) {
  writeFileSync(fileURLToPath(new URL(path, root)), text);
  console.log(`wrote ${path}`);
}
