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

/**
 * End the process once the command is done and its output is flushed, rather than when the
 * event loop drains: a TCP connection still being attempted to an endpoint that drops packets
 * (a firewall, a powered-off node) would otherwise keep a finished command alive until the
 * kernel gives up, minutes later. A write error still changes the status first (`settle`).
 */
function exitWhenFlushed(status: number): void {
  process.exitCode = status;
  let pending = 2;
  const flushed = () => {
    pending -= 1;
    // One more turn of the loop, so that a write error emitted with the callback is counted.
    if (pending === 0) setImmediate(() => process.exit());
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

main(process.argv.slice(2), io).then(
  (status) => exitWhenFlushed(io.settle(status)),
  (err: unknown) => {
    io.stderr.write(`talos-longhorn: internal error: ${describe(err)}\n`);
    exitWhenFlushed(io.settle(EXIT_ENVIRONMENT));
  },
);
