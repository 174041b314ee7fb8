import { invalidInput } from '../errors.js';
import { MAX_DISK_SELECTOR_LENGTH } from '../talos/disk-selector.js';
import { DEFAULT_RAW_PARTITION_NAME, MAX_RAW_PARTITION_NAME_LENGTH } from '../talos/raw-volume.js';
import { DEFAULT_CLEANUP_INTERVAL_SECONDS, DEFAULT_CLEANUP_MODE } from './extension-contract.js';
import type { ExtraModule } from './options.js';
import { BYTE_SIZE_PATTERN, CLEANUP_MODES } from './plan.js';
import {
  DEFAULT_DATA_PATH_MIN_SIZE,
  DEFAULT_MEMORY_SIZE_MIB,
  MAX_CLEANUP_INTERVAL_SECONDS,
  MAX_HUGEPAGES,
  MAX_MEMORY_SIZE_MIB,
  MAX_MODULE_NAME_LENGTH,
  MIN_CLEANUP_INTERVAL_SECONDS,
} from './requirements.js';

/**
 * How a command-line flag spells an option's value:
 * - `sets-true` / `sets-false`: a bare flag that sets the boolean option to true / false;
 * - `integer`: one whole number; `text`: one string (the schema checks its form);
 * - `repeatable`: a string flag given once per list item;
 * - `json`: one JSON value (object-valued options), checked by the schema.
 */
export type FlagValueKind = 'sets-true' | 'sets-false' | 'integer' | 'text' | 'repeatable' | 'json';

/**
 * How a Terraform query key (always a string) spells an option's value: `boolean` is
 * `"true"`/`"false"`, `list` is comma-separated, `json` is `jsonencode(...)` of the value.
 */
export type QueryValueKind = 'boolean' | 'integer' | 'text' | 'list' | 'json';

/** One command-line flag of an option. */
export interface FlagSpelling {
  /** The flag without its leading `--`, e.g. `memory-size`. */
  readonly flag: string;
  readonly kind: FlagValueKind;
  /** The value's placeholder in help, e.g. `MIB` (none for `sets-*`). */
  readonly metavar?: string;
  /** The help text; `\n` starts a continuation line. */
  readonly help: string;
}

/** One Terraform query key of an option. */
export interface QuerySpelling {
  readonly key: string;
  readonly kind: QueryValueKind;
}

/**
 * An option built from several flags or query keys (each read as a list of strings), e.g.
 * `extraModules` from `--module` and `--module-param`. `combine` receives the lists by part
 * name and `field` names the option for errors; `partOf` says which part an error's sub-path
 * (after the option name, e.g. `[0].parameters[1]`) came from.
 */
export interface CompositeSpelling<P extends string = string> {
  readonly parts: { readonly [K in P]: { readonly flag: FlagSpelling; readonly query: string } };
  readonly combine: (parts: { readonly [K in P]?: readonly string[] }, field: string) => unknown;
  readonly partOf: (subPath: string) => P;
}

/** A JSON Schema fragment (draft 2020-12) describing one option's value. */
export type SchemaFragment = Readonly<Record<string, unknown>>;

/** Everything the project says about one node option, in one place. */
export interface OptionDescriptor {
  /** The `NodeOptions` key, which is also the plan-file key (`defaults.<name>`, `nodes[i].<name>`). */
  readonly name: string;
  /** The TypeScript type of the value in `NodeOptions` (type names from `./options.js`). */
  readonly type: string;
  /** TSDoc of the `NodeOptions` field and its line in `docs/reference/node-options.md`. */
  readonly docs: string;
  /** The value's JSON Schema; its `description` is the schema's one-line summary. */
  readonly schema: SchemaFragment;
  /** The command-line spelling (one flag), or a composite of several. */
  readonly cli: FlagSpelling | { readonly composite: true };
  /** The Terraform query spelling (one key), or a composite of several. */
  readonly query: QuerySpelling | { readonly composite: true };
  /** For options spelled by several flags/keys. */
  readonly composite?: CompositeSpelling;
}

/** Module parameters are `NAME:KEY=VALUE`; modules named only by a parameter are loaded too. */
export function extraModulesFrom(
  names: readonly string[],
  parameters: readonly string[],
  field: string,
): ExtraModule[] {
  const modules = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const entry of parameters) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw invalidInput(field, `${JSON.stringify(entry)} is not NAME:KEY=VALUE`);
    const name = entry.slice(0, colon);
    modules.set(name, [...(modules.get(name) ?? []), entry.slice(colon + 1)]);
  }
  return [...modules].map(([name, parameters]) =>
    parameters.length === 0 ? { name } : { name, parameters },
  );
}

const extraModulesSpelling: CompositeSpelling<'names' | 'parameters'> = {
  parts: {
    names: {
      flag: {
        flag: 'module',
        kind: 'repeatable',
        metavar: 'NAME',
        help: 'load another kernel module ([a-z0-9_-], "-" becomes "_"); repeatable',
      },
      query: 'modules',
    },
    parameters: {
      flag: {
        flag: 'module-param',
        kind: 'repeatable',
        metavar: 'NAME:K=V',
        help: 'pass parameter K=V to module NAME; repeatable',
      },
      query: 'module_params',
    },
  },
  combine: (parts, field) =>
    extraModulesFrom(parts.names ?? [], parts.parameters ?? [], `${field}.parameters`),
  partOf: (subPath) => (/^(\[\d+\])?\.parameters/.test(subPath) ? 'parameters' : 'names'),
};

/** A size of `rawPartition`, in Talos's size syntax (checked by `parseTalosSize`). */
const RAW_SIZE_SCHEMA = { type: 'string', minLength: 1, maxLength: 64 } as const;

/**
 * The node options: one entry per `NodeOptions` field, in the order help, schemas and docs list
 * them. `NodeOptions` (`src/generated/node-options.ts`), `schemas/node-options.schema.json`,
 * `schemas/plan.schema.json`'s per-node fields, the precompiled validators, the CLI node flags,
 * the Terraform query keys and `docs/reference/node-options.md` are all derived from this table.
 *
 * To add an option: append an entry here, then run `npm run generate` (a test fails until the
 * generated files match) and teach `planNode` what it means. An object-valued option, e.g.
 * `rawPartition: { name, minSize, maxSize?, diskSelector? }`, declares its value type in
 * `./options.ts` (`type: 'RawPartition'`), gives an object `schema` with `properties`,
 * `required` and `additionalProperties: false`, and spells its value as JSON on both surfaces:
 *
 * ```ts
 * {
 *   name: 'rawPartition',
 *   type: 'RawPartition',
 *   docs: 'A raw partition for ... (Talos >= 1.x).',
 *   schema: { type: 'object', additionalProperties: false, required: ['name', 'minSize'],
 *             properties: { name: { type: 'string' }, minSize: { type: 'string' } } },
 *   cli: { flag: 'raw-partition', kind: 'json', metavar: 'JSON', help: 'a raw partition, as JSON' },
 *   query: { key: 'raw_partition', kind: 'json' },
 * }
 * ```
 *
 * (`--raw-partition '{"name":"spdk","minSize":"100GiB"}'`, `raw_partition = jsonencode({...})`),
 * or uses a `composite` spelling with its own `combine` for a friendlier flag syntax. Errors
 * inside the value keep their sub-path (`rawPartition.minSize`) in the library; the CLI names
 * the flag or query key.
 */
export const NODE_OPTION_DESCRIPTORS: readonly OptionDescriptor[] = [
  {
    name: 'v2DataEngine',
    type: 'boolean',
    docs: "Run Longhorn's v2 data engine on this node (default true). `false` opts the node out (label `node.longhorn.io/disable-v2-data-engine=true`).",
    schema: {
      type: 'boolean',
      default: true,
      description: 'Run the v2 data engine on this node; false opts the node out.',
    },
    cli: {
      flag: 'disable-v2',
      kind: 'sets-false',
      help: 'opt the node out of the v2 data engine\n(label node.longhorn.io/disable-v2-data-engine=true)',
    },
    query: { key: 'v2_data_engine', kind: 'boolean' },
  },
  {
    name: 'memorySizeMiB',
    type: 'number',
    docs: `Longhorn's \`data-engine-memory-size\` for v2, in MiB (default ${DEFAULT_MEMORY_SIZE_MIB}, at most ${MAX_MEMORY_SIZE_MIB}); huge pages = ceil(MiB / 2).`,
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_MEMORY_SIZE_MIB,
      default: DEFAULT_MEMORY_SIZE_MIB,
      description: "Longhorn's v2 data-engine-memory-size in MiB; huge pages = ceil(MiB / 2).",
    },
    cli: {
      flag: 'memory-size',
      kind: 'integer',
      metavar: 'MIB',
      help: `Longhorn's v2 data-engine-memory-size (default ${DEFAULT_MEMORY_SIZE_MIB});\nhuge pages = ceil(MIB / 2), at most ${MAX_MEMORY_SIZE_MIB} MiB`,
    },
    query: { key: 'memory_size_mib', kind: 'integer' },
  },
  {
    name: 'hugepages',
    type: 'number',
    docs: 'Explicit count of 2 MiB huge pages; never fewer than `ceil(memorySizeMiB / 2)`.',
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_HUGEPAGES,
      description: 'Explicit count of 2 MiB huge pages, never fewer than memorySizeMiB needs.',
    },
    cli: {
      flag: 'hugepages',
      kind: 'integer',
      metavar: 'N',
      help: 'explicit count of 2 MiB pages, never fewer than --memory-size needs',
    },
    query: { key: 'hugepages', kind: 'integer' },
  },
  {
    name: 'encryption',
    type: 'boolean',
    docs: 'Keep `dm_crypt` for encrypted volumes (default true).',
    schema: { type: 'boolean', default: true, description: 'Load dm_crypt for encrypted volumes.' },
    cli: { flag: 'no-encryption', kind: 'sets-false', help: 'do not load dm_crypt' },
    query: { key: 'encryption', kind: 'boolean' },
  },
  {
    name: 'ublk',
    type: 'boolean',
    docs: 'Load `ublk_drv` (Talos >= 1.12; default false).',
    schema: { type: 'boolean', default: false, description: 'Load ublk_drv (Talos >= 1.12).' },
    cli: { flag: 'ublk', kind: 'sets-true', help: 'load ublk_drv (Talos >= 1.12)' },
    query: { key: 'ublk', kind: 'boolean' },
  },
  {
    name: 'extraModules',
    type: 'readonly ExtraModule[]',
    docs: 'Further kernel modules to load, each `{ name, parameters? }` (`key=value` parameters).',
    schema: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: {
            type: 'string',
            pattern: '^[a-z0-9_-]+$',
            minLength: 1,
            maxLength: MAX_MODULE_NAME_LENGTH,
          },
          parameters: {
            type: 'array',
            maxItems: 64,
            items: { type: 'string', pattern: '^[A-Za-z0-9_]+=[!-~]+$', maxLength: 1024 },
          },
        },
      },
    },
    cli: { composite: true },
    query: { composite: true },
    composite: extraModulesSpelling as CompositeSpelling,
  },
  {
    name: 'dataPath',
    type: 'boolean',
    docs: 'Provide the data path for filesystem (v1) disks (default false): `/var/lib/longhorn` on Talos 1.9, `/var/mnt/longhorn` (a user volume) on >= 1.10.',
    schema: {
      type: 'boolean',
      default: false,
      description: 'Provide the data path for filesystem (v1) disks.',
    },
    cli: {
      flag: 'data-path',
      kind: 'sets-true',
      help: 'provide the data path for filesystem (v1) disks: /var/lib/longhorn\non Talos 1.9, /var/mnt/longhorn (a user volume) on >= 1.10',
    },
    query: { key: 'data_path', kind: 'boolean' },
  },
  {
    name: 'dataPathDisk',
    type: 'string',
    docs: 'Put the data path on its own partition of the disk matched by this Talos disk selector (a CEL expression such as `disk.dev_path == "/dev/sdb"`; Talos >= 1.10). Without it the data path is a directory on the EPHEMERAL volume. Implies `dataPath`.',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_DISK_SELECTOR_LENGTH,
      description: 'Talos disk selector (CEL) for a dedicated data-path partition (Talos >= 1.10).',
    },
    cli: {
      flag: 'data-path-disk',
      kind: 'text',
      metavar: 'EXPR',
      help: 'put the data path on its own partition of the disk matched by this\nTalos disk selector, e.g. \'disk.dev_path == "/dev/sdb"\' (>= 1.10)',
    },
    query: { key: 'data_path_disk', kind: 'text' },
  },
  {
    name: 'dataPathMinSize',
    type: 'string',
    docs: `Minimum size of that partition, a Talos byte size such as \`50GiB\` (default \`${DEFAULT_DATA_PATH_MIN_SIZE}\`; it grows to the disk).`,
    schema: {
      type: 'string',
      pattern: BYTE_SIZE_PATTERN.source,
      default: DEFAULT_DATA_PATH_MIN_SIZE,
    },
    cli: {
      flag: 'data-path-min-size',
      kind: 'text',
      metavar: 'SIZE',
      help: `minimum size of that partition (default ${DEFAULT_DATA_PATH_MIN_SIZE}; it grows to the disk)`,
    },
    query: { key: 'data_path_min_size', kind: 'text' },
  },
  {
    name: 'disks',
    type: 'readonly string[]',
    docs: "v2 disks: PCI addresses (BDF, e.g. `0000:01:00.0`; `01:00.0` means domain 0000) for SPDK's NVMe driver, and/or block device paths (`/dev/...`) for AIO.",
    schema: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 256 },
      description: 'v2 disks: PCI addresses (0000:01:00.0) and/or block device paths (/dev/...).',
    },
    cli: {
      flag: 'disk',
      kind: 'repeatable',
      metavar: 'BDF|PATH',
      help: "a v2 disk: a PCI address (0000:01:00.0, or 01:00.0 for domain 0000;\nupper case is accepted) for SPDK's NVMe driver, or /dev/... for AIO;\nrepeatable",
    },
    query: { key: 'disks', kind: 'list' },
  },
  {
    name: 'rawPartition',
    type: 'RawPartitionOptions',
    docs: `A raw partition Talos carves and keeps for a v2 disk (Talos >= 1.11): \`{ name?, minSize, maxSize?, diskSelector?, ephemeralMaxSize? }\`, sizes in Talos's size syntax. Talos labels it \`r-<name>\` (name default \`${DEFAULT_RAW_PARTITION_NAME}\`, at most ${MAX_RAW_PARTITION_NAME_LENGTH} letters, digits or hyphens); the selector defaults to the system disk, which also needs \`ephemeralMaxSize\` (Talos gives EPHEMERAL all free space otherwise). Longhorn gets \`/dev/disk/by-partlabel/r-<name>\` as an AIO block disk.`,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['minSize'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z0-9-]+$',
          minLength: 1,
          maxLength: MAX_RAW_PARTITION_NAME_LENGTH,
        },
        // Sizes in Talos's own syntax (`1.5TiB` too): parseTalosSize checks them.
        minSize: RAW_SIZE_SCHEMA,
        maxSize: RAW_SIZE_SCHEMA,
        diskSelector: { type: 'string', minLength: 1, maxLength: MAX_DISK_SELECTOR_LENGTH },
        ephemeralMaxSize: RAW_SIZE_SCHEMA,
      },
      description: 'A raw partition Talos carves for a v2 disk (Talos >= 1.11).',
    },
    cli: {
      flag: 'raw-partition',
      kind: 'json',
      metavar: 'JSON',
      help: 'a raw partition Talos carves for a v2 disk (>= 1.11), as JSON:\n\'{"minSize":"100GiB","ephemeralMaxSize":"50GiB"}\' (name, maxSize, diskSelector too)',
    },
    query: { key: 'raw_partition', kind: 'json' },
  },
  {
    name: 'vfioRebind',
    type: 'boolean',
    docs: 'Rebind every PCI-addressed disk to `vfio-pci` with `PCIDriverRebindConfig` (Talos >= 1.10; default false).',
    schema: {
      type: 'boolean',
      default: false,
      description: 'Rebind PCI-addressed disks to vfio-pci (Talos >= 1.10).',
    },
    cli: {
      flag: 'vfio-rebind',
      kind: 'sets-true',
      help: 'rebind the PCI-addressed disks to vfio-pci (Talos >= 1.10)',
    },
    query: { key: 'vfio_rebind', kind: 'boolean' },
  },
  {
    name: 'extension',
    type: 'boolean',
    docs: 'Configure the `longhorn-v2-node` extension service (default true).',
    schema: {
      type: 'boolean',
      default: true,
      description: 'Configure the longhorn-v2-node extension service.',
    },
    cli: {
      flag: 'no-extension',
      kind: 'sets-false',
      help: 'do not configure the longhorn-v2-node extension service',
    },
    query: { key: 'extension', kind: 'boolean' },
  },
  {
    name: 'cleanupMode',
    type: 'CleanupMode',
    docs: `What the extension does with leftover v2 devices: ${CLEANUP_MODES.join(', ')} (default \`${DEFAULT_CLEANUP_MODE}\`).`,
    schema: { enum: [...CLEANUP_MODES], default: DEFAULT_CLEANUP_MODE },
    cli: {
      flag: 'cleanup-mode',
      kind: 'text',
      metavar: 'MODE',
      help: `leftover v2 devices: ${CLEANUP_MODES.map((mode) =>
        mode === DEFAULT_CLEANUP_MODE ? `${mode} (default)` : mode,
      )
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}`,
    },
    query: { key: 'cleanup_mode', kind: 'text' },
  },
  {
    name: 'cleanupIntervalSeconds',
    type: 'number',
    docs: `Seconds between leftover-device scans (default ${DEFAULT_CLEANUP_INTERVAL_SECONDS}, ${MIN_CLEANUP_INTERVAL_SECONDS} to ${MAX_CLEANUP_INTERVAL_SECONDS}).`,
    schema: {
      type: 'integer',
      minimum: MIN_CLEANUP_INTERVAL_SECONDS,
      maximum: MAX_CLEANUP_INTERVAL_SECONDS,
      default: DEFAULT_CLEANUP_INTERVAL_SECONDS,
    },
    cli: {
      flag: 'cleanup-interval',
      kind: 'integer',
      metavar: 'SECS',
      help: `seconds between leftover-device scans (default ${DEFAULT_CLEANUP_INTERVAL_SECONDS}, ${MIN_CLEANUP_INTERVAL_SECONDS} to ${MAX_CLEANUP_INTERVAL_SECONDS})`,
    },
    query: { key: 'cleanup_interval_seconds', kind: 'integer' },
  },
];

/** Every flag of the table, with the option it belongs to (composite parts included). */
export function optionFlags(descriptors: readonly OptionDescriptor[] = NODE_OPTION_DESCRIPTORS): {
  readonly option: OptionDescriptor;
  readonly spelling: FlagSpelling;
  readonly part?: string;
}[] {
  return descriptors.flatMap((option) =>
    option.composite === undefined
      ? 'flag' in option.cli
        ? [{ option, spelling: option.cli }]
        : []
      : Object.entries(option.composite.parts).map(([part, { flag }]) => ({
          option,
          spelling: flag,
          part,
        })),
  );
}

/** Every query key of the table, with the option it belongs to (composite parts included). */
export function optionQueryKeys(
  descriptors: readonly OptionDescriptor[] = NODE_OPTION_DESCRIPTORS,
): {
  readonly option: OptionDescriptor;
  readonly spelling: QuerySpelling;
  readonly part?: string;
}[] {
  return descriptors.flatMap((option) =>
    option.composite === undefined
      ? 'key' in option.query
        ? [{ option, spelling: option.query }]
        : []
      : Object.entries(option.composite.parts).map(([part, { query }]) => ({
          option,
          spelling: { key: query, kind: 'list' as const },
          part,
        })),
  );
}

/** The JSON Schema of `NodeOptions`, built from the table (`schemas/node-options.schema.json`). */
export function nodeOptionsSchema(
  descriptors: readonly OptionDescriptor[] = NODE_OPTION_DESCRIPTORS,
): Readonly<Record<string, unknown>> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: NODE_OPTIONS_SCHEMA_ID,
    title: 'talos-longhorn node options',
    description:
      "What one Talos node needs for Longhorn's v2 data engine, independent of the Talos version.",
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(descriptors.map((option) => [option.name, option.schema])),
  };
}

/** The `$id` of the node-options JSON Schema (`schemas/node-options.schema.json`). */
export const NODE_OPTIONS_SCHEMA_ID = 'urn:talos-longhorn:schemas:node-options';
