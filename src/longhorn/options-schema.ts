import { DEFAULT_CLEANUP_INTERVAL_SECONDS, DEFAULT_CLEANUP_MODE } from './extension-contract.js';
import { BYTE_SIZE_PATTERN, CLEANUP_MODES, MAX_DISK_SELECTOR_LENGTH } from './plan.js';
import {
  DEFAULT_DATA_PATH_MIN_SIZE,
  DEFAULT_MEMORY_SIZE_MIB,
  MAX_CLEANUP_INTERVAL_SECONDS,
  MAX_HUGEPAGES,
  MAX_MEMORY_SIZE_MIB,
  MAX_MODULE_NAME_LENGTH,
  MIN_CLEANUP_INTERVAL_SECONDS,
} from './requirements.js';

export const NODE_OPTIONS_SCHEMA_ID = 'urn:talos-longhorn:schemas:node-options';

/**
 * The JSON Schema of `NodeOptions`, built from the same constants `planNode` checks against.
 * `schemas/node-options.schema.json` is this object, written out (a test keeps them equal).
 * The schema checks shape and ranges; `planNode` adds what a schema cannot say (page count
 * against memory size, PCI address normalisation, contradictions between options).
 */
export const NODE_OPTIONS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: NODE_OPTIONS_SCHEMA_ID,
  title: 'talos-longhorn node options',
  description:
    "What one Talos node needs for Longhorn's v2 data engine, independent of the Talos version.",
  type: 'object',
  additionalProperties: false,
  properties: {
    v2DataEngine: {
      type: 'boolean',
      default: true,
      description: 'Run the v2 data engine on this node; false opts the node out.',
    },
    memorySizeMiB: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_MEMORY_SIZE_MIB,
      default: DEFAULT_MEMORY_SIZE_MIB,
      description: "Longhorn's v2 data-engine-memory-size in MiB; huge pages = ceil(MiB / 2).",
    },
    hugepages: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_HUGEPAGES,
      description: 'Explicit count of 2 MiB huge pages, never fewer than memorySizeMiB needs.',
    },
    encryption: {
      type: 'boolean',
      default: true,
      description: 'Load dm_crypt for encrypted volumes.',
    },
    ublk: { type: 'boolean', default: false, description: 'Load ublk_drv (Talos >= 1.12).' },
    extraModules: {
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
    dataPath: {
      type: 'boolean',
      default: false,
      description: 'Provide the data path for filesystem (v1) disks.',
    },
    dataPathDisk: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_DISK_SELECTOR_LENGTH,
      description: 'Talos disk selector (CEL) for a dedicated data-path partition (Talos >= 1.10).',
    },
    dataPathMinSize: {
      type: 'string',
      pattern: BYTE_SIZE_PATTERN.source,
      default: DEFAULT_DATA_PATH_MIN_SIZE,
    },
    disks: {
      type: 'array',
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 256 },
      description: 'v2 disks: PCI addresses (0000:01:00.0) and/or block device paths (/dev/...).',
    },
    vfioRebind: {
      type: 'boolean',
      default: false,
      description: 'Rebind PCI-addressed disks to vfio-pci (Talos >= 1.10).',
    },
    extension: {
      type: 'boolean',
      default: true,
      description: 'Configure the longhorn-v2-node extension service.',
    },
    cleanupMode: { enum: [...CLEANUP_MODES], default: DEFAULT_CLEANUP_MODE },
    cleanupIntervalSeconds: {
      type: 'integer',
      minimum: MIN_CLEANUP_INTERVAL_SECONDS,
      maximum: MAX_CLEANUP_INTERVAL_SECONDS,
      default: DEFAULT_CLEANUP_INTERVAL_SECONDS,
    },
  },
} as const;
