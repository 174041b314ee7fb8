import { describeChar, TalosLonghornError } from '../errors.js';
import { decodeBase62 } from './base62.js';

export const MACHINE_ID_LENGTH = 32;
/** Talos takes the machine-id from the first 16 bytes of the decoded node identity. */
const MACHINE_ID_BYTES = MACHINE_ID_LENGTH / 2;

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
  if (bytes.length < MACHINE_ID_BYTES) {
    throw new TalosLonghornError(
      'invalid-input',
      `decodes to ${bytes.length} bytes; a Talos node ID holds at least ${MACHINE_ID_BYTES} (normally 32)`,
      { field },
    );
  }
  return Buffer.from(bytes.subarray(0, MACHINE_ID_BYTES)).toString('hex');
}
