/**
 * YAML text of plain data — objects, arrays, strings, finite numbers, booleans and null — in
 * block style, as the documents we emit need it (Talos patches, Longhorn Node patches, installer
 * profiles). It is small and does one thing so that commands that only write YAML start fast;
 * reading YAML stays with the `yaml` package.
 *
 * A string is written plain only when every reader sees the same string: it starts with no
 * indicator, holds no `: `, ` #`, line break or control character, and resolves to no other type
 * under YAML 1.1 (Talos's go-yaml heritage, Helm) or the YAML 1.2 core schema — `0000:01:00.0`
 * (1.1 sexagesimal), `on`, `1.10`, `2024-01-01` are quoted: single-quoted when the string holds
 * `"` and nothing needing an escape (JSON in an annotation), else double-quoted with escapes valid
 * in both versions. Layout follows the `yaml` package's defaults (two-space indent,
 * indented sequences, `[]`/`{}` for empty collections) so the output reads like what it wrote.
 */
import { TalosLonghornError } from './errors.js';

/**
 * YAML 1.1 implicit types (yaml.org/type: bool, null, int, float, timestamp, merge, value), each
 * widened to what readers accept beyond the spec (underscores anywhere in digits, an exponent
 * without a fraction, a sexagesimal part after a leading zero).
 */
const YAML_1_1 = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL)$/,
  /^[-+]?(?:0b[01_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9._]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*Z|[-+][0-9]{1,2}(?::[0-9]{2})?)?$/,
  /^(?:<<|=)$/,
];

/** YAML 1.2 core schema (null, bool, int, float). */
const YAML_1_2 = [
  /^(?:null|Null|NULL|~)$/,
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
];

/** Characters a plain scalar may not start with (YAML's indicators, and space). */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@` \t]/;

/** Anything outside printable ASCII and the printable non-ASCII ranges, or a line break. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u;

function isPlain(text: string): boolean {
  if (text === '' || INDICATOR_START.test(text) || UNPRINTABLE.test(text)) return false;
  if (text.endsWith(' ') || text.endsWith(':') || text.includes(': ') || text.includes(' #')) {
    return false;
  }
  // A document marker at the start of a line would end the document.
  if (text.startsWith('---') || text.startsWith('...')) return false;
  return !YAML_1_1.some((re) => re.test(text)) && !YAML_1_2.some((re) => re.test(text));
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
};

/** A double-quoted scalar; every escape used is valid in YAML 1.1 and 1.2. */
function quoted(text: string): string {
  let out = '"';
  for (const char of text) {
    const escaped = ESCAPES[char];
    if (escaped !== undefined) out += escaped;
    else if (UNPRINTABLE.test(char)) {
      for (let i = 0; i < char.length; i++) {
        out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
      }
    } else out += char;
  }
  return `${out}"`;
}

function scalar(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (isPlain(value)) return value;
      // JSON inside (an annotation) reads better single-quoted, where `"` needs no escape.
      if (
        value.includes('"') &&
        !value.includes("'") &&
        !/[\t\\]/.test(value) &&
        !UNPRINTABLE.test(value)
      ) {
        return `'${value}'`;
      }
      return quoted(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? '0' : String(value);
      break;
  }
  throw new TalosLonghornError('internal', `cannot write ${String(value)} as YAML`, {
    field: path,
  });
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function entriesOf(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : entriesOf(value).length === 0;
}

/** Lines of a non-empty collection at `indent`. */
function block(value: object, indent: string, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) seqItem(item, indent, `${path}[${i}]`, out);
    return;
  }
  for (const [key, item] of entriesOf(value)) {
    const head = `${indent}${scalar(key, path)}:`;
    const at = path === '' ? key : `${path}.${key}`;
    if (isCollection(item) && !isEmpty(item)) {
      out.push(head);
      block(item, `${indent}  `, at, out);
    } else {
      out.push(`${head} ${inline(item, at)}`);
    }
  }
}

/** One sequence item: `- scalar`, or a collection whose first line follows the dash. */
function seqItem(item: unknown, indent: string, path: string, out: string[]): void {
  if (!isCollection(item) || isEmpty(item)) {
    out.push(`${indent}- ${inline(item, path)}`);
    return;
  }
  const lines: string[] = [];
  block(item, `${indent}  `, path, lines);
  const [first = '', ...rest] = lines;
  out.push(`${indent}- ${first.slice(indent.length + 2)}`, ...rest);
}

function inline(value: unknown, path: string): string {
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  return scalar(value, path);
}

/** One YAML document (no `---`), ending in a newline. */
export function yamlText(value: unknown): string {
  if (!isCollection(value) || isEmpty(value)) return `${inline(value, '')}\n`;
  const out: string[] = [];
  block(value, '', '', out);
  return `${out.join('\n')}\n`;
}
