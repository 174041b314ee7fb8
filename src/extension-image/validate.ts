import { parse as parseYaml } from 'yaml';
import type { TreeEntry } from './tree.js';

/**
 * Talos's rules for a system extension, checked on the tree before it is packed (and usable on
 * an unpacked image): exactly `manifest.yaml` and `rootfs/` at the top; under rootfs only
 * directories, regular files and symlinks, nothing world-writable, every non-directory under a
 * path Talos accepts; a valid manifest; valid extension service definitions.
 */

/** Paths Talos 1.9+ accepts in an extension's rootfs. */
export const ALLOWED_ROOTFS_PREFIXES = [
  '/usr/local/',
  '/usr/lib/modules/',
  '/usr/lib/firmware/',
  '/usr/lib/udev/rules.d/',
  '/etc/cri/conf.d/',
] as const;

const SERVICE_NAME = /^[-_a-z0-9]+$/;
const SERVICE_DIR = 'rootfs/usr/local/etc/containers/';
const RESTART_KINDS = ['always', 'never', 'untilSuccess'];
const NETWORK_STATUSES = ['addresses', 'connectivity', 'hostname', 'etcfiles'];

type Problems = string[];

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function parseYamlFile(entry: TreeEntry, problems: Problems): unknown {
  try {
    return parseYaml(new TextDecoder().decode(entry.content ?? new Uint8Array()));
  } catch (err) {
    problems.push(
      `${entry.path} is not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
    return undefined;
  }
}

function checkLayout(entries: readonly TreeEntry[], problems: Problems): void {
  for (const entry of entries) {
    const top = entry.path.split('/')[0];
    if (top !== 'manifest.yaml' && top !== 'rootfs') {
      problems.push(
        `only manifest.yaml and rootfs/ may be at the top, found ${JSON.stringify(top)}`,
      );
    }
  }
  const manifest = entries.find((e) => e.path === 'manifest.yaml');
  if (manifest?.type !== 'file') problems.push('manifest.yaml is missing or not a regular file');
  if (entries.find((e) => e.path === 'rootfs')?.type !== 'dir') problems.push('rootfs/ is missing');
}

function checkRootfs(entries: readonly TreeEntry[], problems: Problems): void {
  for (const entry of entries) {
    if (!entry.path.startsWith('rootfs/')) continue;
    const path = entry.path.slice('rootfs'.length);
    if (entry.type === 'other') {
      problems.push(`special files are not allowed: ${path}`);
      continue;
    }
    if (entry.type !== 'symlink' && (entry.mode & 0o002) !== 0) {
      problems.push(
        `world-writable files are not allowed: ${path} (mode ${entry.mode.toString(8).padStart(4, '0')})`,
      );
    }
    if (
      entry.type !== 'dir' &&
      !ALLOWED_ROOTFS_PREFIXES.some((prefix) => path.startsWith(prefix))
    ) {
      problems.push(
        `${path} is outside the paths Talos allows (${ALLOWED_ROOTFS_PREFIXES.join(', ')})`,
      );
    }
  }
}

function checkManifest(entries: readonly TreeEntry[], problems: Problems): void {
  const entry = entries.find((e) => e.path === 'manifest.yaml' && e.type === 'file');
  if (entry === undefined) return;
  const doc = asRecord(parseYamlFile(entry, problems));
  if (doc === undefined) {
    problems.push('manifest.yaml must be a mapping');
    return;
  }
  if (doc.version !== 'v1alpha1') problems.push('manifest.yaml: version must be v1alpha1');
  const metadata = asRecord(doc.metadata);
  for (const key of ['name', 'version', 'author', 'description']) {
    if (!nonEmptyString(metadata?.[key]))
      problems.push(`manifest.yaml: metadata.${key} must be a non-empty string`);
  }
  const constraint = asRecord(asRecord(metadata?.compatibility)?.talos)?.version;
  if (
    !nonEmptyString(constraint) ||
    !/^(\s*(>=|<=|>|<|=|!=)?\s*v?\d+\.\d+\.\d+\S*)+$/.test(constraint)
  ) {
    problems.push(
      'manifest.yaml: metadata.compatibility.talos.version must be a version range like ">= v1.9.0"',
    );
  }
}

function checkDependency(where: string, dep: unknown, problems: Problems): void {
  const record = asRecord(dep);
  const keys = Object.keys(record ?? {});
  if (record === undefined || keys.length !== 1) {
    problems.push(
      `${where}: each depends item needs exactly one of service, path, network, time, configuration`,
    );
    return;
  }
  const value = record[keys[0] ?? ''];
  switch (keys[0]) {
    case 'service':
      if (!nonEmptyString(value)) problems.push(`${where}: depends.service must be a service name`);
      break;
    case 'path':
      if (typeof value !== 'string' || !value.startsWith('/'))
        problems.push(`${where}: depends.path must be absolute`);
      break;
    case 'network':
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        value.some((s) => !NETWORK_STATUSES.includes(String(s)))
      ) {
        problems.push(`${where}: depends.network must list ${NETWORK_STATUSES.join(', ')}`);
      }
      break;
    case 'time':
    case 'configuration':
      if (value !== true) problems.push(`${where}: depends.${keys[0]} must be true`);
      break;
    default:
      problems.push(`${where}: unknown dependency ${JSON.stringify(keys[0])}`);
  }
}

function checkService(entry: TreeEntry, entries: readonly TreeEntry[], problems: Problems): void {
  const file = entry.path.slice(SERVICE_DIR.length);
  const where = `/${entry.path.slice('rootfs/'.length)}`;
  const spec = asRecord(parseYamlFile(entry, problems));
  if (spec === undefined) return;
  const name = spec.name;
  if (typeof name !== 'string' || !SERVICE_NAME.test(name)) {
    problems.push(`${where}: name must match ^[-_a-z0-9]+$`);
    return;
  }
  if (file !== `${name}.yaml`) problems.push(`${where}: file name must be ${name}.yaml`);
  if (!RESTART_KINDS.includes(String(spec.restart))) {
    problems.push(`${where}: restart must be one of ${RESTART_KINDS.join(', ')}`);
  }
  const depends = spec.depends ?? [];
  if (!Array.isArray(depends)) problems.push(`${where}: depends must be a list`);
  else for (const dep of depends) checkDependency(where, dep, problems);
  const entrypoint = asRecord(spec.container)?.entrypoint;
  if (typeof entrypoint !== 'string' || !entrypoint.startsWith('/')) {
    problems.push(
      `${where}: container.entrypoint must be an absolute path inside the container rootfs`,
    );
    return;
  }
  const containerRoot = `rootfs/usr/local/lib/containers/${name}`;
  if (entries.find((e) => e.path === containerRoot)?.type !== 'dir') {
    problems.push(`${where}: container rootfs /usr/local/lib/containers/${name}/ is missing`);
    return;
  }
  const target = entries.find((e) => e.path === `${containerRoot}${entrypoint}`);
  if (target?.type !== 'file' || (target.mode & 0o111) === 0) {
    problems.push(
      `${where}: entrypoint ${entrypoint} is not an executable file in the container rootfs`,
    );
  }
}

/** All rule violations of an extension tree, in a stable order; empty when the tree is valid. */
export function extensionTreeProblems(entries: readonly TreeEntry[]): string[] {
  const problems: Problems = [];
  checkLayout(entries, problems);
  checkRootfs(entries, problems);
  checkManifest(entries, problems);
  for (const entry of entries) {
    if (
      entry.path.startsWith(SERVICE_DIR) &&
      entry.path.endsWith('.yaml') &&
      entry.type === 'file'
    ) {
      checkService(entry, entries, problems);
    }
  }
  return problems;
}
