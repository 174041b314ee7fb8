import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import { encodeBase62 } from '../../src/identity/index.js';
import {
  deriveIdentity,
  identityFiles,
  machineIdFromNodeId,
  parseMachineId,
} from '../../src/index.js';
import { identityVectors, itWithShared } from '../helpers/shared.js';

const hexMachineId = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Buffer.from(bytes).toString('hex'));

describe('deriveIdentity', () => {
  itWithShared('matches every shared vector from node ID and machine-id', () => {
    for (const v of identityVectors()) {
      const expected = {
        machineId: v.machineId,
        iqn: `iqn.2017-11.dev.talos:${v.machineId}`,
        initiatorName: v.initiatorNameFile,
        hostId: v.hostId,
        hostNqn: v.hostNqn,
      };
      expect(deriveIdentity({ nodeId: v.nodeId })).toEqual(expected);
      expect(deriveIdentity({ machineId: v.machineId })).toEqual(expected);
      expect(Object.keys(deriveIdentity({ machineId: v.machineId }))).toEqual([
        'machineId',
        'iqn',
        'initiatorName',
        'hostId',
        'hostNqn',
      ]);
    }
  });

  it('derives Talos-shaped strings for every machine-id', () => {
    fc.assert(
      fc.property(hexMachineId, (machineId) => {
        const id = deriveIdentity({ machineId });
        expect(id.iqn).toMatch(/^iqn\.2017-11\.dev\.talos:[0-9a-f]{32}$/);
        expect(id.hostId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(id.hostNqn).toBe(`nqn.2017-11.dev.talos:uuid:${id.hostId}`);
        expect(id.initiatorName).toBe(`InitiatorName=${id.iqn}\n`);
      }),
    );
  });

  it('takes the machine-id from the first 16 bytes of any 32-byte node identity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const machineId = Buffer.from(bytes.subarray(0, 16)).toString('hex');
        expect(deriveIdentity({ nodeId: encodeBase62(bytes) }).machineId).toBe(machineId);
      }),
    );
  });

  it('refuses both or neither input', () => {
    const both = { machineId: 'a'.repeat(32), nodeId: 'x' } as unknown as { machineId: string };
    expect(() => deriveIdentity(both)).toThrow(TalosLonghornError);
    expect(() => deriveIdentity({} as { machineId: string })).toThrow(/exactly one/);
  });

  it('lists the files with the modes Talos gives them', () => {
    const id = deriveIdentity({ machineId: 'be871ac0d0dd31fa4caca753b0f3f1b2' });
    expect(identityFiles(id).map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['etc/machine-id', '444'],
      ['etc/iscsi/initiatorname.iscsi', '600'],
      ['etc/nvme/hostid', '600'],
      ['etc/nvme/hostnqn', '600'],
    ]);
  });
});

describe('parseMachineId', () => {
  const id = 'be871ac0d0dd31fa4caca753b0f3f1b2';

  it('tolerates surrounding blanks, one trailing newline and upper case', () => {
    expect(parseMachineId(`${id}\n`)).toBe(id);
    expect(parseMachineId(`${id}\r\n`)).toBe(id);
    expect(parseMachineId(`  ${id.toUpperCase()}\t\n`)).toBe(id);
  });

  it.each([
    ['', /empty; expected 32 hexadecimal characters/],
    [id.slice(0, 31), /expected 32 hexadecimal characters, got 31/],
    [`${id}0`, /expected 32 hexadecimal characters, got 33/],
    [`${id.slice(0, 4)}g${id.slice(5)}`, /invalid character "g" at position 5/],
    [`${id.slice(0, 9)}é${id.slice(10)}`, /invalid character U\+00E9 at position 10/],
    [`${id}\n\n`, /invalid character U\+000A at position 33/],
    [`${id.slice(0, 30)}😀`, /invalid character U\+1F600 at position 31/],
  ])('rejects %j', (input, message) => {
    expect(() => parseMachineId(input)).toThrowError(message);
    try {
      parseMachineId(input, '--machine-id');
    } catch (err) {
      expect(err).toBeInstanceOf(TalosLonghornError);
      expect((err as TalosLonghornError).code).toBe('invalid-input');
      expect((err as TalosLonghornError).field).toBe('--machine-id');
    }
  });

  it('never crashes on random input: it parses or throws a coded error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), hexMachineId), (input) => {
        try {
          expect(parseMachineId(input)).toMatch(/^[0-9a-f]{32}$/);
        } catch (err) {
          expect(err).toBeInstanceOf(TalosLonghornError);
          expect((err as TalosLonghornError).code).toBe('invalid-input');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('machineIdFromNodeId', () => {
  it('rejects node IDs that decode to fewer than 16 bytes', () => {
    expect(() => machineIdFromNodeId('abcdef')).toThrow(/decodes to 5 bytes/);
  });
  it('rejects empty node IDs and bad characters', () => {
    expect(() => machineIdFromNodeId('')).toThrow(/nodeId: empty/);
    expect(() => machineIdFromNodeId('sou7yy34ykX3n373Zw1D_Kb8zD7UnyKT6HT3QDsGH6L')).toThrow(
      /invalid character "_" at position 21/,
    );
  });
  it('never crashes on random input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        try {
          expect(machineIdFromNodeId(input)).toMatch(/^[0-9a-f]{32}$/);
        } catch (err) {
          expect((err as TalosLonghornError).code).toBe('invalid-input');
        }
      }),
    );
  });
});
