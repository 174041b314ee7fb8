import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  buildSchematic,
  goYamlScalar,
  longhornSchematic,
  marshalSchematic,
  renderSchematicFile,
  schematicId,
} from '../../src/talos/schematic.js';
import { parseTalosTarget } from '../../src/talos/versions.js';

describe('schematic ID (Image Factory, computed offline)', () => {
  it('matches the public vectors', () => {
    // Image Factory's own test vectors (../shared/talos/FACTS.md §7).
    expect(schematicId(buildSchematic({}))).toBe(
      '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba',
    );
    expect(schematicId(buildSchematic({ extraKernelArgs: ['noapic', 'nolapic'] }))).toBe(
      '9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c',
    );
    // The ID factory.talos.dev gives for iscsi-tools + util-linux-tools, as published in many
    // Longhorn-on-Talos guides.
    expect(schematicId(longhornSchematic({}))).toBe(
      '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245',
    );
  });

  it('marshals like Go yaml.v3: 4-space indentation, sequences indented, empty omitted', () => {
    expect(marshalSchematic(buildSchematic({}))).toBe('customization: {}\n');
    expect(
      marshalSchematic(
        buildSchematic({ extensions: ['siderolabs/b', 'siderolabs/a'], extraKernelArgs: ['x=1'] }),
      ),
    ).toBe(
      'customization:\n    extraKernelArgs:\n        - x=1\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/a\n            - siderolabs/b\n',
    );
  });

  it('sorts and deduplicates extensions but keeps kernel argument order', () => {
    const a = longhornSchematic({
      extensions: ['siderolabs/intel-ucode', 'siderolabs/iscsi-tools', 'siderolabs/intel-ucode'],
      extraKernelArgs: ['b=2', 'a=1'],
    });
    expect(a.customization.systemExtensions?.officialExtensions).toEqual([
      'siderolabs/intel-ucode',
      'siderolabs/iscsi-tools',
      'siderolabs/util-linux-tools',
    ]);
    expect(a.customization.extraKernelArgs).toEqual(['b=2', 'a=1']);
    const reordered = longhornSchematic({
      extensions: ['siderolabs/intel-ucode'],
      extraKernelArgs: ['a=1', 'b=2'],
    });
    expect(schematicId(reordered)).not.toBe(schematicId(a));
  });

  it('renderSchematicFile carries the published ID and a real installer tag', () => {
    // The ID factory.talos.dev gives for iscsi-tools + util-linux-tools (public, see above).
    const published = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245';
    const exact = renderSchematicFile(longhornSchematic({}), parseTalosTarget('v1.11.3'));
    expect(exact.split('\n')[1]).toBe(`# ${published}`);
    expect(exact).toContain(
      `# Installer image: factory.talos.dev/installer/${published}:v1.11.3\n`,
    );
    // Only a minor given: the newest 1.13 release in ../shared/talos/FACTS.md §8, said so.
    const minor = renderSchematicFile(longhornSchematic({}), parseTalosTarget('1.13'));
    expect(minor).toContain(`factory.talos.dev/installer/${published}:v1.13.9\n`);
    expect(minor).toContain('v1.13.9 is the newest Talos 1.13 release talos-longhorn knows');
    expect(minor).not.toMatch(/:v\d+\.\d+\.x/);
    // Image Factory parses the file: the comments leave exactly the schematic.
    expect(parseYaml(minor)).toEqual({
      customization: {
        systemExtensions: {
          officialExtensions: ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools'],
        },
      },
    });
  });

  it('refuses bad extension names and kernel arguments, naming the item', () => {
    expect(() => longhornSchematic({ extensions: ['iscsi-tools'] })).toThrow(
      /^extensions\[0\]: "iscsi-tools" is not an official extension name/,
    );
    expect(() => buildSchematic({ extraKernelArgs: ['ok', 'a b'] })).toThrow(
      /^extraKernelArgs\[1\]: invalid character U\+0020 at position 2/,
    );
    expect(() => buildSchematic({ extraKernelArgs: [''] })).toThrow(
      /extraKernelArgs\[0\]: expected a kernel argument of 1 to 1024/,
    );
    expect(() => buildSchematic({ extraKernelArgs: ['é'] })).toThrow(/U\+00E9/);
  });
});

describe('Go yaml.v3 scalar styles', () => {
  // What yaml.v3 emits for these strings in a block sequence.
  const cases: [string, string][] = [
    ['noapic', 'noapic'],
    ['console=ttyS0,115200n8', 'console=ttyS0,115200n8'],
    [
      'ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off',
      'ip=10.0.0.2::10.0.0.1:255.255.255.0::eth0:off',
    ],
    ['-foo', '-foo'],
    ['1', '"1"'],
    ['-12', '"-12"'],
    ['0x1F', '"0x1F"'],
    ['0o17', '"0o17"'],
    ['0b101', '"0b101"'],
    ['1_000', '"1_000"'],
    ['1.5', '"1.5"'],
    ['.5', '".5"'],
    ['1e3', '"1e3"'],
    ['true', '"true"'],
    ['False', '"False"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['.inf', '".inf"'],
    ['-.Inf', '"-.Inf"'],
    ['<<', '"<<"'],
    ['yes', '"yes"'],
    ['off', '"off"'],
    ['y', '"y"'],
    ['1:20', '"1:20"'],
    ['190:20:30.15', '"190:20:30.15"'],
    ['2024-01-02', '"2024-01-02"'],
    ['2024-02-30', '2024-02-30'],
    ['2024-1-2T3:4:5Z', '"2024-1-2T3:4:5Z"'],
    ['99999999999999999999', '"99999999999999999999"'],
    ['a:', "'a:'"],
    [':', "':'"],
    ['-', "'-'"],
    ['?', "'?'"],
    ['#x', "'#x'"],
    ['a#b', 'a#b'],
    ['*x', "'*x'"],
    ['&x', "'&x'"],
    ['!x', "'!x'"],
    ["'q'", "'''q'''"],
    ['"q"', '\'"q"\''],
    ['%x', "'%x'"],
    ['@x', "'@x'"],
    ['`x', "'`x'"],
    ['[x]', "'[x]'"],
    ['{x}', "'{x}'"],
    ['x[0]', 'x[0]'],
    ['---x', "'---x'"],
    ['...', "'...'"],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(goYamlScalar(input)).toBe(expected);
  });

  // YAML 1.1 readers are not a reference: yaml.v3 reads "." and "1.2.3" as strings, 1.1 as floats.
  it('always reads back as the same string (YAML 1.2)', () => {
    const arg = fc
      .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 24 })
      .map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 5 }), (args) => {
        const text = marshalSchematic(buildSchematic({ extraKernelArgs: args }));
        const parsed = parseYaml(text) as { customization: { extraKernelArgs: unknown[] } };
        expect(parsed.customization.extraKernelArgs).toEqual(args);
      }),
      { numRuns: 500 },
    );
  });
});
