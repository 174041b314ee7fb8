import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/generated-files.js';

const root = new URL('..', import.meta.url);

describe('generated files', () => {
  // Regenerate with `npm run generate` after editing the option or plan-field tables.
  it.each([...generatedFiles()])('%s matches its tables', (path, text) => {
    const onDisk = readFileSync(fileURLToPath(new URL(path, root)), 'utf8');
    expect(onDisk, `${path} is stale; run npm run generate`).toBe(text);
  });
});
