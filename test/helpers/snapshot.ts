import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file of a directory (not recursive) with its text, names sorted. */
export async function snapshot(path: string): Promise<Record<string, string>> {
  const names = (await readdir(path)).sort();
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(path, name), 'utf8');
  return files;
}
