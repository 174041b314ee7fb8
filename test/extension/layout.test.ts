import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildImageLayout, writeImageLayout } from '../../src/extension-image/layout.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const layout = (tag: string, layer: string) =>
  buildImageLayout({
    layer: new TextEncoder().encode(layer),
    architecture: 'amd64',
    tag,
    annotations: {},
  });

interface Index {
  manifests: { digest: string; annotations: Record<string, string> }[];
}

const refs = (index: Index): [string, string][] =>
  index.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'] ?? '', m.digest]);

describe('writeImageLayout', () => {
  it('adds a tag to an existing layout, keeping other tags, their blobs and unrelated files', async () => {
    const out = join(dir, 'img');
    const a = layout('v1', 'layer one');
    await writeImageLayout(out, a);
    await writeFile(join(out, 'NOTES'), 'mine');
    const b = layout('v2', 'layer two');
    await writeImageLayout(out, b);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Index;
    expect(refs(index)).toEqual([
      ['v1', a.manifestDigest],
      ['v2', b.manifestDigest],
    ]);
    expect(await readFile(join(out, 'NOTES'), 'utf8')).toBe('mine');
    // Every blob any tag needs is there, and each file's name is its content's sha256.
    const blobs = await readdir(join(out, 'blobs/sha256'));
    for (const blob of [...a.blobs, ...b.blobs]) {
      expect(blobs).toContain(blob.digest.slice('sha256:'.length));
    }
    for (const name of blobs) {
      const bytes = await readFile(join(out, 'blobs/sha256', name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(name);
    }
    expect((await readdir(out)).sort()).toEqual(['NOTES', 'blobs', 'index.json', 'oci-layout']);
  });

  it('replaces the entry of a rebuilt tag in place and leaves the index as a fresh build would', async () => {
    const out = join(dir, 'img');
    await writeImageLayout(out, layout('v1', 'old'));
    const rebuilt = layout('v1', 'new');
    await writeImageLayout(out, rebuilt);
    expect(await readFile(join(out, 'index.json'))).toEqual(Buffer.from(rebuilt.index));
  });

  it('refuses a non-empty directory that is not an OCI layout and leaves it alone', async () => {
    const out = join(dir, 'other');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    await expect(writeImageLayout(out, layout('v1', 'x'))).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/exists and is not an OCI image layout or an empty directory/),
    });
    expect(await readdir(out)).toEqual(['keep.txt']);
  });

  it('refuses to rewrite an index.json that is not an OCI index', async () => {
    const out = join(dir, 'img');
    await mkdir(out);
    await writeFile(join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(out, 'index.json'), '{"not":"an index"}');
    await expect(writeImageLayout(out, layout('v1', 'x'))).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(await readFile(join(out, 'index.json'), 'utf8')).toBe('{"not":"an index"}');
  });
});
