import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  constants as fsConstants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node test bed: a real Linux kernel under QEMU, booted from an initramfs that holds a
 * static busybox, the kernel's own modules (with their dependencies), dmsetup, the guest
 * scripts and the rootfs of the extension image that `talos-longhorn extension build` writes.
 * The guest reports over the serial console as lines `@@ <scenario> <key> <value...>` and
 * writes files (a preflight capture) as a tar stream onto a raw virtio disk, the share.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const guestDir = fileURLToPath(new URL('./guest', import.meta.url));
const cli = join(repoRoot, 'dist/cli/bin.js');

export interface VmTools {
  readonly qemu: string;
  readonly kernel: string;
  readonly kernelVersion: string;
  readonly modulesDir: string;
  readonly busybox: string;
  readonly dmsetup: string;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * The host's QEMU, kernel (TALOS_LONGHORN_VM_KERNEL, else the newest /boot/vmlinuz-*), its
 * modules, a static busybox and dmsetup, or the first one missing.
 */
export function findVmTools(): { tools: VmTools } | { missing: string } {
  const qemu = which('qemu-system-x86_64');
  if (qemu === undefined)
    return { missing: 'qemu-system-x86_64 (apt-get install qemu-system-x86)' };
  let kernel = process.env.TALOS_LONGHORN_VM_KERNEL;
  if (kernel === undefined) {
    const found = existsSync('/boot')
      ? readdirSync('/boot')
          .filter((f) => f.startsWith('vmlinuz-'))
          .sort()
      : [];
    if (found.length === 0)
      return { missing: 'a kernel in /boot (apt-get install linux-image-cloud-amd64)' };
    kernel = join('/boot', found[found.length - 1] as string);
  }
  const kernelVersion = basename(kernel).replace(/^vmlinuz-/, '');
  const modulesDir = join('/lib/modules', kernelVersion);
  if (!existsSync(join(modulesDir, 'modules.dep'))) return { missing: `${modulesDir}/modules.dep` };
  try {
    closeSync(openSync(kernel, 'r'));
  } catch {
    return { missing: `a readable ${kernel}` };
  }
  const busybox = process.env.TALOS_LONGHORN_BUSYBOX ?? '/usr/bin/busybox';
  if (!existsSync(busybox)) return { missing: `${busybox} (apt-get install busybox-static)` };
  const dmsetup = which('dmsetup');
  if (dmsetup === undefined) return { missing: 'dmsetup (apt-get install dmsetup)' };
  return { tools: { qemu, kernel, kernelVersion, modulesDir, busybox, dmsetup } };
}

/** One line saying why the VM tests do not run; in CI (CI set) they must run, so this throws. */
export function vmSkipReason(): string | undefined {
  const found = findVmTools();
  if ('tools' in found) return undefined;
  const line = `skipped: node VM test bed needs ${found.missing}`;
  if (process.env.CI) throw new Error(`CI is set but the node VM test bed cannot run: ${line}`);
  return line;
}

export type Accel = 'kvm' | 'tcg';

/**
 * KVM when /dev/kvm opens read-write and the kernel actually starts under it: QEMU boots it
 * with KVM and no initramfs and must see the kernel's first console line within 8 s. A KVM that
 * exists but is unusable (QEMU aborts on a nested host's MSRs, or the guest hangs) gives TCG.
 * TALOS_LONGHORN_VM_ACCEL=tcg|kvm forces one.
 */
export function detectAccel(tools: VmTools): Promise<Accel> {
  const forced = process.env.TALOS_LONGHORN_VM_ACCEL;
  if (forced === 'tcg' || forced === 'kvm') return Promise.resolve(forced);
  try {
    closeSync(openSync('/dev/kvm', fsConstants.O_RDWR));
  } catch {
    return Promise.resolve('tcg');
  }
  return new Promise((resolvePromise) => {
    const child = spawn(
      tools.qemu,
      [...machineArgs('kvm', 128), '-kernel', tools.kernel, '-append', 'console=ttyS0 panic=-1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let seen = '';
    let answer: Accel = 'tcg';
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes('Linux version')) {
        answer = 'kvm';
        child.kill('SIGKILL');
      }
    });
    child.on('error', () => resolvePromise('tcg'));
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(answer);
    });
  });
}

function machineArgs(accel: Accel, memoryMiB: number): string[] {
  return [
    '-accel',
    accel,
    '-machine',
    'q35',
    '-cpu',
    accel === 'kvm' ? 'host' : 'max',
    '-m',
    String(memoryMiB),
    '-smp',
    '1',
    '-nodefaults',
    '-no-reboot',
    '-display',
    'none',
    '-serial',
    'stdio',
  ];
}

/** Module name as the kernel has it: file name without `.ko*`, `-` as `_`. */
function moduleName(path: string): string {
  return basename(path)
    .replace(/\.ko(\.[a-z]+)?$/, '')
    .replaceAll('-', '_');
}

/**
 * The module files (paths relative to the modules directory) for the given names and all
 * their dependencies, from modules.dep; names that are built in or unknown are returned apart.
 */
export function moduleClosure(
  modulesDir: string,
  names: readonly string[],
): { files: string[]; builtIn: string[]; absent: string[] } {
  const deps = new Map<string, { file: string; deps: string[] }>();
  for (const line of readFileSync(join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const file = line.slice(0, colon);
    deps.set(moduleName(file), {
      file,
      deps: line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    });
  }
  const builtInNames = new Set(
    readFileSync(join(modulesDir, 'modules.builtin'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(moduleName),
  );
  const files = new Set<string>();
  const builtIn: string[] = [];
  const absent: string[] = [];
  const add = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const dep of deps.get(moduleName(file))?.deps ?? []) add(dep);
  };
  for (const raw of names) {
    const name = raw.replaceAll('-', '_');
    const entry = deps.get(name);
    if (entry !== undefined) add(entry.file);
    else if (builtInNames.has(name)) builtIn.push(name);
    else absent.push(name);
  }
  return { files: [...files].sort(), builtIn, absent };
}

/** The shared libraries a dynamic executable loads (its interpreter included), from ldd. */
function sharedLibraries(binary: string): string[] {
  const out = spawnSync('ldd', [binary], { encoding: 'utf8' }).stdout ?? '';
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1] !== undefined) libs.push(match[1]);
  }
  return libs;
}

/** Build the extension image with the CLI and unpack its one layer's rootfs/ into `dest`. */
export function unpackExtensionRootfs(work: string, dest: string): void {
  const layout = join(work, 'extension-oci');
  const built = spawnSync(process.execPath, [cli, 'extension', 'build', '--out', layout], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`extension build failed: ${built.stderr}`);
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const unpacked = join(work, 'extension-layer');
  mkdirSync(unpacked, { recursive: true });
  const tar = spawnSync('tar', ['-xf', blob(manifest.layers[0].digest), '-C', unpacked]);
  if (tar.status !== 0) throw new Error(`cannot unpack the extension layer: ${tar.stderr}`);
  cpSync(join(unpacked, 'rootfs'), dest, { recursive: true });
}

export interface InitramfsOptions {
  /** Modules to include (with dependencies). */
  readonly modules: readonly string[];
  /** Extra files: path inside the guest (relative to /) -> content. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface Initramfs {
  readonly path: string;
  readonly builtIn: string[];
  readonly absent: string[];
}

/** Write `initramfs.cpio` (newc, uncompressed) into `work`. */
export function buildInitramfs(tools: VmTools, work: string, options: InitramfsOptions): Initramfs {
  const root = join(work, 'root');
  for (const dir of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/lib',
    'lib64',
    'proc',
    'sys',
    'dev',
    'tmp',
    'run',
    'etc',
    'mnt',
  ]) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  copyFileSync(tools.busybox, join(root, 'bin/busybox'));
  copyFileSync(tools.dmsetup, join(root, 'usr/bin/dmsetup'));
  for (const lib of sharedLibraries(tools.dmsetup)) {
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(lib, join(root, lib));
  }
  const closure = moduleClosure(tools.modulesDir, options.modules);
  const modulesRoot = join(root, 'lib/modules', tools.kernelVersion);
  mkdirSync(modulesRoot, { recursive: true });
  for (const index of [
    'modules.dep',
    'modules.builtin',
    'modules.alias',
    'modules.symbols',
    'modules.order',
  ]) {
    if (existsSync(join(tools.modulesDir, index))) {
      copyFileSync(join(tools.modulesDir, index), join(modulesRoot, index));
    }
  }
  for (const file of closure.files) {
    mkdirSync(dirname(join(modulesRoot, file)), { recursive: true });
    copyFileSync(join(tools.modulesDir, file), join(modulesRoot, file));
  }
  unpackExtensionRootfs(work, root);
  cpSync(guestDir, join(root, 'vm'), { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  copyFileSync(join(guestDir, 'init.sh'), join(root, 'init'));
  spawnSync('chmod', ['0755', join(root, 'init')]);
  const path = join(work, 'initramfs.cpio');
  const cpio = spawnSync('sh', [
    '-c',
    `cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > "$2"`,
    'sh',
    root,
    path,
  ]);
  if (cpio.status !== 0) throw new Error(`cpio failed: ${cpio.stderr}`);
  return { path, builtIn: closure.builtIn, absent: closure.absent };
}

export interface BootOptions {
  readonly initramfs: string;
  /** Raw disk images attached as virtio disks vda, vdb, ... */
  readonly disks?: readonly string[];
  /** Words appended to the kernel command line (the guest reads tlvm.* words). */
  readonly cmdline?: readonly string[];
  readonly accel: Accel;
  readonly memoryMiB?: number;
  /** Hard limit: the QEMU process is killed after it. */
  readonly timeoutMs: number;
}

export interface GuestLine {
  readonly scenario: string;
  readonly key: string;
  readonly value: string;
}

export interface Boot {
  readonly lines: GuestLine[];
  readonly console: string;
  readonly ms: number;
  readonly timedOut: boolean;
  readonly status: number | null;
}

/** Boot once; resolves when QEMU exits (the guest powers off) or is killed at the timeout. */
export function boot(tools: VmTools, options: BootOptions): Promise<Boot> {
  const args = [
    ...machineArgs(options.accel, options.memoryMiB ?? 512),
    '-kernel',
    tools.kernel,
    '-initrd',
    options.initramfs,
    '-append',
    ['console=ttyS0', 'panic=-1', 'loglevel=1', 'rdinit=/init', ...(options.cmdline ?? [])].join(
      ' ',
    ),
  ];
  (options.disks ?? []).forEach((disk, i) => {
    args.push('-drive', `file=${disk},format=raw,if=virtio,index=${i},cache=unsafe`);
  });
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tools.qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const console = out.replaceAll('\r', '');
      resolvePromise({
        lines: parseGuestLines(console),
        console,
        ms: Date.now() - started,
        timedOut,
        status,
      });
    });
  });
}

/** `@@ <scenario> <key> <value...>` lines; kernel messages may be interleaved, so match anywhere. */
export function parseGuestLines(console: string): GuestLine[] {
  const lines: GuestLine[] = [];
  for (const line of console.split('\n')) {
    const at = line.indexOf('@@ ');
    if (at < 0) continue;
    const [scenario = '', key = '', ...rest] = line.slice(at + 3).split(' ');
    lines.push({ scenario, key, value: rest.join(' ') });
  }
  return lines;
}

/** A zero-filled raw disk image of `mib` MiB. */
export function rawDisk(path: string, mib: number): string {
  writeFileSync(path, '');
  spawnSync('truncate', ['-s', `${mib}M`, path]);
  return path;
}

/** Unpack the tar stream the guest wrote onto a raw disk image into `dest`. */
export function unpackShare(disk: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  const tar = spawnSync('tar', ['-xf', disk, '-C', dest], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`cannot read the share ${disk}: ${tar.stderr}`);
}

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'tl-nodevm-'));
}

export { cli };
