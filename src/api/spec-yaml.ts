// A fast path for the YAML that COSI resource specs arrive in. Most specs Talos sends are small
// block mappings of plain scalars (`nodeId: …`, `running: true`); running the general `yaml`
// parser on each costs more client CPU than the gRPC call that brought it (V8 compiles and
// optimises the parser's many paths on first use). `parseSimpleYaml` reads that common subset
// in one pass and declines everything else, which then goes to `yaml` as before. What it
// accepts it reads exactly as `yaml`'s default (YAML 1.2 core schema) does:
// `test/api/spec-yaml.test.ts` checks that against `yaml` itself on generated documents.

/**
 * The subset read here, one line each, indented with spaces only:
 * - `key: value`, `key:` (a nested block below it, or null), `- value` (a sequence entry);
 * - keys: `[A-Za-z_][A-Za-z0-9_./-]*` of up to 256 characters, not a null or boolean word,
 *   unique in their mapping;
 * - values: `true`/`false` (all three spellings), `null`/`~`, decimal integers of up to 15
 *   digits without a leading zero, `{}`, `[]`, a single-quoted string of printable ASCII on one
 *   line, or a plain string of words (`[A-Za-z0-9_./:@+=,()-]`, not starting with `-`, `.`, `:`
 *   or `@`, not a form the core schema reads as a number) separated by single spaces, with no
 *   `: ` and no `:` at the end.
 * Anything else — comments, flow collections with content, double quotes, block scalars,
 * anchors, tags, tabs, blank lines, documents markers, sequences of collections, other numbers —
 * is declined: the result is `undefined` and the caller uses the general parser.
 */
export function parseSimpleYaml(text: string): unknown {
  if (text.length === 0 || text.length > MAX_FAST_BYTES) return undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return undefined;

  let root: Frame | undefined;
  const stack: Frame[] = [];
  /** A `key:` line waiting to see whether a nested block follows. */
  let open: { map: Record<string, unknown>; key: string; indent: number } | undefined;

  for (const line of lines) {
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length || line.charCodeAt(line.length - 1) === 0x20) return undefined;
    const item = line.startsWith('- ', indent);
    const content = item ? line.slice(indent + 2) : line.slice(indent);

    if (open !== undefined) {
      // The block of a `key:` is indented further, or is a sequence at the key's own indent.
      if (indent > open.indent || (item && indent === open.indent)) {
        const frame: Frame = item
          ? { indent, kind: 'seq', value: [] }
          : { indent, kind: 'map', value: {} };
        open.map[open.key] = frame.value;
        stack.push(frame);
      } else {
        open.map[open.key] = null;
      }
      open = undefined;
    } else if (root === undefined) {
      if (indent !== 0) return undefined;
      root = item ? { indent, kind: 'seq', value: [] } : { indent, kind: 'map', value: {} };
      stack.push(root);
    }

    let top = stack[stack.length - 1];
    while (top !== undefined && indent < top.indent) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    // A sequence at its key's indent ends where that mapping's next key starts.
    if (top !== undefined && top.kind === 'seq' && !item && indent === top.indent) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (top === undefined || indent !== top.indent) return undefined;

    if (top.kind === 'seq') {
      if (!item) return undefined;
      const value = scalar(content);
      if (value === DECLINE) return undefined;
      top.value.push(value);
      continue;
    }
    if (item) return undefined;
    const colon = content.indexOf(':');
    if (colon <= 0) return undefined;
    const key = content.slice(0, colon);
    if (key.length > MAX_KEY_LENGTH || !KEY.test(key) || RESERVED_WORD.test(key)) return undefined;
    if (key === '__proto__') return undefined;
    if (Object.hasOwn(top.value, key)) return undefined;
    if (colon === content.length - 1) {
      // A placeholder keeps the key's place in insertion order, as `yaml` builds its objects.
      top.value[key] = null;
      open = { map: top.value, key, indent };
      continue;
    }
    if (content.charCodeAt(colon + 1) !== 0x20) return undefined;
    const value = scalar(content.slice(colon + 2));
    if (value === DECLINE) return undefined;
    top.value[key] = value;
  }
  if (open !== undefined) open.map[open.key] = null;
  return root?.value;
}

type Frame =
  | { readonly indent: number; readonly kind: 'map'; readonly value: Record<string, unknown> }
  | { readonly indent: number; readonly kind: 'seq'; readonly value: unknown[] };

/** Specs bigger than this (machine configs, long lists) go to the general parser. */
const MAX_FAST_BYTES = 64 * 1024;

/** YAML limits implicit keys to 1024 characters; real spec keys are short. */
const MAX_KEY_LENGTH = 256;

const DECLINE: unique symbol = Symbol('decline');

const KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
/** The core schema's null and boolean words: as keys they would not stay strings. */
const RESERVED_WORD = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;
const NULL = /^(?:~|null|Null|NULL)$/;
const SMALL_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Plain words: no character that starts or ends a YAML construct. */
const PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./:@+=,()-]*(?: [A-Za-z0-9_./:@+=,()-]+)*$/;
/** What the core schema reads as a number (int, octal, hex, float, infinity, not-a-number). */
const NUMBER_LIKE =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const SINGLE_QUOTED = /^'((?:[\x20-\x26\x28-\x7e]|'')*)'$/;

function scalar(text: string): unknown {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text.charCodeAt(0) === 0x27) {
    const quoted = SINGLE_QUOTED.exec(text);
    return quoted === null ? DECLINE : (quoted[1] ?? '').replaceAll("''", "'");
  }
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (NULL.test(text)) return null;
  if (SMALL_INTEGER.test(text)) return Number(text);
  if (!PLAIN.test(text) || NUMBER_LIKE.test(text) || /:(?: |$)/.test(text)) return DECLINE;
  return text;
}
