import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import { invalidInput } from '../errors.js';
import type { NodeOptions } from './options.js';
import { NODE_OPTIONS_SCHEMA } from './options-schema.js';

// ajv is CommonJS; under NodeNext its default import is the module object or the class.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module.default;

let validator: ValidateFunction<NodeOptions> | undefined;

/** The schema is compiled once per process, on first use, and reused for every node. */
function compiled(): ValidateFunction<NodeOptions> {
  if (validator === undefined) {
    const ajv = new Ajv2020({ allErrors: false, strict: true, useDefaults: false });
    validator = ajv.compile<NodeOptions>(NODE_OPTIONS_SCHEMA);
  }
  return validator;
}

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
      return `unknown field; expected one of ${Object.keys(NODE_OPTIONS_SCHEMA.properties).join(', ')}`;
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
  const validate = compiled();
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
