import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { takeCoverage } from 'node:v8';
import vm from 'node:vm';
import { afterAll } from 'vitest';

/*
 * Under c8 (NODE_V8_COVERAGE set), make the in-process tests count. Two things stand in the way:
 * vitest stops its workers with SIGTERM, and a process ended by a signal never writes its
 * coverage; and vitest runs each module as transformed code through vm.runInThisContext, whose
 * inline source map Node does not record, so c8 would read offsets into the transformed code as
 * offsets into the TypeScript file. So after each test file this writes the worker's coverage
 * and adds, for every module vitest ran, the source map Node left out: the line lengths of the
 * code as compiled and the module's own map, shifted past the wrapper vitest puts on line 1.
 */
const dir = process.env.NODE_V8_COVERAGE;

interface Recorder {
  /** Code as compiled, by file URL. */
  readonly scripts: Map<string, string>;
}

const RECORDER = Symbol.for('talos-longhorn.coverage-recorder');
const INLINE_MAP =
  /^\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)$/gm;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The recorder of this worker process: one wrapper around vm, however many files it runs. */
function recorder(): Recorder {
  const scope = globalThis as { [RECORDER]?: Recorder };
  const existing = scope[RECORDER];
  if (existing !== undefined) return existing;
  const created: Recorder = { scripts: new Map() };
  const run = vm.runInThisContext;
  vm.runInThisContext = ((code: string, options?: vm.RunningScriptOptions | string) => {
    const filename = typeof options === 'string' ? options : options?.filename;
    if (filename?.startsWith('/')) created.scripts.set(pathToFileURL(filename).href, code);
    return run(code, options);
  }) as typeof vm.runInThisContext;
  scope[RECORDER] = created;
  return created;
}

function encodeVlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest !== 0) digit |= 32;
    out += B64[digit];
  } while (rest !== 0);
  return out;
}

/**
 * Generated columns are relative within a line, so moving the first segment of line 1 moves
 * the whole line: what the wrapper in front of the module's code needs.
 */
function shiftFirstLine(mappings: string, by: number): string {
  if (mappings === '' || mappings.startsWith(';') || mappings.startsWith(',')) return mappings;
  let value = 0;
  let shift = 0;
  let i = 0;
  for (;;) {
    const digit = B64.indexOf(mappings[i++] ?? '');
    value += (digit & 31) << shift;
    shift += 5;
    if ((digit & 32) === 0) break;
  }
  const column = value & 1 ? -(value >>> 1) : value >>> 1;
  return encodeVlq(column + by) + mappings.slice(i);
}

/**
 * Node's source-map-cache entry for a module run through vm: line lengths and its map. A module
 * that does not look as expected fails the run rather than be counted against the wrong lines.
 */
function sourceMapEntry(url: string, code: string): { lineLengths: number[]; data: unknown } {
  const match = [...code.matchAll(INLINE_MAP)].at(-1);
  // vitest compiles `'use strict';async (…)=>{{` + code + `\n}}`.
  const wrapper = code.indexOf(')=>{{') + ')=>{{'.length;
  if (match === undefined || !code.startsWith("'use strict';async (") || wrapper < 5) {
    throw new Error(`coverage: ${url} is not a vitest module with an inline source map`);
  }
  const map = JSON.parse(Buffer.from(match[1] ?? '', 'base64').toString('utf8')) as {
    mappings: string;
  };
  return {
    lineLengths: code.split('\n').map((line) => line.length),
    data: { ...map, mappings: shiftFirstLine(map.mappings, wrapper) },
  };
}

if (dir) {
  const { scripts } = recorder();
  afterAll(() => {
    const before = new Set(readdirSync(dir));
    takeCoverage();
    const written = readdirSync(dir).filter(
      (name) => !before.has(name) && name.startsWith(`coverage-${process.pid}-`),
    );
    for (const name of written) {
      const path = join(dir, name);
      const coverage = JSON.parse(readFileSync(path, 'utf8')) as {
        result: { url: string }[];
        'source-map-cache'?: Record<string, unknown>;
      };
      const cache = coverage['source-map-cache'] ?? {};
      for (const { url } of coverage.result) {
        const code = scripts.get(url);
        if (code !== undefined && cache[url] === undefined) cache[url] = sourceMapEntry(url, code);
      }
      coverage['source-map-cache'] = cache;
      writeFileSync(path, JSON.stringify(coverage));
    }
  });
}
