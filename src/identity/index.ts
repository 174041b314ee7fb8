export { decodeBase62, encodeBase62 } from './base62.js';
export type { Identity, IdentityFile, IdentityInput } from './derive.js';
export { deriveIdentity, IQN_PREFIX, identityFiles, NQN_PREFIX } from './derive.js';
export { MACHINE_ID_LENGTH, machineIdFromNodeId, parseMachineId } from './machine-id.js';
