import { TalosLonghornError } from '../errors.js';
import { deriveIdentity, type Identity } from '../identity/derive.js';
import { machineIdFromNodeId, parseMachineId } from '../identity/machine-id.js';
import { optionQueryKeys, type QuerySpelling } from '../longhorn/option-descriptors.js';
import type { NodeOptions } from '../longhorn/options.js';
import { planNode } from '../longhorn/plan.js';
import { DEFAULT_LONGHORN_VERSION, parseLonghornVersion } from '../longhorn/versions.js';
import { checkConfigOrigin, nodeMetadataForm, patchHeader } from '../talos/capabilities.js';
import { renderTalosDocuments } from '../talos/render.js';
import { longhornSchematic, marshalSchematic, schematicId } from '../talos/schematic.js';
import { renderPatch } from '../talos/serialise.js';
import { DEFAULT_TALOS_VERSION, parseTalosVersion } from '../talos/versions.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { readBounded } from './files.js';
import type { Io } from './io.js';
import { nodeOptionsFrom, queryLabel, relabelOptionError } from './node-flags.js';

/** A query is a few hundred bytes; 64 KiB is generous and still refuses a runaway input. */
export const MAX_QUERY_BYTES = 64 * 1024;
/** Terraform's external data source counts any non-zero status as failure. */
const EXIT_FAILURE = 1;

type Query = Readonly<Record<string, string>>;

/** The node-option query keys (from the option table), then the others. */
const OPTION_KEYS = optionQueryKeys();
const OTHER_KEYS = [
  'machine_id',
  'node_id',
  'talos_version',
  'longhorn_version',
  'config_origin',
  'extensions',
  'extra_kernel_args',
];
const QUERY_KEYS = [...OTHER_KEYS, ...OPTION_KEYS.map(({ spelling }) => spelling.key)].sort();

const help = `Usage: talos-longhorn terraform

A Terraform "external" data source program: reads one JSON object of strings on stdin and
writes one JSON object of strings on stdout. No files are written; output is deterministic.

  data "external" "longhorn" {
    program = ["\${path.module}/node_modules/.bin/talos-longhorn", "terraform"]
    query   = { machine_id = "...", talos_version = "1.11", disks = "0000:01:00.0" }
  }

Query keys (all optional; an empty string counts as absent; {} gives the default patch):
  machine_id | node_id        the node's identity (gives machine_id, iqn, ... in the result)
  talos_version              e.g. 1.11 or v1.11.3 (default ${DEFAULT_TALOS_VERSION}, the newest released)
  config_origin              Talos version whose gen config created the node's config
                             (default: talos_version); before 1.14, labels stay in machine.nodeLabels
  longhorn_version           e.g. 1.10 or 1.10.2 (default ${DEFAULT_LONGHORN_VERSION})
  v2_data_engine             "true" (default) or "false"
  memory_size_mib, hugepages Longhorn's v2 memory size (MiB) / explicit count of 2 MiB pages
  encryption, ublk, data_path, vfio_rebind, extension     "true" or "false"
  data_path_disk, data_path_min_size                       as the patch command's flags
  disks                      comma-separated PCI addresses and/or /dev/ paths
  modules                    comma-separated extra kernel modules
  module_params              comma-separated NAME:KEY=VALUE module parameters
  cleanup_mode               off, report or remove; cleanup_interval_seconds
  extensions                 comma-separated extra official extensions for the schematic
  extra_kernel_args          blank-separated extra kernel arguments for the schematic

Result keys (every value a string): machine_id, iqn, initiator_name, host_id, host_nqn (when an
identity was given), patch (YAML strategic-merge patch for config_patches), schematic (YAML),
schematic_id, kernel_modules (a JSON list: use jsondecode()).
`;

function bool(value: string, key: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw queryError(key, `${JSON.stringify(value)} is not a boolean; expected "true" or "false"`);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A query value (always a string) as the option's value, by the key's kind. */
function fromQuery(spelling: QuerySpelling, value: string): unknown {
  const key = spelling.key;
  switch (spelling.kind) {
    case 'boolean':
      return bool(value, key);
    case 'integer':
      if (!/^\d{1,16}$/.test(value)) {
        throw queryError(key, `${JSON.stringify(value)} is not a whole number`);
      }
      return Number(value);
    case 'list':
      return list(value);
    case 'json':
      try {
        return JSON.parse(value);
      } catch (err) {
        throw queryError(key, `not JSON (use jsonencode): ${(err as Error).message}`);
      }
    default:
      return value;
  }
}

function queryError(key: string, message: string): TalosLonghornError {
  return new TalosLonghornError('invalid-input', message, { field: `query.${key}` });
}

/** Parse stdin as Terraform sends it: one JSON object whose values are all strings. */
export function parseQuery(text: string): Query {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TalosLonghornError('invalid-input', `invalid JSON: ${reason}`, { field: 'query' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TalosLonghornError('invalid-input', 'expected a JSON object of strings', {
      field: 'query',
    });
  }
  const query: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!QUERY_KEYS.includes(key)) {
      throw queryError(key, `unknown key; expected one of ${QUERY_KEYS.join(', ')}`);
    }
    if (typeof item !== 'string') {
      const got = item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item;
      throw queryError(key, `expected a string, got ${got} (Terraform passes strings)`);
    }
    if (item !== '') query[key] = item;
  }
  return query;
}

/** The node options a query sets (only the keys given appear in the result). */
export function nodeOptionsFromQuery(query: Query): NodeOptions {
  return nodeOptionsFrom({
    value: (option) => {
      if (!('key' in option.query)) return undefined;
      const value = query[option.query.key];
      return value === undefined ? undefined : fromQuery(option.query, value);
    },
    items: (part) => {
      const value = query[part.query];
      return value === undefined ? undefined : list(value);
    },
    label: queryLabel,
  });
}

function identityFromQuery(query: Query): Identity | undefined {
  if (query.machine_id !== undefined && query.node_id !== undefined) {
    throw queryError('node_id', 'give only one of machine_id or node_id');
  }
  if (query.machine_id !== undefined) {
    return deriveIdentity({ machineId: parseMachineId(query.machine_id, 'query.machine_id') });
  }
  if (query.node_id !== undefined) {
    return deriveIdentity({ machineId: machineIdFromNodeId(query.node_id, 'query.node_id') });
  }
  return undefined;
}

/** The data source's result: every value a string, keys in a fixed order. */
export function terraformResult(query: Query): Record<string, string> {
  const identity = identityFromQuery(query);
  const version =
    query.talos_version === undefined
      ? DEFAULT_TALOS_VERSION
      : parseTalosVersion(query.talos_version, 'query.talos_version');
  const origin =
    query.config_origin === undefined
      ? version
      : parseTalosVersion(query.config_origin, 'query.config_origin');
  checkConfigOrigin(version, origin, 'query.config_origin');
  const schematic = longhornSchematic(
    {
      extensions: list(query.extensions ?? ''),
      extraKernelArgs: (query.extra_kernel_args ?? '').split(/\s+/).filter((arg) => arg !== ''),
    },
    { extensions: 'query.extensions', extraKernelArgs: 'query.extra_kernel_args' },
  );
  let patch: string;
  let modules: string[];
  try {
    const longhorn =
      query.longhorn_version === undefined
        ? DEFAULT_LONGHORN_VERSION
        : parseLonghornVersion(query.longhorn_version, 'query.longhorn_version');
    const needs = planNode(nodeOptionsFromQuery(query), longhorn);
    const documents = renderTalosDocuments(needs, version, {
      nodeMetadata: nodeMetadataForm(version, origin),
    });
    patch = renderPatch(documents, { format: 'yaml', header: patchHeader(version, origin) });
    modules = needs.modules.map((module) => module.name);
  } catch (err) {
    throw relabelOptionError(err, queryLabel);
  }
  return {
    ...(identity === undefined
      ? {}
      : {
          machine_id: identity.machineId,
          iqn: identity.iqn,
          initiator_name: identity.initiatorName,
          host_id: identity.hostId,
          host_nqn: identity.hostNqn,
        }),
    patch,
    schematic: marshalSchematic(schematic),
    schematic_id: schematicId(schematic),
    kernel_modules: JSON.stringify(modules),
  };
}

function fail(io: Io, err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`talos-longhorn: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return EXIT_FAILURE;
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_FAILURE]: {
      meaning:
        "any error (Terraform's external data source fails on any non-zero status): one line on stderr, nothing on stdout",
    },
  },
  examples: [
    {
      what: 'What Terraform runs, by hand',
      run: `echo '{"talos_version": "1.11", "disks": "0000:01:00.0"}' | talos-longhorn terraform`,
    },
  ],
  async run(args, io) {
    try {
      parseCommandArgs(args, {});
      const input = await readBounded(io.stdin, MAX_QUERY_BYTES, 'query');
      const result = terraformResult(parseQuery(input.toString('utf8')));
      io.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (err) {
      return fail(io, err);
    }
  },
};
