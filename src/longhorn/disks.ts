import { describeChar, invalidInput } from '../errors.js';
import type { DiskNeed } from './needs.js';
import { isPciAddress } from './pci-address.js';

/** Looks like someone meant a PCI address (hex digits, colons, a dot) rather than a path. */
const BDF_LIKE = /^[^/]*[:.]/;
const PATH_CHAR = /[A-Za-z0-9._:+@,=/-]/;
const MAX_PATH_LENGTH = 256;
const MAX_DISK_NAME_LENGTH = 63;

const BDF_EXPECTED =
  'expected a PCI address DDDD:BB:DD.F in hex (device at most 1f, function at most 7) such as 0000:01:00.0 (or 01:00.0 for domain 0000), or a block device path under /dev/';

/**
 * Normalise a PCI address to Longhorn's lowercase `DDDD:BB:DD.F` form. Upper case is folded and
 * the short `BB:DD.F` form (as `lspci` prints it) gets domain 0000; anything else is refused.
 */
export function parsePciAddress(text: string, field: string): string {
  const lower = text.trim().toLowerCase();
  if (isPciAddress(lower)) return lower;
  if (isPciAddress(`0000:${lower}`)) return `0000:${lower}`;
  throw invalidInput(field, `${JSON.stringify(text)} is not a PCI address; ${BDF_EXPECTED}`);
}

function parseDevicePath(text: string, field: string): string {
  if (!text.startsWith('/dev/') || text.length === '/dev/'.length) {
    throw invalidInput(field, `${JSON.stringify(text)} is not a disk; ${BDF_EXPECTED}`);
  }
  if (text.length > MAX_PATH_LENGTH) {
    throw invalidInput(field, `path is longer than ${MAX_PATH_LENGTH} characters`);
  }
  for (const ch of text) {
    if (!PATH_CHAR.test(ch)) {
      throw invalidInput(field, `invalid character ${describeChar(ch)} in device path`);
    }
  }
  if (
    text.endsWith('/') ||
    text.split('/').some((part, i) => i > 0 && ['', '.', '..'].includes(part))
  ) {
    throw invalidInput(field, `${JSON.stringify(text)} is not a plain device path`);
  }
  return text;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function diskName(disk: { kind: 'pci'; address: string } | { kind: 'path'; path: string }) {
  if (disk.kind === 'pci') return `nvme-${slug(disk.address)}`;
  const tail = slug(disk.path.slice('/dev/'.length));
  return `aio-${tail.slice(-(MAX_DISK_NAME_LENGTH - 8)).replace(/^-+/, '')}`;
}

/** Classify and normalise the v2 disks; names are derived from the address or path. */
export function planDisks(disks: readonly string[], field: string): DiskNeed[] {
  const seen = new Map<string, number>();
  const names = new Set<string>();
  return disks.map((text, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof text !== 'string' || text.trim() === '') {
      throw invalidInput(itemField, `empty disk; ${BDF_EXPECTED}`);
    }
    const disk =
      text.startsWith('/') || !BDF_LIKE.test(text)
        ? ({ kind: 'path', path: parseDevicePath(text, itemField) } as const)
        : ({ kind: 'pci', address: parsePciAddress(text, itemField) } as const);
    const key = disk.kind === 'pci' ? disk.address : disk.path;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw invalidInput(itemField, `${JSON.stringify(text)} repeats ${field}[${earlier}]`);
    }
    seen.set(key, i);
    // Paths that differ only in punctuation (`/dev/x-3`, `/dev/x_3`) share a slug: number the
    // later one, and keep numbering until the name is free (`aio-x-3-3` may be taken too).
    const base = diskName(disk);
    let name = base;
    for (let n = i + 1; names.has(name); n += disks.length) {
      name = `${base.slice(0, MAX_DISK_NAME_LENGTH - 8)}-${n}`;
    }
    names.add(name);
    return { ...disk, name };
  });
}
