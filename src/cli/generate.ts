import { resolve } from 'node:path';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, TalosLonghornError } from '../errors.js';
import { longhornHelmValues } from '../longhorn/helm-values.js';
import { writeClusterFiles } from '../output/cluster-files.js';
import { loadPlan, MAX_PLAN_BYTES } from '../plan/load.js';
import { formatSummary } from '../plan/render.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { readInputFile } from './files.js';

const help = `Usage: talos-longhorn generate PLAN --out DIR

Generate everything a cluster plan describes, for talosctl, talhelper, Omni or Helm:
  <node>.patch.yaml        the node's machine-config patch (strategic merge, Talos version of the plan)
  <node>.identity.json     machine-id, IQN, initiator name, NVMe host ID/NQN (nodes with an identity)
  schematic.yaml           the Image Factory schematic, its ID in the leading comment
  longhorn-values.yaml     Longhorn Helm values: v2 engine, huge pages, memory size
  longhorn-namespace.yaml  the longhorn-system Namespace with privileged Pod Security labels

PLAN is a YAML (or JSON) file following schemas/plan.schema.json; "-" reads stdin.
A summary table (node, IQN, host NQN, huge pages, disks) is printed on stdout.

Output is deterministic: the same plan gives the same bytes. Files are written atomically, and
files whose content is already right are left untouched. Files of nodes no longer in the plan
are not removed.

Options:
  --out DIR    directory to write to (created when missing)
`;

const options = { out: { type: 'string' } } as const;

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
    const path = positionals[0] ?? '-';
    const plan = loadPlan(await readPlanText(path, io), path === '-' ? '<stdin>' : path);
    const { written, unchanged } = await writeClusterFiles(plan, resolve(io.cwd, out), {
      label: out,
    }).catch((err: unknown) => {
      throw err instanceof TalosLonghornError && err.field === 'dir'
        ? new TalosLonghornError(err.code, err.detail, { field: '--out', cause: err })
        : err;
    });
    io.stdout.write(formatSummary(plan));
    const settings = longhornHelmValues(plan.nodes.map((node) => node.needs)).defaultSettings;
    io.stdout.write(
      [
        '',
        `Talos ${plan.talosVersion}, schematic ${plan.schematicId}`,
        `Longhorn: v2DataEngine ${settings.v2DataEngine}, dataEngineMemorySize ${settings.dataEngineMemorySize ?? '-'}`,
        `${written.length + unchanged.length} files in ${out}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
