export { ConcurrencyLimit, mapLimited } from '../concurrency.js';
export type { MergeResult } from '../talos/strategic-merge.js';
export { mergeConfigPatch } from '../talos/strategic-merge.js';
export type {
  ApplyMode,
  ApplyOptions,
  ApplyResult,
  CosiResource,
  FileEntry,
  FileType,
  ListOptions,
  NodeVersion,
  TalosClientOptions,
} from './client.js';
export { APPLY_MODES, TalosClient } from './client.js';
export { endpointUrl, TALOS_API_PORT } from './endpoints.js';
export type { FileCheck, FileCheckMode, FileMismatch, NodeIdentity } from './node-identity.js';
export { compareIdentityFiles, IDENTITY_RESOURCE, readNodeIdentity } from './node-identity.js';
export type { PatchNodeResult } from './patch-config.js';
export { MACHINE_CONFIG_RESOURCE, patchNodeConfig } from './patch-config.js';
export type {
  ClientCertificateInfo,
  LoadTalosConfigOptions,
  ParseTalosConfigOptions,
  TalosContext,
} from './talosconfig.js';
export {
  loadTalosConfig,
  parseTalosConfig,
  resolveTalosConfigPath,
  TalosCredentials,
} from './talosconfig.js';
export type { RetryPolicy } from './transport.js';
