import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TalosLonghornError } from '../errors.js';
import { EXTENSION_NAME } from '../longhorn/extension-contract.js';
import { errnoText, readRegular } from '../output/index.js';
import { checkStaticElf, type ImageArch } from './elf.js';
import { buildImageLayout, type ImageLayout } from './layout.js';
import { createTar, type TarEntry } from './tar.js';
import { comparePaths, readTree, type TreeEntry } from './tree.js';
import { extensionTreeProblems } from './validate.js';

/** The extension's sources shipped with the package (`extension/`). */
const DEFAULT_SOURCE_DIR = fileURLToPath(new URL('../../extension', import.meta.url));
/** Debian's busybox-static. */
export const DEFAULT_BUSYBOX = '/usr/bin/busybox';
/** Where the builder puts busybox inside the service's container rootfs (its entrypoint). */
export const BUSYBOX_IN_IMAGE = `rootfs/usr/local/lib/containers/${EXTENSION_NAME}/bin/busybox`;
export const VERSION_PLACEHOLDER = '@VERSION@';
const MAX_BUSYBOX_BYTES = 64 * 1024 * 1024;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * What `buildExtensionImage` builds: the extension's version (written into its `manifest.yaml`),
 * the architecture, the image tag, the static busybox to ship and, for tests or forks, another
 * directory of extension sources (default: the package's `extension/`).
 */
export interface ExtensionBuildInput {
  readonly version: string;
  readonly arch: ImageArch;
  readonly tag: string;
  /** Static busybox for `arch`; `undefined` means the default, /usr/bin/busybox. */
  readonly busyboxPath?: string;
  readonly sourceDir?: string;
}

/**
 * The built image as an in-memory OCI layout, with the sizes of its one layer and of the busybox in
 * it.
 */
export interface ExtensionImage extends ImageLayout {
  readonly layerSize: number;
  readonly busyboxSize: number;
}

async function readBusybox(path: string | undefined, arch: ImageArch): Promise<Uint8Array> {
  const file = path ?? DEFAULT_BUSYBOX;
  let bytes: Buffer;
  try {
    const read = await readRegular(file, MAX_BUSYBOX_BYTES);
    if (read.state !== 'ok') {
      const why =
        read.state === 'too-large'
          ? 'is larger than 64 MiB'
          : `is ${read.kind}, not a regular file`;
      throw new TalosLonghornError('invalid-input', `${file} ${why}; expected a busybox binary`, {
        field: 'busyboxPath',
      });
    }
    bytes = read.bytes;
  } catch (err) {
    if (err instanceof TalosLonghornError) throw err;
    const message = `cannot read ${file}: ${errnoText(err)}`;
    if (path === undefined) {
      throw new TalosLonghornError(
        'not-found',
        `${message}; install busybox-static or give the path of a static busybox`,
        {
          field: 'busyboxPath',
          cause: err,
        },
      );
    }
    throw new TalosLonghornError('invalid-input', message, { field: 'busyboxPath', cause: err });
  }
  checkStaticElf(bytes, arch, 'busyboxPath');
  return bytes;
}

/** manifest.yaml is a few lines; a bound far above that keeps a wrong path from being slurped. */
const MAX_MANIFEST_BYTES = 1 << 20;

async function readTextFile(path: string): Promise<string> {
  const read = await readRegular(path, MAX_MANIFEST_BYTES);
  if (read.state === 'ok') return read.bytes.toString('utf8');
  const why =
    read.state === 'too-large'
      ? `larger than ${MAX_MANIFEST_BYTES} bytes`
      : `${read.kind}, not a regular file`;
  throw Object.assign(new Error(`${path}: ${why}`), { code: why });
}

async function readSource(sourceDir: string, version: string): Promise<TreeEntry[]> {
  let manifest: string;
  let rootfs: TreeEntry[];
  try {
    manifest = await readTextFile(join(sourceDir, 'manifest.yaml'));
    rootfs = await readTree(sourceDir, 'rootfs');
  } catch (err) {
    throw new TalosLonghornError(
      'invalid-input',
      `cannot read the extension sources in ${sourceDir}: ${errnoText(err)}`,
      {
        field: 'sourceDir',
        cause: err,
      },
    );
  }
  if (manifest.split(VERSION_PLACEHOLDER).length !== 2) {
    throw new TalosLonghornError(
      'invalid-input',
      `manifest.yaml must hold the ${VERSION_PLACEHOLDER} placeholder exactly once`,
      {
        field: 'sourceDir',
      },
    );
  }
  const text = manifest.replace(VERSION_PLACEHOLDER, version);
  return [
    { path: 'manifest.yaml', type: 'file', mode: 0o644, content: new TextEncoder().encode(text) },
    ...rootfs,
  ];
}

/** Add busybox (and its directory) to the tree; refuses a tree that already has something there. */
function withBusybox(entries: readonly TreeEntry[], busybox: Uint8Array): TreeEntry[] {
  const dir = BUSYBOX_IN_IMAGE.slice(0, BUSYBOX_IN_IMAGE.lastIndexOf('/'));
  if (entries.some((e) => e.path === BUSYBOX_IN_IMAGE)) {
    throw new TalosLonghornError(
      'invalid-input',
      `the sources must not contain /${BUSYBOX_IN_IMAGE}; the builder adds busybox`,
      {
        field: 'sourceDir',
      },
    );
  }
  const added: TreeEntry[] = [
    { path: BUSYBOX_IN_IMAGE, type: 'file', mode: 0o755, content: busybox },
  ];
  if (!entries.some((e) => e.path === dir)) added.push({ path: dir, type: 'dir', mode: 0o755 });
  return [...entries, ...added].sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Modes from a checkout depend on the umask and the filesystem; the image's must not. Directories
 * and anything executable get 0755, other files 0644.
 */
function toTarEntry(entry: TreeEntry): TarEntry {
  switch (entry.type) {
    case 'dir':
      return { path: entry.path, type: 'dir', mode: 0o755 };
    case 'symlink':
      return { path: entry.path, type: 'symlink', mode: 0o777, linkTarget: entry.linkTarget ?? '' };
    case 'file':
      return {
        path: entry.path,
        type: 'file',
        mode: (entry.mode & 0o111) === 0 ? 0o644 : 0o755,
        content: entry.content ?? new Uint8Array(),
      };
    default:
      throw new TalosLonghornError('internal', `special file ${entry.path} passed validation`);
  }
}

/** Build the extension image in memory: validate the tree, pack one layer, lay out the image. */
export async function buildExtensionImage(input: ExtensionBuildInput): Promise<ExtensionImage> {
  if (!TAG.test(input.tag)) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(input.tag)} is not a valid tag; expected [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`,
      {
        field: 'tag',
      },
    );
  }
  const busybox = await readBusybox(input.busyboxPath, input.arch);
  const source = await readSource(input.sourceDir ?? DEFAULT_SOURCE_DIR, input.version);
  const tree = withBusybox(source, busybox);
  const problems = extensionTreeProblems(tree);
  if (problems.length > 0) {
    throw new TalosLonghornError(
      'invalid-input',
      `extension tree refused: ${problems.join('; ')}`,
      {
        field: 'sourceDir',
      },
    );
  }
  const layer = createTar(tree.map(toTarEntry));
  const layout = buildImageLayout({
    layer,
    architecture: input.arch,
    tag: input.tag,
    annotations: {
      'org.opencontainers.image.title': EXTENSION_NAME,
      'org.opencontainers.image.version': input.version,
    },
  });
  return { ...layout, layerSize: layer.length, busyboxSize: busybox.length };
}
