import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase62, encodeBase62, machineIdFromNodeId } from '../../src/identity/index.js';
import { itWithShared, readSharedJson } from '../helpers/shared.js';

interface Vector {
  readonly nodeId: string;
  readonly machineId: string;
}

// FACTS §1: Talos node identities are 32 random bytes; their IDs always decode to 32 bytes.
describe('node ids decode to exactly 32 bytes', () => {
  itWithShared('every Talos vector is accepted; one character dropped or added is refused', () => {
    const { vectors } = readSharedJson<{ vectors: Vector[] }>('vectors/identity.json');
    for (const { nodeId, machineId } of vectors) {
      expect(machineIdFromNodeId(nodeId)).toBe(machineId);
      for (const [what, mutated] of [
        ['last character dropped', nodeId.slice(0, -1)],
        ['a character appended', `${nodeId}A`],
        ['a character doubled', `${nodeId.slice(0, 5)}${nodeId.slice(4)}`],
      ] as const) {
        // A mutation may by chance be the exact encoding of other 32 bytes (a real, other node
        // id); only those may pass, and never with this node's machine-id by accident of length.
        let accepted: string | undefined;
        try {
          accepted = machineIdFromNodeId(mutated);
        } catch (err) {
          expect(String(err), what).toMatch(
            /^TalosLonghornError: nodeId: decodes to \d+ bytes; a Talos node ID decodes to exactly 32/,
          );
        }
        if (accepted !== undefined) {
          expect(decodeBase62(mutated)).toHaveLength(32);
          expect(encodeBase62(decodeBase62(mutated)), what).toBe(mutated);
        }
      }
    }
  });

  it('ids of other byte lengths are refused, with a one-line error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }).filter((n) => n !== 32),
        (length) => {
          const id = encodeBase62(new Uint8Array(randomBytes(length)));
          expect(() => machineIdFromNodeId(id, 'nodes[0].nodeId')).toThrow(
            new RegExp(`^nodes\\[0\\]\\.nodeId: decodes to ${length} bytes;`),
          );
        },
      ),
    );
  });

  it('every encoding of 32 bytes is accepted and gives their first 16 bytes as machine-id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        expect(machineIdFromNodeId(encodeBase62(bytes))).toBe(
          Buffer.from(bytes.subarray(0, 16)).toString('hex'),
        );
      }),
    );
  });
});
