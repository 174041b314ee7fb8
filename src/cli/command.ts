import type { HelpParts } from './help.js';
import type { Io } from './io.js';

/**
 * A subcommand module: its help parts make `--help` (see help.ts); `run` returns the exit
 * status.
 */
export interface Command extends HelpParts {
  run(args: readonly string[], io: Io): Promise<number>;
}
