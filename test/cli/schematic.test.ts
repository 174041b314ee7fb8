import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';

const LONGHORN_SCHEMATIC_ID = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245';

describe('talos-longhorn schematic', () => {
  it('prints the Longhorn schematic with its ID; the body hashes to that ID', async () => {
    const result = await runCli(['schematic']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `# Image Factory schematic for Longhorn on Talos. Its ID (sha256 of the lines below):
# ${LONGHORN_SCHEMATIC_ID}
customization:
    systemExtensions:
        officialExtensions:
            - siderolabs/iscsi-tools
            - siderolabs/util-linux-tools
`,
    );
    const body = result.stdout.replace(/^(#.*\n)+/, '');
    expect(createHash('sha256').update(body).digest('hex')).toBe(LONGHORN_SCHEMATIC_ID);
  });

  it('adds extensions (sorted, deduplicated) and kernel arguments (in order)', async () => {
    const args = ['--extension', 'siderolabs/intel-ucode', '--extension', 'siderolabs/iscsi-tools'];
    args.push('--kernel-arg', 'nolapic', '--kernel-arg', 'noapic', '--output', 'json');
    const result = await runCli(['schematic', ...args]);
    const value = JSON.parse(result.stdout) as { id: string; schematic: unknown };
    expect(value.schematic).toEqual({
      customization: {
        extraKernelArgs: ['nolapic', 'noapic'],
        systemExtensions: {
          officialExtensions: [
            'siderolabs/intel-ucode',
            'siderolabs/iscsi-tools',
            'siderolabs/util-linux-tools',
          ],
        },
      },
    });
    const yaml = await runCli(['schematic', ...args.slice(0, -2), '--talos-version', 'v1.12.1']);
    expect(yaml.stdout).toContain(`# ${value.id}\n`);
    // The exact release named, never `v1.12.x`.
    expect(yaml.stdout).toContain(`factory.talos.dev/installer/${value.id}:v1.12.1\n`);
    expect(parseYaml(yaml.stdout)).toEqual(value.schematic);
    const id = await runCli(['schematic', ...args.slice(0, -2), '--output', 'id']);
    expect(id.stdout).toBe(`${value.id}\n`);
  });

  const bad: [string, string[], RegExp][] = [
    [
      'bad extension',
      ['--extension', 'intel-ucode'],
      /--extension\[0\]: "intel-ucode" is not an official extension name/,
    ],
    [
      'kernel arg with a blank',
      ['--kernel-arg', 'a b'],
      /--kernel-arg\[0\]: invalid character U\+0020/,
    ],
    ['unknown output', ['--output', 'toml'], /--output: unknown value "toml"/],
    ['bad version', ['--talos-version', 'x'], /--talos-version: "x" is not a Talos version/],
    ['positional', ['extra'], /unexpected argument/],
  ];
  it.each(bad)('%s → exit 2, one line', async (_name, args, message) => {
    expect(expectOneLineFailure(await runCli(['schematic', ...args]), 2)).toMatch(message);
  });
});
