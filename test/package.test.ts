import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let consumer: string;

/** A consumer written as a user would: only the package's public entry points. */
const CONSUMER = `
import {
  deriveIdentity, parseMachineId, planNode, renderPatch, renderTalosDocuments, loadPlan,
  renderClusterFiles, longhornSchematic, schematicId, TalosLonghornError,
  type NodeOptions, type ClusterFile, type PreflightReport,
} from 'talos-longhorn';
import { TalosClient } from 'talos-longhorn/api';
import { LocalRootReader, PREFLIGHT_CHECKS } from 'talos-longhorn/preflight';
import { buildExtensionImage } from 'talos-longhorn/extension';
import { NODE_OPTION_DESCRIPTORS } from 'talos-longhorn/longhorn';

const options: NodeOptions = { memorySizeMiB: 4096, disks: ['0000:01:00.0'] };
const patch = renderPatch(renderTalosDocuments(planNode(options), '1.11'), { format: 'yaml' });
const identity = deriveIdentity({ machineId: parseMachineId('0123456789abcdef0123456789abcdef') });
const files: readonly ClusterFile[] = renderClusterFiles(loadPlan('nodes: [{name: a}]', 'plan.yaml'));
let refused = '';
try { planNode({ hugepages: 1 }); } catch (err) { if (err instanceof TalosLonghornError) refused = err.field ?? ''; }
const report: PreflightReport | undefined = undefined;
console.log(JSON.stringify({
  patch: patch.includes('vm.nr_hugepages'),
  iqn: identity.iqn.startsWith('iqn.'),
  files: files.map((f) => f.path).sort(),
  schematic: schematicId(longhornSchematic({})).length,
  refused,
  entryPoints: [typeof TalosClient, typeof LocalRootReader, PREFLIGHT_CHECKS.length > 0,
    typeof buildExtensionImage, NODE_OPTION_DESCRIPTORS.length > 0, report === undefined],
}));
`;

beforeAll(async () => {
  // Inside the project so that the package's dependencies resolve from its node_modules.
  await mkdir(join(root, 'node_modules', '.cache'), { recursive: true });
  consumer = await mkdtemp(join(root, 'node_modules', '.cache', 'consumer-'));
  // dist/ is built by the global setup; packing must not rebuild it under other tests.
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer],
    { cwd: root },
  );
  const filename = (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? '';
  const installed = join(consumer, 'node_modules', 'talos-longhorn');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(consumer, filename), '-C', installed, '--strip-components=1']);
  await writeFile(join(consumer, 'package.json'), '{"type": "module", "private": true}\n');
  await writeFile(join(consumer, 'consumer.ts'), CONSUMER);
  await writeFile(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        outDir: 'out',
        skipLibCheck: false,
      },
      files: ['consumer.ts'],
    }),
  );
}, 120_000);

afterAll(async () => {
  if (consumer !== undefined) await rm(consumer, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships dist, schemas and the extension, not sources or tests', async () => {
    const pkg = join(consumer, 'node_modules', 'talos-longhorn');
    const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining(['.', './api', './preflight', './extension']),
    );
    await expect(readFile(join(pkg, 'dist', 'index.d.ts'), 'utf8')).resolves.toContain(
      'deriveIdentity',
    );
    await expect(readFile(join(pkg, 'schemas', 'plan.schema.json'), 'utf8')).resolves.toContain(
      'nodes',
    );
    await expect(readFile(join(pkg, 'src', 'index.ts'), 'utf8')).rejects.toThrow();
    await expect(readFile(join(pkg, 'test', 'package.test.ts'), 'utf8')).rejects.toThrow();
  });

  it('a strict TypeScript consumer compiles against its types and runs', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', consumer]).catch((err: { stdout: string }) => {
      throw new Error(`tsc failed:\n${err.stdout}`);
    });
    const { stdout } = await run(process.execPath, [join(consumer, 'out', 'consumer.js')], {
      cwd: consumer,
    });
    expect(JSON.parse(stdout)).toEqual({
      patch: true,
      iqn: true,
      files: expect.arrayContaining([
        'a.patch.yaml',
        'schematic.yaml',
        'longhorn-values.yaml',
      ]) as unknown,
      schematic: 64,
      refused: 'hugepages',
      entryPoints: ['function', 'function', true, 'function', true, true],
    });
  }, 120_000);
});
