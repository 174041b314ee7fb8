import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Every file of a directory (not recursive) with its text, names sorted. */
export async function snapshot(path: string): Promise<Record<string, string>> {
  const names = (await readdir(path)).sort();
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(path, name), 'utf8');
  return files;
}

/**
 * Compare rendered files with a golden directory; with `update` first rewrite the directory
 * from them (`UPDATE_GOLDEN=1`).
 */
export async function expectGolden(
  dir: string,
  files: readonly { readonly path: string; readonly content: string }[],
  update: boolean,
): Promise<void> {
  if (update) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const file of files) await writeFile(join(dir, file.path), file.content);
  }
  expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toEqual(await snapshot(dir));
}
