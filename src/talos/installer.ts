// installer.yaml: an imager profile that layers the longhorn-v2-node extension on the Image
// Factory installer of our schematic. Image Factory serves official extensions only, so a
// custom extension reaches a node only through an installer built by Talos's imager.
import { EXTENSION_NAME } from '../longhorn/extension-contract.js';
import { yamlText } from '../yaml-text.js';

/** Where `installer.yaml` expects the extension's OCI image layout (`extension build --out`). */
const EXTENSION_OCI_DIR = `${EXTENSION_NAME}.oci`;

export interface InstallerInput {
  readonly schematicId: string;
  /** A real release tag, `vX.Y.Z`. */
  readonly tag: string;
  /** True when the tag is the newest release our facts know, not one the user named. */
  readonly tagFromFacts: boolean;
  readonly arch?: 'amd64' | 'arm64';
}

function factoryInstallerImage(schematicId: string, tag: string): string {
  return `factory.talos.dev/installer/${schematicId}:${tag}`;
}

/**
 * The imager profile (siderolabs/talos `pkg/imager/profile`: `arch`, `platform`, `secureboot`,
 * `version`, `input.baseInstaller.imageRef`, `input.systemExtensions[].ociPath`, `output.kind`,
 * `output.outFormat`; the same fields from 1.9 to 1.14). `imager -` reads it on stdin.
 */
export function imagerProfile(input: InstallerInput) {
  return {
    arch: input.arch ?? 'amd64',
    platform: 'metal',
    secureboot: false,
    version: input.tag,
    input: {
      baseInstaller: { imageRef: factoryInstallerImage(input.schematicId, input.tag) },
      systemExtensions: [{ ociPath: EXTENSION_OCI_DIR }],
    },
    output: { kind: 'installer', outFormat: 'raw' },
  } as const;
}

/** `installer.yaml`: the profile below comments that say how to build and use it. */
export function renderInstallerFile(input: InstallerInput): string {
  const profile = imagerProfile(input);
  const tagNote = input.tagFromFacts
    ? [
        `# ${input.tag} is the newest release of this minor that talos-longhorn knows; set your exact release in the plan's talosVersion.`,
      ]
    : [];
  const lines = [
    `# Imager profile: the Image Factory installer of schematic ${input.schematicId}`,
    `# with the ${EXTENSION_NAME} extension layered on (Image Factory serves official extensions only).`,
    ...tagNote,
    `#   talos-longhorn extension build --out ${EXTENSION_OCI_DIR} --arch ${profile.arch}`,
    `#   docker run --rm -i -v "$PWD:/work" -w /work -v "$PWD/_out:/out" ghcr.io/siderolabs/imager:${input.tag} - < installer.yaml`,
    `# writes _out/installer-${profile.arch}.tar; push it (crane push _out/installer-${profile.arch}.tar REGISTRY/installer:${input.tag})`,
    '# and install or upgrade with it (talosctl upgrade --image REGISTRY/installer:TAG, or machine.install.image).',
  ];
  return `${lines.join('\n')}\n${yamlText(profile)}`;
}
