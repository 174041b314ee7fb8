import {
  EXIT_BAD_INPUT,
  EXIT_ENVIRONMENT,
  EXIT_OK,
  EXIT_STDOUT_CLOSED,
  TalosLonghornError,
} from '../errors.js';

/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream & { destroy?(): void; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
}

/** The process's own streams, with write failures turned into an exit status. */
export interface ProcessIo extends Io {
  /**
   * The status the process ends with, given the command's: a closed stdout (EPIPE) turns a
   * success into `EXIT_STDOUT_CLOSED`; any other failure to write stdout is `EXIT_ENVIRONMENT`.
   * Called again when a write fails after the command returned (writes complete asynchronously).
   */
  settle(commandStatus: number): number;
}

type Failure = { readonly status: number };

interface StreamLike extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
}

/**
 * Wrap the process's stdout and stderr. Node reports a failed write as an `error` event, which
 * unhandled kills the process with a stack trace: instead, an EPIPE (the reader went away, as
 * with `| head -1`) quietly drops the rest of the output and the command runs to its end, so
 * files it writes are completed, never cut off midway; any other stdout error (ENOSPC on
 * `>/dev/full`, EIO) is reported on one line and ends with status 3.
 */
export function processIo(
  streams: { stdout: StreamLike; stderr: StreamLike } = process,
  onLateStatus: (status: number) => void = (status) => {
    process.exitCode = status;
  },
): ProcessIo {
  let stdoutFailure: Failure | undefined;
  let stderrOpen = true;
  let commandStatus: number | undefined;
  const stderrWrite = (chunk: string | Uint8Array) => {
    if (stderrOpen) streams.stderr.write(chunk);
  };
  const settle = (status: number): number => {
    commandStatus = status;
    if (stdoutFailure === undefined) return status;
    // A closed stdout only replaces success; a failed write replaces anything but bad usage.
    if (stdoutFailure.status === EXIT_STDOUT_CLOSED) {
      return status === EXIT_OK ? EXIT_STDOUT_CLOSED : status;
    }
    return status === EXIT_BAD_INPUT ? status : stdoutFailure.status;
  };
  streams.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (stdoutFailure !== undefined) return;
    if (err.code === 'EPIPE') {
      stdoutFailure = { status: EXIT_STDOUT_CLOSED };
    } else {
      stdoutFailure = { status: EXIT_ENVIRONMENT };
      const error = new TalosLonghornError('io', `cannot write: ${err.code ?? err.message}`, {
        field: 'stdout',
      });
      stderrWrite(`talos-longhorn: ${error.message}\n`);
    }
    if (commandStatus !== undefined) onLateStatus(settle(commandStatus));
  });
  // Nothing can be reported when stderr itself fails; stop writing to it.
  streams.stderr.on('error', () => {
    stderrOpen = false;
  });
  const stdout: OutputStream = {
    write(chunk) {
      if (stdoutFailure === undefined) streams.stdout.write(chunk);
      return true;
    },
    ...(streams.stdout.isTTY === undefined ? {} : { isTTY: streams.stdout.isTTY }),
  };
  const stderr: OutputStream = {
    write: stderrWrite,
    ...(streams.stderr.isTTY === undefined ? {} : { isTTY: streams.stderr.isTTY }),
  };
  return {
    stdout,
    stderr,
    // A getter: touching process.stdin opens the handle, which only input-reading commands need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    settle,
  };
}
