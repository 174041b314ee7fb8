import { invalidInput } from '../errors.js';
import { formatFieldPath } from '../field-path.js';
import { validateNodeOptions } from '../generated/validators.js';
import {
  describeSchemaError,
  type PrecompiledValidator,
  schemaErrorPath,
} from '../schema-errors.js';
import type { NodeOptions } from './options.js';
import { nodeOptionKeysAt } from './options-schema.js';

/** Precompiled at build time from `NODE_OPTIONS_SCHEMA` (`npm run generate`). */
const validate = validateNodeOptions as unknown as PrecompiledValidator<NodeOptions>;

/**
 * Validate untrusted input (a plan file's node, a Terraform query) as `NodeOptions` against
 * `schemas/node-options.schema.json`. Throws `invalid-input` naming the field, e.g.
 * `nodes[2].options.disks[1]: expected string`.
 */
export function parseNodeOptions(value: unknown, field?: string): NodeOptions {
  if (validate(value)) return value;
  const error = validate.errors?.[0];
  if (error === undefined) throw invalidInput(field ?? 'options', 'invalid node options');
  const path = formatFieldPath(schemaErrorPath(error));
  const name = field === undefined ? path || 'options' : path === '' ? field : `${field}.${path}`;
  throw invalidInput(name, describeSchemaError(error, value, { allowedKeys: nodeOptionKeysAt }));
}
