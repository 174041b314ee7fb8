// The one reading of a version string as users write it, for every version table (Talos, Longhorn).
import { type ErrorCode, TalosLonghornError } from './errors.js';

/**
 * A version as written: `MAJOR.MINOR`, optionally `.PATCH` and then a pre-release suffix, with
 * or without a leading `v` (`1.13`, `v1.13`, `v1.13.4`, `v1.14.0-rc.1`). Numbers have at most
 * four digits; leading zeros are read as decimal (`1.013` is 1.13).
 */
export interface VersionParts {
  readonly major: number;
  readonly minor: number;
  /** The patch level, when one was written. */
  readonly patch?: number;
  /** The suffix after the patch level, without its `-` (`rc.1`), when one was written. */
  readonly preRelease?: string;
}

const VERSION_FORM = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4})(?:-([0-9A-Za-z.-]{1,64}))?)?$/;

/** The parts of a version string; `undefined` for anything else (non-strings included). */
export function parseVersionString(text: unknown): VersionParts | undefined {
  const match = typeof text === 'string' ? VERSION_FORM.exec(text) : null;
  if (match === null) return undefined;
  const [, major = '', minor = '', patch, preRelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    ...(patch === undefined ? {} : { patch: Number(patch) }),
    ...(preRelease === undefined ? {} : { preRelease }),
  };
}

/**
 * A table of supported minors (`1.9`, `1.10`, ...) for one product. Each table keeps its own
 * error code for an unsupported minor; both errors name the field they were given and the list.
 */
export interface VersionTable<V extends string> {
  /** The product, as messages name it (`Talos`). */
  readonly product: string;
  readonly supported: readonly V[];
  /** How a version of the product is written, for the malformed-version message. */
  readonly written: string;
  /** The code of the error for a well-formed version not in the table. */
  readonly unsupportedCode: ErrorCode;
}

/**
 * The table's minor that `text` names, with the parts as written. Text that is not a version is
 * `invalid-input`; a minor outside the table is the table's `unsupportedCode`; both name `field`.
 */
export function parseSupportedVersion<V extends string>(
  text: unknown,
  field: string,
  table: VersionTable<V>,
): { readonly version: V; readonly parts: VersionParts } {
  const supported = table.supported.join(', ');
  const parts = parseVersionString(text);
  if (parts === undefined) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(text)} is not a ${table.product} version; expected one of ${supported} (written ${table.written})`,
      { field },
    );
  }
  const minor = `${parts.major}.${parts.minor}`;
  const version = table.supported.find((candidate) => candidate === minor);
  if (version === undefined) {
    throw new TalosLonghornError(
      table.unsupportedCode,
      `${table.product} ${minor} is not supported; expected one of ${supported}`,
      { field },
    );
  }
  return { version, parts };
}
