import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import { TalosLonghornError } from '../errors.js';
import { type FieldPath, parseFieldPath } from '../field-path.js';
import { type PlanOverrides, resolvePlan } from './resolve.js';
import type { Plan, ResolvedPlan } from './types.js';
import { checkPlan } from './validate.js';

/** An error in a plan file, placed at `file:line:column` (1-based) of the offending field. */
export class PlanFileError extends TalosLonghornError {
  readonly file: string;
  readonly line: number;
  readonly column: number;

  constructor(
    file: string,
    position: { line: number; col: number },
    field: string,
    message: string,
    cause?: TalosLonghornError,
  ) {
    super(cause?.code ?? 'invalid-input', message, {
      field,
      ...(cause === undefined ? {} : { cause }),
    });
    this.file = file;
    this.line = position.line;
    this.column = position.col;
    this.message = `${file}:${position.line}:${position.col}: ${field}: ${message}`;
  }
}

interface Range {
  readonly range?: [number, number, number] | null;
}

/**
 * Offset of the YAML node a field path names. A path ending in a key that exists points at the
 * key when `atKey` is set (an unknown field), else at its value; a path that does not exist
 * (a missing field) points at the deepest node that does.
 */
function offsetOf(doc: Document, path: FieldPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = (node as Range | null)?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    let next: unknown;
    let keyNode: unknown;
    if (typeof segment === 'number' && isSeq(node)) {
      next = node.items[segment];
    } else if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      keyNode = pair?.key;
      next = pair?.value;
      if (pair !== undefined && next == null) next = keyNode;
    }
    if (next === undefined) return offset;
    const last = i === path.length - 1;
    const target = last && atKey && keyNode !== undefined ? keyNode : next;
    offset = (target as Range | null)?.range?.[0] ?? offset;
    node = next;
  }
  return offset;
}

function located(
  file: string,
  doc: Document,
  lines: LineCounter,
  err: TalosLonghornError,
): PlanFileError {
  const field = err.field ?? 'plan';
  const message = err.message.startsWith(`${field}: `)
    ? err.message.slice(field.length + 2)
    : err.message;
  const atKey = message.startsWith('unknown field');
  const position = lines.linePos(offsetOf(doc, parseFieldPath(field), atKey));
  return new PlanFileError(file, position, field, message, err);
}

/** Aliases are expanded when the plan is read; more than this is refused, not expanded. */
const MAX_ALIAS_COUNT = 1000;

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/** Largest plan file accepted: far above 10 000 nodes, far below what would hurt. */
export const MAX_PLAN_BYTES = 16 * 1024 * 1024;

interface ParsedPlan {
  readonly plan: Plan;
  readonly doc: Document;
  readonly lines: LineCounter;
}

function parsePlanDocument(text: string, file: string): ParsedPlan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const position = lines.linePos(syntax.pos[0]);
    const message = syntax.message.split('\n')[0] ?? syntax.message;
    throw new PlanFileError(file, position, 'plan', `invalid YAML: ${message}`);
  }
  if (doc.contents === null) {
    throw new PlanFileError(
      file,
      { line: 1, col: 1 },
      'plan',
      'empty; expected a mapping with nodes',
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // An alias without its anchor, or too many aliases (a "billion laughs" document).
    const message = err instanceof Error ? err.message : String(err);
    throw new PlanFileError(
      file,
      lines.linePos(firstAliasOffset(doc)),
      'plan',
      `invalid YAML: ${message}`,
    );
  }
  const result = checkPlan(value);
  if (!result.ok) throw located(file, doc, lines, result.error);
  return { plan: result.plan, doc, lines };
}

/**
 * Parse and validate a plan file's text (YAML or JSON). Every error is a `PlanFileError` whose
 * message reads `FILE:LINE:COLUMN: field: what was expected`.
 */
export function parsePlan(text: string, file: string): Plan {
  return parsePlanDocument(text, file).plan;
}

/** Parse, validate and resolve a plan file; errors point at the file, line and column. */
export function loadPlan(text: string, file: string, overrides?: PlanOverrides): ResolvedPlan {
  const { plan, doc, lines } = parsePlanDocument(text, file);
  try {
    return resolvePlan(plan, overrides);
  } catch (err) {
    if (err instanceof TalosLonghornError && err.field !== undefined) {
      throw located(file, doc, lines, err);
    }
    throw err;
  }
}
