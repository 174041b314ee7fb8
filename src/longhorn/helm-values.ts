import type { NodeNeeds } from './needs.js';
import { HUGEPAGE_SIZE_MIB } from './requirements.js';

/** The namespace Longhorn's chart must be installed in. */
export const LONGHORN_NAMESPACE = 'longhorn-system';

/**
 * The `defaultSettings` of Longhorn's Helm chart (1.10+) that the v2 data engine depends on.
 * Every value is a string: recent charts refuse any other kind (`must be a string`), and the
 * per-engine settings take a JSON object keyed by engine, e.g. `{"v2":"2048"}`.
 */
export interface LonghornDefaultSettings {
  readonly v2DataEngine: 'true' | 'false';
  /** `{"v2":"true"}`; absent when no node runs the v2 engine. */
  readonly dataEngineHugepageEnabled?: string;
  /** `{"v2":"<MiB>"}`; absent when no node runs the v2 engine. */
  readonly dataEngineMemorySize?: string;
}

export interface LonghornHelmValues {
  readonly defaultSettings: LonghornDefaultSettings;
}

/**
 * Helm values consistent with what the nodes reserve. `data-engine-memory-size` is one cluster
 * setting and every v2 instance manager requests that much `hugepages-2Mi`, so it is the
 * smallest memory size of any v2 node: never more than a node reserves (each node reserves at
 * least ceil(size / 2) pages of 2 MiB for its own size).
 */
export function longhornHelmValues(nodes: readonly NodeNeeds[]): LonghornHelmValues {
  const v2 = nodes.filter((node) => node.v2DataEngine);
  if (v2.length === 0) return { defaultSettings: { v2DataEngine: 'false' } };
  let memorySizeMiB = Number.POSITIVE_INFINITY;
  for (const node of v2) {
    const reservedMiB = node.hugepages * HUGEPAGE_SIZE_MIB;
    memorySizeMiB = Math.min(memorySizeMiB, node.memorySizeMiB, reservedMiB);
  }
  return {
    defaultSettings: {
      v2DataEngine: 'true',
      dataEngineHugepageEnabled: JSON.stringify({ v2: 'true' }),
      dataEngineMemorySize: JSON.stringify({ v2: String(memorySizeMiB) }),
    },
  };
}

/** A YAML single-quoted scalar: safe for any printable text, JSON included. */
function quoted(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `helm install -f longhorn-values.yaml`; the file only holds the settings derived here. */
export function renderLonghornHelmValues(values: LonghornHelmValues): string {
  const settings = values.defaultSettings;
  const lines = [
    "# Longhorn Helm values for the v2 data engine, consistent with the nodes' huge pages.",
    `# Install with: helm install longhorn longhorn/longhorn -n ${LONGHORN_NAMESPACE} -f longhorn-values.yaml`,
    'defaultSettings:',
    `  v2DataEngine: ${quoted(settings.v2DataEngine)}`,
  ];
  if (settings.dataEngineHugepageEnabled !== undefined) {
    lines.push(`  dataEngineHugepageEnabled: ${quoted(settings.dataEngineHugepageEnabled)}`);
  }
  if (settings.dataEngineMemorySize !== undefined) {
    lines.push(`  dataEngineMemorySize: ${quoted(settings.dataEngineMemorySize)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The `longhorn-system` Namespace with the Pod Security labels Longhorn needs on Talos, whose
 * default admission policy (`baseline`) rejects Longhorn's privileged pods.
 */
export function renderLonghornNamespace(): string {
  return [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${LONGHORN_NAMESPACE}`,
    '  labels:',
    '    pod-security.kubernetes.io/enforce: privileged',
    '    pod-security.kubernetes.io/audit: privileged',
    '    pod-security.kubernetes.io/warn: privileged',
    '',
  ].join('\n');
}
