/**
 * Checks of generated Longhorn files against Longhorn's own artefacts, not against our code:
 * the `defaultSettings` keys of each chart (`../shared/longhorn/chart-default-settings.json`)
 * and the `nodes.longhorn.io` v1beta2 CRD schema of each release (`../shared/longhorn/crds/`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { readSharedJson, sharedDir } from './shared.js';

// ajv is CommonJS; under NodeNext its default import is the module object or the class.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ??
  AjvModule) as typeof AjvModule.default;

/** Runs when ../shared is present; with CI set and ../shared absent it runs and fails. */
export const itWithLonghornFacts = sharedDir === undefined && !process.env.CI ? it.skip : it;

/** The PCI address (BDF) form, as FACTS §1 states Longhorn's pattern. */
const BDF = /^[a-f0-9]{4}:[a-f0-9]{2}:[a-f0-9]{2}\.[a-f0-9]$/;

export function chartKeys(release: string): readonly string[] {
  const all = readSharedJson<Record<string, string[]>>('longhorn/chart-default-settings.json');
  const keys = all[release];
  if (keys === undefined) throw new Error(`no chart keys for Longhorn ${release}`);
  return keys;
}

type Schema = Record<string, unknown>;

/**
 * The CRD's OpenAPI schema with unknown fields refused: the API server prunes fields a
 * structural schema does not name, so a patch field the CRD lacks would be dropped silently.
 */
function refuseUnknownFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refuseUnknownFields);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as Schema).map(([name, sub]) => [name, refuseUnknownFields(sub)]),
          )
        : refuseUnknownFields(value);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const validators = new Map<string, (value: unknown) => string | undefined>();

/**
 * A validator for the Node CRD of a release. The CRD files carry no `$schema`: Kubernetes's
 * OpenAPI v3 subset, which ajv's default draft (07) reads; `format: int64` is a safe integer.
 */
export function nodeCrdValidator(release: string): (value: unknown) => string | undefined {
  const cached = validators.get(release);
  if (cached !== undefined) return cached;
  const schema = readSharedJson<Schema>(`longhorn/crds/nodes.longhorn.io.v1beta2.${release}.json`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  const validate = ajv.compile(refuseUnknownFields(schema) as Schema);
  const check = (value: unknown) => (validate(value) ? undefined : ajv.errorsText(validate.errors));
  validators.set(release, check);
  return check;
}

interface GoldenSummary {
  /** Disks registered by the Node patches, by node. */
  readonly nodeDisks: Readonly<Record<string, readonly { path: string; diskDriver: string }[]>>;
  /** Default-disks annotations found in the Talos patches, by node. */
  readonly annotations: Readonly<Record<string, unknown[]>>;
  readonly settings: Readonly<Record<string, unknown>>;
}

function findAnnotations(value: unknown, found: unknown[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'node.longhorn.io/default-disks-config' && typeof inner === 'string') {
      found.push(...(JSON.parse(inner) as unknown[]));
    } else {
      findAnnotations(inner, found);
    }
  }
}

/**
 * Check a directory written by `generate` for a Longhorn release: Helm keys exist in that chart
 * and are strings, Node patches validate against that CRD, no annotation holds a PCI address,
 * and `createDefaultDiskLabeledNodes` is on exactly when some node has an annotation.
 */
export async function checkLonghornGoldens(dir: string, release: string): Promise<GoldenSummary> {
  const names = (await readdir(dir)).sort();
  const values = parseYaml(await readFile(join(dir, 'longhorn-values.yaml'), 'utf8')) as {
    defaultSettings: Record<string, unknown>;
  };
  const settings = values.defaultSettings;
  const keys = chartKeys(release);
  for (const [key, value] of Object.entries(settings)) {
    expect(keys, `${key} is not a defaultSettings key of chart ${release}`).toContain(key);
    expect(typeof value, `${key} must be a string`).toBe('string');
  }
  const validate = nodeCrdValidator(release);
  const nodeDisks: Record<string, { path: string; diskDriver: string }[]> = {};
  const annotations: Record<string, unknown[]> = {};
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    if (name.endsWith('.longhorn-node.yaml')) {
      const node = name.slice(0, -'.longhorn-node.yaml'.length);
      // kubectl reads YAML 1.1: a PCI address must still come out as a string there.
      const patch = parseYaml(text, { version: '1.1' }) as {
        spec: { disks: Record<string, { path: string; diskDriver: string }> };
      };
      expect(validate(patch), `${name} against the Longhorn ${release} Node CRD`).toBeUndefined();
      expect(text).toContain(
        `kubectl -n longhorn-system patch nodes.longhorn.io ${node} --type merge --patch-file ${name}`,
      );
      nodeDisks[node] = Object.values(patch.spec.disks);
    } else if (name.endsWith('.patch.yaml')) {
      const node = name.slice(0, -'.patch.yaml'.length);
      const found: unknown[] = [];
      for (const doc of parseAllDocuments(text)) findAnnotations(doc.toJS(), found);
      if (found.length > 0) annotations[node] = found;
      for (const disk of found as { path: string }[]) {
        expect(BDF.test(disk.path), `${name}: PCI address ${disk.path} in the annotation`).toBe(
          false,
        );
      }
      const devicePaths = (found as { path: string }[]).filter((d) => d.path.startsWith('/'));
      expect(devicePaths.length, `${name}: two /dev/ paths share devtmpfs`).toBeLessThanOrEqual(1);
    }
  }
  expect(settings.createDefaultDiskLabeledNodes === 'true').toBe(
    Object.keys(annotations).length > 0,
  );
  return { nodeDisks, annotations, settings };
}
