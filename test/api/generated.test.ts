import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const apiDir = fileURLToPath(new URL('../../src/api', import.meta.url));
const binDir = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return out;
}

it('regenerating src/api/gen from the .proto files changes nothing', async () => {
  const out = await mkdtemp(join(tmpdir(), 'tl-gen-'));
  try {
    execFileSync(join(binDir, 'buf'), ['generate', '--template', 'buf.gen.yaml', '-o', out], {
      cwd: apiDir,
      env: { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` },
      stdio: 'pipe',
    });
    const fresh = await files(join(out, 'gen'));
    const committed = await files(join(apiDir, 'gen'));
    expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [path, text] of fresh) expect(committed.get(path), path).toBe(text);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 60_000);
