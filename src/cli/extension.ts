import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_BAD_INPUT, EXIT_ENVIRONMENT, TalosLonghornError } from '../errors.js';
import { oneOf, parseCommandArgs, suggest } from './args.js';
import type { Command } from './command.js';
import type { Io } from './io.js';
import { withFlags } from './relabel.js';

const ARCHES = ['amd64', 'arm64'] as const;
const SUBCOMMANDS = ['build', 'validate'];
/** The default busybox is this machine's, so the default architecture is too. */
const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

const help = `Usage: talos-longhorn extension build --out DIR [--arch amd64|arm64] [--busybox PATH]
                                        [--tag TAG] [--source DIR]
       talos-longhorn extension validate DIR

build     Build the longhorn-v2-node Talos system extension as an OCI image layout in DIR,
          reproducibly and without docker: one uncompressed layer holding manifest.yaml and
          rootfs/, no timestamps, so the same inputs give the same manifest digest.
  --out DIR        the OCI image layout directory to write (replaced if it already is one)
  --arch ARCH      amd64 or arm64 (default: this machine's); busybox must be a static
                   executable for it
  --busybox PATH   static busybox to ship (default /usr/bin/busybox, Debian's busybox-static)
  --tag TAG        the tag in index.json (default: the package version)
  --source DIR     extension sources (default: the extension/ folder of this package)
  Prints "oci:DIR:TAG <manifest digest> <bytes>", then the reference for installer.yaml
  (generate's imager profile): ociPath DIR, or REGISTRY/longhorn-v2-node@<digest> once pushed
  with skopeo copy oci:DIR:TAG docker://...

validate  Check an unpacked extension (manifest.yaml and rootfs/, e.g. from
          umoci raw unpack) against Talos's extension rules.
`;

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The flag each field of the library's build input comes from. */
const BUILD_FLAGS = { busyboxPath: '--busybox', sourceDir: '--source', tag: '--tag', out: '--out' };

async function build(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(args, {
    out: { type: 'string' },
    arch: { type: 'string' },
    busybox: { type: 'string' },
    tag: { type: 'string' },
    source: { type: 'string' },
  });
  if (values.out === undefined || values.out === '' || values.out === '-') {
    throw new TalosLonghornError(
      'usage',
      `${values.out === '-' ? 'an image layout is a directory, not stdout' : 'missing'}; expected the directory to write the image to`,
      { field: '--out' },
    );
  }
  const arch = oneOf('--arch', values.arch, ARCHES, HOST_ARCH);
  const version = packageVersion();
  const { buildExtensionImage, writeImageLayout } = await import('../extension-image/index.js');
  const out = values.out;
  const image = await withFlags(BUILD_FLAGS, async () => {
    const built = await buildExtensionImage({
      version,
      arch,
      tag: values.tag ?? version,
      ...(values.busybox === undefined ? {} : { busyboxPath: resolve(io.cwd, values.busybox) }),
      ...(values.source === undefined ? {} : { sourceDir: resolve(io.cwd, values.source) }),
    });
    await writeImageLayout(resolve(io.cwd, out), built);
    return built;
  });
  io.stdout.write(
    `oci:${values.out}:${values.tag ?? version} ${image.manifestDigest} ${image.totalSize}\n`,
  );
  // What installer.yaml (from generate) references: this layout by path, or the pushed image by digest.
  io.stdout.write(
    `installer.yaml: systemExtensions ociPath: ${values.out}, or once pushed imageRef: REGISTRY/longhorn-v2-node@${image.manifestDigest}\n`,
  );
  return 0;
}

async function validate(args: readonly string[], io: Io): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, true);
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) {
    throw new TalosLonghornError('usage', 'give exactly one directory (an unpacked extension)', {
      field: 'DIR',
    });
  }
  const { extensionTreeProblems, readExtensionDir } = await import('../extension-image/index.js');
  const { errnoText } = await import('./files.js');
  const entries = await readExtensionDir(resolve(io.cwd, dir)).catch((err: unknown) => {
    throw new TalosLonghornError('invalid-input', `cannot read ${dir}: ${errnoText(err)}`, {
      field: 'DIR',
      cause: err,
    });
  });
  const problems = extensionTreeProblems(entries);
  if (problems.length > 0) {
    throw new TalosLonghornError(
      'invalid-input',
      `extension tree refused: ${problems.join('; ')}`,
      {
        field: dir,
      },
    );
  }
  io.stdout.write(`${dir}: valid Talos extension (${entries.length} entries)\n`);
  return 0;
}

export const command: Command = {
  help,
  exitStatus: {
    [EXIT_BAD_INPUT]: 'including a tree Talos would refuse',
    [EXIT_ENVIRONMENT]: 'busybox missing, output not writable',
  },
  examples: [
    {
      what: "Build the extension for amd64 with Debian's static busybox",
      run: 'talos-longhorn extension build --out longhorn-v2-node.oci --arch amd64',
    },
    {
      what: 'Check an unpacked extension tree',
      run: 'talos-longhorn extension validate ./unpacked',
    },
  ],
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'build':
        return build(rest, io);
      case 'validate':
        return validate(rest, io);
      default: {
        if (sub === undefined) {
          throw new TalosLonghornError(
            'usage',
            'give a subcommand: build or validate (see --help)',
          );
        }
        const near = suggest(sub, SUBCOMMANDS);
        throw new TalosLonghornError(
          'usage',
          `unknown subcommand ${JSON.stringify(sub)}; ${near.length > 0 ? `did you mean ${near.join(' or ')}?` : 'expected build or validate'}`,
        );
      }
    }
  },
};
