import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TalosLonghornError } from '../errors.js';
import { errnoCode, errnoText, type OutputFile, readRegular, writeFiles } from '../output/index.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/**
 * An OCI image layout (image-spec 1.0) with one uncompressed layer. Every document is canonical
 * JSON and carries no timestamp, so the manifest digest depends on the layer bytes only.
 */
const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export interface Blob {
  readonly digest: string;
  readonly bytes: Uint8Array;
}

export interface ImageLayout {
  readonly blobs: readonly Blob[];
  readonly index: Uint8Array;
  /** The index.json entry of the manifest (descriptor, platform, ref.name annotation). */
  readonly indexEntry: { readonly [key: string]: JsonValue };
  readonly tag: string;
  readonly manifestDigest: string;
  /** Bytes of every blob plus index.json and oci-layout: what a copy of the layout weighs. */
  readonly totalSize: number;
}

export interface LayoutInput {
  readonly layer: Uint8Array;
  readonly architecture: string;
  readonly tag: string;
  readonly annotations: Readonly<Record<string, string>>;
}

const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

function blobOf(bytes: Uint8Array): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

function jsonBlob(value: JsonValue): Blob {
  return blobOf(new TextEncoder().encode(canonicalJson(value)));
}

function descriptor(mediaType: string, blob: Blob): { [key: string]: JsonValue } {
  return { mediaType, digest: blob.digest, size: blob.bytes.length };
}

const REF_NAME = 'org.opencontainers.image.ref.name';

function indexBytes(index: { readonly [key: string]: JsonValue }): Uint8Array {
  return new TextEncoder().encode(canonicalJson(index));
}

function freshIndex(manifests: readonly JsonValue[]): { [key: string]: JsonValue } {
  return { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests };
}

export function buildImageLayout(input: LayoutInput): ImageLayout {
  const layer = blobOf(input.layer);
  const config = jsonBlob({
    architecture: input.architecture,
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptor(MEDIA_TYPES.config, config),
    layers: [descriptor(MEDIA_TYPES.layer, layer)],
    annotations: { ...input.annotations },
  });
  const indexEntry = {
    ...descriptor(MEDIA_TYPES.manifest, manifest),
    platform: { architecture: input.architecture, os: 'linux' },
    annotations: { [REF_NAME]: input.tag },
  };
  const index = indexBytes(freshIndex([indexEntry]));
  const blobs = [layer, config, manifest];
  const totalSize =
    blobs.reduce((acc, blob) => acc + blob.bytes.length, 0) + index.length + OCI_LAYOUT.length;
  return { blobs, index, indexEntry, tag: input.tag, manifestDigest: manifest.digest, totalSize };
}

/** index.json of an existing layout is small; anything past this is not one of ours to merge. */
const MAX_INDEX_BYTES = 4 << 20;

type Existing = { readonly kind: 'none' } | { readonly kind: 'layout'; readonly index: unknown };

/**
 * What is at `dest` now: nothing (missing or an empty directory) or an OCI image layout whose
 * index is returned. Anything else is refused: a non-empty directory that is not an OCI layout
 * is somebody else's, and an index.json that is not a regular file or not JSON is not ours to
 * rewrite.
 */
async function existingLayout(dest: string, out: string): Promise<Existing> {
  const refuse = (why: string): TalosLonghornError =>
    new TalosLonghornError('invalid-input', `${out} ${why}; refusing to write the image there`, {
      field: 'out',
    });
  let names: string[];
  try {
    names = await readdir(dest);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'none' };
    const info =
      errnoCode(err) === 'ENOTDIR' ? await lstat(dest).catch(() => undefined) : undefined;
    if (info !== undefined) throw refuse('exists and is not a directory');
    // A parent is not a directory: writing says so (exit 3), as for any unwritable place.
    if (errnoCode(err) === 'ENOTDIR') return { kind: 'none' };
    throw err;
  }
  if (names.length === 0) return { kind: 'none' };
  if (!names.includes('oci-layout')) {
    throw refuse('exists and is not an OCI image layout or an empty directory');
  }
  if (!names.includes('index.json')) return { kind: 'layout', index: freshIndex([]) };
  const read = await readRegular(join(dest, 'index.json'), MAX_INDEX_BYTES, { noFollow: true });
  if (read.state !== 'ok') throw refuse('has an index.json that is not a regular JSON file');
  try {
    return { kind: 'layout', index: JSON.parse(read.bytes.toString('utf8')) as unknown };
  } catch {
    throw refuse('has an index.json that is not JSON');
  }
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The index with our tag's entry replaced (in place) or added (at the end); the other tags'
 * entries and any other fields of the index are kept as they are.
 */
function mergedIndex(existing: unknown, layout: ImageLayout, out: string): Uint8Array {
  if (!isObject(existing) || !Array.isArray(existing.manifests)) {
    throw new TalosLonghornError(
      'invalid-input',
      `${out}/index.json is not an OCI image index (no manifests list); refusing to rewrite it`,
      { field: 'out' },
    );
  }
  const manifests: JsonValue[] = [];
  let placed = false;
  for (const entry of existing.manifests as JsonValue[]) {
    const ref =
      isObject(entry) && isObject(entry.annotations) ? entry.annotations[REF_NAME] : undefined;
    if (ref !== layout.tag) manifests.push(entry);
    else if (!placed) {
      manifests.push(layout.indexEntry);
      placed = true;
    }
  }
  if (!placed) manifests.push(layout.indexEntry);
  return indexBytes({ ...existing, manifests });
}

/**
 * Write the layout to `out`, all or none (see `writeFiles`). Only what the OCI layout owns is
 * written: `oci-layout`, `index.json` and the image's blobs. In an existing layout the other
 * tags' index entries, their blobs and any other file are kept, our tag's entry is replaced;
 * blobs of an earlier build of the same tag are left for `skopeo`/`oras` garbage collection. A
 * missing or empty directory is created as a new layout; a non-empty directory that is not an
 * OCI layout is refused.
 */
export async function writeImageLayout(out: string, layout: ImageLayout): Promise<void> {
  const dest = resolve(out);
  let index: Uint8Array;
  try {
    const existing = await existingLayout(dest, out);
    index = existing.kind === 'none' ? layout.index : mergedIndex(existing.index, layout, out);
  } catch (err) {
    if (err instanceof TalosLonghornError) throw err;
    throw new TalosLonghornError('io', `cannot read ${out}: ${errnoText(err)}`, {
      field: 'out',
      cause: err,
    });
  }
  const files: OutputFile[] = [
    ...layout.blobs.map((blob) => ({
      path: `blobs/sha256/${blob.digest.slice('sha256:'.length)}`,
      content: blob.bytes,
    })),
    { path: 'oci-layout', content: OCI_LAYOUT },
    { path: 'index.json', content: index },
  ];
  await writeFiles(dest, files, { field: 'out', label: out, skipUnchanged: true });
}
