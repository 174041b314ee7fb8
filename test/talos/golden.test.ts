import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
} from '../../src/index.js';
import { fixturesDir, GOLDEN_CASES, goldenInput } from './fixtures.js';

// Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/talos/golden.test.ts
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden patches (input.json → expected.yaml)', () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    for (const name of GOLDEN_CASES) {
      it(`Talos ${version} ${name}`, () => {
        const text = renderPatch(
          renderTalosDocuments(planNode(goldenInput(version, name)), version),
          {
            format: 'yaml',
          },
        );
        const file = `${fixturesDir}${version}/${name}.expected.yaml`;
        if (update) writeFileSync(file, text);
        expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(text).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
