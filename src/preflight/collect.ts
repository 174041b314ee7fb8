import { HUGEPAGES_SYSCTL } from '../longhorn/requirements.js';
import {
  type CpuFact,
  DEV_LINKS,
  type DevLinkName,
  type ExtensionFact,
  FACT_NAMES,
  type FactName,
  type HugePagesFact,
  type IdentityFilesFact,
  type IommuGroup,
  type KernelFact,
  type LinkState,
  type ModulesFact,
  type NodeFacts,
  type Observed,
  observed,
  type ServiceFact,
  type TalosVersionFact,
  unobserved,
} from './facts.js';
import {
  normaliseModuleName,
  PCI_ADDRESS,
  parseCpuinfo,
  parseKernelConfig,
  parseMeminfo,
  parseProcModules,
  parseProcVersion,
} from './parse.js';
import { collectPartitions } from './partitions.js';
import {
  kernelParamId,
  type ListEntry,
  MAX_NODE_FILE_BYTES,
  NODE_DIRECTORIES,
  NODE_FILES,
  NODE_RESOURCES,
  type NodeReader,
  type Probe,
  type ResourceEntry,
} from './reader.js';

/** Why a probe gave no value, for a fact's `reason`. */
function notThere(probe: Probe<unknown>, what: string): string {
  return probe.state === 'unavailable' ? `${what}: ${probe.reason}` : `${what} does not exist`;
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Read a property path of a parsed YAML spec, or undefined. */
export function specField(spec: unknown, ...path: readonly string[]): unknown {
  let value = spec;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fromFile<T>(
  probe: Probe<Uint8Array>,
  path: string,
  parse: (content: string) => T | undefined,
  what: string,
): Observed<T> {
  if (probe.state !== 'ok') return unobserved(notThere(probe, path));
  const value = parse(text(probe.value));
  return value === undefined ? unobserved(`${path}: no ${what} found`) : observed(value, path);
}

function kernelFact(probe: Probe<Uint8Array>): Observed<KernelFact> {
  return fromFile(
    probe,
    NODE_FILES.version,
    (content) => {
      const release = parseProcVersion(content);
      return release === undefined ? undefined : { release };
    },
    '"Linux version" line',
  );
}

function cpuFact(probe: Probe<Uint8Array>): Observed<CpuFact> {
  return fromFile(
    probe,
    NODE_FILES.cpuinfo,
    (content) => {
      const cpu = parseCpuinfo(content);
      return cpu.arch === 'unknown' ? undefined : cpu;
    },
    'flags or Features line',
  );
}

function hugePagesFact(
  meminfo: Probe<Uint8Array>,
  params: Probe<readonly ResourceEntry[]>,
): Observed<HugePagesFact> {
  const fromMeminfo = fromFile(
    meminfo,
    NODE_FILES.meminfo,
    (content): HugePagesFact | undefined => {
      const values = parseMeminfo(content);
      const total = values.get('HugePages_Total');
      const free = values.get('HugePages_Free');
      const size = values.get('Hugepagesize');
      if (total === undefined) return undefined;
      return {
        total,
        ...(free === undefined ? {} : { free }),
        ...(size === undefined ? {} : { pageSizeKiB: size }),
      };
    },
    'HugePages_Total line',
  );
  if (fromMeminfo.ok || params.state !== 'ok') return fromMeminfo;
  // Without /proc/meminfo the vm.nr_hugepages sysctl still gives the total.
  const param = params.value.find((entry) => entry.id === kernelParamId(HUGEPAGES_SYSCTL));
  const current = Number(specField(param?.spec, 'current'));
  if (param === undefined || !Number.isSafeInteger(current) || current < 0) return fromMeminfo;
  return observed({ total: current }, 'KernelParamStatuses vm.nr_hugepages');
}

function resourceIds(probe: Probe<readonly ResourceEntry[]>): readonly string[] | undefined {
  return probe.state === 'ok'
    ? probe.value.map((entry) => normaliseModuleName(entry.id))
    : undefined;
}

/** KernelModuleStatuses (1.14+) tells built-in and dynamic modules apart in `spec.type`. */
function isBuiltinStatus(entry: ResourceEntry): boolean {
  const type = String(specField(entry.spec, 'type') ?? '').toLowerCase();
  return type.replace(/[-_ ]/g, '').includes('builtin');
}

function modulesFact(
  procModules: Probe<Uint8Array>,
  kernelConfig: Probe<Uint8Array>,
  sysModule: Probe<readonly ListEntry[]>,
  statuses: Probe<readonly ResourceEntry[]>,
  loadedResources: Probe<readonly ResourceEntry[]>,
): Observed<ModulesFact> {
  const sources: string[] = [];
  let loaded: readonly string[] | undefined;
  if (procModules.state === 'ok') {
    loaded = parseProcModules(text(procModules.value));
    sources.push(NODE_FILES.modules);
  } else if (statuses.state === 'ok') {
    loaded = statuses.value
      .filter((entry) => !isBuiltinStatus(entry))
      .map((entry) => normaliseModuleName(entry.id));
    sources.push('KernelModuleStatuses');
  } else if (loadedResources.state === 'ok') {
    loaded = resourceIds(loadedResources);
    sources.push('LoadedKernelModules');
  }
  const builtin = new Set<string>();
  if (statuses.state === 'ok') {
    for (const entry of statuses.value) {
      if (isBuiltinStatus(entry)) builtin.add(normaliseModuleName(entry.id));
    }
    if (!sources.includes('KernelModuleStatuses')) sources.push('KernelModuleStatuses');
  }
  // The kernel config is authoritative; /sys/module/<name> exists for a built-in module only
  // when it has parameters (dm_crypt has none), so it comes second.
  const config = kernelConfig.state === 'ok' ? parseKernelConfig(kernelConfig.value) : undefined;
  if (config !== undefined) {
    for (const [name, state] of config) if (state === 'y') builtin.add(name);
    sources.push(NODE_FILES.kernelConfig);
  }
  const present = new Set([...(loaded ?? []), ...builtin]);
  if (sysModule.state === 'ok') {
    for (const entry of sysModule.value) {
      if (entry.type !== 'dir' || entry.path.includes('/')) continue;
      const name = normaliseModuleName(entry.path);
      present.add(name);
      // /sys/module holds loaded modules too; only when the loaded list is known can the rest be
      // called built in.
      if (config === undefined && loaded !== undefined && !loaded.includes(name)) builtin.add(name);
    }
    sources.push(NODE_DIRECTORIES.sysModule.path);
  }
  if (sources.length === 0) {
    return unobserved(
      [
        notThere(procModules, NODE_FILES.modules),
        notThere(kernelConfig, NODE_FILES.kernelConfig),
        notThere(sysModule, NODE_DIRECTORIES.sysModule.path),
        notThere(loadedResources, 'LoadedKernelModules'),
      ].join('; '),
    );
  }
  return observed(
    {
      loaded: [...(loaded ?? [])].sort(),
      builtin: [...builtin].sort(),
      present: [...present].sort(),
      // /sys/module misses built-ins without parameters: only the kernel config (or 1.14's
      // status resource) makes "not present" mean absent.
      // (an empty status list is a node that does not have the resource, not one without modules).
      complete:
        (statuses.state === 'ok' && statuses.value.length > 0) ||
        (config !== undefined && loaded !== undefined),
    },
    sources.join(', '),
  );
}

function devLinksFact(
  probe: Probe<readonly ListEntry[]>,
): Observed<Readonly<Record<DevLinkName, LinkState>>> {
  const path = NODE_DIRECTORIES.dev.path;
  if (probe.state !== 'ok') return unobserved(notThere(probe, path));
  const state = (name: DevLinkName): LinkState => {
    const entry = probe.value.find((candidate) => candidate.path === name);
    if (entry === undefined) return { kind: 'missing' };
    if (entry.type === 'symlink') return { kind: 'symlink', target: entry.link };
    return { kind: 'other', type: entry.type };
  };
  const links = Object.fromEntries(DEV_LINKS.map((name) => [name, state(name)]));
  return observed(links as Record<DevLinkName, LinkState>, path);
}

function iommuFact(probe: Probe<readonly ListEntry[]>): Observed<readonly IommuGroup[]> {
  const path = NODE_DIRECTORIES.iommuGroups.path;
  // No iommu_groups directory: the kernel found no IOMMU (or it is disabled). That is a fact.
  if (probe.state === 'missing') return observed([], path);
  if (probe.state !== 'ok') return unobserved(notThere(probe, path));
  const groups = new Map<string, string[]>();
  for (const entry of probe.value) {
    const [group, devices, device, ...rest] = entry.path.split('/');
    if (group === undefined || !/^\d+$/.test(group)) continue;
    if (!groups.has(group)) groups.set(group, []);
    if (devices !== 'devices' || device === undefined || rest.length > 0) continue;
    if (PCI_ADDRESS.test(device)) groups.get(group)?.push(device);
  }
  const list = [...groups.entries()]
    .map(([id, devices]) => ({ id, devices: devices.sort() }))
    .sort((a, b) => Number(a.id) - Number(b.id));
  return observed(list, path);
}

function identityFilesFact(
  probes: readonly (readonly [string, Probe<Uint8Array>])[],
): Observed<IdentityFilesFact> {
  const files: Record<string, string | null> = {};
  for (const [path, probe] of probes) {
    if (probe.state === 'unavailable') return unobserved(notThere(probe, path));
    files[path] = probe.state === 'ok' ? text(probe.value) : null;
  }
  return observed(files, probes.map(([path]) => path).join(', '));
}

function fromResources<T>(
  probe: Probe<readonly ResourceEntry[]>,
  type: string,
  map: (entries: readonly ResourceEntry[]) => T,
): Observed<T> {
  if (probe.state !== 'ok') return unobserved(notThere(probe, `resource ${type}`));
  return observed(map(probe.value), type.split('.')[0] ?? type);
}

function nodeIdFact(probe: Probe<readonly ResourceEntry[]>): Observed<string> {
  const fact = fromResources(probe, NODE_RESOURCES.identities.type, (entries) => {
    const local = entries.find((entry) => entry.id === 'local') ?? entries[0];
    const nodeId = specField(local?.spec, 'nodeId');
    return typeof nodeId === 'string' && nodeId !== '' ? nodeId : undefined;
  });
  if (!fact.ok) return fact;
  return fact.value === undefined
    ? unobserved('resource Identities has no spec.nodeId')
    : observed(fact.value, fact.source);
}

function extensionsFact(
  probe: Probe<readonly ResourceEntry[]>,
): Observed<readonly ExtensionFact[]> {
  return fromResources(probe, NODE_RESOURCES.extensionStatuses.type, (entries) =>
    entries
      .map((entry) => ({
        name: String(specField(entry.spec, 'metadata', 'name') ?? ''),
        version: String(specField(entry.spec, 'metadata', 'version') ?? ''),
      }))
      .filter((extension) => extension.name !== '')
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
}

function servicesFact(probe: Probe<readonly ResourceEntry[]>): Observed<readonly ServiceFact[]> {
  return fromResources(probe, NODE_RESOURCES.services.type, (entries) =>
    entries
      .map((entry) => ({
        id: entry.id,
        running: specField(entry.spec, 'running') === true,
        healthy: specField(entry.spec, 'healthy') === true,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  );
}

function directoriesFact(
  probes: readonly (readonly [string, Probe<readonly ListEntry[]>])[],
): Observed<Readonly<Record<string, boolean>>> {
  const directories: Record<string, boolean> = {};
  for (const [parent, probe] of probes) {
    if (probe.state === 'unavailable') return unobserved(notThere(probe, parent));
    if (probe.state !== 'ok') continue;
    for (const entry of probe.value) {
      if (entry.type === 'dir' && !entry.path.includes('/')) {
        directories[`${parent}/${entry.path}`] = true;
      }
    }
  }
  return observed(directories, probes.map(([parent]) => parent).join(', '));
}

function versionFact(probe: Probe<{ tag: string; arch?: string }>): Observed<TalosVersionFact> {
  if (probe.state === 'ok') return observed(probe.value, 'Talos version');
  return unobserved(notThere(probe, 'Talos version'));
}

/** A probe that was not made: its fact does not need it. */
const NOT_ASKED: Probe<never> = { state: 'unavailable', reason: 'not needed' };

const NOT_NEEDED = 'not needed by the checks of this plan';

type Gatherers = { readonly [K in FactName]: () => Promise<NodeFacts[K]> };

function gatherers(reader: NodeReader): Gatherers {
  // Each fact reads its own files, listings and resources: no two facts share one.
  const read = (path: string) => reader.readFile(path, MAX_NODE_FILE_BYTES);
  const list = (dir: { path: string; depth: number }) => reader.list(dir.path, dir.depth);
  const resources = (kind: { namespace: string; type: string }) =>
    reader.resources(kind.namespace, kind.type);
  return {
    talos: async () => versionFact(await reader.version()),
    kernel: async () => kernelFact(await read(NODE_FILES.version)),
    cpu: async () => cpuFact(await read(NODE_FILES.cpuinfo)),
    // KernelParamStatuses only stands in for /proc/meminfo.
    hugepages: async () => {
      const meminfo = await read(NODE_FILES.meminfo);
      const params =
        meminfo.state === 'ok' ? NOT_ASKED : await resources(NODE_RESOURCES.kernelParamStatuses);
      return hugePagesFact(meminfo, params);
    },
    // /proc/modules with /proc/config.gz is the whole answer; /sys/module and the module
    // resources are asked only when one of them could not be read.
    modules: async () => {
      const [procModules, kernelConfig] = await Promise.all([
        read(NODE_FILES.modules),
        read(NODE_FILES.kernelConfig),
      ]);
      if (procModules.state === 'ok' && kernelConfig.state === 'ok') {
        return modulesFact(procModules, kernelConfig, NOT_ASKED, NOT_ASKED, NOT_ASKED);
      }
      const [sysModule, statuses, loaded] = await Promise.all([
        list(NODE_DIRECTORIES.sysModule),
        resources(NODE_RESOURCES.kernelModuleStatuses),
        procModules.state === 'ok' ? NOT_ASKED : resources(NODE_RESOURCES.loadedKernelModules),
      ]);
      return modulesFact(procModules, kernelConfig, sysModule, statuses, loaded);
    },
    devLinks: async () => devLinksFact(await list(NODE_DIRECTORIES.dev)),
    iommuGroups: async () => iommuFact(await list(NODE_DIRECTORIES.iommuGroups)),
    identityFiles: async () => {
      const paths = [
        NODE_FILES.machineId,
        NODE_FILES.initiatorName,
        NODE_FILES.hostId,
        NODE_FILES.hostNqn,
      ];
      const probes = await Promise.all(paths.map((path) => read(path)));
      return identityFilesFact(paths.map((path, i) => [path, probes[i] ?? NOT_ASKED] as const));
    },
    nodeId: async () => nodeIdFact(await resources(NODE_RESOURCES.identities)),
    extensions: async () => extensionsFact(await resources(NODE_RESOURCES.extensionStatuses)),
    services: async () => servicesFact(await resources(NODE_RESOURCES.services)),
    directories: async () => {
      const [varLib, varMnt] = await Promise.all([
        list(NODE_DIRECTORIES.varLib),
        list(NODE_DIRECTORIES.varMnt),
      ]);
      return directoriesFact([
        [NODE_DIRECTORIES.varLib.path, varLib],
        [NODE_DIRECTORIES.varMnt.path, varMnt],
      ]);
    },
    partitions: () => collectPartitions(reader),
  };
}

/**
 * Gather the facts of one node: `wanted` (the facts of the checks that will run, see
 * `factsFor`), every fact when not given. All reads start at once: over the API each is a round
 * trip, and a node's time should be one round trip, not the sum of them; fallbacks (a resource
 * standing in for a file that could not be read) cost a second one only when they are needed.
 * A fact not wanted is `unobserved` and costs no call.
 */
export async function collectFacts(
  reader: NodeReader,
  wanted: Iterable<FactName> = FACT_NAMES,
): Promise<NodeFacts> {
  const want = new Set(wanted);
  const gather = gatherers(reader);
  const values = await Promise.all(
    FACT_NAMES.map((name) => (want.has(name) ? gather[name]() : unobserved(NOT_NEEDED))),
  );
  const facts: Record<string, unknown> = { node: reader.node };
  FACT_NAMES.forEach((name, i) => {
    facts[name] = values[i];
  });
  return facts as unknown as NodeFacts;
}
