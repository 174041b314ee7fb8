// Benchmark: generate, validate and serialise patches for 1000 nodes with distinct options,
// against serialising the same documents with `yaml` alone, measured side by side.
// Run: npx tsx test/bench/patch.ts (target: ratio ≤ 3)
import { stringify } from 'yaml';
import {
  type NodeOptions,
  parseNodeOptions,
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  type TalosDocument,
} from '../../src/index.js';
import { formatMs, median } from './stats.js';

const NODES = 1000;
const ROUNDS = Number(process.env.BENCH_RUNS ?? 15);

/** Distinct options per node: disks, memory sizes, modules and versions all vary. */
function nodeInput(i: number): {
  options: unknown;
  version: (typeof SUPPORTED_TALOS_VERSIONS)[number];
} {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const version = SUPPORTED_TALOS_VERSIONS[i % SUPPORTED_TALOS_VERSIONS.length] ?? '1.14';
  const options: NodeOptions = {
    memorySizeMiB: 2048 + (i % 64) * 2,
    disks: [`0000:${hex(i % 256)}:00.0`, `/dev/disk/by-id/nvme-node-${i}`],
    extraModules: [{ name: `mod-${i % 10}`, parameters: [`id=${i}`] }],
    cleanupIntervalSeconds: 30 + (i % 100),
    ...(i % 5 === 0 ? { encryption: false } : {}),
    ...(version !== '1.10' && version !== '1.11' ? { dataPath: true } : {}),
  };
  return { options: JSON.parse(JSON.stringify(options)), version };
}

const inputs = Array.from({ length: NODES }, (_, i) => nodeInput(i));

function ours(): number {
  let bytes = 0;
  for (const { options, version } of inputs) {
    const needs = planNode(parseNodeOptions(options));
    bytes += renderPatch(renderTalosDocuments(needs, version), { format: 'yaml' }).length;
  }
  return bytes;
}

const documents: TalosDocument[][] = inputs.map(({ options, version }) =>
  renderTalosDocuments(planNode(options as NodeOptions), version),
);
function yamlAlone(): number {
  let bytes = 0;
  for (const docs of documents) bytes += docs.map((d) => stringify(d)).join('---\n').length;
  return bytes;
}

function time(fn: () => number): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

ours(); // warm up: compiles the options schema once, JITs both paths
yamlAlone();
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  b.push(time(yamlAlone));
  a.push(time(ours));
}
const ratio = median(a) / median(b);
console.log(
  `${NODES} nodes (median of ${ROUNDS}): yaml alone ${formatMs(median(b))}, talos-longhorn (validate + plan + render + serialise) ${formatMs(median(a))}, ratio ${ratio.toFixed(2)} (target ≤ 3.00)`,
);
