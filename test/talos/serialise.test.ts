import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  planNode,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  TalosLonghornError,
} from '../../src/index.js';
import { goldenInput } from './fixtures.js';

describe('renderPatch', () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    it(`Talos ${version}: YAML and JSON hold the same documents, in both YAML versions`, () => {
      const documents = renderTalosDocuments(planNode(goldenInput(version, 'full')), version);
      const yaml = renderPatch(documents, { format: 'yaml' });
      for (const yamlVersion of ['1.1', '1.2'] as const) {
        const parsed = parseAllDocuments(yaml, { version: yamlVersion }).map((d) => d.toJS());
        expect(parsed).toEqual(documents);
      }
      expect(JSON.parse(renderPatch(documents, { format: 'json' }))).toEqual(documents);
      // A header is comment lines only: readers see the same documents, JSON carries none.
      const header = ['talos-longhorn patch for Talos x', 'second: line'];
      const withHeader = renderPatch(documents, { format: 'yaml', header });
      expect(withHeader.startsWith('# talos-longhorn patch for Talos x\n# second: line\n')).toBe(
        true,
      );
      expect(parseAllDocuments(withHeader, { version: '1.1' }).map((d) => d.toJS())).toEqual(
        documents,
      );
      expect(renderPatch(documents, { format: 'json', header })).not.toContain('#');
    });
  }

  it('quotes strings a YAML 1.1 reader would take for numbers or booleans', () => {
    const text = renderPatch(
      renderTalosDocuments(planNode({ disks: ['0000:01:00.0'], vfioRebind: true }), '1.14'),
      { format: 'yaml' },
    );
    expect(text).toContain('name: "0000:01:00.0"');
    expect(text).toContain('vm.nr_hugepages: "2048"');
  });

  it('separates documents with --- and refuses to render nothing', () => {
    const documents = renderTalosDocuments(planNode({}), '1.14');
    const yaml = renderPatch(documents, { format: 'yaml' });
    expect(yaml.split('\n---\n')).toHaveLength(documents.length);
    expect(() => renderPatch([], { format: 'yaml' })).toThrow(TalosLonghornError);
  });

  it('never renders an empty patch, even with everything turned off', () => {
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      const documents = renderTalosDocuments(
        planNode({ v2DataEngine: false, encryption: false, extension: false }),
        version,
      );
      expect(renderPatch(documents, { format: 'yaml' })).toContain(
        'node.longhorn.io/disable-v2-data-engine: "true"',
      );
    }
  });
});
