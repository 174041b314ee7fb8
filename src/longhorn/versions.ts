import { parseSupportedVersion, type VersionTable } from '../version-string.js';

/**
 * Longhorn minor versions this project writes Helm values and Node patches for, oldest first.
 * Each was checked against its chart's `defaultSettings` keys and its `nodes.longhorn.io` CRD
 * (charts and `deploy/longhorn.yaml` of v1.8.2, v1.9.2, v1.10.2, v1.11.3 and v1.12.1).
 */
export const SUPPORTED_LONGHORN_VERSIONS = ['1.8', '1.9', '1.10', '1.11', '1.12'] as const;
export type LonghornVersion = (typeof SUPPORTED_LONGHORN_VERSIONS)[number];
/** The newest supported minor: the default target. */
export const DEFAULT_LONGHORN_VERSION: LonghornVersion = '1.12';

/** The release of each minor whose chart keys and Node CRD the output was checked against. */
export const LONGHORN_REFERENCE_RELEASES: Readonly<Record<LonghornVersion, string>> = {
  '1.8': '1.8.2',
  '1.9': '1.9.2',
  '1.10': '1.10.2',
  '1.11': '1.11.3',
  '1.12': '1.12.1',
};

const LONGHORN_VERSIONS: VersionTable<LonghornVersion> = {
  product: 'Longhorn',
  supported: SUPPORTED_LONGHORN_VERSIONS,
  written: '1.10 or 1.10.2',
  unsupportedCode: 'invalid-input',
};

/**
 * `1.10`, `v1.10` or `1.10.2` → `1.10`. Unknown or malformed versions are `invalid-input`
 * naming `field` and the supported list (exit status 2).
 */
export function parseLonghornVersion(text: unknown, field = 'longhornVersion'): LonghornVersion {
  return parseSupportedVersion(text, field, LONGHORN_VERSIONS).version;
}

/** Position of a version in the supported list; the only place Longhorn versions are ordered. */
function longhornVersionIndex(version: LonghornVersion): number {
  return SUPPORTED_LONGHORN_VERSIONS.indexOf(version);
}

interface LonghornCapability {
  /** First supported minor that has it; `null` when no supported release has it yet. */
  readonly since: LonghornVersion | null;
  /** What it is, for messages and the compatibility table. */
  readonly what: string;
  /** Where the fact comes from. */
  readonly source: string;
}

/**
 * How Longhorn versions differ, for what this project emits and checks. Everything else asks
 * `longhornSupports(version, capability)`; no other module compares Longhorn versions.
 */
export const LONGHORN_CAPABILITIES = {
  /**
   * Chart keys `dataEngineHugepageEnabled` and `dataEngineMemorySize` (per-engine JSON such as
   * `{"v2":"2048"}`). Older charts have `v2DataEngineHugepageLimit` (MiB) instead: the
   * `defaultSettings` of charts v1.8.2/v1.9.2 vs v1.10.2+ (chart/values.yaml).
   */
  perEngineHugepageSettings: {
    since: '1.10',
    what: 'Helm keys dataEngineHugepageEnabled and dataEngineMemorySize (older: v2DataEngineHugepageLimit)',
    source: 'chart/values.yaml defaultSettings of v1.8.2 … v1.12.1',
  },
  /**
   * `diskDriver: nvme` in the Node CRD (`spec.disks.*.diskDriver` enum is `"", auto, aio` in
   * v1.8.2 and v1.9.2, `"", auto, aio, nvme` from v1.10.2). Before it, a PCI address with
   * `auto` selects SPDK's userspace NVMe driver.
   */
  nvmeDiskDriver: {
    since: '1.10',
    what: 'diskDriver nvme in the Node CRD (older: auto picks the NVMe driver for a PCI address)',
    source: 'deploy/longhorn.yaml nodes.longhorn.io v1beta2 of v1.8.2 … v1.12.1',
  },
  /**
   * SPDK's setup no longer needs `/dev/fd` (bash process substitution), which Talos lacks, so a
   * PCI-addressed disk no longer falls back to AIO: longhorn#10313, listed as fixed in
   * CHANGELOG/CHANGELOG-1.9.0.md of longhorn/longhorn (no 1.8.x changelog lists it).
   */
  devFdNotNeeded: {
    since: '1.9',
    what: "PCI-addressed disks work without the extension's /dev/fd (longhorn#10313)",
    source: 'longhorn/longhorn CHANGELOG/CHANGELOG-1.9.0.md',
  },
  /**
   * The NVMe-oF controller-loss race (replica-side `ctrlr_loss_timeout_sec` and the initiator's
   * `ctrl-loss-tmo` both 30 s) is fixed: longhorn#9874, listed as fixed in
   * CHANGELOG/CHANGELOG-1.8.0.md of longhorn/longhorn (longhorn-instance-manager#727).
   */
  controllerLossRaceFixed: {
    since: '1.8',
    what: 'v2 volumes survive losing a replica instance manager (longhorn#9874)',
    source: 'longhorn/longhorn CHANGELOG/CHANGELOG-1.8.0.md',
  },
  /**
   * The `node.longhorn.io/default-disks-config` annotation accepts PCI addresses. Every released
   * Longhorn runs `statfs` on each path and drops the whole annotation when one is a PCI address:
   * longhorn#13491, fix merged 2026-08-25, after v1.12.1.
   */
  defaultDisksAcceptPci: {
    since: null,
    what: 'PCI addresses in the default-disks-config annotation (longhorn#13491)',
    source: 'longhorn/longhorn#13491 (fixed after v1.12.1)',
  },
} as const satisfies Record<string, LonghornCapability>;

export type LonghornCapabilityName = keyof typeof LONGHORN_CAPABILITIES;

export function longhornSupports(version: LonghornVersion, name: LonghornCapabilityName): boolean {
  const { since }: LonghornCapability = LONGHORN_CAPABILITIES[name];
  return since !== null && longhornVersionIndex(version) >= longhornVersionIndex(since);
}
