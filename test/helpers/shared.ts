import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** `../shared` beside the project, or `$TALOS_LONGHORN_SHARED`; undefined when absent. */
export const sharedDir: string | undefined = (() => {
  const dir = process.env.TALOS_LONGHORN_SHARED ?? resolve(projectRoot, '..', 'shared');
  return existsSync(join(dir, 'README.md')) ? dir : undefined;
})();

export const SHARED_SKIP_REASON =
  'skipped: ../shared (or $TALOS_LONGHORN_SHARED) is absent, so the shared vectors and schemas cannot be read';

/** In CI the independent oracles are mandatory: a missing ../shared fails the run. */
export const sharedRequired = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';

if (sharedDir === undefined) {
  if (sharedRequired()) {
    throw new Error(
      'CI is set but ../shared (or $TALOS_LONGHORN_SHARED) is absent: the shared vectors and official schemas are required in CI',
    );
  }
  console.warn(SHARED_SKIP_REASON);
}

export function readSharedJson<T>(relativePath: string): T {
  if (sharedDir === undefined) throw new Error(SHARED_SKIP_REASON);
  return JSON.parse(readFileSync(join(sharedDir, relativePath), 'utf8')) as T;
}

export interface IdentityVector {
  readonly nodeId: string;
  readonly machineId: string;
  readonly initiatorNameFile: string;
  readonly hostId: string;
  readonly hostNqn: string;
}

export function identityVectors(): readonly IdentityVector[] {
  if (sharedDir === undefined) {
    if (sharedRequired()) throw new Error(SHARED_SKIP_REASON);
    return [];
  }
  return readSharedJson<{ vectors: IdentityVector[] }>('vectors/identity.json').vectors;
}

/**
 * `it` when ../shared is present (or required, in CI, where a missing one fails); otherwise the
 * test is skipped (the reason is printed once).
 */
export const itWithShared = sharedDir === undefined && !sharedRequired() ? it.skip : it;
