import type { NodeNeeds } from './needs.js';
import { LONGHORN_NODE_KEYS } from './requirements.js';
import { DEFAULT_LONGHORN_VERSION, type LonghornVersion, longhornSupports } from './versions.js';

/** The namespace Longhorn's chart must be installed in. */
export const LONGHORN_NAMESPACE = 'longhorn-system';

/**
 * The `defaultSettings` of Longhorn's Helm chart that the v2 data engine depends on; which keys
 * exist depends on the Longhorn version (`perEngineHugepageSettings`). Every value is a string:
 * recent charts refuse any other kind (`must be a string`), and the per-engine settings take a
 * JSON object keyed by engine, e.g. `{"v2":"2048"}`.
 */
export interface LonghornDefaultSettings {
  readonly v2DataEngine: 'true' | 'false';
  /** Longhorn 1.8/1.9: the v2 memory size in MiB; absent when no node runs v2. */
  readonly v2DataEngineHugepageLimit?: string;
  /** Longhorn 1.10+: `{"v2":"true"}`; absent when no node runs v2. */
  readonly dataEngineHugepageEnabled?: string;
  /** Longhorn 1.10+: `{"v2":"<MiB>"}`; absent when no node runs v2. */
  readonly dataEngineMemorySize?: string;
  /** `'true'` when a node carries the default-disks annotation (Longhorn ignores it otherwise). */
  readonly createDefaultDiskLabeledNodes?: 'true';
  /** The data path the nodes provide, when they do. */
  readonly defaultDataPath?: string;
}

export interface LonghornHelmValues {
  readonly longhornVersion: LonghornVersion;
  readonly defaultSettings: LonghornDefaultSettings;
}

export interface HelmValuesContext {
  readonly longhornVersion?: LonghornVersion;
  /** The data path on the host when the patch provides it (Talos-version dependent). */
  readonly dataPath?: string;
}

/**
 * Helm values consistent with what the nodes reserve. The memory size is one cluster setting
 * and every v2 instance manager requests that much `hugepages-2Mi`, so it is the smallest memory
 * size of any v2 node: never more than a node reserves for its engine.
 */
export function longhornHelmValues(
  nodes: readonly NodeNeeds[],
  context: HelmValuesContext = {},
): LonghornHelmValues {
  const longhornVersion = context.longhornVersion ?? DEFAULT_LONGHORN_VERSION;
  const v2 = nodes.filter((node) => node.v2DataEngine);
  const settings: Record<string, string> = { v2DataEngine: v2.length > 0 ? 'true' : 'false' };
  if (v2.length > 0) {
    const memorySizeMiB = String(Math.min(...v2.map((node) => node.memorySizeMiB)));
    if (longhornSupports(longhornVersion, 'perEngineHugepageSettings')) {
      settings.dataEngineHugepageEnabled = JSON.stringify({ v2: 'true' });
      settings.dataEngineMemorySize = JSON.stringify({ v2: memorySizeMiB });
    } else {
      settings.v2DataEngineHugepageLimit = memorySizeMiB;
    }
  }
  if (nodes.some((node) => LONGHORN_NODE_KEYS.defaultDisksConfig in node.nodeAnnotations)) {
    settings.createDefaultDiskLabeledNodes = 'true';
  }
  if (context.dataPath !== undefined) settings.defaultDataPath = context.dataPath;
  return { longhornVersion, defaultSettings: settings as unknown as LonghornDefaultSettings };
}

/** A YAML single-quoted scalar: safe for any printable text, JSON included. */
function quoted(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `helm install -f longhorn-values.yaml`; the file only holds the settings derived here. */
export function renderLonghornHelmValues(values: LonghornHelmValues): string {
  const lines = [
    `# Longhorn ${values.longhornVersion} Helm values for the v2 data engine, consistent with the nodes' huge pages.`,
    `# Install with: helm install longhorn longhorn/longhorn -n ${LONGHORN_NAMESPACE} --version ${values.longhornVersion}.x -f longhorn-values.yaml`,
    'defaultSettings:',
    ...Object.entries(values.defaultSettings).map(([key, value]) => `  ${key}: ${quoted(value)}`),
  ];
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
