import type { NodeNeeds } from '../longhorn/needs.js';
import type { FactName, NodeFacts, Observed } from './facts.js';

/** Every `CheckStatus`: `pass`, `warn`, `fail`, `skip` (does not apply, or cannot be observed). */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
/** A check's verdict on one node; a `fail` makes `reportExitStatus` 1, `warn` and `skip` do not. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** `base` checks always run; `v2` checks run when the node uses the v2 data engine. */
export const CHECK_GROUPS = ['base', 'v2'] as const;
/** A check's group: `base` checks always run, `v2` checks when the node uses the v2 data engine. */
export type CheckGroup = (typeof CHECK_GROUPS)[number];

/**
 * What a check found: its status, one line of message and, for a warning or failure, what to do.
 */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly message: string;
  /** What to do about a `warn` or `fail`: the exact patch flag, extension or setting. */
  readonly remedy?: string;
}

/** A check's outcome in a report, with the check's id and group. */
export interface CheckResult extends CheckOutcome {
  readonly id: string;
  readonly group: CheckGroup;
}

/** A check: defined once, a pure function of the node's facts and what the plan configures. */
export interface CheckDefinition {
  readonly id: string;
  readonly group: CheckGroup;
  /** One line for the README's table and `--help`. */
  readonly summary: string;
  /**
   * The facts `run` reads for these needs. Preflight collects only the facts of the checks that
   * run, so a node costs only the calls its plan needs; a fact left out here is `unobserved`.
   */
  reads(needs: NodeNeeds): readonly FactName[];
  run(facts: NodeFacts, needs: NodeNeeds): CheckOutcome;
}

export function pass(message: string): CheckOutcome {
  return { status: 'pass', message };
}

export function warn(message: string, remedy: string): CheckOutcome {
  return { status: 'warn', message, remedy };
}

export function fail(message: string, remedy: string): CheckOutcome {
  return { status: 'fail', message, remedy };
}

export function skip(message: string): CheckOutcome {
  return { status: 'skip', message };
}

/** A fact that could not be observed makes the check a `skip` that says why. */
export function skipUnobserved(fact: Observed<unknown> & { ok: false }): CheckOutcome {
  return skip(`cannot check: ${fact.reason}`);
}

/** `a, b and c` for messages. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
