import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli.js';

const example = join(projectRoot, 'examples/terraform');

/** The literal `key = "value"` pairs of an HCL object body. */
function hclStrings(body: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of body.matchAll(/^\s*([a-z_0-9]+)\s*=\s*"([^"]*)"\s*$/gm)) {
    pairs[match[1] ?? ''] = match[2] ?? '';
  }
  return pairs;
}

/** The text between the brace after `start` and its matching closing brace. */
function block(text: string, start: RegExp): string {
  const match = start.exec(text);
  if (match === null) throw new Error(`main.tf has no ${start.source}`);
  let depth = 0;
  for (let i = match.index + match[0].length - 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(match.index + match[0].length, i);
  }
  throw new Error('unbalanced braces in main.tf');
}

describe('examples/terraform/main.tf', () => {
  it('runs its exact program with each exact query, and the answer follows the protocol', async () => {
    const tf = await readFile(join(example, 'main.tf'), 'utf8');
    const source = block(tf, /data "external" "longhorn" \{/);
    const program = JSON.parse(/program\s*=\s*(\[[^\]]*\])/.exec(source)?.[1] ?? '[]') as string[];
    expect(program).toEqual(['npx', 'talos-longhorn', 'terraform']);
    expect(source).toMatch(/for_each = local\.nodes/);
    expect(source).toMatch(/query\s*=\s*each\.value/);
    expect(tf).toMatch(
      /config_patches = \[\s*data\.external\.longhorn\[each\.key\]\.result\.patch,/,
    );

    const nodes = block(tf, /nodes = \{/);
    const names = [...nodes.matchAll(/^\s*"([^"]+)" = \{/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(['worker-1', 'worker-2']);
    for (const name of names) {
      const query = hclStrings(block(nodes, new RegExp(`"${name}" = \\{`)));
      expect(Object.keys(query).length).toBeGreaterThan(1);
      // Terraform runs the program from the configuration's directory with the query on stdin.
      const [command = '', ...args] = program;
      const result = spawnSync(command, args, {
        cwd: example,
        input: JSON.stringify(query),
        encoding: 'utf8',
      });
      expect(result.stderr.replace(/^npm warn .*\n/gm, '')).toBe('');
      expect(result.status).toBe(0);
      const answer = JSON.parse(result.stdout) as Record<string, unknown>;
      for (const value of Object.values(answer)) expect(typeof value).toBe('string');
      for (const key of [
        'iqn',
        'host_nqn',
        'patch',
        'schematic',
        'schematic_id',
        'kernel_modules',
      ]) {
        expect(answer, key).toHaveProperty(key);
      }
      expect(JSON.parse(answer.kernel_modules as string)).toContain('vfio_pci');
    }
  });
});
