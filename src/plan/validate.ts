import { invalidInput, type TalosLonghornError } from '../errors.js';
import { type FieldPath, formatFieldPath } from '../field-path.js';
import { validatePlan as precompiled } from '../generated/validators.js';
import { nodeOptionKeysAt } from '../longhorn/options-schema.js';
import {
  describeSchemaError,
  type PrecompiledValidator,
  type SchemaError,
  schemaErrorPath,
} from '../schema-errors.js';
import { NODE_NAME_RULE } from './node-name.js';
import { PLAN_KEYS, PLAN_NODE_KEYS } from './schema.js';
import type { Plan } from './types.js';

/** Precompiled at build time from `PLAN_SCHEMA` (`npm run generate`). */
const validate = precompiled as unknown as PrecompiledValidator<Plan>;

/** `defaults` and `nodes[i]` hold node options; a plan node adds its own fields. */
function allowedKeys(parent: FieldPath): readonly string[] {
  if (parent.length === 0) return PLAN_KEYS;
  if (parent[0] === 'defaults') return nodeOptionKeysAt(parent.slice(1));
  if (parent.length === 2) return PLAN_NODE_KEYS;
  return nodeOptionKeysAt(parent.slice(2));
}

/** What a pattern means, by the field (or list) it applies to. */
const PATTERN_MEANING: Readonly<Record<string, string>> = {
  name: `is not a node name; ${NODE_NAME_RULE}`,
  extensions:
    'is not an official extension name; expected owner/name in lower case, e.g. siderolabs/intel-ucode',
  extraKernelArgs:
    'is not one kernel argument; expected printable ASCII without blanks (one argument per item)',
};

function describe(error: SchemaError, path: FieldPath, plan: unknown): string {
  if (error.keyword === 'required' && path.at(-1) === 'nodes') {
    return 'missing; a plan lists its nodes';
  }
  if (error.keyword === 'not') return 'give only one of machineId or nodeId';
  return describeSchemaError(error, plan, { allowedKeys, patternMeaning: PATTERN_MEANING });
}

/**
 * The result of `checkPlan`: the plan, or the first error with the path of the field it is about.
 */
export type PlanCheck =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly path: FieldPath; readonly error: TalosLonghornError };

/**
 * Check a parsed plan against `schemas/plan.schema.json`. Returns the plan, or the first error
 * with the path of the offending field (`nodes[2].memorySizeMiB`).
 */
export function checkPlan(value: unknown): PlanCheck {
  if (validate(value)) return { ok: true, plan: value };
  const error = validate.errors?.[0];
  if (error === undefined) return { ok: false, path: [], error: invalidInput('plan', 'invalid') };
  const path = schemaErrorPath(error);
  const field = path.length === 0 ? 'plan' : formatFieldPath(path);
  return { ok: false, path, error: invalidInput(field, describe(error, path, value)) };
}

/** Like `checkPlan`, throwing `invalid-input` naming the field. */
export function validatePlan(value: unknown): Plan {
  const result = checkPlan(value);
  if (!result.ok) throw result.error;
  return result.plan;
}
