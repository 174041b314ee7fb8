import { type Identity, identityFiles } from './derive.js';

/** One identity file whose content on the node differs from what the identity derives. */
export interface FileMismatch {
  /** Absolute node path, e.g. `/etc/nvme/hostnqn`. */
  readonly path: string;
  readonly expected: string;
  /** What the node holds; null when the file does not exist. */
  readonly actual: string | null;
}

/** Compare derived identity files with what the node holds (`null` = missing). Pure. */
export function compareIdentityFiles(
  identity: Identity,
  actual: Readonly<Record<string, string | null>>,
): FileMismatch[] {
  const mismatches: FileMismatch[] = [];
  for (const file of identityFiles(identity)) {
    const path = `/${file.path}`;
    const found = actual[path] ?? null;
    if (found !== file.content) mismatches.push({ path, expected: file.content, actual: found });
  }
  return mismatches;
}
