import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../helpers/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-bootstrap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/bootstrap.ts', () => {
  it('imports the package by name, plans three nodes and writes their patches', async () => {
    // Run as users do: the script resolves `talos-longhorn` through the package's exports map.
    // Not under coverage: tsx recompiles the dist/ modules that use import() with a source map
    // pointing at dist/ itself, and c8 would then map all runs of them there instead of to src/.
    // (Node hands NODE_V8_COVERAGE on to children unless env sets it, so set it empty.)
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'examples/bootstrap.ts', dir], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, NODE_V8_COVERAGE: '' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const script = await readFile(join(projectRoot, 'examples/bootstrap.ts'), 'utf8');
    expect(script).toMatch(/from 'talos-longhorn';/);
    expect(result.stdout).toContain(`files written to ${dir}`);
    const files = (await readdir(dir)).sort();
    expect(files.filter((name) => name.endsWith('.patch.yaml'))).toEqual([
      'storage-1.patch.yaml',
      'storage-2.patch.yaml',
      'storage-3.patch.yaml',
    ]);
    expect(files).toContain('schematic.yaml');
    for (const name of files.filter((n) => n.endsWith('.patch.yaml'))) {
      const text = await readFile(join(dir, name), 'utf8');
      // 2048 or 4096 MiB for the engine, plus 1024 pages for SPDK's NVMe driver (PCI disks).
      expect(text).toMatch(/vm\.nr_hugepages: "(2048|3072)"/);
      expect(() => parseYaml(text.split('---\n')[0] ?? '')).not.toThrow();
    }
  });
});
