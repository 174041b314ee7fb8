import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectOneLineFailure, projectRoot, runCli } from '../helpers/cli.js';
import { BUSYBOX_SKIP, busybox, haveBusybox } from './node-tree.js';

const have = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const haveUmoci = have('umoci');
const haveSkopeo = have('skopeo');
if (!haveBusybox) console.warn(BUSYBOX_SKIP);
if (!haveUmoci) console.warn('skipped: umoci is absent (apt-get install umoci)');
if (!haveSkopeo) console.warn('skipped: skopeo is absent (apt-get install skopeo)');
const itWithBusybox = haveBusybox ? it : it.skip;
const itWithTools = haveBusybox && haveUmoci && haveSkopeo ? it : it.skip;

const version = (
  JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;
const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';
const otherArch = hostArch === 'arm64' ? 'amd64' : 'arm64';
const helperInImage = 'rootfs/usr/local/lib/containers/longhorn-v2-node/helper';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-ext-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function build(out: string, ...extra: string[]) {
  return runCli(['extension', 'build', '--out', out, '--busybox', busybox, ...extra]);
}

function unpack(layout: string, tag: string, target: string): void {
  const result = spawnSync(
    'umoci',
    ['raw', 'unpack', '--rootless', '--image', `${layout}:${tag}`, target],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`umoci raw unpack failed: ${result.stderr}`);
}

describe('talos-longhorn extension build', () => {
  itWithTools(
    'builds a valid image twice with the same digest; umoci and skopeo accept it',
    async () => {
      const first = await build(join(dir, 'a'));
      const second = await build(join(dir, 'b'));
      expect(first.status).toBe(0);
      expect(first.stderr).toBe('');
      const [ref, digest] = first.stdout.trim().split(' ');
      expect(ref).toBe(`oci:${join(dir, 'a')}:${version}`);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(second.stdout.trim().split(' ')[1]).toBe(digest);
      expect(readFileSync(join(dir, 'a/index.json'))).toEqual(
        readFileSync(join(dir, 'b/index.json')),
      );
      expect(readdirSync(join(dir, 'a/blobs/sha256')).sort()).toEqual(
        readdirSync(join(dir, 'b/blobs/sha256')).sort(),
      );
      expect(readdirSync(dir).sort()).toEqual(['a', 'b']); // no temporary directories left behind

      const inspect = spawnSync('skopeo', ['inspect', `oci:${join(dir, 'a')}:${version}`], {
        encoding: 'utf8',
      });
      expect(inspect.status).toBe(0);
      const info = JSON.parse(inspect.stdout) as {
        Digest: string;
        Architecture: string;
        Layers: string[];
      };
      expect(info.Digest).toBe(digest);
      expect(info.Architecture).toBe(hostArch);
      expect(info.Layers).toHaveLength(1);

      const unpacked = join(dir, 'unpacked');
      unpack(join(dir, 'a'), version, unpacked);
      expect(readdirSync(unpacked).sort()).toEqual(['manifest.yaml', 'rootfs']);
      const manifest = parseYaml(readFileSync(join(unpacked, 'manifest.yaml'), 'utf8'));
      expect(manifest.metadata).toMatchObject({
        name: 'longhorn-v2-node',
        version,
        compatibility: { talos: { version: '>= v1.9.0' } },
      });
      // Buffer#equals: a deep toEqual walks the 2 MB byte by byte and takes tens of seconds.
      const shipped = readFileSync(
        join(unpacked, 'rootfs/usr/local/lib/containers/longhorn-v2-node/bin/busybox'),
      );
      expect(shipped.equals(readFileSync(busybox))).toBe(true);
      expect(readFileSync(join(unpacked, helperInImage, 'cleanup.sh'))).toEqual(
        readFileSync(join(projectRoot, 'extension', helperInImage, 'cleanup.sh')),
      );
      const validate = await runCli(['extension', 'validate', unpacked]);
      expect(validate.status).toBe(0);
      expect(validate.stdout).toMatch(/valid Talos extension/);
    },
    // Five subprocesses (two builds, skopeo, umoci, validate): slow on a loaded machine.
    120_000,
  );

  itWithTools(
    'the validator refuses an unpacked tree with a world-writable file and /usr/bin/x',
    async () => {
      await build(join(dir, 'img'));
      const unpacked = join(dir, 'unpacked');
      unpack(join(dir, 'img'), version, unpacked);
      chmodSync(join(unpacked, helperInImage, 'common.sh'), 0o666);
      mkdirSync(join(unpacked, 'rootfs/usr/bin'), { recursive: true });
      writeFileSync(join(unpacked, 'rootfs/usr/bin/x'), 'x');
      const line = expectOneLineFailure(await runCli(['extension', 'validate', unpacked]), 2);
      expect(line).toContain(
        'world-writable files are not allowed: /usr/local/lib/containers/longhorn-v2-node/helper/common.sh (mode 0666)',
      );
      expect(line).toContain('/usr/bin/x is outside the paths Talos allows');
    },
  );

  itWithBusybox('refuses to build from a bad source tree and writes nothing', async () => {
    const source = join(dir, 'src');
    cpSync(join(projectRoot, 'extension'), source, { recursive: true });
    chmodSync(join(source, helperInImage, 'devfd.sh'), 0o646);
    mkdirSync(join(source, 'rootfs/usr/bin'), { recursive: true });
    writeFileSync(join(source, 'rootfs/usr/bin/x'), 'x');
    const result = await build(join(dir, 'out'), '--source', source);
    const line = expectOneLineFailure(result, 2);
    expect(line).toMatch(/^talos-longhorn: --source: extension tree refused: /);
    expect(line).toContain(
      'world-writable files are not allowed: /usr/local/lib/containers/longhorn-v2-node/helper/devfd.sh',
    );
    expect(line).toContain('/usr/bin/x is outside the paths Talos allows');
    expect(readdirSync(dir)).toEqual(['src']);
  });

  itWithBusybox('refuses special files and a bad service definition in the sources', async () => {
    const source = join(dir, 'src');
    cpSync(join(projectRoot, 'extension'), source, { recursive: true });
    spawnSync('mkfifo', [join(source, 'rootfs/usr/local/fifo')]);
    const service = join(source, 'rootfs/usr/local/etc/containers/longhorn-v2-node.yaml');
    writeFileSync(
      service,
      readFileSync(service, 'utf8').replace('restart: always', 'restart: sometimes'),
    );
    const line = expectOneLineFailure(await build(join(dir, 'out'), '--source', source), 2);
    expect(line).toContain('special files are not allowed: /usr/local/fifo');
    expect(line).toContain('restart must be one of always, never, untilSuccess');
  });

  itWithBusybox(
    'replaces an existing image layout but refuses to overwrite anything else',
    async () => {
      const out = join(dir, 'img');
      expect((await build(out)).status).toBe(0);
      expect((await build(out, '--tag', 'v1')).status).toBe(0);
      expect(readFileSync(join(out, 'index.json'), 'utf8')).toContain(
        '"org.opencontainers.image.ref.name":"v1"',
      );
      const other = join(dir, 'other');
      mkdirSync(other);
      writeFileSync(join(other, 'keep.txt'), 'mine');
      const line = expectOneLineFailure(await build(other), 2);
      expect(line).toMatch(/--out: .* exists and is not an OCI image layout or an empty directory/);
      expect(readdirSync(other)).toEqual(['keep.txt']);
      expect(readdirSync(dir).sort()).toEqual(['img', 'other']);
    },
  );

  itWithBusybox('exits 3 when the output cannot be written', async () => {
    writeFileSync(join(dir, 'file'), '');
    const line = expectOneLineFailure(await build(join(dir, 'file', 'img')), 3);
    expect(line).toMatch(/--out: cannot write .*: not a directory/);
  });

  const bad: [string, string[], RegExp][] = [
    ['no --out', ['extension', 'build'], /--out: missing/],
    ['no subcommand', ['extension'], /give a subcommand: build or validate/],
    ['unknown subcommand', ['extension', 'push'], /unknown subcommand "push"/],
    [
      'unknown arch',
      ['extension', 'build', '--out', 'x', '--arch', 'riscv64'],
      /--arch: unknown value "riscv64"; expected one of amd64, arm64/,
    ],
    [
      'bad tag',
      ['extension', 'build', '--out', 'x', '--tag', 'a:b'],
      /--tag: "a:b" is not a valid tag/,
    ],
    [
      'dynamic busybox',
      ['extension', 'build', '--out', 'x', '--busybox', '/bin/ls'],
      new RegExp(
        `--busybox: dynamically linked \\(it has a PT_INTERP program header\\); expected a static ${hostArch} executable`,
      ),
    ],
    [
      'not an ELF',
      ['extension', 'build', '--out', 'x', '--busybox', join(projectRoot, 'package.json')],
      /--busybox: not an ELF file/,
    ],
    [
      'missing busybox',
      ['extension', 'build', '--out', 'x', '--busybox', 'no/such/busybox'],
      /--busybox: cannot read .*no\/such\/busybox: no such file or directory/,
    ],
  ];
  it.each(bad)('%s → exit 2, one line, nothing written', async (_name, args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(expectOneLineFailure(result, 2)).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  itWithBusybox('refuses a busybox for the wrong architecture', async () => {
    const line = expectOneLineFailure(await build(join(dir, 'x'), '--arch', otherArch), 2);
    expect(line).toMatch(
      new RegExp(
        `--busybox: ELF machine \\d+ \\(${hostArch}\\) does not match the target architecture ${otherArch}`,
      ),
    );
  });
});
