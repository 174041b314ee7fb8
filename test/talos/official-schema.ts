import type { ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { TalosVersion } from '../../src/talos/index.js';
import { readSharedJson } from '../helpers/shared.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module.default;

const validators = new Map<TalosVersion, ValidateFunction>();

/** Talos's official machine-config schema of one version (from ../shared), compiled once. */
export function officialValidator(version: TalosVersion): ValidateFunction {
  let validate = validators.get(version);
  if (validate === undefined) {
    const schema = readSharedJson<object>(`talos/schemas/v${version}/config.schema.json`);
    validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(
      schema,
    );
    validators.set(version, validate);
  }
  return validate;
}

/** Validation errors of one document, or an empty list when the schema accepts it. */
export function schemaErrors(version: TalosVersion, document: unknown): string[] {
  const validate = officialValidator(version);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? e.keyword}`);
}
