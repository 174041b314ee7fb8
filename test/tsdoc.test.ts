// Every export a package entry point offers has a TSDoc comment at its declaration (what an
// editor shows on hover), and the main functions show how they are called (`@example`).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types?: string }>;
};

/** The package's entry points (`exports` subpaths with types) and the source of each. */
const entryPoints = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' && target.types !== undefined
    ? [
        {
          specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`,
          file: join(root, target.types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')),
        },
      ]
    : [],
);
const entries = entryPoints.map(({ file }) => file);
const program = ts.createProgram(entries, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
});
const checker = program.getTypeChecker();

interface Exported {
  /** `src/...: name`, for messages. */
  readonly where: string;
  readonly name: string;
  readonly documented: boolean;
  readonly tags: readonly string[];
  /** The code of each `@example`'s ```ts block. */
  readonly examples: readonly string[];
}

/** Every export of every entry point, resolved to the declaration it re-exports. */
function exported(): Exported[] {
  return entries.flatMap((entry) => {
    const source = program.getSourceFile(entry);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`cannot read entry point ${entry}`);
    return checker.getExportsOfModule(module).map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = target.declarations ?? [];
      const file = declarations[0]?.getSourceFile().fileName ?? entry;
      const text = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
      const jsDocTags = declarations.flatMap((declaration) => [...ts.getJSDocTags(declaration)]);
      const tags = jsDocTags.map((tag) => tag.tagName.text);
      const examples = jsDocTags
        .filter((tag) => tag.tagName.text === 'example')
        .flatMap((tag) => {
          const comment = ts.getTextOfJSDocComment(tag.comment) ?? '';
          return [...comment.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
        });
      return {
        where: `${relative(root, entry)} → ${relative(root, file)}: ${symbol.name}`,
        name: symbol.name,
        documented: text !== '',
        tags,
        examples,
      };
    });
  });
}

const all = exported();

describe('TSDoc', () => {
  it('finds the exports it checks (every entry point, re-exports resolved)', () => {
    expect(entries).toHaveLength(8);
    const names = new Set(all.map((item) => item.name));
    for (const name of ['deriveIdentity', 'TalosClient', 'buildExtensionImage', 'resolvePlan']) {
      expect(names).toContain(name);
    }
    expect(all.length).toBeGreaterThan(150);
  });

  it('every export of every entry point has a doc comment', () => {
    expect(all.filter((item) => !item.documented).map((item) => item.where)).toEqual([]);
  });

  const main = [
    'deriveIdentity',
    'resolvePlan',
    'renderClusterFiles',
    'writeClusterFiles',
    'renderPatch',
    'longhornSchematic',
    'preflightNodes',
  ];

  it('the main functions show how they are called', () => {
    const withoutExample = main.filter(
      (name) => !all.some((item) => item.name === name && item.examples.length > 0),
    );
    expect(withoutExample).toEqual([]);
  });

  it('every example type-checks against the package as users import it', () => {
    // One virtual module per distinct example (a symbol exported by two entry points has one).
    const codes = [...new Set(all.flatMap((item) => item.examples))];
    const examples = new Map(codes.map((code, i) => [join(root, `tsdoc-example-${i}.mts`), code]));
    expect(examples.size).toBeGreaterThanOrEqual(main.length);
    // `talos-longhorn` and its subpaths resolve to the sources of the entry points.
    const paths = Object.fromEntries(entryPoints.map(({ specifier, file }) => [specifier, [file]]));
    const options = { ...program.getCompilerOptions(), paths };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (file) => examples.get(file) ?? readFile(file);
    host.fileExists = (file) => examples.has(file) || ts.sys.fileExists(file);
    host.getSourceFile = (file, language, ...rest) => {
      const code = examples.get(file);
      return code === undefined
        ? getSourceFile(file, language, ...rest)
        : ts.createSourceFile(file, code, language);
    };
    const checked = ts.createProgram([...examples.keys()], options, host, program);
    const problems = [...examples.keys()].flatMap((file) =>
      ts
        .getPreEmitDiagnostics(checked, checked.getSourceFile(file))
        .map(
          (d) => `${relative(root, file)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        ),
    );
    expect(problems).toEqual([]);
  });
});
