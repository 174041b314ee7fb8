import type { ErrorObject, ValidateFunction } from 'ajv';
import { invalidInput } from '../errors.js';
import { validateNodeOptions } from '../generated/validators.js';
import type { NodeOptions } from './options.js';
import { NODE_OPTION_KEYS } from './options-schema.js';

/** Precompiled at build time from `NODE_OPTIONS_SCHEMA` (`npm run generate`). */
const validate = validateNodeOptions as unknown as ValidateFunction<NodeOptions>;

/** `/extraModules/0/name` → `extraModules[0].name`, under an optional outer field. */
function fieldOf(base: string | undefined, instancePath: string, extra?: string): string {
  let path = '';
  for (const part of [
    ...instancePath.split('/').slice(1),
    ...(extra === undefined ? [] : [extra]),
  ]) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' && base === undefined ? key : `.${key}`;
  }
  if (base === undefined) return path === '' ? 'options' : path;
  return `${base}${path}`;
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field; expected one of ${NODE_OPTION_KEYS.join(', ')}`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'type':
      return `expected ${String(params.type)}`;
    case 'pattern':
      return `does not match ${String(params.pattern)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/**
 * Validate untrusted input (a plan file's node, a Terraform query) as `NodeOptions` against
 * `schemas/node-options.schema.json`. Throws `invalid-input` naming the field, e.g.
 * `nodes[2].options.disks[1]: expected string`.
 */
export function parseNodeOptions(value: unknown, field?: string): NodeOptions {
  if (validate(value)) return value;
  const error = validate.errors?.[0];
  if (error === undefined) throw invalidInput(field ?? 'options', 'invalid node options');
  const extra =
    error.keyword === 'additionalProperties'
      ? String((error.params as { additionalProperty: string }).additionalProperty)
      : error.keyword === 'required'
        ? String((error.params as { missingProperty: string }).missingProperty)
        : undefined;
  throw invalidInput(fieldOf(field, error.instancePath, extra), describeError(error));
}
