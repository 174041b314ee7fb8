// Talos's rules for a system extension (../shared/talos/FACTS.md §3), one at a time: a tree
// that satisfies all of them has no problems, and breaking any one gives exactly that problem.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildExtensionImage } from '../../src/extension-image/build.js';
import type { TreeEntry } from '../../src/extension-image/tree.js';
import { extensionTreeProblems } from '../../src/extension-image/validate.js';
import { projectRoot } from '../helpers/cli.js';
import { BUSYBOX_SKIP, busybox, haveBusybox } from './node-tree.js';

const encode = (text: string) => new TextEncoder().encode(text);
const SERVICE_FILE = 'rootfs/usr/local/etc/containers/demo.yaml';
const SERVICE_WHERE = '/usr/local/etc/containers/demo.yaml';

const manifest = (metadata: Record<string, unknown> = {}, version: unknown = 'v1alpha1') =>
  stringify({
    version,
    metadata: {
      name: 'demo',
      version: 'v1.0.0',
      author: 'someone',
      description: 'a demo extension',
      compatibility: { talos: { version: '>= v1.9.0' } },
      ...metadata,
    },
  });

const service = (spec: Record<string, unknown> = {}) =>
  stringify({
    name: 'demo',
    container: { entrypoint: '/bin/run' },
    depends: [{ service: 'cri' }, { path: '/system/run/machined/machined.sock' }],
    restart: 'always',
    ...spec,
  });

const dir = (path: string): TreeEntry => ({ path, type: 'dir', mode: 0o755 });
const file = (path: string, text: string, mode = 0o644): TreeEntry => ({
  path,
  type: 'file',
  mode,
  content: encode(text),
});

/** A tree meeting every rule, with `change` applied to its entry list. */
function tree(
  options: { manifest?: string; service?: string; serviceFile?: string } = {},
  change: (entries: TreeEntry[]) => TreeEntry[] = (entries) => entries,
): TreeEntry[] {
  return change([
    file('manifest.yaml', options.manifest ?? manifest()),
    dir('rootfs'),
    dir('rootfs/usr'),
    dir('rootfs/usr/local'),
    dir('rootfs/usr/local/etc'),
    dir('rootfs/usr/local/etc/containers'),
    file(options.serviceFile ?? SERVICE_FILE, options.service ?? service()),
    dir('rootfs/usr/local/lib'),
    dir('rootfs/usr/local/lib/containers'),
    dir('rootfs/usr/local/lib/containers/demo'),
    dir('rootfs/usr/local/lib/containers/demo/bin'),
    file('rootfs/usr/local/lib/containers/demo/bin/run', '#!/bin/sh\n', 0o755),
  ]);
}

const without = (path: string) => (entries: TreeEntry[]) => entries.filter((e) => e.path !== path);
const plus =
  (...added: TreeEntry[]) =>
  (entries: TreeEntry[]) => [...entries, ...added];

describe('extensionTreeProblems', () => {
  it('finds nothing wrong in a tree that follows every rule', () => {
    expect(extensionTreeProblems(tree())).toEqual([]);
    // Optional dependency kinds, and a world-writable symlink (links carry no permissions).
    const spec = service({
      depends: [
        { network: ['addresses', 'connectivity'] },
        { time: true },
        { configuration: true },
      ],
    });
    const link: TreeEntry = { path: 'rootfs/usr/local/x', type: 'symlink', mode: 0o777 };
    expect(
      extensionTreeProblems(tree({ service: spec }, plus(link, dir('rootfs/usr/bin')))),
    ).toEqual([]);
  });

  it.each([
    [
      'something beside manifest.yaml and rootfs/',
      tree({}, plus(file('README', 'x'))),
      'only manifest.yaml and rootfs/ may be at the top, found "README"',
    ],
    [
      'no manifest.yaml',
      tree({}, without('manifest.yaml')),
      'manifest.yaml is missing or not a regular file',
    ],
    [
      'manifest.yaml a directory',
      tree({}, (entries) => [dir('manifest.yaml'), ...entries.slice(1)]),
      'manifest.yaml is missing or not a regular file',
    ],
    ['no rootfs/', tree({}, without('rootfs')), 'rootfs/ is missing'],
    [
      'a FIFO in rootfs',
      tree({}, plus({ path: 'rootfs/usr/local/fifo', type: 'other', mode: 0o644 })),
      'special files are not allowed: /usr/local/fifo',
    ],
    [
      'a world-writable directory',
      tree({}, plus({ ...dir('rootfs/usr/local/share'), mode: 0o777 })),
      'world-writable files are not allowed: /usr/local/share (mode 0777)',
    ],
    [
      'a file outside the allowed paths',
      tree({}, plus(file('rootfs/etc/passwd', 'root'))),
      '/etc/passwd is outside the paths Talos allows (/usr/local/, /usr/lib/modules/, /usr/lib/firmware/, /usr/lib/udev/rules.d/, /etc/cri/conf.d/)',
    ],
  ])('layout: %s', (_name, entries, problem) => {
    expect(extensionTreeProblems(entries)).toEqual([problem]);
  });

  it.each([
    ['a list', '- a\n- b\n', 'manifest.yaml must be a mapping'],
    ['version v1alpha2', manifest({}, 'v1alpha2'), 'manifest.yaml: version must be v1alpha1'],
    [
      'no author',
      manifest({ author: undefined }),
      'manifest.yaml: metadata.author must be a non-empty string',
    ],
    [
      'a blank description',
      manifest({ description: '  ' }),
      'manifest.yaml: metadata.description must be a non-empty string',
    ],
    [
      'a constraint that is no range',
      manifest({ compatibility: { talos: { version: 'latest' } } }),
      'manifest.yaml: metadata.compatibility.talos.version must be a version range like ">= v1.9.0"',
    ],
    [
      'no compatibility',
      manifest({ compatibility: undefined }),
      'manifest.yaml: metadata.compatibility.talos.version must be a version range like ">= v1.9.0"',
    ],
  ])('manifest: %s', (_name, text, problem) => {
    expect(extensionTreeProblems(tree({ manifest: text }))).toEqual([problem]);
  });

  it('manifest: a range with an upper bound is accepted', () => {
    const text = manifest({ compatibility: { talos: { version: '>= v1.9.0 < v2.0.0' } } });
    expect(extensionTreeProblems(tree({ manifest: text }))).toEqual([]);
  });

  it('manifest: text that is not YAML says so, with the parser first line', () => {
    const problems = extensionTreeProblems(tree({ manifest: 'version: [v1alpha1\n' }));
    expect(problems[0]).toMatch(/^manifest\.yaml is not valid YAML \(.+\)$/);
    expect(problems[0]).not.toContain('\n');
    expect(problems.slice(1)).toEqual(['manifest.yaml must be a mapping']);
  });

  const at = (problem: string) => `${SERVICE_WHERE}: ${problem}`;
  it.each([
    ['an upper-case name', service({ name: 'Demo' }), at('name must match ^[-_a-z0-9]+$')],
    ['no name', service({ name: undefined }), at('name must match ^[-_a-z0-9]+$')],
    [
      'an unknown restart',
      service({ restart: 'onFailure' }),
      at('restart must be one of always, never, untilSuccess'),
    ],
    ['depends not a list', service({ depends: { service: 'cri' } }), at('depends must be a list')],
    [
      'a depends item with two kinds',
      service({ depends: [{ service: 'cri', path: '/run' }] }),
      at('each depends item needs exactly one of service, path, network, time, configuration'),
    ],
    [
      'a depends item that is a string',
      service({ depends: ['cri'] }),
      at('each depends item needs exactly one of service, path, network, time, configuration'),
    ],
    [
      'an empty service dependency',
      service({ depends: [{ service: '' }] }),
      at('depends.service must be a service name'),
    ],
    [
      'a relative path dependency',
      service({ depends: [{ path: 'run/x.sock' }] }),
      at('depends.path must be absolute'),
    ],
    [
      'an unknown network status',
      service({ depends: [{ network: ['addresses', 'wifi'] }] }),
      at('depends.network must list addresses, connectivity, hostname, etcfiles'),
    ],
    [
      'an empty network list',
      service({ depends: [{ network: [] }] }),
      at('depends.network must list addresses, connectivity, hostname, etcfiles'),
    ],
    ['time: false', service({ depends: [{ time: false }] }), at('depends.time must be true')],
    [
      'configuration: "yes"',
      service({ depends: [{ configuration: 'yes' }] }),
      at('depends.configuration must be true'),
    ],
    [
      'an unknown dependency kind',
      service({ depends: [{ mount: '/var' }] }),
      at('unknown dependency "mount"'),
    ],
    [
      'no entrypoint',
      service({ container: {} }),
      at('container.entrypoint must be an absolute path inside the container rootfs'),
    ],
    [
      'a relative entrypoint',
      service({ container: { entrypoint: 'bin/run' } }),
      at('container.entrypoint must be an absolute path inside the container rootfs'),
    ],
    [
      'an entrypoint that is not in the container rootfs',
      service({ container: { entrypoint: '/bin/missing' } }),
      at('entrypoint /bin/missing is not an executable file in the container rootfs'),
    ],
  ])('service: %s', (_name, text, problem) => {
    expect(extensionTreeProblems(tree({ service: text }))).toEqual([problem]);
  });

  it('service: the file is named after the service', () => {
    const entries = tree({ serviceFile: 'rootfs/usr/local/etc/containers/other.yaml' });
    expect(extensionTreeProblems(entries)).toEqual([
      '/usr/local/etc/containers/other.yaml: file name must be demo.yaml',
    ]);
  });

  it('service: the entrypoint must be executable and the container rootfs must exist', () => {
    const notExecutable = tree({}, (entries) =>
      entries.map((e) => (e.path.endsWith('/bin/run') ? { ...e, mode: 0o644 } : e)),
    );
    expect(extensionTreeProblems(notExecutable)).toEqual([
      at('entrypoint /bin/run is not an executable file in the container rootfs'),
    ]);
    const noRootfs = tree({}, (entries) =>
      entries.filter((e) => !e.path.startsWith('rootfs/usr/local/lib/containers/demo')),
    );
    expect(extensionTreeProblems(noRootfs)).toEqual([
      at('container rootfs /usr/local/lib/containers/demo/ is missing'),
    ]);
  });

  it('service: a definition that is not YAML is reported, not thrown', () => {
    const problems = extensionTreeProblems(tree({ service: 'name: [demo\n' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^rootfs\/usr\/local\/etc\/containers\/demo\.yaml is not valid YAML \(.+\)$/,
    );
  });

  it('reports every problem of a tree, in a stable order', () => {
    const entries = tree(
      { manifest: manifest({ name: '' }), service: service({ restart: 'sometimes' }) },
      plus(file('rootfs/usr/bin/x', 'x', 0o666)),
    );
    expect(extensionTreeProblems(entries)).toEqual([
      'world-writable files are not allowed: /usr/bin/x (mode 0666)',
      '/usr/bin/x is outside the paths Talos allows (/usr/local/, /usr/lib/modules/, /usr/lib/firmware/, /usr/lib/udev/rules.d/, /etc/cri/conf.d/)',
      'manifest.yaml: metadata.name must be a non-empty string',
      at('restart must be one of always, never, untilSuccess'),
    ]);
  });
});

const itWithBusybox = haveBusybox ? it : it.skip;
if (!haveBusybox) console.warn(BUSYBOX_SKIP);

describe('buildExtensionImage reads its sources strictly', () => {
  let work: string;
  let source: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'tl-ext-src-'));
    source = join(work, 'src');
    cpSync(join(projectRoot, 'extension'), source, { recursive: true });
  });
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });
  const build = () =>
    buildExtensionImage({
      version: '1.2.3',
      arch: process.arch === 'arm64' ? 'arm64' : 'amd64',
      tag: 'test',
      busyboxPath: busybox,
      sourceDir: source,
    });
  const refused = (message: string) => ({ code: 'invalid-input', field: 'sourceDir', message });

  itWithBusybox('needs the version placeholder in manifest.yaml exactly once', async () => {
    const path = join(source, 'manifest.yaml');
    const text = readFileSync(path, 'utf8');
    const expected = refused(
      'sourceDir: manifest.yaml must hold the @VERSION@ placeholder exactly once',
    );
    writeFileSync(path, text.replace('"@VERSION@"', 'v1.0.0'));
    await expect(build()).rejects.toMatchObject(expected);
    writeFileSync(path, `${text}# @VERSION@\n`);
    await expect(build()).rejects.toMatchObject(expected);
  });

  itWithBusybox(
    'names the source directory when manifest.yaml is missing or not a file',
    async () => {
      rmSync(join(source, 'manifest.yaml'));
      await expect(build()).rejects.toMatchObject(
        refused(
          `sourceDir: cannot read the extension sources in ${source}: no such file or directory`,
        ),
      );
      cpSync(join(source, 'rootfs'), join(source, 'manifest.yaml'), { recursive: true });
      await expect(build()).rejects.toMatchObject(
        refused(
          `sourceDir: cannot read the extension sources in ${source}: a directory, not a regular file`,
        ),
      );
    },
  );

  itWithBusybox('refuses sources that already hold the busybox the builder adds', async () => {
    const bin = join(source, 'rootfs/usr/local/lib/containers/longhorn-v2-node/bin');
    cpSync(busybox, join(bin, 'busybox'));
    await expect(build()).rejects.toMatchObject(
      refused(
        'sourceDir: the sources must not contain /rootfs/usr/local/lib/containers/longhorn-v2-node/bin/busybox; the builder adds busybox',
      ),
    );
  });

  itWithBusybox('packs a symlink of the sources as a symlink, as tar lists it', async () => {
    symlinkSync('lib/containers', join(source, 'rootfs/usr/local/containers'));
    const image = await build();
    const layer = image.blobs.find((blob) => blob.bytes.length === image.layerSize);
    expect(layer).toBeDefined();
    // The system's tar, not our reader, lists the layer.
    const listing = spawnSync('tar', ['-tvf', '-'], { input: layer?.bytes, encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const line = listing.stdout.split('\n').find((l) => l.includes('rootfs/usr/local/containers'));
    expect(line).toMatch(/^lrwxrwxrwx 0\/0 .* rootfs\/usr\/local\/containers -> lib\/containers$/);
  });
});
