// Talos versions, the capability table, and NodeNeeds → Talos documents → patch text (pure).

export { describeBytes, parseTalosSize, talosSizeBytes } from './byte-size.js';
export {
  BUILT_IN_MODULES,
  CAPABILITIES,
  type CapabilityName,
  isBuiltInModule,
  type NodeMetadataForm,
  nodeMetadataForm,
  requireCapability,
  supports,
} from './capabilities.js';
export { configOriginOf, kubeNodeConfigConflicts } from './config-origin.js';
export type {
  ExtensionServiceConfigDocument,
  KernelModuleConfigDocument,
  KernelModuleSpec,
  KubeletExtraMount,
  KubeNodeConfigDocument,
  MachineConfigPatch,
  PCIDriverRebindConfigDocument,
  RawVolumeConfigDocument,
  SysctlConfigDocument,
  TalosDocument,
  UserVolumeConfigDocument,
  VolumeConfigDocument,
} from './documents.js';
export { imagerProfile, renderInstallerFile } from './installer.js';
export {
  type DataPathVolume,
  DEFAULT_RAW_PARTITION_NAME,
  type DiskLayout,
  layoutRawWithDataPath,
  MAX_RAW_PARTITION_NAME_LENGTH,
  parseRawPartition,
  RAW_VOLUME_PREFIX,
  type RawPartition,
  type RawPartitionDisk,
  type RawPartitionOptions,
  rawPartitionDisk,
  rawPartitionDocuments,
  rawPartitionPath,
} from './raw-volume.js';
export { dataPathOnHost, type RenderOptions, renderTalosDocuments } from './render.js';
export {
  PATCH_FORMATS,
  type PatchFormat,
  type RenderPatchOptions,
  renderPatch,
} from './serialise.js';
export {
  DEFAULT_TALOS_VERSION,
  installerTag,
  isPreRelease,
  NEWEST_KNOWN_RELEASE,
  parseTalosTarget,
  parseTalosVersion,
  SUPPORTED_TALOS_VERSIONS,
  type TalosTarget,
  type TalosVersion,
  versionIndex,
} from './versions.js';
