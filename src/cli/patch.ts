import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, TalosLonghornError } from '../errors.js';
import type { NodeNeeds } from '../longhorn/needs.js';
import type { NodeOptions } from '../longhorn/options.js';
import { parseNodeOptions } from '../longhorn/parse-options.js';
import { planNode } from '../longhorn/plan.js';
import {
  DEFAULT_LONGHORN_VERSION,
  parseLonghornVersion,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../longhorn/versions.js';
import {
  checkConfigOrigin,
  type NodeMetadataForm,
  nodeMetadataForm,
  patchHeader,
} from '../talos/capabilities.js';
import type { TalosDocument } from '../talos/documents.js';
import { renderTalosDocuments } from '../talos/render.js';
import { PATCH_FORMATS, type PatchFormat, renderPatch } from '../talos/serialise.js';
import {
  DEFAULT_TALOS_VERSION,
  parseTalosVersion,
  SUPPORTED_TALOS_VERSIONS,
  type TalosVersion,
} from '../talos/versions.js';
import { applyGeneratedPatch, PATCH_APPLY_FLAGS, PATCH_APPLY_HELP } from './apply.js';
import { outPath, outputFormat, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import type { Io } from './io.js';
import {
  hasNodeFlags,
  NODE_FLAGS,
  NODE_FLAGS_HELP,
  type NodeFlagValues,
  nodeOptionsFromFlags,
  withFlagName,
} from './node-flags.js';

/** An options file is a small JSON object; anything past 1 MiB is not one. */
const MAX_OPTIONS_FILE_BYTES = 1 << 20;

export const PATCH_FLAGS = {
  ...NODE_FLAGS,
  'talos-version': { type: 'string' },
  'longhorn-version': { type: 'string' },
  'config-origin': { type: 'string' },
  options: { type: 'string' },
  output: { type: 'string', short: 'o' },
  out: { type: 'string' },
} as const;

export type PatchFlagValues = NodeFlagValues & {
  readonly 'talos-version'?: string;
  readonly 'longhorn-version'?: string;
  readonly 'config-origin'?: string;
  readonly options?: string;
  readonly output?: string;
  readonly out?: string;
};

const help = `Usage: talos-longhorn patch [node options | --options FILE] [--talos-version VERSION]
                            [--longhorn-version VERSION] [--config-origin VERSION]
                            [-o yaml|json] [--out FILE]

Print the Talos machine-configuration patch that prepares one node for Longhorn's v2 data
engine, in the form the target Talos version expects: kernel modules, huge pages, v2 disks
(node label + annotation), optional data path and vfio-pci rebinding, and the settings of the
longhorn-v2-node extension. Use it with talosctl --config-patch @FILE, talosctl patch mc,
Terraform's config_patches or talhelper's patches.

Target:
  --talos-version VERSION   ${SUPPORTED_TALOS_VERSIONS.join(', ')} (written 1.13, v1.13 or v1.13.4);
                            default ${DEFAULT_TALOS_VERSION}, the newest released (a pre-release
                            such as 1.14 is only targeted when named)
  --config-origin VERSION   the Talos version whose gen config created the node's config
                            (default: the target); a node created before 1.14 keeps its
                            labels in machine.nodeLabels, as Talos 1.14 refuses a KubeNodeConfig
                            beside them (with --apply the node's stored config decides)
  --longhorn-version VERSION
                            ${SUPPORTED_LONGHORN_VERSIONS.join(', ')} (written 1.10 or 1.10.2); default
                            ${DEFAULT_LONGHORN_VERSION}. Decides whether the default-disks annotation is
                            kept (Longhorn drops it for PCI addresses and for two /dev/ paths);
                            \`generate\` also writes the Longhorn Node patch that registers the disks

${NODE_FLAGS_HELP}  --options FILE            read the node options as JSON (schemas/node-options.schema.json)
                            instead of flags; "-" reads stdin

Output:
  -o, --output FORMAT       yaml (default): a multi-document strategic-merge patch;
                            json: a JSON array of the same documents
  --out FILE                write the patch to FILE (atomically) instead of stdout; "-" is stdout

${PATCH_APPLY_HELP}`;

export interface PatchResult {
  readonly version: TalosVersion;
  readonly configOrigin: TalosVersion;
  readonly format: PatchFormat;
  readonly needs: NodeNeeds;
  readonly documents: readonly TalosDocument[];
  readonly text: string;
}

async function readOptionsFile(path: string, io: Io): Promise<unknown> {
  const { readInputFile } = await import('./files.js');
  const bytes = await readInputFile(path, io, MAX_OPTIONS_FILE_BYTES, '--options');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new TalosLonghornError(
      'invalid-input',
      `${path} is not JSON: ${(err as Error).message}`,
      {
        field: '--options',
        cause: err,
      },
    );
  }
}

async function nodeOptions(values: PatchFlagValues, io: Io): Promise<NodeOptions> {
  if (values.options === undefined) return nodeOptionsFromFlags(values);
  if (hasNodeFlags(values)) {
    throw new TalosLonghornError('usage', 'give node options as flags or in a file, not both', {
      field: '--options',
    });
  }
  return parseNodeOptions(await readOptionsFile(values.options, io));
}

/** Everything `patch` computes from its flags, before anything is written. */
export async function buildPatch(values: PatchFlagValues, io: Io): Promise<PatchResult> {
  const format = outputFormat(values.output, PATCH_FORMATS, 'yaml', true);
  const version =
    values['talos-version'] === undefined
      ? DEFAULT_TALOS_VERSION
      : parseTalosVersion(values['talos-version'], '--talos-version');
  const longhorn =
    values['longhorn-version'] === undefined
      ? DEFAULT_LONGHORN_VERSION
      : parseLonghornVersion(values['longhorn-version'], '--longhorn-version');
  const configOrigin =
    values['config-origin'] === undefined
      ? version
      : parseTalosVersion(values['config-origin'], '--config-origin');
  checkConfigOrigin(version, configOrigin, '--config-origin');
  const fromFlags = values.options === undefined;
  const options = await nodeOptions(values, io);
  try {
    const needs = planNode(options, longhorn);
    const nodeMetadata = nodeMetadataForm(version, configOrigin);
    const documents = renderTalosDocuments(needs, version, { nodeMetadata });
    const header = patchHeader(version, configOrigin);
    const text = renderPatch(documents, { format, header });
    return { version, configOrigin, format, needs, documents, text };
  } catch (err) {
    throw fromFlags ? withFlagName(err) : err;
  }
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_BAD_INPUT]: 'including a need the Talos version cannot express',
    [EXIT_ENVIRONMENT]: 'could not write; with --apply, a node could not be reached or refused',
  },
  examples: [
    {
      what: 'A worker with one NVMe disk for SPDK, for Talos 1.11, written to a file',
      run: 'talos-longhorn patch --talos-version 1.11 --disk 0000:01:00.0 --out worker.patch.yaml',
    },
    {
      what: 'The same patch as JSON on stdout',
      run: 'talos-longhorn patch --talos-version 1.11 --disk 0000:01:00.0 -o json',
    },
  ],
  async run(args, io) {
    const { values } = parseCommandArgs(args, { ...PATCH_FLAGS, ...PATCH_APPLY_FLAGS });
    const out = outPath(values.out);
    const patch = await buildPatch(values, io);
    if (values.apply) {
      // Each node's stored config decides the form of its labels (see PatchSource).
      const forNode = (nodeMetadata: NodeMetadataForm) =>
        renderPatch(renderTalosDocuments(patch.needs, patch.version, { nodeMetadata }), {
          format: 'yaml',
        });
      return applyGeneratedPatch(forNode, values, io);
    }
    if (out === undefined) {
      io.stdout.write(patch.text);
      return 0;
    }
    const { writeFileAtomic } = await import('./files.js');
    await writeFileAtomic(io.cwd, out, patch.text, '--out');
    return 0;
  },
};
