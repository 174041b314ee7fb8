// Bundle the CLI for start-up time: Node spends most of a cold start resolving and compiling
// modules, one file at a time (the yaml package alone is ~60 files). esbuild puts each command
// and what it uses into a few chunks, split at the commands' dynamic imports so that a command
// still loads only its own code. Written over tsc's dist/cli/bin.js, with the chunks beside it,
// so paths relative to the module (`../../package.json`, `../../extension`) stay right. The
// library (dist/ outside cli/) stays tsc's output: consumers bundle it as they like.
// Minified (V8 scans fewer bytes; stack traces map back through the linked source maps with
// --enable-source-maps), and yaml taken from its ES-module build so that the parts of it no
// command uses (yaml 1.1 tags, the stringifier) are left out: yaml's CommonJS build cannot be
// tree-shaken. Both builds are compiled from the same source and behave the same.
//   node scripts/bundle-cli.mjs   (run by `npm run build`, after tsc)
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/cli';
// tsc's modules of the CLI are replaced by the bundle; nothing imports them.
for (const name of readdirSync(outdir)) rmSync(`${outdir}/${name}`, { recursive: true });

await build({
  entryPoints: { bin: 'src/cli/bin.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  entryNames: '[name]',
  sourcemap: 'linked',
  minify: true,
  // Dependencies written as CommonJS (grpc-js, ajv's runtime) call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [
    {
      name: 'yaml-esm',
      setup(b) {
        b.onResolve({ filter: /^yaml$/ }, () => ({
          path: new URL('../node_modules/yaml/browser/index.js', import.meta.url).pathname,
        }));
      },
    },
  ],
});
chmodSync(`${outdir}/bin.js`, 0o755);
