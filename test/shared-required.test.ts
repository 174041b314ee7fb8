import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sharedRequired } from './helpers/shared.js';

const run = promisify(execFile);
const load = "import('./test/helpers/shared.ts').then(() => console.log('loaded'))";

async function loadHelper(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '-e', load], {
      env: { ...process.env, ...env, TALOS_LONGHORN_SHARED: '/nonexistent-shared-dir' },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('shared data in CI', () => {
  it('is required when CI is set, to any value but "", "false" or "0"', () => {
    expect(sharedRequired({ CI: 'true' })).toBe(true);
    expect(sharedRequired({ CI: '1' })).toBe(true);
    expect(sharedRequired({})).toBe(false);
    expect(sharedRequired({ CI: 'false' })).toBe(false);
  });

  it('a missing ../shared fails every test file that reads it under CI, and skips otherwise', async () => {
    const ci = await loadHelper({ CI: 'true' });
    expect(ci.code).not.toBe(0);
    expect(ci.output).toContain('CI is set but ../shared');
    const local = await loadHelper({ CI: '' });
    expect(local.code).toBe(0);
    expect(local.output).toContain('loaded');
  });
});
