// The lean call plan: preflight collects only the facts of the checks that run (each check says
// which it reads), and asks fallbacks only when the file they replace could not be read. The
// reference is the full collection: for every fixture node, over both sources and both roles,
// and any plan, the lean report must equal the report made from every fact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeOptions } from '../../src/generated/node-options.js';
import { planNode } from '../../src/longhorn/plan.js';
import { collectFacts } from '../../src/preflight/collect.js';
import { FACT_NAMES } from '../../src/preflight/facts.js';
import { factsFor, runChecks } from '../../src/preflight/run.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { useFakeFleet } from './api-harness.js';
import {
  buildFixtureFleet,
  FIXTURE_DISK,
  type FixtureVariant,
  VARIANT_NAMES,
} from './fixture-nodes.js';

let roots = new Map<FixtureVariant, string>();
const fleet = useFakeFleet('tl-lean-', async (dir) => {
  const built = await buildFixtureFleet(dir);
  roots = built.roots;
  return built.nodes;
});

const options: fc.Arbitrary<NodeOptions> = fc
  .record(
    {
      v2DataEngine: fc.boolean(),
      disks: fc.subarray([FIXTURE_DISK, '/dev/nvme1n1']),
      dataPath: fc.boolean(),
      extension: fc.boolean(),
      encryption: fc.boolean(),
      memorySizeMiB: fc.constantFrom(1024, 2048, 4096),
      rawPartition: fc.constant({ minSize: '10GiB', ephemeralMaxSize: '50GiB' }),
    },
    { requiredKeys: [] },
  )
  .map((opts) => {
    // v2 options are refused on a node that opts out of the v2 engine.
    if (opts.v2DataEngine !== false) return opts;
    const { disks: _disks, rawPartition: _raw, memorySizeMiB: _memory, ...rest } = opts;
    return rest;
  });

type Source = 'root' | 'admin' | 'reader';

function readerFor(source: Source, variant: FixtureVariant) {
  if (source === 'root') return LocalRootReader.open(roots.get(variant) ?? '', variant);
  const client = source === 'admin' ? fleet.admin : fleet.reader;
  return Promise.resolve(new TalosApiReader(client, variant));
}

describe('lean preflight plan', () => {
  for (const source of ['root', 'admin', 'reader'] as const) {
    it(`${source}: the report from the facts the checks read equals the one from every fact`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...VARIANT_NAMES), options, async (variant, opts) => {
          const needs = planNode(opts);
          const lean = await collectFacts(await readerFor(source, variant), factsFor(needs));
          const full = await collectFacts(await readerFor(source, variant), FACT_NAMES);
          expect(runChecks(lean, needs)).toEqual(runChecks(full, needs));
        }),
        { numRuns: 25 },
      );
    });
  }

  it('a node costs only the calls its plan reads: fewer without raw partition or data path', async () => {
    const calls = async (opts: NodeOptions, role: 'admin' | 'reader') => {
      const before = fleet.server.calls.length;
      const needs = planNode(opts);
      const client = role === 'admin' ? fleet.admin : fleet.reader;
      await collectFacts(new TalosApiReader(client, 'healthy-1.13'), factsFor(needs));
      return fleet.server.calls
        .slice(before)
        .map((call) => `${call.method} ${JSON.stringify(call.request)}`);
    };
    const block = await calls({ disks: ['/dev/nvme1n1'] }, 'admin');
    const pci = await calls({ disks: [FIXTURE_DISK] }, 'admin');
    const everything = await calls(
      {
        disks: [FIXTURE_DISK],
        dataPath: true,
        rawPartition: { minSize: '10GiB', ephemeralMaxSize: '50GiB' },
      },
      'admin',
    );
    // A block disk: no IOMMU listing, no data-path directories, no partitions.
    expect(block.some((call) => call.includes('iommu_groups'))).toBe(false);
    expect(block.some((call) => call.includes('/var/'))).toBe(false);
    expect(block.some((call) => call.includes('DiscoveredVolumes'))).toBe(false);
    expect(pci.filter((call) => call.includes('iommu_groups'))).toHaveLength(1);
    expect(everything.filter((call) => call.includes('DiscoveredVolumes'))).toHaveLength(1);
    // Files read: no fallback resource asked when its file was read.
    expect(block.some((call) => call.includes('KernelParamStatuses'))).toBe(false);
    expect(block.some((call) => call.includes('LoadedKernelModules'))).toBe(false);
    expect(block.some((call) => call.includes('/sys/module'))).toBe(false);
    expect(new Set(block).size).toBe(block.length);
    expect(block.length).toBeLessThanOrEqual(14);
    // os:reader cannot Read: it asks the resources that stand in for the files instead.
    const reader = await calls({ disks: ['/dev/nvme1n1'] }, 'reader');
    expect(reader.some((call) => call.startsWith('Read '))).toBe(false);
    expect(reader.some((call) => call.includes('KernelParamStatuses'))).toBe(true);
    expect(reader.some((call) => call.includes('/sys/module'))).toBe(true);
  });
});
