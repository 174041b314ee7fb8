import type { ErrorObject, ValidateFunction } from 'ajv';
import { invalidInput, type TalosLonghornError } from '../errors.js';
import { validatePlan as precompiled } from '../generated/validators.js';
import { NODE_OPTION_KEYS } from '../longhorn/options-schema.js';
import { type FieldPath, fieldPathFromPointer, formatFieldPath } from './field-path.js';
import { NODE_NAME_RULE } from './node-name.js';
import { PLAN_KEYS, PLAN_NODE_KEYS } from './schema.js';
import type { Plan } from './types.js';

/** Precompiled at build time from `PLAN_SCHEMA` (`npm run generate`), with `verbose` data. */
const validate = precompiled as unknown as ValidateFunction<Plan>;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function allowedKeys(parent: FieldPath): string[] {
  if (parent.at(-2) === 'extraModules') return ['name', 'parameters'];
  if (parent.length === 0) return [...PLAN_KEYS];
  if (parent[0] === 'defaults') return [...NODE_OPTION_KEYS];
  return [...PLAN_NODE_KEYS];
}

/** What a pattern means, by the field (or list) it applies to. */
const PATTERN_MEANING: Readonly<Record<string, string>> = {
  name: `is not a node name; ${NODE_NAME_RULE}`,
  extensions:
    'is not an official extension name; expected owner/name in lower case, e.g. siderolabs/intel-ucode',
  extraKernelArgs:
    'is not one kernel argument; expected printable ASCII without blanks (one argument per item)',
};

function describe(error: ErrorObject, path: FieldPath): string {
  const params = error.params as Record<string, unknown>;
  const last = path.at(-1);
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field; expected one of ${allowedKeys(path.slice(0, -1)).join(', ')}`;
    case 'required':
      return last === 'nodes' ? 'missing; a plan lists its nodes' : 'missing';
    case 'not':
      return 'give only one of machineId or nodeId';
    case 'type': {
      const hint =
        params.type === 'string' && typeof error.data === 'number' ? ' (quote the value)' : '';
      return `expected ${String(params.type)}, got ${typeName(error.data)}${hint}`;
    }
    case 'enum':
      return `unknown value ${JSON.stringify(error.data)}; expected one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern': {
      const expected =
        PATTERN_MEANING[
          String(last === undefined ? '' : typeof last === 'number' ? path.at(-2) : last)
        ];
      return `${JSON.stringify(error.data)} ${expected ?? `does not match ${String(params.pattern)}`}`;
    }
    case 'minimum':
    case 'maximum':
      return `${String(error.data)} is out of range; expected ${String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
    case 'maxItems':
      return `expected ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items`;
    case 'minLength':
    case 'maxLength':
      return `expected ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters`;
    default:
      return error.message ?? error.keyword;
  }
}

/** The field an Ajv error is about: the unknown or missing key itself when there is one. */
function errorPath(error: ErrorObject): (string | number)[] {
  const path = fieldPathFromPointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  if (error.keyword === 'required') path.push(String(params.missingProperty));
  return path;
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
  const path = errorPath(error);
  const field = path.length === 0 ? 'plan' : formatFieldPath(path);
  return { ok: false, path, error: invalidInput(field, describe(error, path)) };
}

/** Like `checkPlan`, throwing `invalid-input` naming the field. */
export function validatePlan(value: unknown): Plan {
  const result = checkPlan(value);
  if (!result.ok) throw result.error;
  return result.plan;
}
