import { TalosLonghornError } from '../errors.js';
import type { NodeNeeds } from '../longhorn/needs.js';
import type { NodeOptions } from '../longhorn/options.js';
import { parseNodeOptions } from '../longhorn/parse-options.js';
import { planNode } from '../longhorn/plan.js';
import { checkConfigOrigin, nodeMetadataForm, patchHeader } from '../talos/capabilities.js';
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
import { oneOf, parseCommandArgs } from './args.js';
import type { Io } from './io.js';
import type { Command } from './main.js';
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
  'config-origin': { type: 'string' },
  options: { type: 'string' },
  output: { type: 'string' },
  out: { type: 'string', short: 'o' },
} as const;

export type PatchFlagValues = NodeFlagValues & {
  readonly 'talos-version'?: string;
  readonly 'config-origin'?: string;
  readonly options?: string;
  readonly output?: string;
  readonly out?: string;
};

const help = `Usage: talos-longhorn patch [node options | --options FILE] [--talos-version VERSION]
                            [--config-origin VERSION] [--output yaml|json] [-o FILE]

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

${NODE_FLAGS_HELP}  --options FILE            read the node options as JSON (schemas/node-options.schema.json)
                            instead of flags; "-" reads stdin

Output:
  --output FORMAT           yaml (default): a multi-document strategic-merge patch;
                            json: a JSON array of the same documents
  -o, --out FILE            write the patch to FILE (atomically) instead of stdout

${PATCH_APPLY_HELP}
Exit status: 0 ok, 2 bad input or usage (including a need the Talos version cannot express),
3 could not write (or, with --apply, a node could not be reached or refused the call).
`;

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
  const format = oneOf('--output', values.output, PATCH_FORMATS, 'yaml');
  const version =
    values['talos-version'] === undefined
      ? DEFAULT_TALOS_VERSION
      : parseTalosVersion(values['talos-version'], '--talos-version');
  const configOrigin =
    values['config-origin'] === undefined
      ? version
      : parseTalosVersion(values['config-origin'], '--config-origin');
  checkConfigOrigin(version, configOrigin, '--config-origin');
  const fromFlags = values.options === undefined;
  const options = await nodeOptions(values, io);
  try {
    const needs = planNode(options);
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
  async run(args, io) {
    const { values } = parseCommandArgs(args, { ...PATCH_FLAGS, ...PATCH_APPLY_FLAGS });
    if (values.out === '') throw new TalosLonghornError('usage', 'empty path', { field: '--out' });
    const patch = await buildPatch(values, io);
    if (values.apply) return applyGeneratedPatch(patch.text, values, io);
    if (values.out === undefined) {
      io.stdout.write(patch.text);
      return 0;
    }
    const { writeFileAtomic } = await import('./files.js');
    await writeFileAtomic(io.cwd, values.out, patch.text);
    return 0;
  },
};
