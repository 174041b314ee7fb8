import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  renderClusterFiles,
  resolvePlan,
  validatePlan,
  writeClusterFiles,
} from '../../src/index.js';
import type { ResolvedPlan } from '../../src/plan/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-node-name-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const evil = '../../etc/cron.d/evil';

describe('node names that become file names are checked by the library', () => {
  it('resolvePlan refuses a node named like a path, naming the field', () => {
    // validatePlan would refuse it too; a plan built in code skips that step.
    expect(() => resolvePlan({ nodes: [{ name: 'ok-1' }, { name: evil }] })).toThrow(
      expect.objectContaining({
        code: 'invalid-input',
        field: 'nodes[1].name',
        message: expect.stringContaining('"../../etc/cron.d/evil" is not a node name'),
      }),
    );
  });

  it('renderClusterFiles refuses a resolved plan whose node name is a path', () => {
    const good = resolvePlan(validatePlan({ nodes: [{ name: 'n1' }] }));
    const forged: ResolvedPlan = {
      ...good,
      nodes: good.nodes.map((node) => ({ ...node, name: evil })),
    };
    expect(() => renderClusterFiles(forged)).toThrow(
      expect.objectContaining({ field: 'nodes[0].name' }),
    );
  });

  it('the schema and the library give the same verdict (one rule)', () => {
    for (const name of [
      'a',
      'a.b-c',
      'A',
      '-a',
      'a.',
      '..',
      'a/b',
      'x'.repeat(129),
      'x'.repeat(128),
    ]) {
      const bySchema = (() => {
        try {
          validatePlan({ nodes: [{ name }] });
          return true;
        } catch {
          return false;
        }
      })();
      const byLibrary = (() => {
        try {
          resolvePlan({ nodes: [{ name }] });
          return true;
        } catch {
          return false;
        }
      })();
      expect([name, byLibrary]).toEqual([name, bySchema]);
    }
  });
});

describe('writeClusterFiles', () => {
  it('writes exactly the files renderClusterFiles gives, and a second run changes nothing', async () => {
    const plan = resolvePlan(
      validatePlan({
        nodes: [{ name: 'n1', machineId: 'be871ac0d0dd31fa4caca753b0f3f1b2' }, { name: 'n2' }],
      }),
    );
    const expected = renderClusterFiles(plan);
    const first = await writeClusterFiles(plan, join(dir, 'out'));
    expect([...first.written].sort()).toEqual(expected.map((f) => f.path).sort());
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(expected.map((f) => f.path).sort());
    for (const file of expected) {
      expect(await readFile(join(dir, 'out', file.path), 'utf8')).toBe(file.content);
    }
    const second = await writeClusterFiles(plan, join(dir, 'out'));
    expect(second.written).toEqual([]);
    expect(second.unchanged.length).toBe(expected.length);
  });
});
