#!/usr/bin/env node
import module from 'node:module';
import { EXIT_ENVIRONMENT } from '../errors.js';
import { processIo } from './io.js';
import { describe, main } from './main.js';

// Node >= 22.1 can cache compiled modules between runs; start-up is what CLI users feel most.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The bundle is minified: stack traces (`--debug`) name our sources through its source maps,
// for the modules loaded from here on (every command's own code).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

const io = processIo();
main(process.argv.slice(2), io).then(
  (status) => {
    process.exitCode = io.settle(status);
  },
  (err: unknown) => {
    io.stderr.write(`talos-longhorn: internal error: ${describe(err)}\n`);
    process.exitCode = io.settle(EXIT_ENVIRONMENT);
  },
);
