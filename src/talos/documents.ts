/** The Talos machine-configuration documents this project emits, shaped as Talos reads them. */

export interface KernelModuleSpec {
  readonly name: string;
  readonly parameters?: readonly string[];
}

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

export interface KernelModuleConfigDocument extends DocumentHeader<'KernelModuleConfig'> {
  readonly name: string;
  readonly parameters?: readonly string[];
}

export interface SysctlConfigDocument extends DocumentHeader<'SysctlConfig'> {
  readonly params: Readonly<Record<string, string>>;
}

export interface KubeNodeConfigDocument extends DocumentHeader<'KubeNodeConfig'> {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface UserVolumeConfigDocument extends DocumentHeader<'UserVolumeConfig'> {
  readonly name: string;
  readonly volumeType?: 'directory';
  readonly provisioning?: {
    readonly diskSelector: { readonly match: string };
    readonly minSize: string;
    readonly grow: boolean;
  };
}

export interface PCIDriverRebindConfigDocument extends DocumentHeader<'PCIDriverRebindConfig'> {
  readonly name: string;
  readonly targetDriver: string;
}

export interface ExtensionServiceConfigDocument extends DocumentHeader<'ExtensionServiceConfig'> {
  readonly name: string;
  readonly environment: readonly string[];
}

export type TalosDocument =
  | MachineConfigPatch
  | KernelModuleConfigDocument
  | SysctlConfigDocument
  | KubeNodeConfigDocument
  | UserVolumeConfigDocument
  | PCIDriverRebindConfigDocument
  | ExtensionServiceConfigDocument;
