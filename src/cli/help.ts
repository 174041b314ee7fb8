// How every command's --help ends: the exit statuses it uses (their meaning stated once, in
// src/errors.ts) and examples. The help texts and docs/reference/cli/ are built from this.
import { EXIT_OK, EXIT_STATUS_MEANINGS, EXIT_STDOUT_CLOSED, type ExitStatus } from '../errors.js';

/**
 * The exit statuses a command uses besides 0 and 141 (which every command has), each with what
 * causes it for this command ('' for nothing to add), or a meaning of its own.
 */
export type ExitStatusNotes = Partial<Record<ExitStatus, string | { readonly meaning: string }>>;

export interface Example {
  /** What the example does, one line. */
  readonly what: string;
  /** The shell command line, running `talos-longhorn`. */
  readonly run: string;
}

export interface HelpParts {
  /** Usage, description and options. */
  readonly help: string;
  readonly exitStatus: ExitStatusNotes;
  /** At least one: every --help ends with an example. */
  readonly examples: readonly [Example, ...Example[]];
}

/** Every exit status, for the top-level help. */
export const ALL_EXIT_STATUSES: ExitStatusNotes = Object.fromEntries(
  EXIT_STATUS_MEANINGS.map(([status]) => [status, '']),
);

function exitStatusHelp(notes: ExitStatusNotes): string {
  const lines = EXIT_STATUS_MEANINGS.flatMap(([status, meaning]) => {
    const note = notes[status];
    const always = status === EXIT_OK || status === EXIT_STDOUT_CLOSED;
    if (note === undefined && !always) return [];
    const text = typeof note === 'object' ? note.meaning : note ? `${meaning}: ${note}` : meaning;
    return [`  ${String(status).padEnd(4)} ${text}`];
  });
  return `Exit status:\n${lines.join('\n')}\n`;
}

function examplesHelp(examples: readonly Example[]): string {
  return `Examples:\n${examples.map((e) => `  ${e.what}:\n    ${e.run}\n`).join('')}`;
}

/** The complete --help text of a command. */
export function renderHelp(parts: HelpParts): string {
  return `${parts.help.trimEnd()}\n\n${exitStatusHelp(parts.exitStatus)}\n${examplesHelp(parts.examples)}`;
}
