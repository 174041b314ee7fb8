import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
} from '../../src/index.js';
import { patchHeader } from '../../src/talos/capabilities.js';
import { itWithShared } from '../helpers/shared.js';
import { fixturesDir, GOLDEN_CASES, goldenInput } from './fixtures.js';
import { schemaErrors } from './official-schema.js';

// Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/talos/golden.test.ts
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden patches (input.json → expected.yaml)', () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    for (const name of GOLDEN_CASES) {
      it(`Talos ${version} ${name}`, () => {
        const text = renderPatch(
          renderTalosDocuments(planNode(goldenInput(version, name)), version),
          { format: 'yaml', header: patchHeader(version) },
        );
        const file = `${fixturesDir}${version}/${name}.expected.yaml`;
        if (update) writeFileSync(file, text);
        expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(text).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});

// The byte comparison above only guards against change; this checks the committed files
// against Talos's own schema of their version, independent of our renderer.
describe('golden patches are valid Talos config of their version', () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    itWithShared(`Talos ${version}`, () => {
      for (const name of GOLDEN_CASES) {
        const text = readFileSync(`${fixturesDir}${version}/${name}.expected.yaml`, 'utf8');
        const documents = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
        expect(documents.length).toBeGreaterThan(0);
        for (const document of documents) expect(schemaErrors(version, document)).toEqual([]);
      }
    });
  }
});
