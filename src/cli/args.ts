import { type ParseArgsConfig, parseArgs } from 'node:util';
import { TalosLonghornError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;
interface Config<O extends Options> {
  args: string[];
  options: O;
  allowPositionals: boolean;
  strict: true;
  tokens: true;
}
type Parsed<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;
export interface ParsedArgs<O extends Options> {
  readonly values: Parsed<O>['values'];
  readonly positionals: string[];
}

/**
 * `node:util` parseArgs with its errors turned into one-line usage errors. `--help` and
 * `--debug` are handled by the dispatcher and never reach a command.
 */
export function parseCommandArgs<const O extends Options>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
): ParsedArgs<O> {
  const config: Config<O> = {
    args: [...args],
    options,
    allowPositionals,
    strict: true,
    tokens: true,
  };
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw new TalosLonghornError('usage', usageMessage(err, options), { cause: err });
  }
  // parseArgs lets a repeated single-valued flag silently win; a repeated flag is a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) {
      throw new TalosLonghornError('usage', 'given more than once', { field: `--${token.name}` });
    }
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

function usageMessage(err: unknown, options: Options): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const option = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''}${optionHint(option ?? '', options)}`.replace(
        '  ',
        ' ',
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option ?? ''} (see --help)`.replace('  ', ' ');
    default:
      return message.split('\n')[0] ?? message;
  }
}

/** `--outt` → " (did you mean --out?)"; `-o` where only `--out` exists names `--out`. */
function optionHint(typed: string, options: Options): string {
  const names = Object.keys(options);
  if ((typed === '-o' || typed === '--output') && names.includes('out')) {
    return ': -o/--output selects an output format (as in talosctl); write to a path with --out';
  }
  const long = names.map((name) => `--${name}`);
  const short = Object.values(options).flatMap((option) =>
    option.short === undefined ? [] : [`-${option.short}`],
  );
  const near = typed.startsWith('--') ? suggest(typed, long) : suggest(typed, [...short, ...long]);
  return near.length === 0 ? ' (see --help)' : ` (did you mean ${near.join(' or ')}?)`;
}

/**
 * Candidates close to what was typed, nearest first: within edit distance 2 (1 for names of up
 * to 3 characters, ignoring leading dashes and case), or starting with what was typed (at least
 * 3 characters), as cobra suggests commands for talosctl. At most three.
 */
export function suggest(typed: string, candidates: readonly string[]): string[] {
  const bare = (text: string) => text.replace(/^-+/, '').toLowerCase();
  const word = bare(typed);
  if (word === '') return [];
  const limit = word.length <= 3 ? 1 : 2;
  const scored = candidates.flatMap((candidate) => {
    const other = bare(candidate);
    const distance = editDistance(word, other);
    if (distance <= limit) return [{ candidate, distance }];
    if (word.length >= 3 && other.startsWith(word)) return [{ candidate, distance: limit + 1 }];
    return [];
  });
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return [...new Set(scored.map((entry) => entry.candidate))].slice(0, 3);
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/**
 * The output format of `-o/--output`. Before `--out` existed, `-o FILE` wrote a file: when the
 * command has `--out`, a value that is no format names the new flag.
 */
export function outputFormat<const T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  hasOut = false,
): T {
  try {
    return oneOf('--output', value, allowed, fallback);
  } catch (err) {
    if (!hasOut || !(err instanceof TalosLonghornError)) throw err;
    const pathLike = /[./]/.test(value ?? '');
    throw new TalosLonghornError(
      'usage',
      `${err.detail}; -o/--output is the format, a file is written with --out ${pathLike ? value : 'PATH'}`,
      { field: '--output', cause: err },
    );
  }
}

/** `--out PATH`: undefined when absent, `-` for stdout, an empty path refused. */
export function outPath(value: string | undefined): string | undefined {
  if (value === '') throw new TalosLonghornError('usage', 'empty path', { field: '--out' });
  return value === '-' ? undefined : value;
}

/** Check that a flag's value is one of the allowed choices. */
export function oneOf<const T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TalosLonghornError(
    'usage',
    `unknown value ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`,
    { field },
  );
}
