import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TalosLonghornError } from '../../src/errors.js';
import { NODE_OPTION_KEYS } from '../../src/longhorn/options-schema.js';
import { planNode, V2_ONLY_OPTIONS } from '../../src/longhorn/plan.js';
import { loadPlan, PlanFileError, parsePlan } from '../../src/plan/load.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { validatePlan } from '../../src/plan/validate.js';

const MACHINE_ID = 'be871ac0d0dd31fa4caca753b0f3f1b2';
const NODE_ID = 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L';

function errorOf(text: string): PlanFileError {
  try {
    loadPlan(text, 'plan.yaml');
  } catch (err) {
    if (err instanceof PlanFileError) return err;
    throw err;
  }
  throw new Error('expected the plan to be refused');
}

describe('plan errors point at FILE:LINE:COLUMN and the field', () => {
  const cases: [string, string, string][] = [
    [
      'unknown top-level key',
      'nodes:\n  - name: a\nnodez: 1\n',
      'plan.yaml:3:1: nodez: unknown field; expected one of talosVersion, configOrigin, longhornVersion, extensions, extraKernelArgs, defaults, nodes',
    ],
    [
      'unknown node key',
      'nodes:\n  - name: a\n    disk: x\n',
      'plan.yaml:3:5: nodes[0].disk: unknown field; expected one of name, machineId',
    ],
    [
      'unknown defaults key',
      'defaults:\n  memory: 1\nnodes:\n  - name: a\n',
      'plan.yaml:2:3: defaults.memory: unknown field; expected one of v2DataEngine',
    ],
    [
      'missing nodes',
      'talosVersion: "1.11"\n',
      'plan.yaml:1:1: nodes: missing; a plan lists its nodes',
    ],
    ['missing name', 'nodes:\n  - machineId: x\n', 'plan.yaml:2:5: nodes[0].name: missing'],
    ['empty node list', 'nodes: []\n', 'plan.yaml:1:8: nodes: expected at least 1 items'],
    [
      'bad name',
      'nodes:\n  - name: a\n  - name: Worker_1\n',
      'plan.yaml:3:11: nodes[1].name: "Worker_1" is not a node name',
    ],
    [
      'wrong type',
      'nodes:\n  - name: a\n    memorySizeMiB: "2048"\n',
      'plan.yaml:3:20: nodes[0].memorySizeMiB: expected integer, got the string "2048"',
    ],
    [
      'unquoted digits',
      `nodes:\n  - name: a\n    machineId: 12345678901234567890123456789012\n`,
      'plan.yaml:3:16: nodes[0].machineId: expected string, got number',
    ],
    [
      'out of range',
      'defaults:\n  memorySizeMiB: 0\nnodes:\n  - name: a\n',
      'plan.yaml:2:18: defaults.memorySizeMiB: 0 is out of range; expected >= 1',
    ],
    [
      'enum',
      'nodes:\n  - name: a\n    cleanupMode: delete\n',
      'plan.yaml:3:18: nodes[0].cleanupMode: unknown value "delete"; expected one of off, report, remove',
    ],
    [
      'both identities',
      `nodes:\n  - name: a\n    machineId: ${MACHINE_ID}\n    nodeId: ${NODE_ID}\n`,
      'plan.yaml:2:5: nodes[0]: give only one of machineId or nodeId',
    ],
    [
      'bad machine-id',
      'nodes:\n  - name: a\n    machineId: "abc"\n',
      'plan.yaml:3:16: nodes[0].machineId: expected 32 hexadecimal characters, got 3',
    ],
    [
      'bad node ID',
      'nodes:\n  - name: a\n    nodeId: "ab!"\n',
      'plan.yaml:3:13: nodes[0].nodeId: invalid character "!" at position 3',
    ],
    [
      'bad disk',
      'nodes:\n  - name: a\n    disks:\n      - "0000:01:00.0"\n      - sda\n',
      'plan.yaml:5:9: nodes[0].disks[1]: "sda" is not a disk',
    ],
    [
      'pages below memory (node)',
      'nodes:\n  - name: a\n    hugepages: 10\n',
      'plan.yaml:3:16: nodes[0].hugepages: 10 pages are fewer than the 1024 2 MiB pages',
    ],
    [
      'pages below memory (from defaults)',
      'defaults:\n  hugepages: 1100\nnodes:\n  - name: a\n  - name: b\n    memorySizeMiB: 4096\n',
      'plan.yaml:2:14: defaults.hugepages: 1100 pages are fewer than the 2048 2 MiB pages that memorySizeMiB 4096 needs (for node b)',
    ],
    [
      'unsupported version',
      'talosVersion: "1.2"\nnodes:\n  - name: a\n',
      'plan.yaml:1:15: talosVersion: Talos 1.2 is not supported',
    ],
    [
      'not a version',
      'talosVersion: latest\nnodes:\n  - name: a\n',
      'plan.yaml:1:15: talosVersion: "latest" is not a Talos version',
    ],
    [
      'need the version cannot express',
      'talosVersion: "1.9"\nnodes:\n  - name: a\n    ublk: true\n',
      'plan.yaml:4:11: nodes[0].ublk: loading ublk_drv needs Talos 1.12 or newer',
    ],
    [
      'duplicate name',
      'nodes:\n  - name: a\n  - name: a\n',
      'plan.yaml:3:11: nodes[1].name: a repeats nodes[0].name',
    ],
    [
      'shared identity',
      `nodes:\n  - name: a\n    machineId: ${MACHINE_ID}\n  - name: b\n    nodeId: ${NODE_ID}\n`,
      `plan.yaml:5:13: nodes[1].nodeId: machine-id ${MACHINE_ID} is also nodes[0]'s (a)`,
    ],
    [
      'bad extension',
      'extensions: [iscsi-tools]\nnodes:\n  - name: a\n',
      'plan.yaml:1:14: extensions[0]: "iscsi-tools" is not an official extension name',
    ],
    [
      'bad kernel arg',
      'extraKernelArgs:\n  - "a b"\nnodes:\n  - name: a\n',
      'plan.yaml:2:5: extraKernelArgs[0]: "a b" is not one kernel argument',
    ],
    [
      'duplicate key',
      'nodes:\n  - name: a\n    name: b\n',
      'plan.yaml:3:5: plan: invalid YAML: Map keys must be unique',
    ],
    ['broken YAML', 'nodes: [\n', 'plan.yaml:2:1: plan: invalid YAML:'],
    [
      'two documents',
      'nodes: []\n---\nnodes: []\n',
      'plan.yaml:2:1: plan: invalid YAML: Source contains multiple documents',
    ],
    ['alias without anchor', 'nodes:\n  - *missing\n', 'plan.yaml:2:5: plan: invalid YAML:'],
    [
      'alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(9)}*a]\nc: &c [${'*b, '.repeat(9)}*b]\nd: [${'*c, '.repeat(9)}*c]\nnodes: [{name: a}]\n`,
      'plan.yaml:2:8: plan: invalid YAML: Excessive alias count',
    ],
    ['empty file', '', 'plan.yaml:1:1: plan: empty; expected a mapping with nodes'],
    ['a list, not a plan', '- a\n', 'plan.yaml:1:1: plan: expected object, got a list'],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const err = errorOf(text);
    expect(
      err.message.startsWith(expected),
      `${err.message}\n  should start with\n${expected}`,
    ).toBe(true);
    expect(err.message).not.toMatch(/\n/);
    expect(['invalid-input', 'unsupported-version', 'unsupported-need']).toContain(err.code);
    expect(err.file).toBe('plan.yaml');
    expect(`${err.file}:${err.line}:${err.column}`).toBe(expected.split(': ')[0]);
  });

  it('never throws anything but a located error on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          loadPlan(text, 'p.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(PlanFileError);
          expect((err as Error).message).toMatch(/^p\.yaml:\d+:\d+: \S/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('plan resolution', () => {
  it('applies defaults, then each node’s overrides, and derives identities', () => {
    const plan = loadPlan(
      `talosVersion: v1.11.3
defaults:
  memorySizeMiB: 4096
  disks: ["0000:01:00.0"]
  cleanupMode: remove
nodes:
  - name: a
    machineId: ${MACHINE_ID.toUpperCase()}
  - name: b
    nodeId: gvqfS27LxD58lPlASmpaueeRVzuof16iXoieRgEvBWaE
    memorySizeMiB: 2048
    disks: []
  - name: c
    v2DataEngine: false
`,
      'plan.yaml',
    );
    expect(plan.talosVersion).toBe('1.11');
    const [a, b, c] = plan.nodes;
    expect(a?.identity?.iqn).toBe(`iqn.2017-11.dev.talos:${MACHINE_ID}`);
    // 4096 MiB for the engine, plus SPDK's 1024 NVMe-driver pages for the PCI-addressed disk.
    expect(a?.needs.hugepages).toBe(2048 + 1024);
    expect(a?.needs.disks.map((d) => d.name)).toEqual(['nvme-0000-01-00-0']);
    expect(a?.needs.extension?.cleanupMode).toBe('remove');
    expect(b?.identity?.machineId).toBe('8d2c0de2408fa2a178bad7f45d9aa8fb');
    expect(b?.needs.hugepages).toBe(1024);
    expect(b?.needs.disks).toEqual([]);
    // An opted-out node inherits no v2-only defaults, but everything else.
    expect(c?.identity).toBeUndefined();
    expect(c?.needs.v2DataEngine).toBe(false);
    expect(c?.options).toEqual({ cleanupMode: 'remove', v2DataEngine: false });
    expect(plan.schematicId).toBe(
      '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245',
    );
  });

  it('still refuses v2-only options an opted-out node gives itself', () => {
    expect(
      errorOf('nodes:\n  - name: a\n    v2DataEngine: false\n    hugepages: 2048\n').message,
    ).toBe('plan.yaml:4:16: nodes[0].hugepages: given while v2DataEngine is false');
  });

  it('keeps V2_ONLY_OPTIONS in step with what planNode refuses when v2 is off', () => {
    const samples: Record<string, unknown> = {
      memorySizeMiB: 2048,
      hugepages: 1024,
      ublk: true,
      disks: ['/dev/sdb'],
      vfioRebind: false,
      rawPartition: { minSize: '100GiB', ephemeralMaxSize: '50GiB' },
      encryption: true,
      extraModules: [],
      dataPath: true,
      dataPathDisk: 'disk.size > 0u',
      dataPathMinSize: '10GiB',
      extension: true,
      cleanupMode: 'off',
      cleanupIntervalSeconds: 60,
    };
    for (const key of NODE_OPTION_KEYS.filter((k) => k !== 'v2DataEngine')) {
      expect(Object.hasOwn(samples, key), `sample for ${key}`).toBe(true);
      const refused = (() => {
        try {
          planNode({ v2DataEngine: false, [key]: samples[key] });
          return false;
        } catch (err) {
          return (
            err instanceof TalosLonghornError &&
            /given while v2DataEngine is false/.test(err.message)
          );
        }
      })();
      expect(refused, key).toBe(V2_ONLY_OPTIONS.includes(key));
    }
  });

  it('is usable without a file: validatePlan and resolvePlan name the field', () => {
    expect(() => validatePlan({ nodes: [{ name: 'a', bogus: 1 }] })).toThrow(
      /^nodes\[0\]\.bogus: unknown field/,
    );
    expect(() => resolvePlan({ nodes: [{ name: 'a', hugepages: 3 }] })).toThrow(
      /^nodes\[0\]\.hugepages: 3 pages are fewer/,
    );
    expect(parsePlan('{"nodes": [{"name": "a"}]}', 'plan.json')).toEqual({
      nodes: [{ name: 'a' }],
    });
  });
});
