import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds fake node trees (sysfs, procfs, /dev) and runs the node helper against them. */

export const busybox = process.env.TALOS_LONGHORN_BUSYBOX ?? '/usr/bin/busybox';
export const haveBusybox = existsSync(busybox);
export const BUSYBOX_SKIP = `skipped: ${busybox} is absent (install busybox-static)`;

export const helperDir = fileURLToPath(
  new URL(
    '../../extension/rootfs/usr/local/lib/containers/longhorn-v2-node/helper',
    import.meta.url,
  ),
);
export const fakeDmsetup = fileURLToPath(
  new URL('../fixtures/extension/fake-dmsetup.sh', import.meta.url),
);

export const LONGHORN_NQN = 'nqn.2023-01.io.longhorn.spdk:pvc-0001';

export interface DmDevice {
  readonly name: string;
  /** N of dm-N; the device number is 252:N. */
  readonly index: number;
  /** Lines exactly as `dmsetup table <name>` prints them. */
  readonly table: readonly string[];
  readonly open: number;
  readonly slaves?: readonly string[];
  readonly holders?: readonly string[];
  /** Create /dev/longhorn/<name> (a regular file standing in for the block node, accepted only
   * under the helper's test switch LONGHORN_V2_TEST=1). Default true. */
  readonly longhornNode?: boolean;
}

export interface Namespace {
  /** Block device name, e.g. nvme0n1 (or sdb for a non-NVMe disk). */
  readonly name: string;
  readonly devno: string;
  readonly nqn?: string;
  /** Where the NQN is found: the multipath subsystem or the controller. Default subsystem. */
  readonly via?: 'subsystem' | 'controller';
  /** The controller's sysfs `state` (nvme_sysfs_show_state in drivers/nvme/host/core.c). */
  readonly state?: string;
}

export function write(root: string, path: string, content: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

export function link(root: string, path: string, target: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  symlinkSync(target, full);
}

/** A node tree with the given dm devices and namespaces under `root`. */
export function buildNodeTree(
  root: string,
  devices: readonly DmDevice[],
  namespaces: readonly Namespace[],
  mounts: readonly string[] = [],
): void {
  mkdirSync(join(root, 'dev/longhorn'), { recursive: true });
  mkdirSync(join(root, 'state'), { recursive: true });
  write(root, 'proc/mounts', `${['proc /proc proc rw 0 0', ...mounts].join('\n')}\n`);
  namespaces.forEach((ns, i) => {
    write(root, `sys/block/${ns.name}/dev`, `${ns.devno}\n`);
    link(root, `sys/dev/block/${ns.devno}`, `../../block/${ns.name}`);
    if (ns.nqn === undefined) return;
    const parent =
      ns.via === 'controller'
        ? `sys/class/nvme/nvme${i}`
        : `sys/class/nvme-subsystem/nvme-subsys${i}`;
    write(root, `${parent}/subsysnqn`, `${ns.nqn}\n`);
    mkdirSync(join(root, parent, ns.name), { recursive: true });
    const controller = ns.via === 'controller' ? parent : `${parent}/nvme${i}`;
    write(root, `${controller}/state`, `${ns.state ?? 'live'}\n`);
  });
  for (const dm of devices) {
    const sys = `sys/block/dm-${dm.index}`;
    write(root, `${sys}/dev`, `252:${dm.index}\n`);
    link(root, `sys/dev/block/252:${dm.index}`, `../../block/dm-${dm.index}`);
    write(root, `${sys}/dm/name`, `${dm.name}\n`);
    mkdirSync(join(root, sys, 'slaves'), { recursive: true });
    mkdirSync(join(root, sys, 'holders'), { recursive: true });
    for (const s of dm.slaves ?? []) link(root, `${sys}/slaves/${s}`, `../../${s}`);
    for (const h of dm.holders ?? []) link(root, `${sys}/holders/${h}`, `../../${h}`);
    if (dm.longhornNode !== false) write(root, `dev/longhorn/${dm.name}`, '');
    write(root, `state/${dm.name}/table`, dm.table.map((line) => `${line}\n`).join(''));
    write(root, `state/${dm.name}/open`, `${dm.open}\n`);
    write(root, `state/${dm.name}/sysfs`, join(root, sys));
  }
}

export interface HelperRun {
  readonly status: number | null;
  readonly lines: string[];
  readonly stderr: string;
  /** dmsetup calls recorded by the fake during this run. */
  readonly calls: string[];
}

function helperEnv(root: string, env: Record<string, string>): Record<string, string> {
  const bin = join(root, '.bin');
  if (!existsSync(join(bin, 'dmsetup'))) {
    write(root, '.bin/dmsetup', `#!${busybox} sh\nexec ${busybox} sh ${fakeDmsetup} "$@"\n`);
    spawnSync('chmod', ['0755', join(bin, 'dmsetup')]);
  }
  return {
    ROOT: root,
    PATH: bin,
    FAKE_DMSETUP_STATE: join(root, 'state'),
    FAKE_DMSETUP_LOG: join(root, 'dmsetup.log'),
    // The helper's test switch: regular files stand in for the /dev/longhorn block nodes.
    LONGHORN_V2_TEST: '1',
    ...env,
  };
}

function recordedCalls(root: string): string[] {
  const log = join(root, 'dmsetup.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/** One pass of the helper (`--once`) under busybox sh. */
export function runHelperOnce(
  root: string,
  env: Record<string, string> = {},
  args: readonly string[] = ['--once'],
): HelperRun {
  const before = recordedCalls(root).length;
  const result = spawnSync(busybox, ['sh', join(helperDir, 'node-helper.sh'), ...args], {
    env: helperEnv(root, env),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return {
    status: result.status,
    lines: result.stdout.split('\n').filter(Boolean),
    stderr: result.stderr,
    calls: recordedCalls(root).slice(before),
  };
}

/** Run the helper's loop for `ms` milliseconds, then stop it. */
export function runHelperFor(
  root: string,
  env: Record<string, string>,
  ms: number,
): Promise<HelperRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(busybox, ['sh', join(helperDir, 'node-helper.sh')], {
      env: helperEnv(root, env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) =>
      resolvePromise({
        status,
        lines: stdout.split('\n').filter(Boolean),
        stderr,
        calls: recordedCalls(root),
      }),
    );
    setTimeout(() => child.kill('SIGTERM'), ms);
  });
}
