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
    throw new TalosLonghornError('usage', usageMessage(err), { cause: err });
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

function usageMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const option = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? ''} (see --help)`.replace('  ', ' ');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option ?? ''} (see --help)`.replace('  ', ' ');
    default:
      return message.split('\n')[0] ?? message;
  }
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
