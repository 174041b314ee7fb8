import { parseSupportedVersion, type VersionTable } from '../version-string.js';

/** Talos minor versions this project emits configuration for, oldest first. */
export const SUPPORTED_TALOS_VERSIONS = ['1.9', '1.10', '1.11', '1.12', '1.13', '1.14'] as const;
/** A supported Talos minor version (`1.9` … `1.14`). */
export type TalosVersion = (typeof SUPPORTED_TALOS_VERSIONS)[number];

/**
 * The newest release our facts know for each minor (`vX.Y.Z` tags of siderolabs/talos), and
 * whether that minor is only a pre-release. An installer reference needs a real tag; when the
 * user gave only a minor, this is the tag we name (and say so).
 */
export const NEWEST_KNOWN_RELEASE: Readonly<
  Record<TalosVersion, { readonly tag: string; readonly preRelease: boolean }>
> = {
  '1.9': { tag: 'v1.9.6', preRelease: false },
  '1.10': { tag: 'v1.10.9', preRelease: false },
  '1.11': { tag: 'v1.11.6', preRelease: false },
  '1.12': { tag: 'v1.12.11', preRelease: false },
  '1.13': { tag: 'v1.13.9', preRelease: false },
  '1.14': { tag: 'v1.14.0-rc.1', preRelease: true },
};

/**
 * Whether the newest release our facts know of this minor is only a pre-release (`v1.14.0-rc.1`).
 */
export function isPreRelease(version: TalosVersion): boolean {
  return NEWEST_KNOWN_RELEASE[version].preRelease;
}

/**
 * The default target: the newest *released* minor. A pre-release (1.14 until our facts know a
 * GA tag) is only targeted when asked for by name, since older nodes cannot read its documents.
 */
export const DEFAULT_TALOS_VERSION: TalosVersion =
  [...SUPPORTED_TALOS_VERSIONS].reverse().find((v) => !isPreRelease(v)) ?? '1.9';

const TALOS_VERSIONS: VersionTable<TalosVersion> = {
  product: 'Talos',
  supported: SUPPORTED_TALOS_VERSIONS,
  written: '1.13, v1.13 or v1.13.4',
  unsupportedCode: 'unsupported-version',
};

/** `1.13`, `v1.13`, `v1.13.4` or `v1.14.0-rc.1` → `1.13`; the patch level does not matter. */
export function parseTalosVersion(text: string, field = 'talosVersion'): TalosVersion {
  return parseSupportedVersion(text, field, TALOS_VERSIONS).version;
}

/** A version as a user wrote it: the minor we target and the exact tag, when one was given. */
export interface TalosTarget {
  readonly version: TalosVersion;
  /** `vX.Y.Z[-pre]` when the user wrote a patch level. */
  readonly tag?: string;
}

/** Parse a version and keep the exact release tag when the text names one (`v1.13.4`). */
export function parseTalosTarget(text: string, field = 'talosVersion'): TalosTarget {
  const { version, parts } = parseSupportedVersion(text, field, TALOS_VERSIONS);
  if (parts.patch === undefined) return { version };
  return { version, tag: `v${text.replace(/^v/, '')}` };
}

/**
 * The installer tag to reference for a target: the exact tag the user gave, else the newest
 * release our facts know for that minor (`fromFacts` says which it is).
 */
export function installerTag(target: TalosTarget): {
  readonly tag: string;
  readonly fromFacts: boolean;
} {
  if (target.tag !== undefined) return { tag: target.tag, fromFacts: false };
  return { tag: NEWEST_KNOWN_RELEASE[target.version].tag, fromFacts: true };
}

/** Position of a version in the supported list; the only place versions are ordered. */
export function versionIndex(version: TalosVersion): number {
  return SUPPORTED_TALOS_VERSIONS.indexOf(version);
}
