// Writes docs/compatibility.md: `npm run docs:compat`. A test fails when the file drifts.
import { writeFileSync } from 'node:fs';
import { renderCompatibility } from './compatibility.js';

writeFileSync(new URL('../docs/compatibility.md', import.meta.url), renderCompatibility());
