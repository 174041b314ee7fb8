import { describe, expect, it } from 'vitest';
import {
  type NodeOptions,
  planNode,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  type TalosDocument,
  type TalosVersion,
} from '../../src/index.js';
import { supports } from '../../src/talos/index.js';
import { type Json, type JsonMap, mergeDocuments } from '../../src/talos/strategic-merge.js';
import { GOLDEN_CASES, goldenInput } from './fixtures.js';

type Doc = JsonMap;

function documentId(doc: Doc): string {
  if (doc.kind === undefined) return 'v1alpha1';
  return `${String(doc.apiVersion)}/${String(doc.kind)}/${doc.name === undefined ? '' : String(doc.name)}`;
}

/** Talos's strategic merge as the apply path implements it (lists append, named docs match). */
function strategicMerge(config: readonly Doc[], patch: readonly TalosDocument[]): Doc[] {
  return mergeDocuments(config, patch as unknown as readonly Doc[]);
}

/** What the node ends up doing: repeated identical list entries change nothing. */
function effective(value: Json): Json {
  if (Array.isArray(value)) {
    const seen = new Set<string>();
    return value.map(effective).filter((item) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, effective(v)]));
  }
  return value;
}

const BASE: Doc[] = [{ version: 'v1alpha1', machine: { type: 'worker' } }];

function cases(version: TalosVersion): [string, NodeOptions][] {
  return [
    ...GOLDEN_CASES.map((name): [string, NodeOptions] => [name, goldenInput(version, name)]),
    ['v2 off', { v2DataEngine: false }],
  ];
}

describe('applying a patch twice', () => {
  for (const version of SUPPORTED_TALOS_VERSIONS) {
    for (const [name, options] of cases(version)) {
      it(`Talos ${version} ${name}: same documents, same effective state`, () => {
        const patch = renderTalosDocuments(planNode(options), version);
        const once = strategicMerge(BASE, patch);
        const twice = strategicMerge(once, patch);
        expect(twice.map(documentId)).toEqual(once.map(documentId));
        expect(effective(twice)).toEqual(effective(once));
        // The documented rule (FACTS §5), written out by hand: the v1alpha1 patch's machine map
        // joins the base's key by key, every other document is appended in order.
        const [legacy, ...others] = 'machine' in (patch[0] ?? {}) ? patch : [undefined, ...patch];
        const machine = (legacy as { machine?: Doc } | undefined)?.machine ?? {};
        const base = BASE[0] as Doc;
        expect(once).toEqual([
          { ...base, machine: { ...(base.machine as Doc), ...machine } },
          ...others,
        ]);
      });
    }
  }

  it('Talos >= 1.14 keeps modules, sysctls and labels exact; <= 1.13 appends module entries', () => {
    const needs = planNode({ disks: ['0000:01:00.0'] });
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      const patch = renderTalosDocuments(needs, version);
      const once = strategicMerge(BASE, patch);
      const twice = strategicMerge(once, patch);
      const withoutExtension = (docs: Doc[]) =>
        docs.filter((d) => d.kind !== 'ExtensionServiceConfig');
      if (supports(version, 'kernelModuleConfig')) {
        expect(withoutExtension(twice)).toEqual(withoutExtension(once));
      } else {
        const modules = (docs: Doc[]) =>
          (((docs[0] as Doc).machine as Doc).kernel as { modules: Json[] }).modules;
        expect(modules(twice)).toHaveLength(2 * modules(once).length);
      }
      // The extension's environment is a list, which Talos appends on every version.
      const env = (docs: Doc[]) =>
        docs.find((d) => d.kind === 'ExtensionServiceConfig')?.environment as string[];
      expect(env(twice)).toEqual([...env(once), ...env(once)]);
    }
  });

  it('the merge combines maps key by key and appends unmatched documents', () => {
    const base: Doc[] = [
      { apiVersion: 'v1alpha1', kind: 'SysctlConfig', params: { 'a.b': '1', 'c.d': '2' } },
    ];
    const merged = strategicMerge(base, [
      { apiVersion: 'v1alpha1', kind: 'SysctlConfig', params: { 'c.d': '3' } },
      { apiVersion: 'v1alpha1', kind: 'KernelModuleConfig', name: 'x' },
    ]);
    expect(merged).toEqual([
      { apiVersion: 'v1alpha1', kind: 'SysctlConfig', params: { 'a.b': '1', 'c.d': '3' } },
      { apiVersion: 'v1alpha1', kind: 'KernelModuleConfig', name: 'x' },
    ]);
  });
});
