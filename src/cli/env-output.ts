// `--output env`: KEY='value' lines a POSIX shell can source (`. ./node.env`) without running
// anything that is in a value.
import { describeChar, TalosLonghornError } from '../errors.js';

/**
 * A value in single quotes, the one POSIX sh quoting in which no character is special
 * (XCU 2.2.2); a quote itself is closed, escaped and reopened: `it's` → `'it'\''s'`.
 * Control characters (newline included) are refused: an env file is read line by line by more
 * than sh (systemd's EnvironmentFile, CI runners), and a value of several lines is a mistake.
 */
export function shellQuote(value: string, field: string): string {
  const control = [...value].find((ch) => ch < ' ' || ch === '\u007f');
  if (control !== undefined) {
    throw new TalosLonghornError(
      'invalid-input',
      `${JSON.stringify(value)} contains ${describeChar(control)}, which env output cannot hold`,
      { field },
    );
  }
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `KEY='value'` lines, each key a valid sh name (checked: keys are ours, never input). */
export function formatEnv(entries: readonly (readonly [string, string])[], field: string): string {
  return entries
    .map(([key, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`not a shell variable name: ${key}`);
      return `${key}=${shellQuote(value, field)}\n`;
    })
    .join('');
}

/** `10.5.0.2` → `_10_5_0_2`: the key suffix that lets several nodes share one env file. */
function envSuffix(node: string): string {
  return `_${node.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The key suffix of each node. Two nodes that map to the same suffix (`w1.lab`, `w1-lab`) would
 * silently overwrite each other's keys when sourced: that is an error naming both.
 */
export function envSuffixes(nodes: readonly string[], field: string): Map<string, string> {
  const bySuffix = new Map<string, string>();
  const suffixes = new Map<string, string>();
  for (const node of nodes) {
    const suffix = envSuffix(node);
    const other = bySuffix.get(suffix);
    if (other !== undefined && other !== node) {
      throw new TalosLonghornError(
        'usage',
        `nodes ${JSON.stringify(other)} and ${JSON.stringify(node)} both give the env key suffix ${suffix}; use -o json or -o yaml`,
        { field },
      );
    }
    bySuffix.set(suffix, node);
    suffixes.set(node, suffix);
  }
  return suffixes;
}
