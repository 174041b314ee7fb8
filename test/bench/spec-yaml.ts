// Benchmark: reading COSI resource specs with the one-pass reader for small scalar mappings
// (`parseSimpleYaml`) against the general `yaml` parser, side by side in one run, on specs shaped
// like those Talos sends (Identities, Services, KernelParamStatuses, ExtensionStatuses). Two
// measures: warm time per spec (alternating batches, medians), and the first parse in a fresh
// process, where `yaml` also pays V8 compiling its parser (median of fresh processes).
// Run: npx tsx test/bench/spec-yaml.ts
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseSimpleYaml } from '../../src/api/spec-yaml.js';
import { median } from './stats.js';

const SPECS: Record<string, string> = {
  identity: 'nodeId: 7Gd3bOlzEh8aHKqAvNhNnGeKmGcC4YXoEa8jRrMOUkAw\n',
  service: 'id: kubelet\nrunning: true\nhealthy: true\nunknown: false\n',
  kernelParam: "current: '1024'\ndefault: '0'\nunsupported: false\n",
  extension: [
    'image: 000-longhorn-v2-node.sqsh',
    'metadata:',
    '    name: longhorn-v2-node',
    '    version: 0.1.0',
    '    author: talos-longhorn',
    '    description: Provides /dev/fd, checks the node and cleans leftover Longhorn v2 devices',
    '    compatibility:',
    '        talos:',
    "            version: '>= v1.9.0'",
    '',
  ].join('\n'),
};

const mode = process.argv[2];
if (mode === 'cold-simple' || mode === 'cold-yaml') {
  // One fresh process: time the first parse of each spec, after the modules are loaded.
  const read = mode === 'cold-simple' ? parseSimpleYaml : (text: string) => parse(text);
  const start = process.hrtime.bigint();
  for (const text of Object.values(SPECS)) read(text);
  process.stdout.write(`${Number(process.hrtime.bigint() - start) / 1e3}\n`);
  process.exit(0);
}

// Every spec must take the fast path and read as yaml reads it, or the comparison is void.
for (const [name, text] of Object.entries(SPECS)) {
  const fast = parseSimpleYaml(text);
  if (JSON.stringify(fast) !== JSON.stringify(parse(text)))
    throw new Error(`${name}: the one-pass reader and yaml disagree`);
}

const BATCH = 2_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const texts = Object.values(SPECS);

function batchMicros(read: (text: string) => unknown): number {
  const start = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < BATCH; i++) {
    const v = read(texts[i % texts.length] as string);
    if (v !== undefined) sink++;
  }
  if (sink !== BATCH) throw new Error('a spec did not parse');
  return Number(process.hrtime.bigint() - start) / 1e3 / BATCH;
}

const simpleWarm: number[] = [];
const yamlWarm: number[] = [];
// Warm both up before measuring.
batchMicros(parseSimpleYaml);
batchMicros((t) => parse(t));
for (let run = 0; run < RUNS; run++) {
  simpleWarm.push(batchMicros(parseSimpleYaml));
  yamlWarm.push(batchMicros((t) => parse(t)));
}

const self = fileURLToPath(import.meta.url);
function coldMicros(which: 'cold-simple' | 'cold-yaml'): number {
  const result = spawnSync(process.execPath, ['--import', 'tsx', self, which], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${which}: exited ${result.status}: ${result.stderr}`);
  return Number(result.stdout.trim());
}
const simpleCold: number[] = [];
const yamlCold: number[] = [];
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);
for (let run = 0; run < COLD_RUNS; run++) {
  simpleCold.push(coldMicros('cold-simple'));
  yamlCold.push(coldMicros('cold-yaml'));
}

const fmt = (us: number) => `${us.toFixed(1)} µs`;
const warmS = median(simpleWarm);
const warmY = median(yamlWarm);
const coldS = median(simpleCold);
const coldY = median(yamlCold);
console.log(`spec-yaml: ${texts.length} Talos-shaped specs`);
console.log(
  `  warm, per spec (median of ${RUNS} batches of ${BATCH}): one-pass ${fmt(warmS)}, yaml ${fmt(warmY)} (${(warmY / warmS).toFixed(1)}×)`,
);
console.log(
  `  cold, first parse of all ${texts.length} in a fresh process (median of ${COLD_RUNS}): one-pass ${fmt(coldS)}, yaml ${fmt(coldY)} (${(coldY / coldS).toFixed(1)}×)`,
);
