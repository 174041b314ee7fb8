// Public API of talos-longhorn: explicit named exports only.
export type {
  ApplyMode,
  ApplyOptions,
  ApplyResult,
  ClientCertificateInfo,
  CosiResource,
  FileCheck,
  FileEntry,
  FileMismatch,
  NodeIdentity,
  NodeVersion,
  PatchNodeResult,
  RetryPolicy,
  TalosClientOptions,
  TalosContext,
} from './api/index.js';
export {
  compareIdentityFiles,
  loadTalosConfig,
  mergeConfigPatch,
  parseTalosConfig,
  patchNodeConfig,
  readNodeIdentity,
  TalosClient,
  TalosCredentials,
} from './api/index.js';
export type { ErrorCode } from './errors.js';
export { exitStatusFor, isTalosLonghornError, TalosLonghornError } from './errors.js';
export type {
  ExtensionBuildInput,
  ExtensionImage,
  ImageArch,
  TreeEntry,
} from './extension-image/index.js';
export {
  buildExtensionImage,
  extensionTreeProblems,
  readExtensionDir,
  writeImageLayout,
} from './extension-image/index.js';
export type { Identity, IdentityFile, IdentityInput } from './identity/index.js';
export {
  decodeBase62,
  deriveIdentity,
  encodeBase62,
  IQN_PREFIX,
  identityFiles,
  MACHINE_ID_LENGTH,
  machineIdFromNodeId,
  NQN_PREFIX,
  parseMachineId,
} from './identity/index.js';
export type {
  LonghornDefaultSettings,
  LonghornHelmValues,
} from './longhorn/helm-values.js';
export {
  LONGHORN_NAMESPACE,
  longhornHelmValues,
  renderLonghornHelmValues,
  renderLonghornNamespace,
} from './longhorn/helm-values.js';
export type {
  CleanupMode,
  DataPathDisk,
  DiskNeed,
  ExtensionSettings,
  ExtraModule,
  KernelModuleNeed,
  NodeNeeds,
  NodeOptions,
} from './longhorn/index.js';
export {
  BUILT_IN_KERNEL_MODULES,
  CPU_FLAGS,
  DEFAULT_MEMORY_SIZE_MIB,
  hugepagesFor,
  KERNEL_REQUIREMENTS,
  LONGHORN_NODE_KEYS,
  NODE_OPTIONS_SCHEMA,
  parseNodeOptions,
  planNode,
  REQUIRED_EXTENSIONS,
  V2_KERNEL_MODULES,
} from './longhorn/index.js';
export type {
  ClusterFile,
  Plan,
  PlanCheck,
  PlanNode,
  ResolvedNode,
  ResolvedPlan,
} from './plan/index.js';
export {
  checkPlan,
  formatSummary,
  loadPlan,
  PLAN_SCHEMA,
  PlanFileError,
  parsePlan,
  renderClusterFiles,
  resolvePlan,
  validatePlan,
} from './plan/index.js';
export type {
  CheckDefinition,
  CheckGroup,
  CheckResult,
  CheckStatus,
  NodeFacts,
  NodeReader,
  NodeReport,
  PreflightReport,
  PreflightTarget,
  ReportFormat,
} from './preflight/index.js';
export {
  collectFacts,
  formatReport,
  LocalRootReader,
  PREFLIGHT_CHECKS,
  preflightNodes,
  RecordingReader,
  reportExitStatus,
  runChecks,
  TalosApiReader,
  writeSnapshot,
} from './preflight/index.js';
export type { NodeMetadataForm, PatchFormat, TalosDocument, TalosVersion } from './talos/index.js';
export {
  CAPABILITIES,
  configOriginOf,
  DEFAULT_TALOS_VERSION,
  dataPathOnHost,
  nodeMetadataForm,
  parseTalosVersion,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  supports,
} from './talos/index.js';
export type { Schematic, SchematicInput } from './talos/schematic.js';
export {
  buildSchematic,
  longhornSchematic,
  marshalSchematic,
  renderSchematicFile,
  schematicId,
} from './talos/schematic.js';
