import {
  EXIT_BAD_INPUT,
  EXIT_CHECKS_FAILED,
  EXIT_ENVIRONMENT,
  TalosLonghornError,
} from '../errors.js';
import type { NodeNeeds } from '../longhorn/needs.js';
import { planNode } from '../longhorn/plan.js';
import {
  DEFAULT_LONGHORN_VERSION,
  type LonghornVersion,
  parseLonghornVersion,
  SUPPORTED_LONGHORN_VERSIONS,
} from '../longhorn/versions.js';
import { PREFLIGHT_CHECKS, preflightChecks } from '../preflight/checks/index.js';
import { type KubeNodeFact, parseKubeNode } from '../preflight/kube-node.js';
import { MAX_CALLS_PER_NODE, type NodeReader } from '../preflight/reader.js';
import { formatReport, REPORT_FORMATS, useColour } from '../preflight/report.js';
import {
  DEFAULT_CONCURRENCY,
  type PreflightTarget,
  preflightNodes,
  reportExitStatus,
} from '../preflight/run.js';
import { oneOf, parseCommandArgs } from './args.js';
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
import { withFlags } from './relabel.js';
import {
  resolveTalosTarget,
  TALOS_TARGET_HELP,
  type TalosTargetFlags,
  talosTargetOptions,
  wantsTalosApi,
} from './talos-target.js';

const checkLines = PREFLIGHT_CHECKS.map(
  (check) => `  ${check.id.padEnd(15)} ${check.group.padEnd(4)}  ${check.summary}`,
).join('\n');

const help = `Usage: talos-longhorn preflight ([--nodes A,B,...] [--talosconfig FILE] [--context NAME]
                                 [--endpoints A,B,...] [--timeout D] | --root DIR ...)
                                [node options | --plan FILE [--node NAME]]
                                [--longhorn-version VERSION] [--kube-node FILE ...]
                                [-o table|json|yaml] [--capture DIR] [--concurrency N]

Check Talos nodes against what \`talos-longhorn patch\` configures, before Longhorn's v2 data
engine does: kernel, CPU, modules (built-in ones count), IOMMU groups, huge pages, /dev/fd,
identity files, extensions, iscsid and the data path.

Sources (one or both):
${TALOS_TARGET_HELP}  --root DIR                a node directory instead: / on a node or inside the extension, or a
                            snapshot written by --capture; repeatable

  Role os:reader can List and read resources but not Read files: checks that need a file
  (kernel-version, cpu-flags, identity-files, ...) are then "skip" with the reason.

Expectations (default: a v2 node with 2048 MiB of huge pages):
  --plan FILE               a plan file (schemas/plan.schema.json): each node is checked against
                            the plan node of the same name, or against --node NAME for all
  --node NAME               the plan node to check every node against
${NODE_FLAGS_HELP}  --longhorn-version VERSION
                            the Longhorn planned (${SUPPORTED_LONGHORN_VERSIONS.join(', ')}; default
                            ${DEFAULT_LONGHORN_VERSION}, or the plan's longhornVersion)
  --kube-node FILE          a node's \`kubectl get node NAME -o json\` ("-" reads stdin), matched by
                            name (a single file with a single node applies to it); repeatable.
                            Feeds kubelet-hugepages: kubelet reports new huge pages only after
                            \`talosctl service kubelet restart\`
Output:
  -o, --output FORMAT       table (default; colour on a terminal unless NO_COLOR is set), json or
                            yaml: {"nodes": [{"node", "checks": [{"id", "group", "status",
                            "message", "remedy"?}]}]} (schemas/preflight-report.schema.json)
  --capture DIR             also save what was read from the node as a node directory at DIR
                            (new; written atomically), checkable later with --root DIR; not
                            written when the node could not be read (exit 3)
  --concurrency N           nodes checked at once (default ${DEFAULT_CONCURRENCY})

Checks (group base always runs, v2 when the v2 engine is planned):
${checkLines}
`;

const options = {
  ...NODE_FLAGS,
  ...talosTargetOptions,
  root: { type: 'string', multiple: true },
  plan: { type: 'string' },
  node: { type: 'string' },
  output: { type: 'string', short: 'o' },
  capture: { type: 'string' },
  concurrency: { type: 'string' },
  'longhorn-version': { type: 'string' },
  'kube-node': { type: 'string', multiple: true },
} as const;

type Values = NodeFlagValues &
  TalosTargetFlags & {
    readonly root?: string[];
    readonly plan?: string;
    readonly node?: string;
    readonly capture?: string;
    readonly concurrency?: string;
    readonly 'longhorn-version'?: string;
    readonly 'kube-node'?: string[];
  };

/** Largest `kubectl get node -o json` accepted: a Node object is a few tens of KiB. */
const MAX_KUBE_NODE_BYTES = 4 << 20;

async function readKubeNodes(files: readonly string[], io: Io): Promise<KubeNodeFact[]> {
  const { readInputFile } = await import('./files.js');
  const nodes: KubeNodeFact[] = [];
  for (const file of files) {
    const bytes = await readInputFile(file, io, MAX_KUBE_NODE_BYTES, '--kube-node');
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new TalosLonghornError(
        'invalid-input',
        `${file} is not JSON: ${(err as Error).message}`,
        { field: '--kube-node', cause: err },
      );
    }
    nodes.push(parseKubeNode(value, '--kube-node'));
  }
  return nodes;
}

function longhornFlag(values: Values): LonghornVersion | undefined {
  const text = values['longhorn-version'];
  return text === undefined ? undefined : parseLonghornVersion(text, '--longhorn-version');
}

const MAX_CONCURRENCY = 1000;

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CONCURRENCY;
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= MAX_CONCURRENCY)) {
    throw new TalosLonghornError(
      'usage',
      `${JSON.stringify(text)} is not a whole number from 1 to ${MAX_CONCURRENCY}`,
      { field: '--concurrency' },
    );
  }
  return value;
}

/** What each node is checked against: the patch flags, or a plan node. */
async function needsResolver(values: Values, io: Io): Promise<(node: string) => NodeNeeds> {
  if (values.plan === undefined) {
    if (values.node !== undefined) {
      throw new TalosLonghornError('usage', 'only applies together with --plan', {
        field: '--node',
      });
    }
    let needs: NodeNeeds;
    const longhorn = longhornFlag(values) ?? DEFAULT_LONGHORN_VERSION;
    try {
      needs = planNode(nodeOptionsFromFlags(values), longhorn);
    } catch (err) {
      throw withFlagName(err);
    }
    return () => needs;
  }
  if (hasNodeFlags(values)) {
    throw new TalosLonghornError('usage', 'give node options as flags or a plan, not both', {
      field: '--plan',
    });
  }
  const [{ readInputFile }, { loadPlan, MAX_PLAN_BYTES }] = await Promise.all([
    import('./files.js'),
    import('../plan/load.js'),
  ]);
  const text = (await readInputFile(values.plan, io, MAX_PLAN_BYTES, '--plan')).toString('utf8');
  const longhornVersion = longhornFlag(values);
  const plan = loadPlan(
    text,
    values.plan === '-' ? '<stdin>' : values.plan,
    longhornVersion === undefined ? {} : { longhornVersion },
  );
  const byName = new Map(plan.nodes.map((node) => [node.name, node.needs]));
  const names = plan.nodes.map((node) => node.name).join(', ');
  const lookup = (name: string, field: string): NodeNeeds => {
    const needs = byName.get(name);
    if (needs === undefined) {
      throw new TalosLonghornError(
        'invalid-input',
        `${JSON.stringify(name)} is not a node of the plan (${names}); give --node NAME`,
        { field },
      );
    }
    return needs;
  };
  if (values.node !== undefined) {
    const needs = lookup(values.node, '--node');
    return () => needs;
  }
  return (node) => lookup(node, '--plan');
}

async function apiTargets(
  values: Values,
  io: Io,
  concurrency: number,
): Promise<{ nodes: readonly string[]; open: (node: string) => NodeReader; close: () => void }> {
  const [target, { TalosClient }, { TalosApiReader }] = await Promise.all([
    resolveTalosTarget(values, io),
    import('../api/client.js'),
    import('../preflight/sources/talos-api.js'),
  ]);
  // Each node sends all its probes at once; the client must carry every node's in flight.
  const client = TalosClient.fromContext(target.context, {
    endpoints: target.endpoints,
    timeoutMs: target.timeoutMs,
    concurrency: Math.min(target.nodes.length, concurrency) * MAX_CALLS_PER_NODE,
  });
  return {
    nodes: target.nodes,
    open: (node) => new TalosApiReader(client, node),
    close: () => client.close(),
  };
}

function progressLine(io: Io): ((done: number, total: number) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  return (done, total) => {
    io.stderr.write(done < total ? `\rpreflight: ${done}/${total} nodes` : '\r\u001b[K');
  };
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_CHECKS_FAILED]: 'a check failed',
    [EXIT_BAD_INPUT]: '',
    [EXIT_ENVIRONMENT]: 'a node could not be reached or read',
  },
  examples: [
    {
      what: 'Check two nodes against a v2 node with one NVMe disk',
      run: 'talos-longhorn preflight --nodes 10.5.0.2,10.5.0.3 --disk 0000:01:00.0',
    },
    {
      what: 'Check each node of a plan against its plan node, as JSON',
      run: 'talos-longhorn preflight --plan plan.yaml -o json',
    },
  ],
  async run(args, io) {
    const { values } = parseCommandArgs(args, options);
    const format = oneOf('--output', values.output, REPORT_FORMATS, 'table');
    const concurrency = parseConcurrency(values.concurrency);
    const roots = values.root ?? [];
    if (roots.some((root) => root === '')) {
      throw new TalosLonghornError('usage', 'empty path', { field: '--root' });
    }
    // Without --root, the Talos API is the source (nodes from --nodes or the context).
    const useApi = roots.length === 0 || wantsTalosApi(values);
    const capture = values.capture;
    if (capture === '') throw new TalosLonghornError('usage', 'empty path', { field: '--capture' });
    const needsFor = await needsResolver(values, io);
    const kubeFiles = values['kube-node'] ?? [];
    if (kubeFiles.some((file) => file === '')) {
      throw new TalosLonghornError('usage', 'empty path', { field: '--kube-node' });
    }
    const kubeNodes = await readKubeNodes(kubeFiles, io);
    const { resolve } = await import('node:path');
    const { LocalRootReader } = await import('../preflight/sources/local-root.js');
    const localReaders = await withFlags({ root: '--root' }, () =>
      Promise.all(roots.map((root) => LocalRootReader.open(resolve(io.cwd, root), root))),
    );
    const targets: PreflightTarget[] = localReaders.map((reader) => ({
      node: reader.node,
      needs: needsFor(reader.node),
      open: async () => reader,
    }));
    const api = useApi ? await apiTargets(values, io, concurrency) : undefined;
    for (const node of api?.nodes ?? []) {
      const open = api?.open;
      if (open) targets.push({ node, needs: needsFor(node), open: async () => open(node) });
    }
    if (capture !== undefined && targets.length !== 1) {
      api?.close();
      throw new TalosLonghornError('usage', `captures exactly one node, not ${targets.length}`, {
        field: '--capture',
      });
    }
    let recording: import('../preflight/capture.js').RecordingReader | undefined;
    if (capture !== undefined) {
      const { RecordingReader } = await import('../preflight/capture.js');
      const [first] = targets;
      if (first !== undefined) {
        targets[0] = {
          ...first,
          open: async () => {
            recording = new RecordingReader(await first.open());
            return recording;
          },
        };
      }
    }
    const byName = new Map(kubeNodes.map((node) => [node.name, node]));
    const [onlyKubeNode] = kubeNodes;
    const single = kubeNodes.length === 1 && targets.length === 1 ? onlyKubeNode : undefined;
    const checks = preflightChecks({ kubeNodeFor: (node) => byName.get(node) ?? single });
    const onProgress = progressLine(io);
    let report: Awaited<ReturnType<typeof preflightNodes>>;
    try {
      report = await preflightNodes(targets, {
        concurrency,
        checks,
        // A capture is checked again later, perhaps with another plan: it holds every fact.
        ...(capture !== undefined ? { allFacts: true } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    } finally {
      api?.close();
    }
    if (capture !== undefined && recording !== undefined && report.nodes[0]?.error === undefined) {
      const { writeSnapshot } = await import('../preflight/capture.js');
      const recorded = recording;
      await withFlags({ dir: '--capture' }, () =>
        writeSnapshot(resolve(io.cwd, capture), recorded),
      );
    }
    io.stdout.write(await formatReport(report, format, useColour(io.stdout, io.env)));
    return reportExitStatus(report);
  },
};
