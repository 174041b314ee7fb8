import type { Io } from './io.js';

/** A subcommand module: `help` is printed for `--help`; `run` returns the exit status. */
export interface Command {
  readonly help: string;
  run(args: readonly string[], io: Io): Promise<number>;
}
