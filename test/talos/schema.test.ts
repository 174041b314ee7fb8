import fc from 'fast-check';
import { describe, expect } from 'vitest';
import {
  type NodeOptions,
  planNode,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  type TalosVersion,
} from '../../src/index.js';
import { supports } from '../../src/talos/index.js';
import { itWithShared } from '../helpers/shared.js';
import { GOLDEN_CASES, goldenInput } from './fixtures.js';
import { schemaErrors } from './official-schema.js';

/** Further shapes beside the golden inputs: opted out, minimal, directory data path. */
function variants(version: TalosVersion): NodeOptions[] {
  const list: NodeOptions[] = [
    { v2DataEngine: false },
    { v2DataEngine: false, encryption: false, extension: false },
    { encryption: false, extension: false, disks: ['/dev/nvme1n1'] },
  ];
  if (!supports(version, 'userVolumeConfig') || supports(version, 'userVolumeDirectory')) {
    list.push({ dataPath: true });
  }
  return list;
}

function expectValid(version: TalosVersion, options: NodeOptions): number {
  const documents = renderTalosDocuments(planNode(options), version);
  expect(documents.length).toBeGreaterThan(0);
  for (const document of documents) {
    expect(schemaErrors(version, document), JSON.stringify(document)).toEqual([]);
  }
  return documents.length;
}

describe("every emitted document validates against Talos's official schema", () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    itWithShared(`Talos ${version}: default, full and other shapes`, () => {
      for (const name of GOLDEN_CASES) expectValid(version, goldenInput(version, name));
      for (const options of variants(version)) expectValid(version, options);
    });
  }

  itWithShared('the schema check can fail: legacy fields are rejected by 1.14', () => {
    const legacy = renderTalosDocuments(planNode({}), '1.13')[0];
    expect(schemaErrors('1.14', legacy)).not.toEqual([]);
    expect(
      schemaErrors('1.9', { apiVersion: 'v1alpha1', kind: 'KernelModuleConfig', name: 'x' }),
    ).not.toEqual([]);
  });

  itWithShared('random valid options render schema-valid documents on every version', () => {
    const bdf = fc
      .tuple(fc.nat(0xffff), fc.nat(0xff), fc.nat(0x1f), fc.nat(7))
      .map(
        ([d, b, s, f]) =>
          `${d.toString(16).padStart(4, '0')}:${b.toString(16).padStart(2, '0')}:${s.toString(16).padStart(2, '0')}.${f}`,
      );
    const path = fc.stringMatching(/^\/dev\/[a-z][a-z0-9_-]{0,20}$/);
    const options = fc
      .record(
        {
          memorySizeMiB: fc.integer({ min: 1, max: 65536 }),
          encryption: fc.boolean(),
          disks: fc.uniqueArray(fc.oneof(bdf, path), { maxLength: 4 }),
          extraModules: fc.uniqueArray(
            fc.record({
              name: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/),
              parameters: fc.array(fc.stringMatching(/^[a-z_]{1,8}=[!-~]{1,8}$/), { maxLength: 2 }),
            }),
            { maxLength: 3, selector: (m) => m.name },
          ),
          extension: fc.boolean(),
          cleanupMode: fc.constantFrom('off', 'report', 'remove' as const),
        },
        { requiredKeys: [] },
      )
      .map(({ cleanupMode, ...rest }) =>
        // cleanupMode with the extension turned off is a contradiction planNode refuses.
        rest.extension === false || cleanupMode === undefined ? rest : { ...rest, cleanupMode },
      );
    fc.assert(
      fc.property(options, fc.constantFrom(...SUPPORTED_TALOS_VERSIONS), (opts, version) => {
        expectValid(version, opts as NodeOptions);
      }),
      { numRuns: 200 },
    );
  });
});
