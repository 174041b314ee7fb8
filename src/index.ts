/**
 * talos-longhorn: make Talos Linux nodes ready for Longhorn's v2 (SPDK) data engine.
 *
 * The root holds the common path: a node's identity, node options → Talos config patch, a
 * cluster plan → files, the Image Factory schematic, and preflight. Everything else has its own
 * entry point: `talos-longhorn/api` (Talos API client), `/preflight` (readers, checks),
 * `/extension` (the system-extension image), `/plan`, `/longhorn`, `/talos`, `/identity`.
 *
 * @example Patch for one node
 * ```ts
 * import { planNode, renderPatch, renderTalosDocuments } from 'talos-longhorn';
 * const needs = planNode({ memorySizeMiB: 4096, disks: ['0000:01:00.0'] });
 * process.stdout.write(renderPatch(renderTalosDocuments(needs, '1.11'), { format: 'yaml' }));
 * ```
 *
 * @module
 */

/** Errors: every failure is a `TalosLonghornError` with a `code` and, when known, a `field`. */
export {
  type ErrorCode,
  exitStatusFor,
  isTalosLonghornError,
  TalosLonghornError,
} from './errors.js';

/**
 * Identity: machine-id → iSCSI IQN and NVMe hostid/hostnqn, and the files Talos nodes hold.
 *
 * @example
 * ```ts
 * import { deriveIdentity, parseMachineId } from 'talos-longhorn';
 * const { iqn, hostNqn } = deriveIdentity({ machineId: parseMachineId('0123456789abcdef0123456789abcdef') });
 * ```
 */
export {
  deriveIdentity,
  type Identity,
  type IdentityFile,
  type IdentityInput,
  identityFiles,
  machineIdFromNodeId,
  parseMachineId,
} from './identity/index.js';

/** Node options → needs → Talos documents → patch text, for one Talos version. */
export {
  type CleanupMode,
  type DataPathDisk,
  type DiskNeed,
  type ExtensionSettings,
  type ExtraModule,
  type KernelModuleNeed,
  type NodeNeeds,
  type NodeOptions,
  parseNodeOptions,
  planNode,
} from './longhorn/index.js';
/**
 * Write a plan's files into a directory, all or none, never through links or onto special files.
 *
 * @example
 * ```ts
 * import { loadPlan, writeClusterFiles } from 'talos-longhorn';
 * await writeClusterFiles(loadPlan(planYamlText, 'plan.yaml'), 'out');
 * ```
 */
export { type WriteFilesResult, writeClusterFiles } from './output/cluster-files.js';
/**
 * Cluster plan → files: patches, identities, schematic and Longhorn Helm values.
 *
 * @example
 * ```ts
 * import { loadPlan, renderClusterFiles } from 'talos-longhorn';
 * const plan = loadPlan(planYamlText, 'plan.yaml');
 * for (const file of renderClusterFiles(plan)) console.log(file.path);
 * ```
 */
export {
  type ClusterFile,
  checkPlan,
  loadPlan,
  type Plan,
  type PlanCheck,
  PlanFileError,
  type PlanNode,
  parsePlan,
  type ResolvedNode,
  type ResolvedPlan,
  renderClusterFiles,
  resolvePlan,
  validatePlan,
} from './plan/index.js';
/** Preflight: check nodes against what the patch configures (readers in `/preflight`). */
export {
  type CheckGroup,
  type CheckResult,
  type CheckStatus,
  formatReport,
  type NodeReader,
  type NodeReport,
  type PreflightOptions,
  type PreflightReport,
  type PreflightTarget,
  preflightNodes,
  type ReportFormat,
  reportExitStatus,
} from './preflight/index.js';
export {
  DEFAULT_TALOS_VERSION,
  type PatchFormat,
  parseTalosVersion,
  type RenderPatchOptions,
  renderPatch,
  renderTalosDocuments,
  SUPPORTED_TALOS_VERSIONS,
  type TalosDocument,
  type TalosVersion,
} from './talos/index.js';
/** The Image Factory schematic for Longhorn and its ID, computed offline. */
export {
  longhornSchematic,
  marshalSchematic,
  renderSchematicFile,
  type Schematic,
  type SchematicInput,
  schematicId,
} from './talos/schematic.js';
