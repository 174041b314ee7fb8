import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SUPPORTED_TALOS_VERSIONS } from '../../src/index.js';
import { expectOneLineFailure, runCli } from '../helpers/cli.js';
import { itWithShared } from '../helpers/shared.js';
import { fixturesDir, GOLDEN_CASES } from '../talos/fixtures.js';
import { schemaErrors } from '../talos/official-schema.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-patch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kinds = (yaml: string) =>
  parseAllDocuments(yaml).map((d) => (d.toJS() as { kind?: string }).kind ?? 'v1alpha1');

describe('talos-longhorn patch', () => {
  it('prints the golden patch for every version from --options, byte for byte', async () => {
    for (const version of SUPPORTED_TALOS_VERSIONS) {
      for (const name of GOLDEN_CASES) {
        const result = await runCli([
          'patch',
          '--talos-version',
          `v${version}.3`,
          '--options',
          `${fixturesDir}${version}/${name}.input.json`,
        ]);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(result.stdout).toBe(
          await readFile(`${fixturesDir}${version}/${name}.expected.yaml`, 'utf8'),
        );
      }
    }
  });

  it('flags give the same patch as the equivalent options file', async () => {
    const flags = [
      '--memory-size',
      '4096',
      '--hugepages',
      '3100',
      '--ublk',
      '--module',
      'nvme-core',
      '--module-param',
      'nvme-core:multipath=N',
      '--module-param',
      'vfio_pci:disable_idle_d3=1',
      '--data-path',
      '--data-path-disk',
      'disk.dev_path == "/dev/sdb"',
      '--data-path-min-size',
      '50GiB',
      '--disk',
      '0000:01:00.0',
      '--disk',
      '0000:C1:00.0',
      '--disk',
      '02:00.0',
      '--disk',
      '/dev/disk/by-id/nvme-Example_SSD_1TB_S4EWNX0N123456',
      '--vfio-rebind',
      '--cleanup-mode',
      'remove',
      '--cleanup-interval',
      '30',
    ];
    const result = await runCli(['patch', '--talos-version', '1.14', ...flags]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(await readFile(`${fixturesDir}1.14/full.expected.yaml`, 'utf8'));
  });

  const RAW = { name: 'spdk', minSize: '100GiB', maxSize: '400GiB', ephemeralMaxSize: '50GiB' };
  itWithShared(
    '--raw-partition JSON: the RawVolumeConfig, valid for Talos 1.11 to 1.14',
    async () => {
      for (const version of ['1.11', '1.12', '1.13', '1.14']) {
        const args = ['patch', '--talos-version', version];
        const result = await runCli([...args, '--raw-partition', JSON.stringify(RAW)]);
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const documents = parseAllDocuments(result.stdout).map((d) => d.toJS() as object);
        for (const document of documents) {
          expect(schemaErrors(version as '1.13', document), JSON.stringify(document)).toEqual([]);
        }
        expect(documents).toContainEqual({
          apiVersion: 'v1alpha1',
          kind: 'RawVolumeConfig',
          name: 'spdk',
          provisioning: {
            diskSelector: { match: 'system_disk' },
            minSize: '100GiB',
            maxSize: '400GiB',
          },
        });
        expect(documents).toContainEqual({
          apiVersion: 'v1alpha1',
          kind: 'VolumeConfig',
          name: 'EPHEMERAL',
          provisioning: { maxSize: '50GiB' },
        });
        expect(result.stdout).toContain('"path":"/dev/disk/by-partlabel/r-spdk"');
        const options = join(dir, `${version}.json`);
        await writeFile(options, JSON.stringify({ rawPartition: RAW }));
        expect((await runCli([...args, '--options', options])).stdout).toBe(result.stdout);
      }
    },
  );

  it('defaults to the newest released Talos (1.13; 1.14 is a release candidate) and names it', async () => {
    const result = await runCli(['patch']);
    expect(result.status).toBe(0);
    // ../shared/talos/FACTS.md §8: 1.13.9 is the newest GA, 1.14 only v1.14.0-rc.1.
    expect(result.stdout.split('\n')[0]).toBe('# talos-longhorn patch for Talos 1.13');
    expect(kinds(result.stdout)).toEqual(['v1alpha1', 'ExtensionServiceConfig']);
    const explicit = await runCli(['patch', '--talos-version', '1.14']);
    expect(explicit.stdout.split('\n')[0]).toMatch(
      /^# talos-longhorn patch for Talos 1\.14 \(a pre-release\)/,
    );
    const help = await runCli(['patch', '--help']);
    expect(help.stdout).toMatch(/default 1\.13, the newest released/);
    for (const flag of [
      '--disk',
      '--hugepages',
      '--memory-size',
      '--module-param',
      '--data-path-disk',
      '--output',
      '--out',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('prints 1.13 in the v1alpha1 form and JSON on request', async () => {
    const yaml = await runCli(['patch', '--talos-version', '1.13', '--disable-v2']);
    expect(yaml.stdout).toBe(
      '# talos-longhorn patch for Talos 1.13\nmachine:\n  kernel:\n    modules:\n      - name: dm_crypt\n  nodeLabels:\n    node.longhorn.io/disable-v2-data-engine: "true"\n---\napiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: longhorn-v2-node\nenvironment:\n  - LONGHORN_V2_MODULES=dm_crypt\n  - LONGHORN_V2_HUGEPAGES=0\n  - LONGHORN_V2_CLEANUP_MODE=report\n  - LONGHORN_V2_CLEANUP_INTERVAL=60\n',
    );
    const json = await runCli([
      'patch',
      '--talos-version',
      '1.13',
      '--disable-v2',
      '--output',
      'json',
    ]);
    expect(JSON.parse(json.stdout)).toEqual(parseAllDocuments(yaml.stdout).map((d) => d.toJS()));
  });

  it('writes --out FILE atomically and prints nothing', async () => {
    const result = await runCli(['patch', '--out', 'node.yaml', '--disk', '/dev/nvme1n1'], {
      cwd: dir,
    });
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const text = await readFile(join(dir, 'node.yaml'), 'utf8');
    expect(text).toContain('"diskDriver":"aio"');
    expect(await readdir(dir)).toEqual(['node.yaml']);
  });

  it('reads --options from stdin', async () => {
    const result = await runCli(
      ['patch', '--talos-version', '1.14', '--options', '-', '--output', 'json'],
      { input: '{"v2DataEngine": false, "extension": false, "encryption": false}' },
    );
    expect(JSON.parse(result.stdout)).toEqual([
      {
        apiVersion: 'v1alpha1',
        kind: 'KubeNodeConfig',
        labels: { 'node.longhorn.io/disable-v2-data-engine': 'true' },
      },
    ]);
  });

  const unsupported: [string, string[], RegExp][] = [];
  for (const version of ['1.9', '1.10', '1.11']) {
    unsupported.push([
      `ublk on ${version}`,
      ['--talos-version', version, '--ublk'],
      /^talos-longhorn: --ublk: loading ublk_drv needs Talos 1\.12 or newer/,
    ]);
  }
  unsupported.push(
    [
      'ublk_drv as an extra module on 1.11',
      ['--talos-version', '1.11', '--module', 'ublk-drv'],
      /--ublk: loading ublk_drv needs Talos 1\.12/,
    ],
    [
      'vfio rebind on 1.9',
      ['--talos-version', '1.9', '--disk', '01:00.0', '--vfio-rebind'],
      /--vfio-rebind: rebinding disks to vfio-pci needs Talos 1\.10 or newer/,
    ],
    [
      'data path disk on 1.9',
      ['--talos-version', '1.9', '--data-path-disk', 'system_disk'],
      /--data-path-disk: a data path on its own partition needs Talos 1\.10 or newer/,
    ],
    [
      'parameters of built-in nvme_tcp on 1.12 (no machine.install.extraKernelArgs)',
      ['--talos-version', '1.12', '--module-param', 'nvme_tcp:wq_unbound=Y'],
      /parameters of built-in kernel modules \(nvme_tcp\.wq_unbound=Y\) needs Talos 1\.11 or older/,
    ],
    [
      'raw partition on 1.10',
      [
        '--talos-version',
        '1.10',
        '--raw-partition',
        '{"minSize":"1GiB","ephemeralMaxSize":"1GiB"}',
      ],
      /--raw-partition: a raw partition for a v2 disk needs Talos 1\.11 or newer \(the RawVolumeConfig document\); the target is Talos 1\.10$/,
    ],
    [
      'config origin newer than the target',
      ['--talos-version', '1.13', '--config-origin', '1.14'],
      /--config-origin: Talos 1\.14 is newer than the target Talos 1\.13/,
    ],
  );

  const bad: [string, string[], RegExp][] = [
    ...unsupported,
    [
      'old version',
      ['--talos-version', '1.8'],
      /--talos-version: Talos 1\.8 is not supported; expected one of 1\.9, 1\.10, 1\.11, 1\.12, 1\.13, 1\.14$/,
    ],
    [
      'malformed version',
      ['--talos-version', 'latest'],
      /--talos-version: "latest" is not a Talos version/,
    ],
    [
      'bad BDF',
      ['--disk', '0000:zz:00.0'],
      /--disk: "0000:zz:00\.0" is not a PCI address; expected a PCI address DDDD:BB:DD\.F/,
    ],
    [
      'BDF with a bad function',
      ['--disk', '0000:01:00.g'],
      /--disk: "0000:01:00\.g" is not a PCI address/,
    ],
    ['bare device name', ['--disk', 'nvme0n1'], /--disk: "nvme0n1" is not a disk/],
    [
      'zero pages',
      ['--hugepages', '0'],
      /--hugepages: 0 pages is out of range; expected 1 to 524288/,
    ],
    ['negative pages', ['--hugepages=-5'], /--hugepages: -5 pages is out of range/],
    [
      'absurd pages',
      ['--hugepages', '99999999999'],
      /--hugepages: 99999999999 pages is out of range/,
    ],
    ['non-numeric pages', ['--hugepages', '1k'], /--hugepages: "1k" is not a whole number/],
    [
      'too few pages',
      ['--memory-size', '4096', '--hugepages', '1024'],
      /--hugepages: 1024 pages are fewer than the 2048/,
    ],
    ['zero memory', ['--memory-size', '0'], /--memory-size: 0 MiB is out of range/],
    [
      'module with a bad character',
      ['--module', 'nvme.tcp'],
      /--module: invalid character "\." in module name "nvme\.tcp"/,
    ],
    ['module in upper case', ['--module', 'NVME'], /--module: invalid character "N"/],
    [
      'module parameter without a module',
      ['--module-param', 'multipath=N'],
      /--module-param: "multipath=N" is not NAME:KEY=VALUE/,
    ],
    [
      'module parameter without a value',
      ['--module-param', 'nvme_core:multipath'],
      /--module-param: "multipath" is not a module parameter/,
    ],
    [
      'unknown cleanup mode',
      ['--cleanup-mode', 'purge'],
      /--cleanup-mode: unknown value "purge"; expected one of off, report, remove/,
    ],
    [
      'unknown output',
      ['--output', 'toml'],
      /--output: unknown value "toml"; expected one of yaml, json/,
    ],
    [
      'flags and --options',
      ['--ublk', '--options', 'x.json'],
      /--options: give node options as flags or in a file, not both/,
    ],
    [
      'repeated flag',
      ['--hugepages', '2000', '--hugepages', '3000'],
      /--hugepages: given more than once/,
    ],
    ['raw partition not JSON', ['--raw-partition', '{"minSize":'], /--raw-partition: not JSON/],
    [
      'raw partition name with a space',
      ['--raw-partition', '{"name":"a b","minSize":"1GiB","ephemeralMaxSize":"1GiB"}'],
      /--raw-partition \(name\): invalid character U\+0020; Talos allows only ASCII letters/,
    ],
    [
      'raw partition on the system disk without an EPHEMERAL cap',
      ['--raw-partition', '{"minSize":"100GiB"}'],
      /--raw-partition \(ephemeralMaxSize\): required on the system disk/,
    ],
    [
      'raw partition sharing the data path disk without maxSize',
      [
        '--raw-partition',
        '{"minSize":"100GiB","diskSelector":"!system_disk"}',
        '--data-path-disk',
        '!system_disk',
      ],
      /--raw-partition \(maxSize\): required when the data path shares the disk !system_disk/,
    ],
    ['unknown flag', ['--hugepage', '1'], /unknown option --hugepage/],
  ];
  it.each(bad)('%s → exit 2, one line, nothing written', async (_name, args, message) => {
    const result = await runCli(['patch', ...args, '--out', join(dir, 'out.yaml')]);
    expect(expectOneLineFailure(result, 2)).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names the field of a bad options file', async () => {
    await writeFile(join(dir, 'o.json'), '{"disks": ["0000:01:00.0", 5]}');
    const typed = await runCli(['patch', '--options', join(dir, 'o.json')]);
    expect(expectOneLineFailure(typed, 2)).toBe(
      'talos-longhorn: disks[1]: expected string, got number 5 (quote the value)',
    );
    await writeFile(join(dir, 'o.json'), '{"disks": ["0000:01:00.0", "bad"]}');
    const semantic = await runCli(['patch', '--options', join(dir, 'o.json')]);
    expect(expectOneLineFailure(semantic, 2)).toMatch(
      /^talos-longhorn: disks\[1\]: "bad" is not a disk/,
    );
    await writeFile(join(dir, 'o.json'), '{"disks": [');
    const broken = await runCli(['patch', '--options', join(dir, 'o.json')]);
    expect(expectOneLineFailure(broken, 2)).toMatch(/--options: .*o\.json is not JSON/);
  });

  it('exits 3 with one line when the output cannot be written', async () => {
    await writeFile(join(dir, 'file'), '');
    const result = await runCli(['patch', '--out', join(dir, 'file', 'out.yaml')]);
    expect(expectOneLineFailure(result, 3)).toMatch(
      /^talos-longhorn: --out: cannot write .*file: not a directory$/,
    );
  });
});
