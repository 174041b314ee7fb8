import { TalosLonghornError } from '../errors.js';
import type { ExtraModule, NodeOptions } from '../longhorn/options.js';

/**
 * Command-line flags for every `NodeOptions` field, shared by every command that takes one
 * node's options (`patch`, `preflight`) so that they spell them the same way.
 */
export const NODE_FLAGS = {
  'disable-v2': { type: 'boolean' },
  'memory-size': { type: 'string' },
  hugepages: { type: 'string' },
  'no-encryption': { type: 'boolean' },
  ublk: { type: 'boolean' },
  module: { type: 'string', multiple: true },
  'module-param': { type: 'string', multiple: true },
  'data-path': { type: 'boolean' },
  'data-path-disk': { type: 'string' },
  'data-path-min-size': { type: 'string' },
  disk: { type: 'string', multiple: true },
  'vfio-rebind': { type: 'boolean' },
  'no-extension': { type: 'boolean' },
  'cleanup-mode': { type: 'string' },
  'cleanup-interval': { type: 'string' },
} as const;

export type NodeFlagName = keyof typeof NODE_FLAGS;

export type NodeFlagValues = {
  readonly [K in NodeFlagName]?: (typeof NODE_FLAGS)[K] extends { multiple: true }
    ? string[]
    : (typeof NODE_FLAGS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export const NODE_FLAGS_HELP = `Node options (defaults give a v2 node with 2048 MiB of huge pages):
  --disable-v2              opt the node out of the v2 data engine
                            (label node.longhorn.io/disable-v2-data-engine=true)
  --memory-size MIB         Longhorn's v2 data-engine-memory-size (default 2048);
                            huge pages = ceil(MIB / 2), at most 1048576 MiB
  --hugepages N             explicit count of 2 MiB pages, never fewer than --memory-size needs
  --no-encryption           do not load dm_crypt
  --ublk                    load ublk_drv (Talos >= 1.12)
  --module NAME             load another kernel module ([a-z0-9_-], "-" becomes "_"); repeatable
  --module-param NAME:K=V   pass parameter K=V to module NAME; repeatable
  --data-path               provide the data path for filesystem (v1) disks: /var/lib/longhorn
                            on Talos 1.9, /var/mnt/longhorn (a user volume) on >= 1.10
  --data-path-disk EXPR     put the data path on its own partition of the disk matched by this
                            Talos disk selector, e.g. 'disk.dev_path == "/dev/sdb"' (>= 1.10)
  --data-path-min-size SIZE minimum size of that partition (default 10GiB; it grows to the disk)
  --disk BDF|PATH           a v2 disk: a PCI address (0000:01:00.0, or 01:00.0 for domain 0000;
                            upper case is accepted) for SPDK's NVMe driver, or /dev/... for AIO;
                            repeatable
  --vfio-rebind             rebind the PCI-addressed disks to vfio-pci (Talos >= 1.10)
  --no-extension            do not configure the longhorn-v2-node extension service
  --cleanup-mode MODE       leftover v2 devices: off, report (default) or remove
  --cleanup-interval SECS   seconds between leftover-device scans (default 60, 5 to 86400)
`;

function wholeNumber(flag: string, text: string): number {
  if (!/^[+-]?\d{1,16}$/.test(text)) {
    throw new TalosLonghornError('invalid-input', `${JSON.stringify(text)} is not a whole number`, {
      field: `--${flag}`,
    });
  }
  return Number(text);
}

function modulesFromFlags(names: readonly string[], params: readonly string[]): ExtraModule[] {
  const modules = new Map<string, string[]>();
  for (const name of names) modules.set(name, modules.get(name) ?? []);
  for (const text of params) {
    const colon = text.indexOf(':');
    if (colon <= 0) {
      throw new TalosLonghornError(
        'invalid-input',
        `${JSON.stringify(text)} is not NAME:KEY=VALUE`,
        { field: '--module-param' },
      );
    }
    const name = text.slice(0, colon);
    modules.set(name, [...(modules.get(name) ?? []), text.slice(colon + 1)]);
  }
  return [...modules].map(([name, parameters]) =>
    parameters.length === 0 ? { name } : { name, parameters },
  );
}

/** Whether any node-option flag was given (commands may refuse mixing them with a file). */
export function hasNodeFlags(values: NodeFlagValues): boolean {
  return (Object.keys(NODE_FLAGS) as NodeFlagName[]).some((name) => values[name] !== undefined);
}

/** Build `NodeOptions` from parsed flags; only the flags given appear in the result. */
export function nodeOptionsFromFlags(values: NodeFlagValues): NodeOptions {
  const options: { -readonly [K in keyof NodeOptions]: NodeOptions[K] } = {};
  if (values['disable-v2']) options.v2DataEngine = false;
  if (values['memory-size'] !== undefined) {
    options.memorySizeMiB = wholeNumber('memory-size', values['memory-size']);
  }
  if (values.hugepages !== undefined)
    options.hugepages = wholeNumber('hugepages', values.hugepages);
  if (values['no-encryption']) options.encryption = false;
  if (values.ublk) options.ublk = true;
  if (values.module !== undefined || values['module-param'] !== undefined) {
    options.extraModules = modulesFromFlags(values.module ?? [], values['module-param'] ?? []);
  }
  if (values['data-path']) options.dataPath = true;
  if (values['data-path-disk'] !== undefined) options.dataPathDisk = values['data-path-disk'];
  if (values['data-path-min-size'] !== undefined) {
    options.dataPathMinSize = values['data-path-min-size'];
  }
  if (values.disk !== undefined) options.disks = values.disk;
  if (values['vfio-rebind']) options.vfioRebind = true;
  if (values['no-extension']) options.extension = false;
  if (values['cleanup-mode'] !== undefined) {
    options.cleanupMode = values['cleanup-mode'] as NonNullable<NodeOptions['cleanupMode']>;
  }
  if (values['cleanup-interval'] !== undefined) {
    options.cleanupIntervalSeconds = wholeNumber('cleanup-interval', values['cleanup-interval']);
  }
  return options;
}

const FLAG_FOR_FIELD: Record<string, string> = {
  v2DataEngine: '--disable-v2',
  memorySizeMiB: '--memory-size',
  hugepages: '--hugepages',
  encryption: '--no-encryption',
  ublk: '--ublk',
  extraModules: '--module',
  dataPath: '--data-path',
  dataPathDisk: '--data-path-disk',
  dataPathMinSize: '--data-path-min-size',
  disks: '--disk',
  vfioRebind: '--vfio-rebind',
  extension: '--no-extension',
  cleanupMode: '--cleanup-mode',
  cleanupIntervalSeconds: '--cleanup-interval',
};

/** The flag a `NodeOptions` field came from: `disks[1]` → `--disk`, `extraModules[0].parameters[0]` → `--module-param`. */
export function flagForField(field: string): string | undefined {
  if (/^extraModules\[\d+\]\.parameters/.test(field)) return '--module-param';
  return FLAG_FOR_FIELD[/^[A-Za-z0-9]+/.exec(field)?.[0] ?? ''];
}

/** Re-label an error about a `NodeOptions` field with the flag the user typed. */
export function withFlagName(err: unknown): unknown {
  if (!(err instanceof TalosLonghornError) || err.field === undefined) return err;
  const flag = flagForField(err.field);
  if (flag === undefined) return err;
  const message = err.message.slice(err.field.length + 2);
  return new TalosLonghornError(err.code, message, { field: flag, cause: err });
}
