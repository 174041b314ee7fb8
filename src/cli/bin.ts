#!/usr/bin/env node
import module from 'node:module';
import { EXIT_ENVIRONMENT } from '../errors.js';
import { describe, main } from './main.js';

// Node >= 22.1 can cache compiled modules between runs; start-up is what CLI users feel most.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`talos-longhorn: internal error: ${describe(err)}\n`);
    process.exitCode = EXIT_ENVIRONMENT;
  },
);
