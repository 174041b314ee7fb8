// Preflight: node sources → NodeFacts → checks (against NodeNeeds) → report.
export { RecordingReader, writeSnapshot } from './capture.js';
export type {
  CheckDefinition,
  CheckGroup,
  CheckOutcome,
  CheckResult,
  CheckStatus,
} from './check.js';
export { CHECK_GROUPS, CHECK_STATUSES } from './check.js';
export { PREFLIGHT_CHECKS } from './checks/index.js';
export { collectFacts } from './collect.js';
export type { NodeFacts, Observed } from './facts.js';
export type { ListEntry, NodeReader, Probe, ResourceEntry, VersionInfo } from './reader.js';
export { formatReport, REPORT_FORMATS, type ReportFormat, useColour } from './report.js';
export {
  DEFAULT_CONCURRENCY as DEFAULT_PREFLIGHT_CONCURRENCY,
  type NodeReport,
  type PreflightOptions,
  type PreflightReport,
  type PreflightTarget,
  preflightNodes,
  reportExitStatus,
  runChecks,
} from './run.js';
export { LocalRootReader } from './sources/local-root.js';
export { TalosApiReader, type TalosReadApi } from './sources/talos-api.js';
