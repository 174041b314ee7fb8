import { TalosLonghornError } from '../errors.js';
import { isPreRelease, type TalosVersion, versionIndex } from './versions.js';

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
  // In the official schemas of 1.9–1.11 only (v1alpha1.InstallConfig), and ignored with sd-boot.
  installExtraKernelArgs: {
    since: '1.9',
    until: '1.11',
    what: 'machine.install.extraKernelArgs',
  },
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
  // The Talos API (apid), from Talos's sources (cited where they are used in src/api).
  applyModeReboot: { since: '1.9', until: '1.13', what: 'ApplyConfiguration mode reboot' },
  loadedKernelModules: { since: '1.11', what: 'the LoadedKernelModules resource' },
  kernelModuleStatuses: { since: '1.14', what: 'the KernelModuleStatuses resource' },
} as const satisfies Record<string, Capability>;

/** The name of one entry of `CAPABILITIES`. */
export type CapabilityName = keyof typeof CAPABILITIES;

/**
 * Kernel modules built into Talos's kernel (`=y` in siderolabs/pkgs `kernel/build/config-*`),
 * per the first Talos version that has them built in. Talos's module loader returns early for a
 * built-in module, so parameters given for it are never applied: they belong on the kernel
 * command line as `name.param=value`.
 */
export const BUILT_IN_MODULES: Readonly<Record<string, TalosVersion>> = {
  nvme_tcp: '1.9',
  dm_crypt: '1.9',
};

/**
 * Whether Talos `version`'s kernel has module `name` built in (so its parameters must go on the
 * kernel command line).
 */
export function isBuiltInModule(version: TalosVersion, name: string): boolean {
  const since = BUILT_IN_MODULES[name];
  return since !== undefined && versionIndex(version) >= versionIndex(since);
}

/** Where node labels and annotations go: v1alpha1 `machine.*` fields or a `KubeNodeConfig`. */
export type NodeMetadataForm = 'machine-fields' | 'kube-node-config';

/**
 * The form node labels and annotations must take on `target` when the node's stored machine
 * configuration was created by `gen config` of `origin`. Talos 1.14 refuses a `KubeNodeConfig`
 * while the stored v1alpha1 config still sets `machine.nodeLabels` (and a few other fields:
 * `V1Alpha1ConflictValidate` in siderolabs/talos `pkg/machinery/config/types/k8s/node.go`), and
 * `gen config` up to 1.13 writes `machine.nodeLabels` on every control plane. So a node created
 * before 1.14 keeps the old fields, which 1.14 still parses.
 */
export function nodeMetadataForm(
  target: TalosVersion,
  origin: TalosVersion = target,
): NodeMetadataForm {
  if (!supports(target, 'kubeNodeConfig')) return 'machine-fields';
  return supports(origin, 'kubeNodeConfig') ? 'kube-node-config' : 'machine-fields';
}

/** A config origin newer than the target is a downgrade Talos does not do: refused. */
export function checkConfigOrigin(target: TalosVersion, origin: TalosVersion, field: string): void {
  if (versionIndex(origin) <= versionIndex(target)) return;
  throw new TalosLonghornError(
    'invalid-input',
    `Talos ${origin} is newer than the target Talos ${target}; expected the version whose gen config created the node's configuration (at most the target)`,
    { field },
  );
}

/**
 * Whether Talos `version` has a capability: from its `since` version up to its `until` (when the
 * official schema stopped accepting it).
 */
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

/** The comment above a patch: the Talos version it targets and, on 1.14, the node-label form. */
export function patchHeader(target: TalosVersion, origin: TalosVersion = target): string[] {
  const release = isPreRelease(target) ? ' (a pre-release)' : '';
  const line = `talos-longhorn patch for Talos ${target}${release}`;
  if (!supports(target, 'kubeNodeConfig')) return [line];
  const form =
    nodeMetadataForm(target, origin) === 'kube-node-config'
      ? 'KubeNodeConfig'
      : 'machine.nodeLabels/nodeAnnotations, which that config already uses';
  return [`${line}; node config created by Talos ${origin}: node labels in ${form}`];
}
