import { describe, expect, it } from 'vitest';
import { planNode } from '../../src/longhorn/plan.js';
import type { CheckDefinition } from '../../src/preflight/check.js';
import { PREFLIGHT_CHECKS } from '../../src/preflight/checks/index.js';
import { collectFacts } from '../../src/preflight/collect.js';
import { type NodeFacts, observed, unobserved } from '../../src/preflight/facts.js';
import type { NodeReader } from '../../src/preflight/reader.js';
import { runChecks } from '../../src/preflight/run.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';
import { FIXTURE_DISK, HEALTHY_FIXTURE } from './fixture-nodes.js';

const healthy: NodeFacts = await collectFacts(await LocalRootReader.open(HEALTHY_FIXTURE, 'n'));
const needs = planNode({ disks: [FIXTURE_DISK] });
/** The machine-id of the healthy fixture node (its etc/machine-id). */
const HEALTHY_MACHINE_ID = 'be871ac0d0dd31fa4caca753b0f3f1b2';

function check(id: string, facts: Partial<NodeFacts>, plan = needs) {
  const definition = PREFLIGHT_CHECKS.find((candidate) => candidate.id === id);
  if (definition === undefined) throw new Error(`no check ${id}`);
  return definition.run({ ...healthy, ...facts }, plan);
}

describe('checks', () => {
  it('have unique ids, and every id is in the report schema', async () => {
    const ids = PREFLIGHT_CHECKS.map((definition) => definition.id);
    expect(new Set(ids).size).toBe(ids.length);
    const { readFile } = await import('node:fs/promises');
    const schema = await readFile(
      new URL('../../schemas/preflight-report.schema.json', import.meta.url),
      'utf8',
    );
    const enumIds =
      JSON.parse(schema).properties.nodes.items.properties.checks.items.properties.id.enum;
    expect(enumIds).toEqual(ids);
  });

  it('a check that throws becomes a fail with its id; the others still run', () => {
    const broken: CheckDefinition = {
      id: 'hugepages',
      group: 'v2',
      summary: 'throws',
      reads: () => [],
      run() {
        throw new TypeError('boom');
      },
    };
    const checks = PREFLIGHT_CHECKS.map((definition) =>
      definition.id === 'hugepages' ? broken : definition,
    );
    const results = runChecks(healthy, needs, checks);
    expect(results.find((result) => result.id === 'hugepages')).toEqual({
      id: 'hugepages',
      group: 'v2',
      status: 'fail',
      message: 'internal error: boom',
    });
    // The broken one, kubelet-hugepages (no Kubernetes node given), raw-partition (none planned)
    // and one more are not passes.
    expect(results.filter((result) => result.status === 'pass')).toHaveLength(
      PREFLIGHT_CHECKS.length - 4,
    );
  });

  it('kernel-version: fail below 5.19, warn below 6.7, pass from 6.7', () => {
    const status = (release: string) =>
      check('kernel-version', { kernel: observed({ release }, 'x') }).status;
    expect(status('5.18.19')).toBe('fail');
    expect(status('5.19.0')).toBe('warn');
    expect(status('6.6.99-talos')).toBe('warn');
    expect(status('6.7.0')).toBe('pass');
    expect(status('7.0.1')).toBe('pass');
    expect(status('weird')).toBe('skip');
  });

  it('cpu-flags: sse4_2 on amd64, asimd on arm64; the remedy opts the node out', () => {
    expect(
      check('cpu-flags', { cpu: observed({ arch: 'arm64', flags: ['asimd', 'fp'] }, 'x') }).status,
    ).toBe('pass');
    const missing = check('cpu-flags', {
      cpu: observed({ arch: 'amd64', flags: ['sse4_1'] }, 'x'),
    });
    expect(missing.status).toBe('fail');
    expect(missing.remedy).toMatch(/talos-longhorn patch --disable-v2/);
  });

  it('kernel-modules: a module only in the loaded list is a warn when built-ins cannot be read', () => {
    const result = check('kernel-modules', {
      modules: observed(
        { loaded: ['dm_crypt'], builtin: [], present: ['dm_crypt'], complete: false },
        'LoadedKernelModules',
      ),
    });
    expect(result.status).toBe('warn');
    expect(result.message).toMatch(
      /^vfio_pci, uio_pci_generic, nvme_tcp and vfio_iommu_type1 not loaded, and built-in modules cannot be read here/,
    );
  });

  it('vfio-iommu: skip without PCI disks, fail without IOMMU groups or without vfio_iommu_type1', () => {
    expect(check('vfio-iommu', {}, planNode({ disks: ['/dev/nvme0n1'] })).status).toBe('skip');
    const none = check('vfio-iommu', { iommuGroups: observed([], '/sys/kernel/iommu_groups') });
    expect(none.status).toBe('fail');
    expect(none.remedy).toMatch(/intel_iommu=on/);
    const modules = healthy.modules.ok ? healthy.modules.value : undefined;
    const noType1 = check('vfio-iommu', {
      modules: observed(
        {
          loaded: [],
          builtin: [],
          present: (modules?.present ?? []).filter((name) => name !== 'vfio_iommu_type1'),
          complete: true,
        },
        'x',
      ),
    });
    expect(noType1).toMatchObject({ status: 'fail', message: 'vfio_iommu_type1 is missing' });
  });

  it('hugepages: fewer free than planned warns; a 1 GiB default size fails', () => {
    expect(
      check('hugepages', { hugepages: observed({ total: 2048, free: 10, pageSizeKiB: 2048 }, 'x') })
        .status,
    ).toBe('warn');
    expect(
      check('hugepages', { hugepages: observed({ total: 4, free: 4, pageSizeKiB: 1048576 }, 'x') })
        .status,
    ).toBe('fail');
    const bigger = planNode({ memorySizeMiB: 8192 });
    expect(check('hugepages', {}, bigger).message).toBe(
      '2048 huge pages reserved, 4096 planned (8192 MiB)',
    );
    // A PCI-addressed disk adds SPDK's 1024 pages (longhorn#13184) on top of the 4096 MiB.
    const pci = planNode({ memorySizeMiB: 4096, disks: [FIXTURE_DISK] });
    expect(check('hugepages', {}, pci).message).toBe(
      "2048 huge pages reserved, 3072 planned (4096 MiB + 1024 pages for SPDK's NVMe driver)",
    );
  });

  it('dev-fd: a link with a wrong target fails; a link whose target was not reported passes', () => {
    const links = healthy.devLinks.ok ? healthy.devLinks.value : undefined;
    if (links === undefined) throw new Error('fixture has no /dev');
    const wrong = check('dev-fd', {
      devLinks: observed({ ...links, stdin: { kind: 'symlink', target: '/dev/null' } }, '/dev'),
    });
    expect(wrong).toMatchObject({
      status: 'fail',
      message: '/dev/stdin points to /dev/null, not /proc/self/fd/0',
    });
    const file = check('dev-fd', {
      devLinks: observed({ ...links, fd: { kind: 'other', type: 'dir' } }, '/dev'),
    });
    expect(file.message).toBe('/dev/fd is a dir, not a symlink to /proc/self/fd');
    const unknown = check('dev-fd', {
      devLinks: observed({ ...links, fd: { kind: 'symlink', target: undefined } }, '/dev'),
    });
    expect(unknown.status).toBe('pass');
  });

  it('identity-files: the node identity wins over a machine-id file that disagrees', () => {
    const files = healthy.identityFiles.ok ? healthy.identityFiles.value : {};
    const result = check('identity-files', {
      identityFiles: observed(
        { ...files, '/etc/machine-id': '0'.repeat(32), '/etc/nvme/hostid': null },
        'x',
      ),
    });
    expect(result.status).toBe('fail');
    expect(result.message).toBe(
      '/etc/machine-id is "00000000000000000000000000000000", expected "be871ac0d0dd31fa4caca753b0f3f1b2"; /etc/nvme/hostid is missing, expected "62653837-3161-6330-6430-646433316661"',
    );
    expect(result.remedy).toMatch(
      /talos-longhorn identity --machine-id be871ac0d0dd31fa4caca753b0f3f1b2/,
    );
  });

  it('identity-files: every file Talos derives is read and compared', async () => {
    const { cp, mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { identityFiles, deriveIdentity } = await import('../../src/identity/derive.js');
    const dir = await mkdtemp(join(tmpdir(), 'tl-identity-'));
    try {
      const derived = identityFiles(deriveIdentity({ machineId: HEALTHY_MACHINE_ID }));
      // The healthy node holds exactly these files; changing any one must make the check fail
      // and name that file, so no derived file can go unread.
      for (const file of derived) {
        const root = join(dir, file.path.replaceAll('/', '_'));
        await cp(HEALTHY_FIXTURE, root, { recursive: true });
        await writeFile(join(root, file.path), `${file.content}x`);
        const facts = await collectFacts(await LocalRootReader.open(root, 'n'));
        const result = check('identity-files', facts);
        expect(result.status, file.path).toBe('fail');
        expect(result.message).toContain(`/${file.path} is `);
      }
      expect(check('identity-files', {}).status).toBe('pass');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('extensions and iscsid-service: name what is missing and how to add it', () => {
    const result = check('extensions', {
      extensions: observed([{ name: 'iscsi-tools', version: 'v0.2.0' }], 'x'),
    });
    expect(result.message).toBe('util-linux-tools and longhorn-v2-node not installed');
    expect(result.remedy).toMatch(/siderolabs\/util-linux-tools.*talos-longhorn schematic/);
    expect(
      check(
        'extensions',
        {
          extensions: observed(
            [
              { name: 'iscsi-tools', version: '' },
              { name: 'util-linux-tools', version: '' },
            ],
            'x',
          ),
        },
        planNode({ extension: false }),
      ).status,
    ).toBe('pass');
    expect(
      check('iscsid-service', {
        services: observed([{ id: 'ext-iscsid', running: true, healthy: false }], 'x'),
      }).status,
    ).toBe('warn');
    expect(check('iscsid-service', { services: observed([], 'x') }).status).toBe('fail');
  });

  it('kernel-modules: a node with no module source at all is a skip naming each one tried', async () => {
    const reader: NodeReader = {
      node: 'bare',
      version: async () => ({ state: 'ok', value: { tag: 'v1.12.0' } }),
      readFile: async (path) =>
        path === '/proc/config.gz'
          ? { state: 'unavailable', reason: 'permission denied' }
          : { state: 'missing' },
      list: async () => ({ state: 'missing' }),
      resources: async () => ({ state: 'unavailable', reason: 'not served' }),
    };
    const facts = await collectFacts(reader);
    const reason =
      '/proc/modules does not exist; /proc/config.gz: permission denied; /sys/module does not exist; LoadedKernelModules: not served';
    expect(facts.modules).toEqual({ ok: false, reason });
    expect(check('kernel-modules', facts)).toEqual({
      status: 'skip',
      message: `cannot check: ${reason}`,
    });
  });

  it('an unobservable fact makes its check a skip that says why', () => {
    const result = check('cpu-flags', { cpu: unobserved('/proc/cpuinfo: not allowed') });
    expect(result).toEqual({ status: 'skip', message: 'cannot check: /proc/cpuinfo: not allowed' });
  });
});
