import { takeCoverage } from 'node:v8';
import { afterAll } from 'vitest';

/*
 * Under `c8` (NODE_V8_COVERAGE set) write this worker's coverage after each test file. Vitest
 * stops its workers with SIGTERM, and a process killed by a signal never writes its coverage,
 * so without this only the CLI subprocesses would count and every in-process test would be
 * invisible to the coverage floor.
 */
if (process.env.NODE_V8_COVERAGE) afterAll(() => takeCoverage());
