import { TalosLonghornError } from '../errors.js';
import { machineIdFromNodeId, parseMachineId } from './machine-id.js';

/** Talos's naming authority for both IQN and NQN: the month of Talos's first commit. */
export const IQN_PREFIX = 'iqn.2017-11.dev.talos:';
/** The prefix of a Talos node's NVMe host NQN; the hostid (a UUID) follows it. */
export const NQN_PREFIX = 'nqn.2017-11.dev.talos:uuid:';

/**
 * Where an identity comes from: the node's machine-id (`/etc/machine-id`), or its Talos node id
 * (`Identities` `spec.nodeId`, from which Talos derives the machine-id).
 */
export type IdentityInput =
  | { readonly machineId: string; readonly nodeId?: never }
  | { readonly nodeId: string; readonly machineId?: never };

/** A node's identity strings exactly as Talos ≥ 1.10 writes them on the node. */
export interface Identity {
  /** Content of `/etc/machine-id` (32 lowercase hex characters, no newline). */
  readonly machineId: string;
  /** The iSCSI initiator IQN. */
  readonly iqn: string;
  /** Content of `/etc/iscsi/initiatorname.iscsi`, trailing newline included. */
  readonly initiatorName: string;
  /** Content of `/etc/nvme/hostid`. */
  readonly hostId: string;
  /** Content of `/etc/nvme/hostnqn`. */
  readonly hostNqn: string;
}

/**
 * Talos's NVMe host ID: a UUID whose 16 bytes are the ASCII codes of the first 16 characters of
 * the machine-id *text* (not the identity bytes), printed 8-4-4-4-12 with no version bits set.
 */
function hostIdFromMachineId(machineId: string): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += machineId.charCodeAt(i).toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A node's storage identity from its machine-id: the iSCSI initiator IQN and the NVMe
 * hostid/hostnqn, stable for the life of the machine-id. Pure.
 *
 * @example
 * ```ts
 * import { deriveIdentity, parseMachineId } from 'talos-longhorn';
 * const identity = deriveIdentity({ machineId: parseMachineId('0123456789abcdef0123456789abcdef') });
 * identity.iqn; // the initiator name for /etc/iscsi/initiatorname.iscsi
 * ```
 */
export function deriveIdentity(input: IdentityInput): Identity {
  let machineId: string;
  if (typeof input.machineId === 'string' && input.nodeId === undefined) {
    machineId = parseMachineId(input.machineId);
  } else if (typeof input.nodeId === 'string' && input.machineId === undefined) {
    machineId = machineIdFromNodeId(input.nodeId);
  } else {
    throw new TalosLonghornError('usage', 'give exactly one of machineId or nodeId', {
      field: 'identity',
    });
  }
  const iqn = IQN_PREFIX + machineId;
  const hostId = hostIdFromMachineId(machineId);
  return {
    machineId,
    iqn,
    initiatorName: `InitiatorName=${iqn}\n`,
    hostId,
    hostNqn: NQN_PREFIX + hostId,
  };
}

/** A file Talos writes for the identity, relative to the root, with the mode Talos gives it. */
export interface IdentityFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/** The identity files as Talos writes them (modes from Talos's EtcFileSpec controllers). */
export function identityFiles(identity: Identity): readonly IdentityFile[] {
  return [
    { path: 'etc/machine-id', content: identity.machineId, mode: 0o444 },
    { path: 'etc/iscsi/initiatorname.iscsi', content: identity.initiatorName, mode: 0o600 },
    { path: 'etc/nvme/hostid', content: identity.hostId, mode: 0o600 },
    { path: 'etc/nvme/hostnqn', content: identity.hostNqn, mode: 0o600 },
  ];
}
