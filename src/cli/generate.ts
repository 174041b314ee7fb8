import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TalosLonghornError } from '../errors.js';
import { longhornHelmValues } from '../longhorn/helm-values.js';
import { loadPlan, MAX_PLAN_BYTES } from '../plan/load.js';
import { type ClusterFile, formatSummary, renderClusterFiles } from '../plan/render.js';
import { isPreRelease } from '../talos/versions.js';
import { parseCommandArgs } from './args.js';
import { type FileToWrite, readInputFile, writeFilesAtomic } from './files.js';
import type { Command } from './main.js';

const help = `Usage: talos-longhorn generate PLAN --out DIR

Generate everything a cluster plan describes, for talosctl, talhelper, Omni or Helm:
  <node>.patch.yaml        the node's machine-config patch (strategic merge, Talos version of the plan)
  <node>.identity.json     machine-id, IQN, initiator name, NVMe host ID/NQN (nodes with an identity)
  schematic.yaml           the Image Factory schematic, its ID in the leading comment
  installer.yaml           imager profile: the schematic's installer with longhorn-v2-node added
                           (Image Factory serves official extensions only; build it with the
                           imager to install the extension)
  longhorn-values.yaml     Longhorn Helm values: v2 engine, huge pages, memory size
  longhorn-namespace.yaml  the longhorn-system Namespace with privileged Pod Security labels

PLAN is a YAML (or JSON) file following schemas/plan.schema.json; "-" reads stdin.
A summary table (node, IQN, host NQN, huge pages, disks) is printed on stdout.

Output is deterministic: the same plan gives the same bytes. Files are written atomically, and
files whose content is already right are left untouched. Files of nodes no longer in the plan
are not removed.

Options:
  --out DIR    directory to write to (created when missing)

Exit status: 0 ok, 2 bad plan or usage (the error names FILE:LINE:COLUMN and the field),
3 could not write.
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

/** Files compared at a time: enough to overlap I/O, few enough to stay far from EMFILE. */
const COMPARE_BATCH = 64;

/** Only files whose bytes differ are rewritten, so a second run touches nothing. */
async function changedFiles(dir: string, files: readonly ClusterFile[]): Promise<FileToWrite[]> {
  const changed: FileToWrite[] = [];
  for (let i = 0; i < files.length; i += COMPARE_BATCH) {
    const batch = files.slice(i, i + COMPARE_BATCH);
    const current = await Promise.all(
      batch.map((file) => readFile(resolve(dir, file.path), 'utf8').catch(() => undefined)),
    );
    batch.forEach((file, j) => {
      if (current[j] !== file.content) changed.push(file);
    });
  }
  return changed;
}

export const command: Command = {
  help,
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
    const path = positionals[0] ?? '-';
    const plan = loadPlan(await readPlanText(path, io), path === '-' ? '<stdin>' : path);
    const files = renderClusterFiles(plan);
    const dir = resolve(io.cwd, out);
    await writeFilesAtomic(dir, await changedFiles(dir, files));
    io.stdout.write(formatSummary(plan));
    const settings = longhornHelmValues(plan.nodes.map((node) => node.needs)).defaultSettings;
    io.stdout.write(
      [
        '',
        `Talos ${plan.talosVersion} (${isPreRelease(plan.talosVersion) ? 'a pre-release; ' : ''}installer ${plan.installer.tag}${plan.installer.fromFacts ? ', the newest release known' : ''}; node config created by Talos ${plan.configOrigin}), schematic ${plan.schematicId}`,
        `Longhorn: v2DataEngine ${settings.v2DataEngine}, dataEngineMemorySize ${settings.dataEngineMemorySize ?? '-'}`,
        `${files.length} files in ${out}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
