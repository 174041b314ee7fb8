// Public API of talos-longhorn: explicit named exports only.
export type { ErrorCode } from './errors.js';
export { exitStatusFor, isTalosLonghornError, TalosLonghornError } from './errors.js';
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
