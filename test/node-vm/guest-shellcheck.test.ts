import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { guestDir } from './vm.js';

const haveShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveShellcheck) console.warn('skipped: shellcheck is absent (apt-get install shellcheck)');

(haveShellcheck ? it : it.skip)(
  'the node test bed guest scripts are shellcheck-clean (POSIX sh)',
  () => {
    const scripts = readdirSync(guestDir)
      .filter((name) => name.endsWith('.sh'))
      .map((name) => join(guestDir, name));
    expect(scripts.length).toBeGreaterThanOrEqual(7);
    const result = spawnSync(
      'shellcheck',
      ['--shell=sh', '--external-sources', `--source-path=${guestDir}`, ...scripts],
      { encoding: 'utf8' },
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  },
);
