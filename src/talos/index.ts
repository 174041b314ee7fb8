// Talos versions, the capability table, and NodeNeeds → Talos documents → patch text (pure).
export {
  CAPABILITIES,
  type CapabilityName,
  requireCapability,
  supports,
} from './capabilities.js';
export type {
  ExtensionServiceConfigDocument,
  KernelModuleConfigDocument,
  KernelModuleSpec,
  KubeletExtraMount,
  KubeNodeConfigDocument,
  MachineConfigPatch,
  PCIDriverRebindConfigDocument,
  SysctlConfigDocument,
  TalosDocument,
  UserVolumeConfigDocument,
} from './documents.js';
export { dataPathOnHost, renderTalosDocuments } from './render.js';
export {
  PATCH_FORMATS,
  type PatchFormat,
  type RenderPatchOptions,
  renderPatch,
} from './serialise.js';
export {
  DEFAULT_TALOS_VERSION,
  parseTalosVersion,
  SUPPORTED_TALOS_VERSIONS,
  type TalosVersion,
  versionIndex,
} from './versions.js';
