import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, projectRoot } from '../helpers/cli.js';

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
    // The program is the installed binary, by path: never npx, which would fetch a package of
    // that name from the registry when none is installed.
    expect(tf).not.toMatch(/"npx"/);
    expect(source).toMatch(/program\s*=\s*\[local\.talos_longhorn, "terraform"\]/);
    const defaultPath =
      /talos_longhorn\s*=\s*var\.talos_longhorn != "" \? var\.talos_longhorn : "\$\{path\.module\}\/([^"]+)"/.exec(
        tf,
      )?.[1];
    expect(defaultPath).toBe('node_modules/.bin/talos-longhorn');
    expect(source).toMatch(/for_each = local\.nodes/);
    expect(source).toMatch(
      /query\s*=\s*merge\(each\.value\.query, \{ talos_version = var\.talos_version \}\)/,
    );

    // One Talos version, in one form: the variable (X.Y.Z); the provider's "vX.Y.Z" is built from it.
    const talosVersion = hclStrings(block(tf, /variable "talos_version" \{/)).default ?? '';
    expect(talosVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(tf.match(/(?<![\d.])v?1\.\d+(\.\d+)?(?![\d.])/g)).toEqual([talosVersion]);

    // Every node's configuration is applied, with our patch first in config_patches.
    const apply = block(tf, /resource "talos_machine_configuration_apply" "node" \{/);
    expect(apply).toMatch(/for_each\s*= local\.nodes/);
    expect(apply).toMatch(
      /config_patches = \[\s*data\.external\.longhorn\[each\.key\]\.result\.patch,/,
    );
    expect(block(tf, /data "talos_machine_configuration" "node" \{/)).toMatch(
      /machine_type\s*= each\.value\.role/,
    );

    const nodes = block(tf, /nodes = \{/);
    const names = [...nodes.matchAll(/^\s*"([^"]+)" = \{/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(['cp-1', 'worker-1', 'worker-2']);
    const roles = names.map((name) => hclStrings(block(nodes, new RegExp(`"${name}" = \\{`))).role);
    expect(roles).toEqual(['controlplane', 'worker', 'worker']);

    // path.module: a directory where talos-longhorn is installed as npm installs a package's bin
    // (a symlink in node_modules/.bin to the package's CLI).
    const module = await mkdtemp(join(tmpdir(), 'tl-tf-'));
    try {
      await mkdir(join(module, 'node_modules/.bin'), { recursive: true });
      await symlink(cliPath, join(module, defaultPath ?? ''));
      for (const name of names) {
        const node = block(nodes, new RegExp(`"${name}" = \\{`));
        const query: Record<string, string> = {
          ...hclStrings(block(node, /query = \{/)),
          talos_version: talosVersion,
        };
        expect(Object.keys(query).length).toBeGreaterThan(1);
        // Terraform runs the program from the configuration's directory with the query on stdin.
        const result = spawnSync(join(module, defaultPath ?? ''), ['terraform'], {
          cwd: module,
          input: JSON.stringify(query),
          encoding: 'utf8',
        });
        expect(result.stderr).toBe('');
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
        if (query.v2_data_engine !== 'false') {
          expect(JSON.parse(answer.kernel_modules as string)).toContain('vfio_pci');
        }
      }
    } finally {
      await rm(module, { recursive: true, force: true });
    }
  });
});
