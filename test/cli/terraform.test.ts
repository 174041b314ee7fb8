import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { type CliResult, cliPath, runCli } from '../helpers/cli.js';

const MACHINE_ID = 'be871ac0d0dd31fa4caca753b0f3f1b2';
const LONGHORN_SCHEMATIC_ID = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-terraform-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (input: string | Buffer) => runCli(['terraform'], { input, cwd: dir });

/** What Terraform accepts: a JSON object of strings on stdout, exit 0. */
function result(out: CliResult): Record<string, string> {
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  const value = JSON.parse(out.stdout) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) expect(typeof item, key).toBe('string');
  return value as Record<string, string>;
}

/** What Terraform reports as a failure: exit 1, one line on stderr, nothing on stdout. */
function failure(out: CliResult): string {
  expect(out.status).toBe(1);
  expect(out.stdout).toBe('');
  expect(out.stderr).toMatch(/^talos-longhorn: [^\n]+\n$/);
  return out.stderr;
}

describe('talos-longhorn terraform (external data source protocol)', () => {
  it('answers a full query with identity, patch, schematic and modules, all strings', async () => {
    const query = {
      machine_id: MACHINE_ID,
      talos_version: '1.11',
      disks: '0000:01:00.0, /dev/nvme1n1',
      memory_size_mib: '4096',
      modules: 'nbd',
      module_params: 'nbd:nbds_max=4',
      extensions: 'siderolabs/intel-ucode',
      extra_kernel_args: 'console=ttyS0  net.ifnames=0',
    };
    const value = result(await run(JSON.stringify(query)));
    expect(Object.keys(value)).toEqual([
      'machine_id',
      'iqn',
      'initiator_name',
      'host_id',
      'host_nqn',
      'patch',
      'schematic',
      'schematic_id',
      'kernel_modules',
    ]);
    expect(value.iqn).toBe(`iqn.2017-11.dev.talos:${MACHINE_ID}`);
    expect(value.initiator_name).toBe(`InitiatorName=iqn.2017-11.dev.talos:${MACHINE_ID}\n`);
    expect(value.host_nqn).toBe('nqn.2017-11.dev.talos:uuid:62653837-3161-6330-6430-646433316661');
    const [legacy] = parseAllDocuments(value.patch ?? '').map((doc) => doc.toJS());
    const patch = legacy as { machine: { sysctls: Record<string, string> } };
    expect(patch.machine.sysctls['vm.nr_hugepages']).toBe('3072');
    expect(value.patch).toContain('nbds_max=4');
    expect(JSON.parse(value.kernel_modules ?? '')).toEqual([
      'vfio_pci',
      'uio_pci_generic',
      'nvme_tcp',
      'vfio_iommu_type1',
      'dm_crypt',
      'nbd',
    ]);
    expect(parseYaml(value.schematic ?? '')).toEqual({
      customization: {
        extraKernelArgs: ['console=ttyS0', 'net.ifnames=0'],
        systemExtensions: {
          officialExtensions: [
            'siderolabs/intel-ucode',
            'siderolabs/iscsi-tools',
            'siderolabs/util-linux-tools',
          ],
        },
      },
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives the default patch for an empty query, without identity keys', async () => {
    const value = result(await run('{}'));
    expect(Object.keys(value)).toEqual(['patch', 'schematic', 'schematic_id', 'kernel_modules']);
    expect(value.schematic_id).toBe(LONGHORN_SCHEMATIC_ID);
    expect(value.patch).toContain('vm.nr_hugepages: "1024"');
    // Empty strings (HCL defaults) count as absent; the answer is byte-identical.
    const blank = await run('{"machine_id": "", "disks": ""}');
    expect(blank.stdout).toBe((await run('{}')).stdout);
  });

  it('raw_partition = jsonencode({...}) gives the same patch as --raw-partition', async () => {
    const raw = { minSize: '100GiB', maxSize: '200GiB', diskSelector: 'disk.transport == "nvme"' };
    const query = { talos_version: '1.12', raw_partition: JSON.stringify(raw) };
    const value = result(await run(JSON.stringify(query)));
    const flags = ['--talos-version', '1.12', '--raw-partition', JSON.stringify(raw)];
    const patch = await runCli(['patch', ...flags]);
    expect(patch.status).toBe(0);
    expect(value.patch).toBe(patch.stdout);
    const kinds = parseAllDocuments(value.patch ?? '').map((d) => d.toJS() as { kind?: string });
    expect(kinds.filter((d) => d.kind === 'RawVolumeConfig')).toEqual([
      {
        apiVersion: 'v1alpha1',
        kind: 'RawVolumeConfig',
        name: 'longhorn-v2',
        provisioning: {
          diskSelector: { match: 'disk.transport == "nvme"' },
          minSize: '100GiB',
          maxSize: '200GiB',
        },
      },
    ]);
    // Off the system disk EPHEMERAL is left alone.
    expect(kinds.some((d) => d.kind === 'VolumeConfig')).toBe(false);
  });

  it('is deterministic', async () => {
    const query = JSON.stringify({ node_id: 'sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L' });
    const [a, b] = await Promise.all([run(query), run(query)]);
    expect(a.stdout).toBe(b.stdout);
    expect(result(a).machine_id).toBe(MACHINE_ID);
  });

  const bad: [string, string | Buffer, RegExp][] = [
    ['unknown key', '{"machineid": "x"}', /query\.machineid: unknown key; expected one of/],
    ['number value', '{"hugepages": 1024}', /query\.hugepages: expected a string, got number/],
    ['null value', '{"disks": null}', /query\.disks: expected a string, got null/],
    ['list value', '{"disks": ["a"]}', /query\.disks: expected a string, got a list/],
    ['broken JSON', '{"disks": ', /query: invalid JSON/],
    ['empty stdin', '', /query: invalid JSON/],
    ['not an object', '["a"]', /query: expected a JSON object of strings/],
    ['huge stdin', Buffer.alloc(1 << 20, 0x20), /query: input is larger than 65536 bytes/],
    ['bad boolean', '{"encryption": "yes"}', /query\.encryption: "yes" is not a boolean/],
    [
      'bad number',
      '{"memory_size_mib": "2 GiB"}',
      /query\.memory_size_mib: "2 GiB" is not a whole number/,
    ],
    ['bad machine-id', '{"machine_id": "xyz"}', /query\.machine_id: invalid character "x"/],
    [
      'two identities',
      `{"machine_id": "${MACHINE_ID}", "node_id": "abc"}`,
      /query\.node_id: give only one/,
    ],
    ['bad disk', '{"disks": "0000:01:00.0,sda"}', /query\.disks\[1\]: "sda" is not a disk/],
    ['too few pages', '{"hugepages": "10"}', /query\.hugepages: 10 pages are fewer/],
    ['version', '{"talos_version": "2.0"}', /query\.talos_version: Talos 2\.0 is not supported/],
    [
      'need the version lacks',
      '{"talos_version": "1.9", "ublk": "true"}',
      /query\.ublk: .*Talos 1\.12/,
    ],
    [
      'raw partition on 1.10',
      JSON.stringify({
        talos_version: '1.10',
        raw_partition: JSON.stringify({ minSize: '1GiB', diskSelector: '!system_disk' }),
      }),
      /query\.raw_partition: a raw partition for a v2 disk needs Talos 1\.11 or newer/,
    ],
    [
      'raw partition with a bad size',
      JSON.stringify({ raw_partition: JSON.stringify({ minSize: '1XB' }) }),
      /query\.raw_partition\.minSize: "1XB" is not a size/,
    ],
    [
      'bad extension',
      '{"extensions": "intel-ucode"}',
      /query\.extensions\[0\]: "intel-ucode" is not an official extension/,
    ],
    [
      'module param',
      '{"module_params": "nbds_max=4"}',
      /query\.module_params: "nbds_max=4" is not NAME:KEY=VALUE/,
    ],
  ];
  it.each(bad)(
    '%s → exit 1, one line on stderr, nothing on stdout',
    async (_name, input, message) => {
      expect(failure(await run(input))).toMatch(message);
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('starts lean: no dependency is loaded (no yaml, no Ajv, no plan loader)', async () => {
    // Every module the CLI loads, and in the bundled CLI every source a chunk holds.
    const preload = fileURLToPath(new URL('../helpers/report-sources.mjs', import.meta.url));
    const packagesOf = (args: string[], input: string) => {
      const child = spawnSync(process.execPath, ['--import', preload, cliPath, ...args], {
        input,
        encoding: 'utf8',
      });
      expect(child.status).toBe(0);
      return new Set(
        [...child.stderr.matchAll(/^source .*\/node_modules\/([^/]+)\//gm)].map((m) => m[1]),
      );
    };
    expect([...packagesOf(['terraform'], '{"disks": "0000:01:00.0"}')]).toEqual([]);
    // The hook does see packages where a command loads them (so the check above can fail).
    const plan = fileURLToPath(new URL('../../examples/talosctl/plan.yaml', import.meta.url));
    expect([...packagesOf(['generate', plan, '--out', join(dir, 'lean-out')], '')]).toContain(
      'yaml',
    );
    await rm(join(dir, 'lean-out'), { recursive: true });
  });

  it('refuses arguments with exit 1 too', async () => {
    expect(failure(await runCli(['terraform', '--disk', 'x'], { input: '{}' }))).toMatch(
      /unknown option/,
    );
  });
});
