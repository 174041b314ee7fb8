import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fakeDmsetup, helperDir } from './node-tree.js';

const haveShellcheck = spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveShellcheck) console.warn('skipped: shellcheck is absent (apt-get install shellcheck)');

(haveShellcheck ? it : it.skip)(
  'the node helper and the fake dmsetup are shellcheck-clean (POSIX sh)',
  () => {
    const scripts = readdirSync(helperDir)
      .filter((name) => name.endsWith('.sh'))
      .map((name) => join(helperDir, name));
    expect(scripts.length).toBeGreaterThanOrEqual(6);
    const result = spawnSync(
      'shellcheck',
      ['--shell=sh', '--external-sources', ...scripts, fakeDmsetup],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  },
);
