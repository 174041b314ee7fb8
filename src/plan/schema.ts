import { NODE_OPTION_KEYS } from '../longhorn/options-schema.js';
import { DEFAULT_LONGHORN_VERSION, SUPPORTED_LONGHORN_VERSIONS } from '../longhorn/versions.js';
import {
  EXTENSION_NAME_PATTERN,
  KERNEL_ARG_PATTERN,
  MAX_KERNEL_ARG_LENGTH,
} from '../talos/schematic.js';

/** Where `schemas/plan.schema.json` finds the node options: the file beside it. */
export const NODE_OPTIONS_SCHEMA_FILE = 'node-options.schema.json';
/** The `$id` of the plan's JSON Schema (`schemas/plan.schema.json`). */
export const PLAN_SCHEMA_ID = 'plan.schema.json';

/** Node names become file names (`<name>.patch.yaml`), so they are DNS-like and lower case. */
export const NODE_NAME_PATTERN = '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$';
export const MAX_NODE_NAME_LENGTH = 128;
const MAX_NODES = 10_000;

/** Every per-node override points at the node-options schema, so each field is defined once. */
const nodeOptionRefs = Object.fromEntries(
  NODE_OPTION_KEYS.map((key) => [key, { $ref: `${NODE_OPTIONS_SCHEMA_FILE}#/properties/${key}` }]),
);

/** One plan-level field: its key and JSON Schema (whose `description` documents it). */
export interface PlanField {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/**
 * The plan's top-level fields besides `nodes`, in schema order. Add a field with one entry here
 * (and its type in `Plan`, `./types.ts`), then `npm run generate` writes `schemas/plan.schema.json`.
 */
export const PLAN_FIELDS: readonly PlanField[] = [
  {
    name: 'talosVersion',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description: 'Talos version the patches are written for, e.g. "1.11" or "v1.11.3".',
    },
  },
  {
    name: 'configOrigin',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description:
        "Talos version whose gen config created the nodes' machine configuration (default: talosVersion); a node created before 1.14 keeps node labels in machine.nodeLabels.",
    },
  },
  {
    name: 'longhornVersion',
    schema: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description: `Longhorn version the Helm values and Node patches are written for: one of ${SUPPORTED_LONGHORN_VERSIONS.join(', ')}, e.g. "1.10" or "1.10.2" (default ${DEFAULT_LONGHORN_VERSION}).`,
    },
  },
  {
    name: 'extensions',
    schema: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', pattern: EXTENSION_NAME_PATTERN, maxLength: 128 },
      description:
        'Official extensions added to the schematic besides siderolabs/iscsi-tools and siderolabs/util-linux-tools.',
    },
  },
  {
    name: 'extraKernelArgs',
    schema: {
      type: 'array',
      maxItems: 128,
      items: { type: 'string', pattern: KERNEL_ARG_PATTERN, maxLength: MAX_KERNEL_ARG_LENGTH },
      description: 'Kernel arguments for the schematic, one per item, in order.',
    },
  },
  {
    name: 'defaults',
    schema: {
      $ref: NODE_OPTIONS_SCHEMA_FILE,
      description: 'Node options every node starts from; a node overrides them field by field.',
    },
  },
];

/** The fields of one `nodes[]` entry besides the node options. */
export const PLAN_NODE_FIELDS: readonly PlanField[] = [
  {
    name: 'name',
    schema: {
      type: 'string',
      pattern: NODE_NAME_PATTERN,
      maxLength: MAX_NODE_NAME_LENGTH,
      description: 'Node name; the generated files are <name>.patch.yaml and <name>.identity.json.',
    },
  },
  {
    name: 'machineId',
    schema: {
      type: 'string',
      description: "The node's machine-id (32 hex characters), when known.",
    },
  },
  {
    name: 'nodeId',
    schema: {
      type: 'string',
      description: 'The node identity (talosctl get identities: spec.nodeId), when known.',
    },
  },
];

const fields = (list: readonly PlanField[]) =>
  Object.fromEntries(list.map((field) => [field.name, field.schema]));

/** Keys allowed at the top of a plan and in one of its nodes (for error messages). */
export const PLAN_KEYS: readonly string[] = [...PLAN_FIELDS.map((f) => f.name), 'nodes'];
export const PLAN_NODE_KEYS: readonly string[] = [
  ...PLAN_NODE_FIELDS.map((f) => f.name),
  ...NODE_OPTION_KEYS,
];

/**
 * The JSON Schema of a cluster plan. `schemas/plan.schema.json` is this object written out by
 * `npm run generate` (a test regenerates and compares); editors resolve its `$ref`s to
 * `node-options.schema.json` beside it.
 */
export const PLAN_SCHEMA: Readonly<Record<string, unknown>> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: PLAN_SCHEMA_ID,
  title: 'talos-longhorn cluster plan',
  description:
    "Talos nodes to prepare for Longhorn's v2 data engine: cluster-wide defaults and one entry per node.",
  type: 'object',
  additionalProperties: false,
  required: ['nodes'],
  properties: {
    ...fields(PLAN_FIELDS),
    nodes: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_NODES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        not: { required: ['machineId', 'nodeId'] },
        properties: { ...fields(PLAN_NODE_FIELDS), ...nodeOptionRefs },
      },
    },
  },
};
