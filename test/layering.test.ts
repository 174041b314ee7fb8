import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or with `import()`. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/gms,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) if (match[1]) found.push(match[1]);
  }
  return found;
}

/** `src/`-relative path of every project module a file imports (`.js` → `.ts`). */
const graph = new Map(
  sourceFiles(src).map((file) => {
    const targets = specifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(src, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
    return [relative(src, file), targets] as const;
  }),
);
const external = new Map(
  sourceFiles(src).map((file) => [
    relative(src, file),
    specifiers(readFileSync(file, 'utf8')).filter((spec) => !spec.startsWith('.')),
  ]),
);

const inside = (dir: string) => (path: string) => path.startsWith(`${dir}/`);

function violations(from: (path: string) => boolean, to: (target: string) => boolean): string[] {
  return [...graph].flatMap(([path, targets]) =>
    from(path) ? targets.filter(to).map((target) => `${path} -> ${target}`) : [],
  );
}

/** Top-level modules the pure core may use: pure themselves. */
const SHARED_PURE = [
  'errors.ts',
  'field-path.ts',
  'schema-errors.ts',
  'text-field.ts',
  'version-string.ts',
  'yaml-text.ts',
];

describe('layering', () => {
  it('finds the imports it checks (the parser sees static, re-export and dynamic imports)', () => {
    expect(graph.get('cli/main.ts')).toContain('cli/identity.ts');
    expect(graph.get('index.ts')).toContain('identity/index.ts');
    expect(graph.get('cli/patch.ts')).toContain('cli/apply.ts');
  });

  it('library modules never import src/cli', () => {
    const found = violations((path) => !inside('cli')(path), inside('cli'));
    expect(found).toEqual([]);
  });

  it('the shared pure modules import only each other', () => {
    expect(
      violations(
        (path) => SHARED_PURE.includes(path),
        (t) => !SHARED_PURE.includes(t),
      ),
    ).toEqual([]);
    expect(
      [...external].flatMap(([path, specs]) => (SHARED_PURE.includes(path) ? specs : [])),
    ).toEqual([]);
  });

  it('the pure core (identity, longhorn, talos) imports no I/O module', () => {
    const pure = (path: string) =>
      ['identity', 'longhorn', 'talos'].some((dir) => inside(dir)(path));
    const io = /^node:(fs|fs\/promises|net|tls|http|https|http2|child_process|dgram|dns)$/;
    const found = [...external].flatMap(([path, specs]) =>
      pure(path) ? specs.filter((spec) => io.test(spec)).map((spec) => `${path} -> ${spec}`) : [],
    );
    expect(found).toEqual([]);
    expect(
      violations(
        pure,
        (target) =>
          !['identity', 'longhorn', 'talos', 'generated'].some((dir) => inside(dir)(target)) &&
          // These top-level modules are pure too (they import only each other).
          !SHARED_PURE.includes(target),
      ),
    ).toEqual([]);
  });

  it('library modules name their own fields, never a CLI flag (only src/cli re-labels)', () => {
    // A string that is a flag name (`'--capture'`, or `--${name}`) in library code would be an
    // error field or a label the CLI should own; messages may still mention flags.
    const flagLike = (node: ts.Node): string | undefined => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        return /^--[A-Za-z][A-Za-z0-9-]*$/.test(node.text) ? node.text : undefined;
      }
      return ts.isTemplateHead(node) && node.text === '--' ? `--\${...}` : undefined;
    };
    const found = sourceFiles(src).flatMap((file) => {
      const path = relative(src, file);
      if (inside('cli')(path) || inside('api/gen')(path)) return [];
      const source = ts.createSourceFile(path, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
      const hits: string[] = [];
      const visit = (node: ts.Node): void => {
        const flag = flagLike(node);
        if (flag !== undefined) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          hits.push(`${path}:${line + 1}: ${flag}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      return hits;
    });
    expect(found).toEqual([]);
  });

  it('the preflight checks are pure: they do not import the API module', () => {
    const checks = (path: string) =>
      path === 'preflight/check.ts' || inside('preflight/checks')(path);
    expect(violations(checks, inside('api'))).toEqual([]);
  });

  it('no import cycle among the CLI modules', () => {
    const cycles: string[] = [];
    const visit = (path: string, stack: string[]): void => {
      if (stack.includes(path)) {
        cycles.push([...stack.slice(stack.indexOf(path)), path].join(' -> '));
        return;
      }
      for (const target of (graph.get(path) ?? []).filter(inside('cli'))) {
        visit(target, [...stack, path]);
      }
    };
    for (const path of graph.keys()) if (inside('cli')(path)) visit(path, []);
    expect(cycles).toEqual([]);
  });
});
