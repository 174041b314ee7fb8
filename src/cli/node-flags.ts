import { TalosLonghornError } from '../errors.js';
import {
  type CompositeSpelling,
  type FlagSpelling,
  NODE_OPTION_DESCRIPTORS,
  type OptionDescriptor,
  optionFlags,
  optionQueryKeys,
} from '../longhorn/option-descriptors.js';
import type { NodeOptions } from '../longhorn/options.js';
import { relabelField } from './relabel.js';

/**
 * Command-line flags for every `NodeOptions` field, derived from the option table, shared by
 * every command that takes one node's options (`patch`, `preflight`).
 */
type FlagConfig = { readonly type: 'string' | 'boolean'; readonly multiple?: boolean };

function flagConfig(spelling: FlagSpelling): FlagConfig {
  if (spelling.kind === 'sets-true' || spelling.kind === 'sets-false') return { type: 'boolean' };
  if (spelling.kind === 'repeatable') return { type: 'string', multiple: true };
  return { type: 'string' };
}

export const NODE_FLAGS: Readonly<Record<string, FlagConfig>> = Object.fromEntries(
  optionFlags().map(({ spelling }) => [spelling.flag, flagConfig(spelling)]),
);

export type NodeFlagValues = { readonly [flag: string]: string | boolean | string[] | undefined };

const HELP_COLUMN = 28;

function helpLines(spelling: FlagSpelling): string {
  const usage = `  --${spelling.flag}${spelling.metavar === undefined ? '' : ` ${spelling.metavar}`}`;
  const [first = '', ...rest] = spelling.help.split('\n');
  const head =
    usage.length < HELP_COLUMN ? `${usage.padEnd(HELP_COLUMN)}${first}` : `${usage} ${first}`;
  return [head, ...rest.map((line) => `${' '.repeat(HELP_COLUMN)}${line}`)].join('\n');
}

export const NODE_FLAGS_HELP = `Node options (defaults give a v2 node with 2048 MiB of huge pages):
${optionFlags()
  .map(({ spelling }) => helpLines(spelling))
  .join('\n')}
`;

function wholeNumber(field: string, text: string): number {
  if (!/^[+-]?\d{1,16}$/.test(text)) {
    throw new TalosLonghornError('invalid-input', `${JSON.stringify(text)} is not a whole number`, {
      field,
    });
  }
  return Number(text);
}

function jsonValue(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TalosLonghornError('invalid-input', `not JSON: ${(err as Error).message}`, {
      field,
      cause: err,
    });
  }
}

/** Whether any node-option flag was given (commands may refuse mixing them with a file). */
export function hasNodeFlags(values: NodeFlagValues): boolean {
  return Object.keys(NODE_FLAGS).some((name) => values[name] !== undefined);
}

/** A flag's value as the option's value (`undefined`: the flag was not given). */
function fromFlag(spelling: FlagSpelling, value: NodeFlagValues[string]): unknown {
  if (value === undefined || value === false) return undefined;
  const field = `--${spelling.flag}`;
  switch (spelling.kind) {
    case 'sets-true':
      return true;
    case 'sets-false':
      return false;
    case 'integer':
      return wholeNumber(field, String(value));
    case 'json':
      return jsonValue(field, String(value));
    default:
      return value;
  }
}

/** One part of a composite option: its flag and its Terraform query key. */
type CompositePart = CompositeSpelling['parts'][string];

/**
 * One input surface's raw node-option values (parsed flags, a Terraform query). The walker
 * (`nodeOptionsFrom`) goes through the option table; the surface only reads and converts.
 */
export interface OptionSource {
  /** A single-spelled option's value on this surface, converted by its kind (`undefined`: not given). */
  readonly value: (option: OptionDescriptor) => unknown;
  /** The items given for one part of a composite option (`undefined`: not given). */
  readonly items: (part: CompositePart) => readonly string[] | undefined;
  /** How this surface names a field of the options, for errors from a composite's `combine`. */
  readonly label: Labeller;
}

/** Build `NodeOptions` from one surface by the option table; only the options given appear. */
export function nodeOptionsFrom(
  source: OptionSource,
  descriptors: readonly OptionDescriptor[] = NODE_OPTION_DESCRIPTORS,
): NodeOptions {
  const options: Record<string, unknown> = {};
  for (const option of descriptors) {
    const value =
      option.composite === undefined
        ? source.value(option)
        : compositeValue(option.name, option.composite, source, descriptors);
    if (value !== undefined) options[option.name] = value;
  }
  return options as NodeOptions;
}

/** A composite option's value from the parts given (`undefined`: none of them). */
function compositeValue(
  name: string,
  composite: CompositeSpelling,
  source: OptionSource,
  descriptors: readonly OptionDescriptor[],
): unknown {
  const given = Object.entries(composite.parts).flatMap(([part, spelling]) => {
    const items = source.items(spelling);
    return items === undefined ? [] : [[part, items] as const];
  });
  if (given.length === 0) return undefined;
  try {
    return composite.combine(Object.fromEntries(given), name);
  } catch (err) {
    throw relabelOptionError(err, source.label, descriptors);
  }
}

/** Build `NodeOptions` from parsed flags; only the flags given appear in the result. */
export function nodeOptionsFromFlags(values: NodeFlagValues): NodeOptions {
  return nodeOptionsFrom({
    value: (option) =>
      'flag' in option.cli ? fromFlag(option.cli, values[option.cli.flag]) : undefined,
    items: (part) => values[part.flag.flag] as string[] | undefined,
    label: flagLabel,
  });
}

/** Where a field of the options came from on one input surface (flag or query key). */
type Labeller = (option: OptionDescriptor, subPath: string) => string | undefined;

/**
 * Re-label an error about a `NodeOptions` field (`disks[1]`, `extraModules[0].parameters[0]`)
 * with what the user typed on one surface; other errors pass through unchanged.
 */
export function relabelOptionError(
  err: unknown,
  label: Labeller,
  descriptors: readonly OptionDescriptor[] = NODE_OPTION_DESCRIPTORS,
): unknown {
  return relabelField(err, (field) => {
    const name = /^[A-Za-z0-9]+/.exec(field)?.[0] ?? '';
    const option = descriptors.find((candidate) => candidate.name === name);
    return option === undefined ? undefined : label(option, field.slice(name.length));
  });
}

/** The flag an option's field came from: `disks[1]` → `--disk`, `extraModules[0].parameters[0]` → `--module-param`; a JSON value's key in parentheses. */
const flagLabel: Labeller = (option, subPath) => {
  const flags = optionFlags([option]);
  const entry =
    option.composite === undefined
      ? flags[0]
      : flags.find((candidate) => candidate.part === option.composite?.partOf(subPath));
  if (entry === undefined) return undefined;
  // Inside a JSON value the key is named: `rawPartition.minSize` → `--raw-partition (minSize)`.
  const inside = entry.spelling.kind === 'json' ? subPath.replace(/^\./, '') : '';
  return `--${entry.spelling.flag}${inside === '' ? '' : ` (${inside})`}`;
};

/** The Terraform query key an option's field came from; list indexes are kept (`query.disks[1]`). */
export const queryLabel: Labeller = (option, subPath) => {
  const keys = optionQueryKeys([option]);
  const entry =
    option.composite === undefined
      ? keys[0]
      : keys.find((candidate) => candidate.part === option.composite?.partOf(subPath));
  if (entry === undefined) return undefined;
  // A list item's index is its position in the comma-separated value; composite indexes mean nothing.
  const keepsPath = entry.spelling.kind === 'list' || entry.spelling.kind === 'json';
  const suffix = keepsPath && option.composite === undefined ? subPath : '';
  return `query.${entry.spelling.key}${suffix}`;
};

/** Re-label an error about a `NodeOptions` field with the flag the user typed. */
export function withFlagName(err: unknown): unknown {
  return relabelOptionError(err, flagLabel);
}
