import { resolve } from 'node:path';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, TalosLonghornError } from '../errors.js';
import {
  DEFAULT_LONGHORN_VERSION,
  parseLonghornVersion,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../longhorn/versions.js';
import { writeClusterFiles } from '../output/cluster-files.js';
import { loadPlan, MAX_PLAN_BYTES } from '../plan/load.js';
import { formatNextSteps, formatSummary } from '../plan/render.js';
import { isPreRelease } from '../talos/versions.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { readInputFile } from './files.js';

const help = `Usage: talos-longhorn generate PLAN --out DIR [--longhorn-version VERSION]

Generate everything a cluster plan describes, for talosctl, talhelper, Omni or Helm:
  <node>.patch.yaml        the node's machine-config patch (strategic merge, Talos version of the plan)
  <node>.identity.json     machine-id, IQN, initiator name, NVMe host ID/NQN (nodes with an identity)
  schematic.yaml           the Image Factory schematic, its ID in the leading comment
  <node>.longhorn-node.yaml  merge patch of the Longhorn Node registering the node's v2 disks
                           (kubectl -n longhorn-system patch nodes.longhorn.io <node> --type merge --patch-file FILE)
  installer.yaml           imager profile: the schematic's installer with longhorn-v2-node added
                           (Image Factory serves official extensions only; build it with the
                           imager to install the extension)
  longhorn-values.yaml     Longhorn Helm values: v2 engine, huge pages, memory size
  longhorn-namespace.yaml  the longhorn-system Namespace with privileged Pod Security labels

PLAN is a YAML (or JSON) file following schemas/plan.schema.json; "-" reads stdin.
A summary table (node, IQN, host NQN, huge pages, disks) is printed on stdout, then the Longhorn
version, the kubelet restart huge pages need and the Node patch commands.

Output is deterministic: the same plan gives the same bytes. Files are written atomically, and
files whose content is already right are left untouched. Files of nodes no longer in the plan
are not removed.

Options:
  --out DIR                   directory to write to (created when missing)
  --longhorn-version VERSION  Longhorn the values and Node patches are for, overriding the plan's
                              longhornVersion: ${SUPPORTED_LONGHORN_VERSIONS.join(', ')}; default ${DEFAULT_LONGHORN_VERSION}
`;

const options = { out: { type: 'string' }, 'longhorn-version': { type: 'string' } } as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readPlanText(path: string, io: Parameters<Command['run']>[1]): Promise<string> {
  const bytes = await readInputFile(path, io, MAX_PLAN_BYTES, 'PLAN');
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TalosLonghornError('invalid-input', `${path} is not UTF-8 text`, { field: 'PLAN' });
  }
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_BAD_INPUT]: 'a bad plan (the error names FILE:LINE:COLUMN and the field) or usage',
    [EXIT_ENVIRONMENT]: 'could not write',
  },
  examples: [
    {
      what: 'Everything for the three-node talosctl example, written to out/',
      run: 'talos-longhorn generate examples/talosctl/plan.yaml --out out',
    },
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, options, true);
    if (positionals.length !== 1) {
      throw new TalosLonghornError(
        'usage',
        positionals.length === 0 ? 'give the plan file (see --help)' : 'give one plan file',
        { field: 'PLAN' },
      );
    }
    const out = values.out;
    if (out === undefined || out === '') {
      throw new TalosLonghornError('usage', 'give the output directory', { field: '--out' });
    }
    if (out === '-') {
      throw new TalosLonghornError('usage', 'generate writes several files; give a directory', {
        field: '--out',
      });
    }
    const flag = values['longhorn-version'];
    const longhornVersion =
      flag === undefined ? undefined : parseLonghornVersion(flag, '--longhorn-version');
    const path = positionals[0] ?? '-';
    const plan = loadPlan(
      await readPlanText(path, io),
      path === '-' ? '<stdin>' : path,
      longhornVersion === undefined ? {} : { longhornVersion },
    );
    const { written, unchanged } = await writeClusterFiles(plan, resolve(io.cwd, out), {
      label: out,
    }).catch((err: unknown) => {
      throw err instanceof TalosLonghornError && err.field === 'dir'
        ? new TalosLonghornError(err.code, err.detail, { field: '--out', cause: err })
        : err;
    });
    io.stdout.write(formatSummary(plan));
    io.stdout.write(
      `\nTalos ${plan.talosVersion} (${isPreRelease(plan.talosVersion) ? 'a pre-release; ' : ''}installer ${plan.installer.tag}${plan.installer.fromFacts ? ', the newest release known' : ''}; node config created by Talos ${plan.configOrigin}), schematic ${plan.schematicId}\n`,
    );
    io.stdout.write(formatNextSteps(plan, out));
    io.stdout.write(`${written.length + unchanged.length} files in ${out}\n`);
    return 0;
  },
};
