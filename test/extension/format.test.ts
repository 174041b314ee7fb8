import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/extension-image/canonical-json.js';
import { checkStaticElf } from '../../src/extension-image/elf.js';
import { createTar } from '../../src/extension-image/tar.js';

const haveTar = spawnSync('tar', ['--version'], { stdio: 'ignore' }).status === 0;

/** A minimal 64-bit little-endian ELF header with the given machine and program header types. */
function elf(machine: number, programTypes: number[]): Uint8Array {
  const phoff = 64;
  const bytes = new Uint8Array(phoff + programTypes.length * 56);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const view = new DataView(bytes.buffer);
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, machine, true);
  view.setBigUint64(32, BigInt(phoff), true);
  view.setUint16(54, 56, true);
  view.setUint16(56, programTypes.length, true);
  programTypes.forEach((type, i) => {
    view.setUint32(phoff + i * 56, type, true);
  });
  return bytes;
}

describe('ELF check', () => {
  it('accepts static executables for the matching architecture only', () => {
    expect(() => checkStaticElf(elf(183, [1, 1]), 'arm64', '--busybox')).not.toThrow();
    expect(() => checkStaticElf(elf(62, [1]), 'amd64', '--busybox')).not.toThrow();
    expect(() => checkStaticElf(elf(62, [1]), 'arm64', '--busybox')).toThrow(
      '--busybox: ELF machine 62 (amd64) does not match the target architecture arm64; expected a static arm64 executable',
    );
    expect(() => checkStaticElf(elf(183, [6, 3, 1]), 'arm64', '--busybox')).toThrow(
      /dynamically linked/,
    );
    expect(() => checkStaticElf(elf(40, [1]), 'arm64', '--busybox')).toThrow(
      /ELF machine 40 does not match/,
    );
    expect(() => checkStaticElf(elf(183, []), 'arm64', '--busybox')).toThrow(
      /program headers are missing/,
    );
    const truncated = elf(183, [1]).slice(0, 80);
    expect(() => checkStaticElf(truncated, 'arm64', '--busybox')).toThrow(/truncated/);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], é: true })).toBe(
      '{"a":[{"c":null,"d":"x"}],"b":1,"é":true}',
    );
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/safe integers/);
  });
});

describe('tar writer', () => {
  const long = `rootfs/${'d'.repeat(120)}/${'f'.repeat(90)}`;
  const veryLong = `rootfs/${'x'.repeat(200)}/${'y'.repeat(120)}`;
  const entries = [
    { path: 'rootfs', type: 'dir', mode: 0o755 },
    {
      path: 'rootfs/a.sh',
      type: 'file',
      mode: 0o755,
      content: new TextEncoder().encode('echo hi\n'),
    },
    { path: 'rootfs/link', type: 'symlink', mode: 0o777, linkTarget: '/proc/self/fd' },
    { path: long, type: 'file', mode: 0o644, content: new Uint8Array(1000).fill(7) },
    { path: veryLong, type: 'file', mode: 0o600, content: new Uint8Array(512) },
  ] as const;

  it('is byte-for-byte deterministic and block aligned', () => {
    const a = createTar(entries);
    expect(Buffer.from(a).equals(Buffer.from(createTar(entries)))).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  (haveTar ? it : it.skip)(
    'is read back by GNU tar with names, modes, links and zero mtimes',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tl-tar-'));
      try {
        writeFileSync(join(dir, 'layer.tar'), createTar(entries));
        const list = spawnSync(
          'tar',
          ['-tvf', join(dir, 'layer.tar'), '--numeric-owner', '--full-time'],
          {
            encoding: 'utf8',
          },
        );
        expect(list.status).toBe(0);
        expect(list.stdout).toContain(
          `-rw------- 0/0             512 1970-01-01 00:00:00 ${veryLong}`,
        );
        expect(list.stdout).toContain(
          '-rwxr-xr-x 0/0               8 1970-01-01 00:00:00 rootfs/a.sh',
        );
        const out = join(dir, 'x');
        spawnSync('mkdir', [out]);
        const extract = spawnSync('tar', ['-xf', join(dir, 'layer.tar'), '-C', out], {
          encoding: 'utf8',
        });
        expect(extract.stderr).toBe('');
        expect(readFileSync(join(out, long))).toEqual(Buffer.alloc(1000, 7));
        expect(readlinkSync(join(out, 'rootfs/link'))).toBe('/proc/self/fd');
        expect(statSync(join(out, 'rootfs/a.sh')).mode & 0o777).toBe(0o755);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('Containerfile', () => {
  it('puts busybox where the builder does and fills in the same version placeholder', async () => {
    const { BUSYBOX_IN_IMAGE, VERSION_PLACEHOLDER } = await import(
      '../../src/extension-image/build.js'
    );
    const text = readFileSync(new URL('../../extension/Containerfile', import.meta.url), 'utf8');
    expect(text).toContain(`cp /bin/busybox /out/${BUSYBOX_IN_IMAGE} `);
    expect(text).toContain(`s/${VERSION_PLACEHOLDER}/\${VERSION}/`);
    const manifest = readFileSync(
      new URL('../../extension/manifest.yaml', import.meta.url),
      'utf8',
    );
    expect(manifest.split(VERSION_PLACEHOLDER)).toHaveLength(2);
  });
});
