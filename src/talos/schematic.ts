import { createHash } from 'node:crypto';
import { describeChar, TalosLonghornError } from '../errors.js';
import { REQUIRED_EXTENSIONS } from '../longhorn/requirements.js';
import { installerTag, type TalosTarget } from './versions.js';

/**
 * An Image Factory schematic, limited to the parts this project writes: official system
 * extensions and extra kernel arguments. Field order is Image Factory's declaration order, which
 * is also the order its ID is computed in.
 */
export interface Schematic {
  readonly customization: {
    readonly extraKernelArgs?: readonly string[];
    readonly systemExtensions?: { readonly officialExtensions: readonly string[] };
  };
}

/** The user's part of a schematic: extra official extensions and extra kernel arguments. */
export interface SchematicInput {
  /** Official extensions (`owner/name`); sorted and deduplicated in the schematic. */
  readonly extensions?: readonly string[];
  /** Extra kernel arguments, kept in the order given (order matters to the kernel). */
  readonly extraKernelArgs?: readonly string[];
}

/** An official extension name as Image Factory lists it, e.g. `siderolabs/iscsi-tools`. */
export const EXTENSION_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$';
const EXTENSION_NAME = new RegExp(EXTENSION_NAME_PATTERN);
/** One kernel argument: printable ASCII without blanks. */
export const KERNEL_ARG_PATTERN = '^[!-~]+$';
export const MAX_KERNEL_ARG_LENGTH = 1024;

function validateExtensionName(name: string, field: string): string {
  if (!EXTENSION_NAME.test(name)) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(name)} is not an official extension name; expected owner/name in lower case, e.g. siderolabs/iscsi-tools`,
      { field },
    );
  }
  return name;
}

/** One kernel argument: printable ASCII without blanks, as Image Factory takes one list item. */
function validateKernelArg(arg: string, field: string): string {
  if (arg.length === 0 || arg.length > MAX_KERNEL_ARG_LENGTH) {
    throw new TalosLonghornError(
      'invalid-input',
      `expected a kernel argument of 1 to ${MAX_KERNEL_ARG_LENGTH} characters, got ${arg.length}`,
      { field },
    );
  }
  for (let i = 0; i < arg.length; i++) {
    const code = arg.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) {
      const ch = String.fromCodePoint(arg.codePointAt(i) ?? code);
      throw new TalosLonghornError(
        'invalid-input',
        `invalid character ${describeChar(ch)} at position ${i + 1}; expected printable ASCII without blanks (one argument per item)`,
        { field },
      );
    }
  }
  return arg;
}

/** Field names used in errors about the input's lists (the CLI passes its flag names). */
export interface SchematicFields {
  readonly extensions: string;
  readonly extraKernelArgs: string;
}
const SCHEMATIC_FIELDS: SchematicFields = {
  extensions: 'extensions',
  extraKernelArgs: 'extraKernelArgs',
};

/**
 * Build a schematic: extensions sorted (code-point order) and deduplicated, so the same set
 * always gives the same ID; kernel arguments validated and kept in order.
 */
export function buildSchematic(input: SchematicInput, fields = SCHEMATIC_FIELDS): Schematic {
  const extensions = [
    ...new Set(
      (input.extensions ?? []).map((name, i) =>
        validateExtensionName(name, `${fields.extensions}[${i}]`),
      ),
    ),
  ].sort();
  const kernelArgs = (input.extraKernelArgs ?? []).map((arg, i) =>
    validateKernelArg(arg, `${fields.extraKernelArgs}[${i}]`),
  );
  return {
    customization: {
      ...(kernelArgs.length > 0 ? { extraKernelArgs: kernelArgs } : {}),
      ...(extensions.length > 0 ? { systemExtensions: { officialExtensions: extensions } } : {}),
    },
  };
}

/**
 * The schematic Longhorn needs on Talos: `REQUIRED_EXTENSIONS` plus the user's extensions and
 * kernel arguments.
 *
 * @example
 * ```ts
 * import { longhornSchematic, marshalSchematic, schematicId } from 'talos-longhorn';
 * const schematic = longhornSchematic({ extensions: ['siderolabs/intel-ucode'] });
 * marshalSchematic(schematic); // the YAML Image Factory takes
 * schematicId(schematic); // the ID Image Factory gives for it, without asking it
 * ```
 */
export function longhornSchematic(input: SchematicInput, fields = SCHEMATIC_FIELDS): Schematic {
  // Checked first so that an error names the user's own index.
  (input.extensions ?? []).forEach((name, i) => {
    validateExtensionName(name, `${fields.extensions}[${i}]`);
  });
  const extensions = [...REQUIRED_EXTENSIONS, ...(input.extensions ?? [])];
  return buildSchematic({ ...input, extensions }, fields);
}

/**
 * The schematic as Image Factory marshals it before hashing (Go yaml.v3: 4-space indentation,
 * block sequences indented under their key, empty fields omitted). Input must come from
 * `buildSchematic` (validated scalars).
 */
export function marshalSchematic(schematic: Schematic): string {
  const { extraKernelArgs, systemExtensions } = schematic.customization;
  const args = extraKernelArgs ?? [];
  const extensions = systemExtensions?.officialExtensions ?? [];
  if (args.length === 0 && extensions.length === 0) return 'customization: {}\n';
  let out = 'customization:\n';
  if (args.length > 0) {
    out += '    extraKernelArgs:\n';
    for (const arg of args) out += `        - ${goYamlScalar(arg)}\n`;
  }
  if (extensions.length > 0) {
    out += '    systemExtensions:\n        officialExtensions:\n';
    for (const name of extensions) out += `            - ${goYamlScalar(name)}\n`;
  }
  return out;
}

/** The schematic ID: hex SHA-256 of the canonical marshalling, exactly as Image Factory. */
export function schematicId(schematic: Schematic): string {
  return createHash('sha256').update(marshalSchematic(schematic)).digest('hex');
}

/**
 * `schematic.yaml`: the canonical form Image Factory hashes, below a comment with its ID (and
 * the installer image for a Talos target, when given: the exact tag the user named, else the
 * newest release our facts know, said so). Comments do not change the ID: Image Factory
 * re-marshals what it parses before hashing.
 */
export function renderSchematicFile(schematic: Schematic, target?: TalosTarget): string {
  const id = schematicId(schematic);
  const lines = [
    '# Image Factory schematic for Longhorn on Talos. Its ID (sha256 of the lines below):',
    `# ${id}`,
  ];
  if (target !== undefined) {
    const { tag, fromFacts } = installerTag(target);
    lines.push(`# Installer image: factory.talos.dev/installer/${id}:${tag}`);
    if (fromFacts) {
      lines.push(
        `# (${tag} is the newest Talos ${target.version} release talos-longhorn knows; use your exact release)`,
      );
    }
  }
  return `${lines.join('\n')}\n${marshalSchematic(schematic)}`;
}

// ---- Go yaml.v3 scalar style for printable ASCII without blanks -------------------------------
// yaml.v3 double-quotes a string that would read back as another type (or as a YAML 1.1 bool or
// base-60 float), and its emitter single-quotes one whose first character is an indicator.

const RESOLVES_TO_OTHER_TYPE = new Set([
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF'],
  ...['+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<'],
]);
const YAML_1_1_BOOLS = new Set('y Y yes Yes YES on On ON n N no No NO off Off OFF'.split(' '));
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** Go's time.Parse layouts yaml.v3 tries: date, optionally with a time and zone. */
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?$/;

function isGoInteger(text: string): boolean {
  const match = GO_INT.exec(text);
  if (!match) return false;
  const sign = match[1] ?? '';
  let digits = match[2] ?? '0';
  // Go reads a leading 0 as octal; BigInt needs the 0o prefix for that.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const magnitude = BigInt(digits);
  const value = sign === '-' ? -magnitude : magnitude;
  const fitsInt64 = value >= -(1n << 63n) && value < 1n << 63n;
  const fitsUint64 = sign === '' && value < 1n << 64n;
  return fitsInt64 || fitsUint64;
}

function isGoTimestamp(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  if (!match) return false;
  const [year, month, day] = [1, 2, 3].map((i) => Number(match[i]));
  if (year === undefined || month === undefined || day === undefined) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const time = (match[5] === undefined ? match.slice(8, 11) : match.slice(5, 8)).map(Number);
  const [hour = 0, minute = 0, second = 0] = time.map((n) => (Number.isNaN(n) ? 0 : n));
  return hour < 24 && minute < 60 && second < 60;
}

function resolvesToNonString(text: string): boolean {
  if (text === '' || RESOLVES_TO_OTHER_TYPE.has(text)) return true;
  const first = text.charAt(0);
  if (first === '.') return DOT_FLOAT.test(text);
  if (!/[-+0-9]/.test(first)) return false;
  if (isGoTimestamp(text)) return true;
  const plain = text.replaceAll('_', '');
  if (isGoInteger(plain)) return true;
  return YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain));
}

/** libyaml's block-context check for a scalar without blanks. */
function isPlainAllowedInBlock(text: string): boolean {
  if (text.startsWith('---') || text.startsWith('...')) return false;
  const first = text.charAt(0);
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '?' || first === ':' || first === '-') && text.length === 1) return false;
  // A ':' followed by the end of the scalar is a mapping indicator.
  return !text.slice(1).endsWith(':');
}

export function goYamlScalar(text: string): string {
  if (resolvesToNonString(text) || YAML_1_1_BOOLS.has(text) || BASE60_FLOAT.test(text)) {
    return `"${text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
  }
  if (!isPlainAllowedInBlock(text)) return `'${text.replaceAll("'", "''")}'`;
  return text;
}
