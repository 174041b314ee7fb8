import { TalosLonghornError } from '../errors.js';

/** Talos minor versions this project emits configuration for, oldest first. */
export const SUPPORTED_TALOS_VERSIONS = ['1.9', '1.10', '1.11', '1.12', '1.13', '1.14'] as const;
export type TalosVersion = (typeof SUPPORTED_TALOS_VERSIONS)[number];
/** The newest supported version: the default target. */
export const DEFAULT_TALOS_VERSION: TalosVersion = '1.14';

const VERSION_FORM = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4})(?:-[0-9A-Za-z.-]{1,64})?)?$/;

/** `1.13`, `v1.13`, `v1.13.4` or `v1.14.0-rc.1` → `1.13`; the patch level does not matter. */
export function parseTalosVersion(text: string, field = 'talosVersion'): TalosVersion {
  const match = typeof text === 'string' ? VERSION_FORM.exec(text) : null;
  const supported = SUPPORTED_TALOS_VERSIONS.join(', ');
  if (match === null) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(text)} is not a Talos version; expected one of ${supported} (written 1.13, v1.13 or v1.13.4)`,
      { field },
    );
  }
  const minor = `${Number(match[1])}.${Number(match[2])}`;
  const version = SUPPORTED_TALOS_VERSIONS.find((v) => v === minor);
  if (version === undefined) {
    throw new TalosLonghornError(
      'unsupported-version',
      `Talos ${minor} is not supported; expected one of ${supported}`,
      { field },
    );
  }
  return version;
}

/** Position of a version in the supported list; the only place versions are ordered. */
export function versionIndex(version: TalosVersion): number {
  return SUPPORTED_TALOS_VERSIONS.indexOf(version);
}
