import { createHash, randomBytes } from 'node:crypto';
import { access, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoText, makeDirectories } from '../cli/files.js';
import { TalosLonghornError } from '../errors.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/**
 * An OCI image layout (image-spec 1.0) with one uncompressed layer. Every document is canonical
 * JSON and carries no timestamp, so the manifest digest depends on the layer bytes only.
 */
export const MEDIA_TYPES = {
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
  const index = new TextEncoder().encode(
    canonicalJson({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [
        {
          ...descriptor(MEDIA_TYPES.manifest, manifest),
          platform: { architecture: input.architecture, os: 'linux' },
          annotations: { 'org.opencontainers.image.ref.name': input.tag },
        },
      ],
    }),
  );
  const blobs = [layer, config, manifest];
  const totalSize =
    blobs.reduce((acc, blob) => acc + blob.bytes.length, 0) + index.length + OCI_LAYOUT.length;
  return { blobs, index, manifestDigest: manifest.digest, totalSize };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Write the layout to `out`: built in a temporary directory beside it, then renamed into place.
 * An existing OCI layout (or empty directory) at `out` is replaced; anything else is refused.
 */
export async function writeImageLayout(out: string, layout: ImageLayout): Promise<void> {
  const dest = resolve(out);
  if (await exists(dest)) {
    const names = await readdir(dest).catch(() => undefined);
    if (names === undefined || (names.length > 0 && !names.includes('oci-layout'))) {
      throw new TalosLonghornError(
        'invalid-input',
        `${out} exists and is not an OCI image layout or an empty directory; refusing to replace it`,
        { field: 'out' },
      );
    }
  }
  const tag = randomBytes(6).toString('hex');
  const tmp = join(dirname(dest), `.${basename(dest)}.${tag}.tmp`);
  const old = join(dirname(dest), `.${basename(dest)}.${tag}.old`);
  try {
    await makeDirectories(join(tmp, 'blobs', 'sha256'));
    for (const blob of layout.blobs) {
      await writeFile(
        join(tmp, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)),
        blob.bytes,
        {
          mode: 0o644,
        },
      );
    }
    await writeFile(join(tmp, 'index.json'), layout.index, { mode: 0o644 });
    await writeFile(join(tmp, 'oci-layout'), OCI_LAYOUT, { mode: 0o644 });
    const replacing = await exists(dest);
    if (replacing) await rename(dest, old);
    try {
      await rename(tmp, dest);
    } catch (err) {
      if (replacing) await rename(old, dest);
      throw err;
    }
    if (replacing) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof TalosLonghornError) throw err;
    throw new TalosLonghornError('io', `cannot write ${out}: ${errnoText(err)}`, {
      field: 'out',
      cause: err,
    });
  }
}
