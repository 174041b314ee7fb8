import { TalosLonghornError } from '../errors.js';
import { type TalosVersion, versionIndex } from './versions.js';

interface Capability {
  /** First version that has it. */
  readonly since: TalosVersion;
  /** Last version whose official schema accepts it (absent: still current). */
  readonly until?: TalosVersion;
  /** What it is, for error messages. */
  readonly what: string;
}

/**
 * Which configuration forms exist in which Talos version — the one place that knows how
 * versions differ. Everything else asks `supports(version, capability)`.
 */
export const CAPABILITIES = {
  extensionServiceConfig: { since: '1.9', what: 'the ExtensionServiceConfig document' },
  machineKernelModules: {
    since: '1.9',
    until: '1.13',
    what: 'machine.kernel.modules',
  },
  machineSysctls: { since: '1.9', until: '1.13', what: 'machine.sysctls' },
  machineNodeLabels: {
    since: '1.9',
    until: '1.13',
    what: 'machine.nodeLabels and machine.nodeAnnotations',
  },
  kubeletExtraMounts: { since: '1.9', until: '1.13', what: 'machine.kubelet.extraMounts' },
  userVolumeConfig: { since: '1.10', what: 'the UserVolumeConfig document' },
  pciDriverRebindConfig: { since: '1.10', what: 'the PCIDriverRebindConfig document' },
  rawVolumeConfig: { since: '1.11', what: 'the RawVolumeConfig document' },
  userVolumeDirectory: { since: '1.12', what: 'UserVolumeConfig volumeType: directory' },
  ublkDriver: { since: '1.12', what: 'the ublk_drv kernel module' },
  kernelModuleConfig: { since: '1.14', what: 'the KernelModuleConfig document' },
  sysctlConfig: { since: '1.14', what: 'the SysctlConfig document' },
  kubeNodeConfig: { since: '1.14', what: 'the KubeNodeConfig document' },
  derivedIdentityFiles: {
    since: '1.10',
    what: 'machine-id, IQN and host NQN files derived from the node identity',
  },
} as const satisfies Record<string, Capability>;

export type CapabilityName = keyof typeof CAPABILITIES;

export function supports(version: TalosVersion, name: CapabilityName): boolean {
  const capability: Capability = CAPABILITIES[name];
  const at = versionIndex(version);
  if (at < versionIndex(capability.since)) return false;
  return capability.until === undefined || at <= versionIndex(capability.until);
}

/**
 * Fail with `unsupported-need` when `version` lacks a capability a need depends on; the error
 * names the need's option (`field`) and the first version that has it.
 */
export function requireCapability(
  version: TalosVersion,
  name: CapabilityName,
  field: string,
  need: string,
  hint?: string,
): void {
  if (supports(version, name)) return;
  const capability: Capability = CAPABILITIES[name];
  const range =
    versionIndex(version) < versionIndex(capability.since)
      ? `Talos ${capability.since} or newer`
      : `Talos ${capability.until ?? capability.since} or older`;
  throw new TalosLonghornError(
    'unsupported-need',
    `${need} needs ${range} (${capability.what}); the target is Talos ${version}${hint === undefined ? '' : `; ${hint}`}`,
    { field },
  );
}
