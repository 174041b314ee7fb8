import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NodeOptions, TalosVersion } from '../../src/index.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/patch/', import.meta.url));
export const GOLDEN_CASES = ['default', 'full'] as const;

export function goldenInput(version: TalosVersion, name: string): NodeOptions {
  return JSON.parse(readFileSync(`${fixturesDir}${version}/${name}.input.json`, 'utf8'));
}
