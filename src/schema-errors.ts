/**
 * One-line messages for the first error of a precompiled JSON-schema validator (Ajv, generated
 * by `npm run generate` without `verbose` or `messages`: smaller code that loads faster). The
 * offending value is looked up in the validated input by the error's `instancePath`.
 */
import { type FieldPath, fieldPathFromPointer } from './field-path.js';

/** The part of an Ajv error object the messages use. */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: object;
}

/** A precompiled validator (`src/generated/validators.ts`): a type guard with its errors. */
export interface PrecompiledValidator<T> {
  (data: unknown): data is T;
  readonly errors?: readonly SchemaError[] | null;
}

export interface SchemaErrorContext {
  /** The keys allowed in the mapping at `parent`, for an unknown field. */
  readonly allowedKeys: (parent: FieldPath) => readonly string[];
  /** What a pattern means, by the field (or list) it applies to; else the pattern is shown. */
  readonly patternMeaning?: Readonly<Record<string, string>>;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The value at `path` inside `root` (own properties only), or undefined. */
function valueAt(root: unknown, path: FieldPath): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) {
      return undefined;
    }
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The field an error is about: the unknown or missing key itself when there is one. */
export function schemaErrorPath(error: SchemaError): (string | number)[] {
  const path = fieldPathFromPointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') path.push(String(params.additionalProperty));
  if (error.keyword === 'required') path.push(String(params.missingProperty));
  return path;
}

/** What is wrong, for `field: message`; `input` is what was validated. */
export function describeSchemaError(
  error: SchemaError,
  input: unknown,
  context: SchemaErrorContext,
): string {
  const params = error.params as Record<string, unknown>;
  const path = schemaErrorPath(error);
  const data = valueAt(input, fieldPathFromPointer(error.instancePath));
  const last = path.at(-1);
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field; expected one of ${context.allowedKeys(path.slice(0, -1)).join(', ')}`;
    case 'required':
      return 'missing';
    case 'type': {
      const hint = params.type === 'string' && typeof data === 'number' ? ' (quote the value)' : '';
      return `expected ${String(params.type)}, got ${typeName(data)}${hint}`;
    }
    case 'enum':
      return `unknown value ${JSON.stringify(data)}; expected one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'pattern': {
      const list = typeof last === 'number' ? path.at(-2) : last;
      const meaning = context.patternMeaning?.[String(list ?? '')];
      return `${JSON.stringify(data)} ${meaning ?? `does not match ${String(params.pattern)}`}`;
    }
    case 'minimum':
    case 'maximum':
      return `${String(data)} is out of range; expected ${String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
    case 'maxItems':
      return `expected ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items`;
    case 'minLength':
    case 'maxLength':
      return `expected ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters`;
    default:
      return `does not satisfy the schema's ${error.keyword} rule`;
  }
}
