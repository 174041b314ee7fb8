import { describeChar, TalosLonghornError } from '../errors.js';
import { decodeBase62, encodeBase62 } from './base62.js';

/** Hexadecimal characters of a machine-id (16 bytes). */
export const MACHINE_ID_LENGTH = 32;
/** Talos takes the machine-id from the first 16 bytes of the decoded node identity. */
const MACHINE_ID_BYTES = MACHINE_ID_LENGTH / 2;
/** A Talos node identity is 32 random bytes (node-identity.yaml `nodeId`), always. */
const NODE_ID_BYTES = 32;

function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
}

/**
 * Parse a machine-id as users paste it or read it from `/etc/machine-id`: 32 hexadecimal
 * characters. One trailing newline and surrounding spaces/tabs are tolerated; upper case is
 * normalised to lower case. Anything else throws `invalid-input` naming what was wrong.
 */
export function parseMachineId(text: string, field = 'machineId'): string {
  let value = text;
  if (value.endsWith('\r\n')) value = value.slice(0, -2);
  else if (value.endsWith('\n')) value = value.slice(0, -1);
  value = value.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase();
  if (value.length === 0) {
    throw new TalosLonghornError(
      'invalid-input',
      `empty; expected ${MACHINE_ID_LENGTH} hexadecimal characters`,
      { field },
    );
  }
  let position = 0;
  for (const ch of value) {
    position++;
    if (!isHexDigit(ch.charCodeAt(0)) || ch.length !== 1) {
      throw new TalosLonghornError(
        'invalid-input',
        `invalid character ${describeChar(ch)} at position ${position}; expected hexadecimal [0-9a-f]`,
        { field },
      );
    }
  }
  if (value.length !== MACHINE_ID_LENGTH) {
    throw new TalosLonghornError(
      'invalid-input',
      `expected ${MACHINE_ID_LENGTH} hexadecimal characters, got ${value.length}`,
      { field },
    );
  }
  return value;
}

/** Decode a Talos node ID and return the machine-id Talos derives from it. */
export function machineIdFromNodeId(nodeId: string, field = 'nodeId'): string {
  const trimmed = nodeId.trim();
  if (trimmed.length === 0) {
    throw new TalosLonghornError('invalid-input', 'empty; expected a base62 Talos node ID', {
      field,
    });
  }
  const bytes = decodeBase62(trimmed, field);
  // One character too few or too many still decodes, to other bytes; a dropped last character
  // can even leave 32 bytes. Talos writes the encoder's output, so a real node ID decodes to 32
  // bytes that encode back to the same text.
  if (bytes.length !== NODE_ID_BYTES || encodeBase62(bytes) !== trimmed) {
    throw new TalosLonghornError(
      'invalid-input',
      `decodes to ${bytes.length} bytes; a Talos node ID decodes to exactly ${NODE_ID_BYTES} (check for a missing or extra character)`,
      { field },
    );
  }
  return Buffer.from(bytes.subarray(0, MACHINE_ID_BYTES)).toString('hex');
}
