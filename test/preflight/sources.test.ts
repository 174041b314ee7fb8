import { describe, expect, it } from 'vitest';
import type { TalosClient } from '../../src/api/client.js';
import { TalosLonghornError } from '../../src/errors.js';
import { planNode } from '../../src/longhorn/plan.js';
import type { CheckResult, CheckStatus } from '../../src/preflight/check.js';
import { collectFacts } from '../../src/preflight/collect.js';
import { runChecks } from '../../src/preflight/run.js';
import { LocalRootReader } from '../../src/preflight/sources/local-root.js';
import { TalosApiReader } from '../../src/preflight/sources/talos-api.js';
import { clientFor, startFake, useFakeFleet } from './api-harness.js';
import {
  buildFixtureFleet,
  FIXTURE_DISK,
  type FixtureVariant,
  VARIANT_NAMES,
} from './fixture-nodes.js';

/** What every fixture is checked against: the plan a v2 node with one NVMe drive gets. */
const needs = planNode({ disks: [FIXTURE_DISK], dataPath: true });

const HEALTHY: Record<string, CheckStatus> = {
  'talos-version': 'pass',
  'kernel-version': 'pass',
  'cpu-flags': 'pass',
  'kernel-modules': 'pass',
  'vfio-iommu': 'pass',
  hugepages: 'pass',
  // No `kubectl get node` is given to these runs.
  'kubelet-hugepages': 'skip',
  'dev-fd': 'pass',
  'longhorn-version': 'pass',
  'identity-files': 'pass',
  extensions: 'pass',
  'iscsid-service': 'pass',
  'data-path': 'pass',
  // These plans have no raw partition.
  'raw-partition': 'skip',
};

/** Each fixture differs from the healthy node in one respect, so in these statuses only. */
const EXPECTED: Record<
  FixtureVariant,
  { statuses: Record<string, CheckStatus>; message?: [string, RegExp] }
> = {
  'healthy-1.13': { statuses: {}, message: ['kernel-modules', /nvme_tcp built in/] },
  'talos-1.9-no-dev-fd': {
    statuses: { 'dev-fd': 'fail', 'identity-files': 'skip' },
    message: [
      'dev-fd',
      /^\/dev\/fd is missing; \/dev\/stdin is missing; \/dev\/stdout is missing; \/dev\/stderr is missing$/,
    ],
  },
  'missing-vfio-pci': {
    statuses: { 'kernel-modules': 'fail' },
    message: ['kernel-modules', /^vfio_pci missing \(neither loaded nor built in\)/],
  },
  'dm-crypt-built-in-no-sys-module': {
    statuses: {},
    message: ['kernel-modules', /dm_crypt built in/],
  },
  'nvme-tcp-built-in-1.14': { statuses: {}, message: ['kernel-modules', /nvme_tcp built in/] },
  'no-hugepages': {
    statuses: { hugepages: 'fail' },
    message: [
      'hugepages',
      /^0 huge pages reserved, 2048 planned \(2048 MiB \+ 1024 pages for SPDK's NVMe driver\)$/,
    ],
  },
  'iommu-shared-bridge': {
    statuses: { 'vfio-iommu': 'fail' },
    message: ['vfio-iommu', /^0000:01:00\.0 shares IOMMU group 1 with 0000:00:01\.0$/],
  },
  'wrong-identity': {
    statuses: { 'identity-files': 'fail' },
    message: [
      'identity-files',
      /initiatorname\.iscsi is .*0123456789abcdef.*expected .*be871ac0d0dd31fa4caca753b0f3f1b2/,
    ],
  },
  'kernel-6.1': {
    statuses: { 'kernel-version': 'warn' },
    message: ['kernel-version', /^kernel 6\.1\.112-talos is older than 6\.7/],
  },
};

let roots = new Map<FixtureVariant, string>();
const fleet = useFakeFleet('tl-preflight-', async (dir) => {
  const built = await buildFixtureFleet(dir);
  roots = built.roots;
  return built.nodes;
});

async function viaRoot(variant: FixtureVariant): Promise<CheckResult[]> {
  const facts = await collectFacts(await LocalRootReader.open(roots.get(variant) ?? '', variant));
  return runChecks(facts, needs);
}

async function viaApi(variant: FixtureVariant, client: TalosClient): Promise<CheckResult[]> {
  return runChecks(await collectFacts(new TalosApiReader(client, variant)), needs);
}

function statuses(results: readonly CheckResult[]): Record<string, CheckStatus> {
  return Object.fromEntries(results.map((result) => [result.id, result.status]));
}

describe.each(VARIANT_NAMES)('fixture %s', (variant) => {
  const expected = EXPECTED[variant];

  it('through --root: only the expected checks differ from a healthy node', async () => {
    const results = await viaRoot(variant);
    expect(statuses(results)).toEqual({ ...HEALTHY, ...expected.statuses });
    if (expected.message) {
      const [id, pattern] = expected.message;
      expect(results.find((result) => result.id === id)?.message).toMatch(pattern);
    }
    for (const result of results) {
      if (result.status === 'fail' || result.status === 'warn') expect(result.remedy).toBeTruthy();
      else expect(result.remedy).toBeUndefined();
    }
  });

  it('through the Talos API (os:admin): the same report as through --root', async () => {
    expect(await viaApi(variant, fleet.admin)).toEqual(await viaRoot(variant));
  });
});

describe('the API source with role os:reader', () => {
  it('skips the checks that need file reads, naming the role, and still runs the rest', async () => {
    const results = await viaApi('healthy-1.13', fleet.reader);
    const byId = Object.fromEntries(results.map((result) => [result.id, result]));
    for (const id of ['kernel-version', 'cpu-flags', 'identity-files']) {
      expect(byId[id]?.status).toBe('skip');
      expect(byId[id]?.message).toMatch(/is not allowed for role os:reader \(needs os:admin\)/);
    }
    // Listings (os:reader may List) and resources still answer these.
    for (const id of [
      'talos-version',
      'kernel-modules',
      'vfio-iommu',
      'dev-fd',
      'extensions',
      'iscsid-service',
      'data-path',
    ]) {
      expect(byId[id]?.status, id).toBe('pass');
    }
    expect(byId.hugepages?.status).toBe('pass');
    expect(byId.hugepages?.message).toMatch(
      /free pages unknown: KernelParamStatuses vm\.nr_hugepages only/,
    );
  });

  it('still finds a missing huge-page reservation from the kernel parameter', async () => {
    const results = await viaApi('no-hugepages', fleet.reader);
    expect(results.find((result) => result.id === 'hugepages')?.status).toBe('fail');
  });

  it('cannot read /proc/config.gz, so a built-in without /sys/module entry is a warning, not a failure', async () => {
    const results = await viaApi('dm-crypt-built-in-no-sys-module', fleet.reader);
    const modules = results.find((result) => result.id === 'kernel-modules');
    expect(modules?.status).toBe('warn');
    expect(modules?.message).toMatch(
      /dm_crypt not loaded, and built-in modules cannot be read here/,
    );
  });

  it('finds nvme_tcp built in on 1.14 from KernelModuleStatuses alone', async () => {
    const results = await viaApi('nvme-tcp-built-in-1.14', fleet.reader);
    const modules = results.find((result) => result.id === 'kernel-modules');
    expect(modules?.status).toBe('pass');
    expect(modules?.message).toMatch(/nvme_tcp built in/);
  });
});

describe('an unreachable node', () => {
  it('throws a connection error instead of reporting checks', async () => {
    const unreachable = await startFake({ gone: { unreachable: true } });
    const client = clientFor(unreachable, 'admin');
    try {
      await expect(collectFacts(new TalosApiReader(client, 'gone'))).rejects.toMatchObject({
        code: 'connection',
      });
    } finally {
      client.close();
      await unreachable.close();
    }
  });
});

describe('a refusal the role does not explain', () => {
  // A node may refuse an os:admin certificate too (an authorizer or proxy in front of apid):
  // the reason is then the node's own message, not a role it already has.
  const refusing = (roles: string[]) => ({
    roles,
    version: () => Promise.resolve({ tag: 'v1.13.0', arch: 'amd64' }),
    readFile: () =>
      Promise.reject(
        new TalosLonghornError(
          'permission-denied',
          'node n1: Read is not allowed: denied by policy',
        ),
      ),
    list: () => Promise.resolve([]),
    listResources: () => Promise.resolve([]),
  });

  it('names the node reason for os:admin and the missing role otherwise', async () => {
    const admin = await new TalosApiReader(refusing(['os:admin']), 'n1').readFile(
      '/proc/version',
      64,
    );
    expect(admin).toEqual({
      state: 'unavailable',
      reason: 'Read is not allowed: denied by policy',
    });
    const operator = await new TalosApiReader(refusing(['os:operator']), 'n1').readFile(
      '/proc/version',
      64,
    );
    expect(operator).toEqual({
      state: 'unavailable',
      reason: 'reading /proc/version is not allowed for role os:operator (needs os:admin)',
    });
  });
});
