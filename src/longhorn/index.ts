// The Longhorn v2 data engine's node requirements: options → NodeNeeds (pure).
export { parsePciAddress } from './disks.js';
export {
  DEFAULT_CLEANUP_INTERVAL_SECONDS,
  DEFAULT_CLEANUP_MODE,
  EXTENSION_ENV,
  EXTENSION_NAME,
} from './extension-contract.js';
export { parseModuleName } from './modules.js';
export type {
  DataPathDisk,
  DiskNeed,
  ExtensionSettings,
  KernelModuleNeed,
  NodeNeeds,
} from './needs.js';
export {
  type CompositeSpelling,
  extraModulesFrom,
  type FlagSpelling,
  type FlagValueKind,
  NODE_OPTION_DESCRIPTORS,
  nodeOptionsSchema,
  type OptionDescriptor,
  type QuerySpelling,
  type QueryValueKind,
  type SchemaFragment,
} from './option-descriptors.js';
export type { CleanupMode, ExtraModule, NodeOptions } from './options.js';
export { NODE_OPTIONS_SCHEMA, NODE_OPTIONS_SCHEMA_ID } from './options-schema.js';
export { parseNodeOptions } from './parse-options.js';
export { CLEANUP_MODES, planNode, V2_ONLY_OPTIONS } from './plan.js';
export {
  CPU_FLAGS,
  type CpuArchitecture,
  DEFAULT_DATA_PATH_MIN_SIZE,
  DEFAULT_MEMORY_SIZE_MIB,
  ENCRYPTION_KERNEL_MODULE,
  HUGEPAGE_SIZE_MIB,
  HUGEPAGES_SYSCTL,
  hugepagesFor,
  KERNEL_REQUIREMENTS,
  LEGACY_DATA_PATH,
  LONGHORN_BDF_PATTERN,
  LONGHORN_NODE_KEYS,
  MAX_CLEANUP_INTERVAL_SECONDS,
  MAX_HUGEPAGES,
  MAX_MEMORY_SIZE_MIB,
  MIN_CLEANUP_INTERVAL_SECONDS,
  PCI_KERNEL_MODULE,
  REQUIRED_EXTENSIONS,
  UBLK_KERNEL_MODULE,
  USER_VOLUME_DATA_PATH,
  USER_VOLUME_NAME,
  V2_KERNEL_MODULES,
  VFIO_PCI_DRIVER,
} from './requirements.js';
