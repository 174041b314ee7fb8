import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderCompatibility } from '../scripts/compatibility.js';
import { SUPPORTED_LONGHORN_VERSIONS } from '../src/longhorn/versions.js';
import { SUPPORTED_TALOS_VERSIONS } from '../src/talos/versions.js';

describe('docs/compatibility.md', () => {
  it('is what npm run docs:compat writes from the two capability tables', async () => {
    const committed = await readFile(new URL('../docs/compatibility.md', import.meta.url), 'utf8');
    expect(committed, 'run npm run docs:compat').toBe(renderCompatibility());
  });

  it('has a row per Talos version and a column per Longhorn version', () => {
    const rows = renderCompatibility()
      .split('\n')
      .filter((line) => /^\| 1\.\d+ \|/.test(line));
    expect(rows.map((row) => row.split(' | ')[0]?.slice(2))).toEqual([...SUPPORTED_TALOS_VERSIONS]);
    for (const row of rows) {
      expect(row.split(' | ')).toHaveLength(SUPPORTED_LONGHORN_VERSIONS.length + 1);
    }
    // Longhorn 1.8 needs /dev/fd for PCI disks (longhorn#10313, fixed in 1.9); Talos 1.9 binds.
    const [first] = rows;
    expect(first?.split(' | ')[1]).toContain('/dev/fd');
    expect(first?.split(' | ')[2]).not.toContain('/dev/fd');
    expect(first).toContain('/var/lib/longhorn');
  });
});
