/**
 * One error type for the whole project. `code` says what kind of failure it is (and so which
 * exit status the CLI uses); `field` names the input that was wrong, when there is one.
 */
export type ErrorCode =
  /** Wrong flags or arguments on the command line. */
  | 'usage'
  /** A value the user gave does not have the expected form. */
  | 'invalid-input'
  /** The requested Talos version is not one we support. */
  | 'unsupported-version'
  /** A requirement the chosen Talos version cannot express. */
  | 'unsupported-need'
  /** Local filesystem failure while writing output. */
  | 'io'
  /** Could not connect to an endpoint (refused, unreachable, TLS handshake failed). */
  | 'connection'
  /** The peer's or our certificate is not acceptable (wrong CA, expired, missing). */
  | 'tls'
  /** The credentials' role does not allow the call. */
  | 'permission-denied'
  /** A call did not finish within its deadline. */
  | 'deadline-exceeded'
  /** A node answered with an error of its own. */
  | 'node-error'
  /** A requested resource or file does not exist on the node. */
  | 'not-found'
  /** A bug: something that should not happen did. */
  | 'internal';

/**
 * The error every library call and CLI command throws for a failure it understands. `field` is
 * the path of the input that was wrong (`nodes[2].disks[0]`, `busyboxPath`); the CLI re-labels
 * it with the flag or query key the user typed. `exitStatusFor(err.code)` gives the exit status.
 *
 * @example
 * ```ts
 * import { planNode, TalosLonghornError } from 'talos-longhorn';
 * try { planNode({ hugepages: 1 }); } catch (err) {
 *   if (err instanceof TalosLonghornError) console.error(err.field, err.detail);
 * }
 * ```
 */
export class TalosLonghornError extends Error {
  override readonly name = 'TalosLonghornError';
  readonly code: ErrorCode;
  /** The input field, flag or key the error is about, when there is one. */
  readonly field: string | undefined;
  /** The message without the `field: ` prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(
      options.field === undefined ? message : `${options.field}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.field = options.field;
    this.detail = message;
  }
}

/** Exit statuses; what each means is stated once, in `EXIT_STATUS_MEANINGS`. */
export const EXIT_OK = 0;
export const EXIT_CHECKS_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_ENVIRONMENT = 3;
/** 128 + SIGPIPE: what a shell shows for a process killed by a broken pipe (as Go's talosctl is). */
export const EXIT_STDOUT_CLOSED = 141;

export type ExitStatus =
  | typeof EXIT_OK
  | typeof EXIT_CHECKS_FAILED
  | typeof EXIT_BAD_INPUT
  | typeof EXIT_ENVIRONMENT
  | typeof EXIT_STDOUT_CLOSED;

/** The meaning of every exit status, in order; the CLI's help texts are built from it. */
export const EXIT_STATUS_MEANINGS: readonly (readonly [ExitStatus, string])[] = [
  [EXIT_OK, 'ok'],
  [EXIT_CHECKS_FAILED, 'checks failed'],
  [EXIT_BAD_INPUT, 'bad input or usage'],
  [EXIT_ENVIRONMENT, 'environment or connection failure'],
  [
    EXIT_STDOUT_CLOSED,
    'stdout was closed by its reader (e.g. | head): output cut short, files already written stay',
  ],
];

const exitStatusByCode: Record<ErrorCode, number> = {
  usage: EXIT_BAD_INPUT,
  'invalid-input': EXIT_BAD_INPUT,
  'unsupported-version': EXIT_BAD_INPUT,
  'unsupported-need': EXIT_BAD_INPUT,
  io: EXIT_ENVIRONMENT,
  connection: EXIT_ENVIRONMENT,
  tls: EXIT_ENVIRONMENT,
  'permission-denied': EXIT_ENVIRONMENT,
  'deadline-exceeded': EXIT_ENVIRONMENT,
  'node-error': EXIT_ENVIRONMENT,
  'not-found': EXIT_ENVIRONMENT,
  internal: EXIT_ENVIRONMENT,
};

/**
 * The CLI's exit status for an error code: 2 for bad input or usage, 3 for environment,
 * connection or node failures and internal errors.
 */
export function exitStatusFor(code: ErrorCode): number {
  return exitStatusByCode[code];
}

/** Whether `value` is a `TalosLonghornError` (a type guard for `catch` blocks). */
export function isTalosLonghornError(value: unknown): value is TalosLonghornError {
  return value instanceof TalosLonghornError;
}

export function invalidInput(field: string, message: string): TalosLonghornError {
  return new TalosLonghornError('invalid-input', message, { field });
}

/** Describe a character for an error message: printable ASCII quoted, anything else as U+XXXX. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0x21 && cp <= 0x7e) return JSON.stringify(ch);
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
