// Cluster plans: plan file → validated plan → per-node options, needs, documents → files.
export { formatFieldPath, parseFieldPath } from '../field-path.js';
export { loadPlan, MAX_PLAN_BYTES, PlanFileError, parsePlan } from './load.js';
export {
  CLUSTER_FILE_NAMES,
  type ClusterFile,
  formatSummary,
  identityFileName,
  patchFileName,
  renderClusterFiles,
} from './render.js';
export { resolvePlan } from './resolve.js';
export {
  NODE_NAME_PATTERN,
  PLAN_FIELDS,
  PLAN_NODE_FIELDS,
  PLAN_SCHEMA,
  PLAN_SCHEMA_ID,
  type PlanField,
} from './schema.js';
export type { Plan, PlanNode, ResolvedNode, ResolvedPlan } from './types.js';
export { checkPlan, type PlanCheck, validatePlan } from './validate.js';
