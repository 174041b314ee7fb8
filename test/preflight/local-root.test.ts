import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectFacts } from '../../src/preflight/collect.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-local-root-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the local-root source', () => {
  it('never reads through a symlink that leaves the root', async () => {
    const outside = join(dir, 'secret');
    await writeFile(outside, 'not for reports');
    await mkdir(join(dir, 'root/etc'), { recursive: true });
    await symlink(outside, join(dir, 'root/etc/machine-id'));
    const reader = await LocalRootReader.open(join(dir, 'root'));
    expect(await reader.readFile('/etc/machine-id', 100)).toEqual({
      state: 'unavailable',
      reason: 'a symlink that leaves the root directory',
    });
    expect(await reader.readFile('/../secret', 100)).toEqual({ state: 'missing' });
  });

  it('refuses files above the size limit and reports missing ones as missing', async () => {
    await mkdir(join(dir, 'proc'));
    await writeFile(join(dir, 'proc/meminfo'), 'x'.repeat(101));
    const reader = await LocalRootReader.open(dir);
    expect(await reader.readFile('/proc/meminfo', 100)).toEqual({
      state: 'unavailable',
      reason: 'larger than 100 bytes',
    });
    expect(await reader.readFile('/proc/cpuinfo', 100)).toEqual({ state: 'missing' });
    expect(await reader.list('/sys/module', 1)).toEqual({ state: 'missing' });
  });

  it('reads captured resources and says which are not captured', async () => {
    await mkdir(join(dir, 'talos-api/resources'), { recursive: true });
    await writeFile(
      join(dir, 'talos-api/resources/Services.v1alpha1.talos.dev.yaml'),
      'node: 10.5.0.2\nmetadata:\n    id: ext-iscsid\nspec:\n    running: true\n---\nmetadata:\n    id: apid\nspec:\n    running: false\n',
    );
    await writeFile(join(dir, 'talos-api/resources/Identities.cluster.talos.dev.yaml'), 'a: [');
    const reader = await LocalRootReader.open(dir);
    expect(await reader.resources('runtime', 'Services.v1alpha1.talos.dev')).toEqual({
      state: 'ok',
      value: [
        { id: 'ext-iscsid', spec: { running: true } },
        { id: 'apid', spec: { running: false } },
      ],
    });
    expect(await reader.resources('runtime', 'ExtensionStatuses.runtime.talos.dev')).toMatchObject({
      state: 'unavailable',
      reason: expect.stringMatching(/^not captured/),
    });
    expect(await reader.resources('cluster', 'Identities.cluster.talos.dev')).toMatchObject({
      state: 'unavailable',
      reason: expect.stringMatching(/Identities\.cluster\.talos\.dev\.yaml: not YAML/),
    });
  });

  it('opens only a directory: a file or a missing root is bad input naming the root', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(LocalRootReader.open(join(dir, 'file'))).rejects.toMatchObject({
      code: 'invalid-input',
      field: 'root',
      message: `root: ${join(dir, 'file')} is not a directory`,
    });
    await expect(LocalRootReader.open(join(dir, 'none'))).rejects.toMatchObject({
      code: 'invalid-input',
      field: 'root',
      message: `root: cannot read ${join(dir, 'none')}: ENOENT`,
    });
    // A symlink to a directory is a directory: the root itself may be a link.
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    expect((await LocalRootReader.open(join(dir, 'link'))).node).toBe(join(dir, 'link'));
  });

  it('a snapshot without os-release takes its version from the saved version file', async () => {
    await mkdir(join(dir, 'talos-api'));
    const reader = await LocalRootReader.open(dir);
    expect(await reader.version()).toEqual({
      state: 'unavailable',
      reason: 'no etc/os-release with ID=talos and no talos-api/version.yaml under the root',
    });
    await writeFile(join(dir, 'talos-api/version.yaml'), 'tag: v1.12.4\narch: arm64\n');
    expect(await reader.version()).toEqual({
      state: 'ok',
      value: { tag: 'v1.12.4', arch: 'arm64' },
    });
    // os-release of another system does not count; the saved file still does.
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc/os-release'), 'ID=debian\nVERSION_ID=12\n');
    await writeFile(join(dir, 'talos-api/version.yaml'), 'tag: v1.11.0\n');
    expect(await reader.version()).toEqual({ state: 'ok', value: { tag: 'v1.11.0' } });
  });

  it.runIf(process.platform === 'linux')(
    "reads this machine's real /proc and /sys with --root /",
    async () => {
      const facts = await collectFacts(await LocalRootReader.open('/'));
      expect(facts.kernel).toMatchObject({ ok: true, value: { release: release() } });
      expect(facts.hugepages.ok).toBe(true);
      expect(facts.cpu.ok).toBe(true);
      // Complete only where the kernel config says which modules are built in.
      const complete = existsSync('/proc/config.gz') && existsSync('/proc/modules');
      expect(facts.modules).toMatchObject({ ok: true, value: { complete } });
    },
  );
});
