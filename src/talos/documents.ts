/** The Talos machine-configuration documents this project emits, shaped as Talos reads them. */

export interface KernelModuleSpec {
  readonly name: string;
  readonly parameters?: readonly string[];
}

/** A bind mount into the kubelet's container (`machine.kubelet.extraMounts`, Talos <= 1.13). */
export interface KubeletExtraMount {
  readonly destination: string;
  readonly type: 'bind';
  readonly source: string;
  readonly options: readonly string[];
}

/** A strategic-merge patch of the v1alpha1 document (Talos <= 1.13 fields). */
export interface MachineConfigPatch {
  readonly machine: {
    readonly kernel?: { readonly modules: readonly KernelModuleSpec[] };
    readonly sysctls?: Readonly<Record<string, string>>;
    readonly install?: { readonly extraKernelArgs: readonly string[] };
    readonly kubelet?: { readonly extraMounts: readonly KubeletExtraMount[] };
    readonly nodeLabels?: Readonly<Record<string, string>>;
    readonly nodeAnnotations?: Readonly<Record<string, string>>;
  };
}

interface DocumentHeader<K extends string> {
  readonly apiVersion: 'v1alpha1';
  readonly kind: K;
}

/**
 * A kernel module to load, with its parameters (Talos >= 1.14; earlier in
 * `machine.kernel.modules`).
 */
export interface KernelModuleConfigDocument extends DocumentHeader<'KernelModuleConfig'> {
  readonly name: string;
  readonly parameters?: readonly string[];
}

/** Kernel parameters to set (Talos >= 1.14; earlier in `machine.sysctls`). */
export interface SysctlConfigDocument extends DocumentHeader<'SysctlConfig'> {
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Kubernetes node labels and annotations (Talos >= 1.14; earlier
 * `machine.nodeLabels`/`machine.nodeAnnotations`).
 */
export interface KubeNodeConfigDocument extends DocumentHeader<'KubeNodeConfig'> {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A user volume Talos mounts at `/var/mnt/<name>` (Talos >= 1.10): a partition on the selected
 * disk, or a directory (`volumeType: directory`, Talos >= 1.12).
 */
export interface UserVolumeConfigDocument extends DocumentHeader<'UserVolumeConfig'> {
  readonly name: string;
  readonly volumeType?: 'directory';
  readonly provisioning?: {
    readonly diskSelector: { readonly match: string };
    readonly minSize: string;
    readonly grow: boolean;
  };
}

/** A partition Talos creates and keeps without a filesystem, labelled `r-<name>` (1.11+). */
export interface RawVolumeConfigDocument extends DocumentHeader<'RawVolumeConfig'> {
  readonly name: string;
  readonly provisioning: {
    readonly diskSelector: { readonly match: string };
    readonly minSize: string;
    readonly maxSize?: string;
  };
}

/** Provisioning of a system volume; here only the EPHEMERAL cap that leaves room on its disk. */
export interface VolumeConfigDocument extends DocumentHeader<'VolumeConfig'> {
  readonly name: 'EPHEMERAL';
  readonly provisioning: { readonly maxSize: string };
}

/**
 * Rebind the PCI device `name` (its address) to another kernel driver, here `vfio-pci` (Talos >=
 * 1.10).
 */
export interface PCIDriverRebindConfigDocument extends DocumentHeader<'PCIDriverRebindConfig'> {
  readonly name: string;
  readonly targetDriver: string;
}

/** Configuration of a system extension's service: its environment as `NAME=value` lines. */
export interface ExtensionServiceConfigDocument extends DocumentHeader<'ExtensionServiceConfig'> {
  readonly name: string;
  readonly environment: readonly string[];
}

/**
 * Any document this project emits into a patch: the v1alpha1 patch and the multi-document kinds.
 */
export type TalosDocument =
  | MachineConfigPatch
  | KernelModuleConfigDocument
  | SysctlConfigDocument
  | KubeNodeConfigDocument
  | UserVolumeConfigDocument
  | RawVolumeConfigDocument
  | VolumeConfigDocument
  | PCIDriverRebindConfigDocument
  | ExtensionServiceConfigDocument;
