/**
 * Parsers of the node files preflight reads. They take whatever bytes a node (or a snapshot)
 * holds and never throw: a line they do not understand is skipped, a value they cannot find is
 * `undefined`, so a truncated or odd file degrades a check instead of crashing the run.
 */
import { gunzipSync } from 'node:zlib';
import type { CpuFact } from './facts.js';

/** `/proc/meminfo`: `Key:   123 kB` lines → numbers (kB units are not converted). */
export function parseMeminfo(text: string): ReadonlyMap<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const value = Number(match[2]);
    if (Number.isSafeInteger(value) && !values.has(match[1])) values.set(match[1], value);
  }
  return values;
}

/**
 * `/proc/cpuinfo`: the flags of the first processor. x86 lists them as `flags`, arm64 as
 * `Features`; every processor of a machine has the same ones.
 */
export function parseCpuinfo(text: string): CpuFact {
  for (const line of text.split('\n')) {
    const match = /^(flags|Features)\s*:(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const flags = [...new Set(match[2].split(/\s+/).filter((flag) => flag !== ''))].sort();
    return { arch: match[1] === 'flags' ? 'amd64' : 'arm64', flags };
  }
  return { arch: 'unknown', flags: [] };
}

/** Module names as the kernel reports them: dashes and underscores are the same character. */
export function normaliseModuleName(name: string): string {
  return name.replaceAll('-', '_');
}

const MODULE_NAME = /^[A-Za-z0-9_-]+$/;

/** `/proc/modules`: `name size refcount deps state address` per line → sorted names. */
export function parseProcModules(text: string): readonly string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[0];
    if (fields.length < 3 || name === undefined || !MODULE_NAME.test(name)) continue;
    names.add(normaliseModuleName(name));
  }
  return [...names].sort();
}

/** `/proc/version`: `Linux version 6.12.18-talos (…) #1 SMP …` → `6.12.18-talos`. */
export function parseProcVersion(text: string): string | undefined {
  return /^Linux version (\S+)/.exec(text)?.[1];
}

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** `6.12.18-talos` → 6.12.18; anything without a leading `major.minor` → undefined. */
export function parseKernelRelease(release: string): KernelVersion | undefined {
  const match = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?/.exec(release);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** `/etc/os-release`: `KEY=value` / `KEY="value"` lines. */
export function parseOsRelease(text: string): ReadonlyMap<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    let value = match[2];
    const quoted = /^"(.*)"$|^'(.*)'$/.exec(value);
    if (quoted) value = quoted[1] ?? quoted[2] ?? '';
    values.set(match[1], value);
  }
  return values;
}

/** A PCI address as sysfs names it: `0000:01:00.0` (the one rule, in longhorn/pci-address.ts). */
export { PCI_ADDRESS } from '../longhorn/pci-address.js';

/**
 * Kernel config symbols of the modules preflight asks about, where the symbol is not simply the
 * module name in upper case (`nvme_tcp` ↔ `CONFIG_NVME_TCP`).
 */
const CONFIG_SYMBOL_OF_MODULE: Readonly<Record<string, string>> = { ublk_drv: 'BLK_DEV_UBLK' };

/** The modules whose kernel config symbol preflight reads (built in or not). */
const KERNEL_CONFIG_MODULES = [
  'nvme_tcp',
  'dm_crypt',
  'vfio_pci',
  'vfio_iommu_type1',
  'uio_pci_generic',
  'ublk_drv',
] as const;

/** `/proc/config.gz` (CONFIG_IKCONFIG_PROC) is ~40 KiB gzipped; more than this is not it. */
const MAX_KERNEL_CONFIG_BYTES = 8 << 20;

/**
 * `/proc/config.gz`: gzip of the kernel's `.config`. Returns, for each module in
 * `KERNEL_CONFIG_MODULES`, `y` (built in), `m` (a loadable module) or nothing (not configured);
 * undefined when the bytes are not a gzipped config.
 */
export function parseKernelConfig(gzipped: Uint8Array): ReadonlyMap<string, 'y' | 'm'> | undefined {
  let text: string;
  try {
    text = gunzipSync(gzipped, { maxOutputLength: MAX_KERNEL_CONFIG_BYTES }).toString('utf8');
  } catch {
    return undefined;
  }
  const symbols = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^CONFIG_([A-Z0-9_]+)=([ym])$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) symbols.set(match[1], match[2]);
  }
  if (symbols.size === 0) return undefined;
  const states = new Map<string, 'y' | 'm'>();
  for (const name of KERNEL_CONFIG_MODULES) {
    const state = symbols.get(CONFIG_SYMBOL_OF_MODULE[name] ?? name.toUpperCase());
    if (state === 'y' || state === 'm') states.set(name, state);
  }
  return states;
}
