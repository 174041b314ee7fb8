import { mapLimited } from '../concurrency.js';
import { EXIT_CHECKS_FAILED, EXIT_ENVIRONMENT, EXIT_OK, isTalosLonghornError } from '../errors.js';
import type { NodeNeeds } from '../longhorn/needs.js';
import type { CheckDefinition, CheckResult } from './check.js';
import { PREFLIGHT_CHECKS } from './checks/index.js';
import { collectFacts } from './collect.js';
import { FACT_NAMES, type FactName, type NodeFacts } from './facts.js';
import type { NodeReader } from './reader.js';

/** One node's part of a report: its check results, or why it could not be checked. */
export interface NodeReport {
  readonly node: string;
  /** Set when the node could not be reached or read at all; `checks` is then empty. */
  readonly error?: string;
  readonly checks: readonly CheckResult[];
}

/** What `preflightNodes` gives: one report per target, in the order of the targets. */
export interface PreflightReport {
  readonly nodes: readonly NodeReport[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Run the checks that apply (`base` always, `v2` when the plan enables the v2 engine). A check
 * that throws becomes a `fail` with an `internal error:` message; the others still run.
 */
export function runChecks(
  facts: NodeFacts,
  needs: NodeNeeds,
  checks: readonly CheckDefinition[] = PREFLIGHT_CHECKS,
): CheckResult[] {
  return applicable(checks, needs).map((check): CheckResult => {
    try {
      const outcome = check.run(facts, needs);
      const result = {
        id: check.id,
        group: check.group,
        status: outcome.status,
        message: outcome.message,
      };
      return outcome.remedy === undefined ? result : { ...result, remedy: outcome.remedy };
    } catch (err) {
      return {
        id: check.id,
        group: check.group,
        status: 'fail',
        message: `internal error: ${errorText(err)}`,
      };
    }
  });
}

function applicable(checks: readonly CheckDefinition[], needs: NodeNeeds): CheckDefinition[] {
  return checks.filter((check) => check.group === 'base' || needs.v2DataEngine);
}

/** The facts the checks that apply to `needs` read: all that preflight collects for a node. */
export function factsFor(
  needs: NodeNeeds,
  checks: readonly CheckDefinition[] = PREFLIGHT_CHECKS,
): FactName[] {
  const wanted = new Set(applicable(checks, needs).flatMap((check) => check.reads(needs)));
  return FACT_NAMES.filter((name) => wanted.has(name));
}

/** One node to check: how to reach it and what the plan configures on it. */
export interface PreflightTarget {
  readonly node: string;
  readonly needs: NodeNeeds;
  open(): Promise<NodeReader>;
}

/**
 * Options of `preflightNodes`: how many nodes at a time, a progress callback and the checks to run
 * (default: all registered checks).
 */
export interface PreflightOptions {
  /** Nodes checked at the same time. */
  readonly concurrency?: number;
  /** Called after each node finishes, with the count done so far. */
  readonly onProgress?: (done: number, total: number, node: string) => void;
  readonly checks?: readonly CheckDefinition[];
  /**
   * Collect every fact, not only those the checks read (a capture that must serve any later
   * plan); costs the calls of every fact.
   */
  readonly allFacts?: boolean;
}

/** Nodes `preflightNodes` checks at the same time unless told otherwise. */
export const DEFAULT_CONCURRENCY = 100;

async function checkNode(target: PreflightTarget, options: PreflightOptions): Promise<NodeReport> {
  const { checks } = options;
  try {
    const reader = await target.open();
    const wanted = options.allFacts === true ? FACT_NAMES : factsFor(target.needs, checks);
    const facts = await collectFacts(reader, wanted);
    const unreadable = reader.failure?.();
    if (unreadable !== undefined) return { node: target.node, error: unreadable, checks: [] };
    const results = runChecks(facts, target.needs, checks);
    // Nothing evaluated is not a pass: the node (or --root) gave no facts to check.
    const first = results[0];
    if (first !== undefined && results.every((result) => result.status === 'skip')) {
      return {
        node: target.node,
        error: `no check could be evaluated (${first.id}: ${first.message})`,
        checks: [],
      };
    }
    return { node: target.node, checks: results };
  } catch (err) {
    const message = isTalosLonghornError(err) ? err.message : `internal error: ${errorText(err)}`;
    return { node: target.node, error: message, checks: [] };
  }
}

/**
 * Check many nodes, at most `concurrency` at a time. Reports come back in the order of
 * `targets`, whatever order the nodes finish in.
 *
 * @example
 * ```ts
 * import { formatReport, planNode, preflightNodes, reportExitStatus } from 'talos-longhorn';
 * import { LocalRootReader } from 'talos-longhorn/preflight';
 * const report = await preflightNodes([
 *   { node: 'node-1', needs: planNode({}), open: () => LocalRootReader.open('snapshots/node-1') },
 * ]);
 * process.stdout.write(await formatReport(report, 'table'));
 * process.exitCode = reportExitStatus(report);
 * ```
 */
export async function preflightNodes(
  targets: readonly PreflightTarget[],
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  let done = 0;
  const nodes = await mapLimited(targets, concurrency, async (target) => {
    const report = await checkNode(target, options);
    done++;
    options.onProgress?.(done, targets.length, target.node);
    return report;
  });
  return { nodes };
}

/** 3 when a node could not be read (or nothing on it could be checked), else 1 when any check failed, else 0. */
export function reportExitStatus(report: PreflightReport): number {
  if (report.nodes.some((node) => node.error !== undefined)) return EXIT_ENVIRONMENT;
  const failed = report.nodes.some((node) => node.checks.some((check) => check.status === 'fail'));
  return failed ? EXIT_CHECKS_FAILED : EXIT_OK;
}
