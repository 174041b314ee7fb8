import { NODE_OPTIONS_SCHEMA } from '../longhorn/options-schema.js';
import {
  EXTENSION_NAME_PATTERN,
  KERNEL_ARG_PATTERN,
  MAX_KERNEL_ARG_LENGTH,
} from '../talos/schematic.js';

/** Where `schemas/plan.schema.json` finds the node options: the file beside it. */
export const NODE_OPTIONS_SCHEMA_FILE = 'node-options.schema.json';
export const PLAN_SCHEMA_ID = 'plan.schema.json';

/** Node names become file names (`<name>.patch.yaml`), so they are DNS-like and lower case. */
export const NODE_NAME_PATTERN = '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$';
export const MAX_NODE_NAME_LENGTH = 128;
export const MAX_NODES = 10_000;

type OptionKey = keyof typeof NODE_OPTIONS_SCHEMA.properties;
export const NODE_OPTION_KEYS = Object.keys(NODE_OPTIONS_SCHEMA.properties) as OptionKey[];

/** Every per-node override points at the node-options schema, so each field is defined once. */
const nodeOptionRefs = Object.fromEntries(
  NODE_OPTION_KEYS.map((key) => [key, { $ref: `${NODE_OPTIONS_SCHEMA_FILE}#/properties/${key}` }]),
);

/**
 * The JSON Schema of a cluster plan. `schemas/plan.schema.json` is this object written out (a
 * test keeps them equal); editors resolve its `$ref`s to `node-options.schema.json` beside it.
 */
export const PLAN_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: PLAN_SCHEMA_ID,
  title: 'talos-longhorn cluster plan',
  description:
    "Talos nodes to prepare for Longhorn's v2 data engine: cluster-wide defaults and one entry per node.",
  type: 'object',
  additionalProperties: false,
  required: ['nodes'],
  properties: {
    talosVersion: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description: 'Talos version the patches are written for, e.g. "1.11" or "v1.11.3".',
    },
    configOrigin: {
      type: 'string',
      minLength: 1,
      maxLength: 32,
      description:
        "Talos version whose gen config created the nodes' machine configuration (default: talosVersion); a node created before 1.14 keeps node labels in machine.nodeLabels.",
    },
    extensions: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', pattern: EXTENSION_NAME_PATTERN, maxLength: 128 },
      description:
        'Official extensions added to the schematic besides siderolabs/iscsi-tools and siderolabs/util-linux-tools.',
    },
    extraKernelArgs: {
      type: 'array',
      maxItems: 128,
      items: { type: 'string', pattern: KERNEL_ARG_PATTERN, maxLength: MAX_KERNEL_ARG_LENGTH },
      description: 'Kernel arguments for the schematic, one per item, in order.',
    },
    defaults: {
      $ref: NODE_OPTIONS_SCHEMA_FILE,
      description: 'Node options every node starts from; a node overrides them field by field.',
    },
    nodes: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_NODES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        not: { required: ['machineId', 'nodeId'] },
        properties: {
          name: {
            type: 'string',
            pattern: NODE_NAME_PATTERN,
            maxLength: MAX_NODE_NAME_LENGTH,
            description:
              'Node name; the generated files are <name>.patch.yaml and <name>.identity.json.',
          },
          machineId: {
            type: 'string',
            description: "The node's machine-id (32 hex characters), when known.",
          },
          nodeId: {
            type: 'string',
            description: 'The node identity (talosctl get identities: spec.nodeId), when known.',
          },
          ...nodeOptionRefs,
        },
      },
    },
  },
} as const;
