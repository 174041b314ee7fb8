// `--apply`: merge a patch into each node's machine config and apply it over the Talos API —
// a dry run on every node first (by default), then the real apply only if every dry run passed.
import type { ApplyMode } from '../api/client.js';
import type { PatchNodeResult } from '../api/patch-config.js';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, TalosLonghornError } from '../errors.js';
import type { NodeMetadataForm } from '../talos/capabilities.js';
import { oneOf, parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import type { Io } from './io.js';
import {
  connectTalos,
  resolveTalosTarget,
  TALOS_TARGET_HELP,
  type TalosTargetFlags,
  talosTargetOptions,
} from './talos-target.js';

export const applyOptions = {
  ...talosTargetOptions,
  mode: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'skip-dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export const APPLY_HELP = `Applying (--apply; needs role os:admin):
  --mode MODE               auto (default), no-reboot, reboot (Talos 1.9-1.13), staged or try
  --dry-run                 only ask each node what the apply would do
  --skip-dry-run            apply without the dry run that otherwise runs on every node first
  --force                   send the merged config even when it would not change
The patch is merged into each node's current machine config (strategic merge, as
talosctl patch mc does, except that the documents and list entries the patch names replace
the node's instead of being added twice) and the result is applied; a node whose config would
not change is skipped and nothing is sent to it.
${TALOS_TARGET_HELP}`;

const MODES = ['auto', 'no-reboot', 'reboot', 'staged', 'try'] as const;

export interface ApplyFlags extends TalosTargetFlags {
  readonly mode?: string | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly 'skip-dry-run'?: boolean | undefined;
  readonly force?: boolean | undefined;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function report(result: PatchNodeResult, dryRun: boolean): string {
  if (!result.changed) return `node ${result.node}: no change, nothing sent\n`;
  const { apply } = result;
  const verb = dryRun ? 'dry run' : 'applied';
  const lines = [`node ${result.node}: ${verb} (mode ${apply.mode})`];
  if (apply.modeDetails.trim() !== '') lines.push(indent(apply.modeDetails));
  for (const warning of apply.warnings) lines.push(`    warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A patch to apply: fixed text (a file), or text rendered per node for the form node labels must
 * take there, which only the node's stored config can tell (Talos 1.14 refuses a KubeNodeConfig
 * beside the v1alpha1 label fields that configs created before 1.14 carry).
 */
export type PatchSource = string | ((nodeMetadata: NodeMetadataForm) => string);

/**
 * Apply `patch` to every target node and report per node on stdout. Returns the exit status.
 * The first failing node stops the run: in the dry-run phase before anything was applied.
 */
export async function applyPatchToNodes(
  source: PatchSource,
  flags: ApplyFlags,
  io: Io,
): Promise<number> {
  const mode: ApplyMode = oneOf('--mode', flags.mode, MODES, 'auto');
  if (flags['dry-run'] && flags['skip-dry-run']) {
    throw new TalosLonghornError('usage', 'cannot be combined with --dry-run', {
      field: '--skip-dry-run',
    });
  }
  if (typeof source === 'string' && source.trim() === '') {
    throw new TalosLonghornError('invalid-input', 'the patch is empty', { field: 'patch' });
  }
  const target = await resolveTalosTarget(flags, io);
  const client = await connectTalos(target);
  const { checkApplyMode, patchNodeConfig, readMachineConfig } = await import(
    '../api/patch-config.js'
  );
  const { parseDocuments } = await import('../talos/strategic-merge.js');
  const { configOriginOf, kubeNodeConfigConflicts } = await import('../talos/config-origin.js');
  const force = flags.force === true;
  try {
    // Each node's version and stored config, read once for both phases.
    const nodes = await Promise.all(
      target.nodes.map(async (node) => {
        const [version, stored] = await Promise.all([
          client.version(node),
          readMachineConfig(client, node),
        ]);
        const storedDocuments = parseDocuments(stored, 'machine config');
        const patch = typeof source === 'string' ? source : source(configOriginOf(storedDocuments));
        if (typeof source === 'string') {
          const conflicts = kubeNodeConfigConflicts(storedDocuments);
          refuseConflicts(node, parseDocuments(patch, 'patch'), conflicts);
        }
        return { node, tag: version.tag, stored, patch };
      }),
    );
    // Before any dry run: a mode a node refuses fails the whole run, naming what it accepts.
    for (const node of nodes) {
      try {
        checkApplyMode(node.tag, mode, node.node);
      } catch (err) {
        throw err instanceof TalosLonghornError && err.field === 'mode'
          ? new TalosLonghornError(err.code, err.detail, { field: '--mode' })
          : err;
      }
    }
    const phase = async (dryRun: boolean) => {
      const results = await Promise.all(
        nodes.map(({ node, stored, patch }) =>
          patchNodeConfig(client, node, patch, { mode, dryRun, force }, stored),
        ),
      );
      for (const result of results) io.stdout.write(report(result, dryRun));
    };
    if (!flags['skip-dry-run']) await phase(true);
    if (!flags['dry-run']) await phase(false);
    return 0;
  } finally {
    client.close();
  }
}

/**
 * A fixed patch with a `KubeNodeConfig` cannot be applied to a node whose stored config sets the
 * v1alpha1 fields Talos 1.14 checks it against (`conflicts`): say so before anything is sent.
 */
function refuseConflicts(
  node: string,
  patchDocuments: readonly { readonly kind?: unknown }[],
  conflicts: readonly string[],
): void {
  if (conflicts.length === 0) return;
  if (!patchDocuments.some((doc) => doc.kind === 'KubeNodeConfig')) return;
  throw new TalosLonghornError(
    'invalid-input',
    `node ${node}: its stored config sets ${conflicts.join(', ')}, so Talos refuses the patch's KubeNodeConfig; regenerate it with --config-origin (e.g. 1.13) or use talos-longhorn patch --apply, which decides from the node`,
    { field: 'patch' },
  );
}

/** A patch file is a few KiB; a megabyte is certainly not one. */
const MAX_PATCH_BYTES = 1 << 20;

const help = `Usage: talos-longhorn apply (PATCH_FILE | -) [--nodes A,B] [--mode MODE] [--dry-run | --skip-dry-run]

Apply a Talos config patch (e.g. the output of talos-longhorn patch) to nodes over the Talos
API, without talosctl. "-" reads the patch from stdin.

${APPLY_HELP}`;

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_BAD_INPUT]: '',
    [EXIT_ENVIRONMENT]: 'a node could not be reached or refused the call',
  },
  examples: [
    {
      what: 'Dry-run, then apply a generated patch to a worker without rebooting',
      run: 'talos-longhorn apply worker-1.patch.yaml --nodes 10.5.0.3 --mode no-reboot',
    },
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, applyOptions, true);
    if (positionals.length !== 1) {
      throw new TalosLonghornError('usage', 'give exactly one patch file (or - for stdin)', {
        field: 'PATCH_FILE',
      });
    }
    const { readInputFile } = await import('./files.js');
    const path = positionals[0] ?? '-';
    const patch = await readInputFile(path, io, MAX_PATCH_BYTES, 'PATCH_FILE');
    return applyPatchToNodes(patch.toString('utf8'), values, io);
  },
};

/** `patch --apply`: the apply flags plus the switch itself, for the patch command's parser. */
export const PATCH_APPLY_FLAGS = { ...applyOptions, apply: { type: 'boolean' } } as const;

export const PATCH_APPLY_HELP = `Apply (instead of printing):
  --apply                   apply the patch to --nodes over the Talos API; with
                            --talos-version matching the nodes (a dry run runs first)
  also: --talosconfig, --context, --nodes, --endpoints, --timeout, --mode, --dry-run,
  --skip-dry-run, --force (see talos-longhorn apply --help)
`;

/** Run `patch --apply` with the generated YAML patch text. */
export function applyGeneratedPatch(
  source: PatchSource,
  values: ApplyFlags & { readonly output?: string | undefined; readonly out?: string | undefined },
  io: Io,
): Promise<number> {
  if (values.output !== undefined && values.output !== 'yaml') {
    throw new TalosLonghornError('usage', '--apply sends a YAML patch; drop --output', {
      field: '--output',
    });
  }
  if (values.out !== undefined) {
    throw new TalosLonghornError('usage', 'cannot be combined with --apply', { field: '--out' });
  }
  return applyPatchToNodes(source, values, io);
}
