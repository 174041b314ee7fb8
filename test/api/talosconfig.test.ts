import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkNodeName, endpointUrl } from '../../src/api/endpoints.js';
import { loadTalosConfig, parseTalosConfig } from '../../src/api/talosconfig.js';
import { TalosLonghornError } from '../../src/errors.js';
import { mintTestPki } from '../helpers/pki.js';
import { talosconfigText } from '../helpers/talos-server.js';

const pki = mintTestPki();
const b64 = (text: string) => Buffer.from(text).toString('base64');
const keyB64 = b64(pki.admin.talosKey);
const keyBody = pki.admin.key.split('\n')[1] ?? '';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-talosconfig-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function raw(context: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return stringify({ context: 'prod', contexts: { prod: context }, ...extra });
}

const good = {
  endpoints: ['10.0.0.1', '10.0.0.2:50001'],
  nodes: ['10.0.0.5'],
  ca: b64(pki.ca),
  crt: b64(pki.admin.cert),
  key: keyB64,
};

function expectError(fn: () => unknown, field: string, message: RegExp): TalosLonghornError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(TalosLonghornError);
  const err = caught as TalosLonghornError;
  expect(err.field).toBe(field);
  expect(err.message).toMatch(message);
  // Whatever went wrong, the key never appears in the message.
  expect(err.message).not.toContain(keyB64.slice(0, 40));
  expect(err.message).not.toContain(keyBody);
  return err;
}

describe('parseTalosConfig', () => {
  it('reads the current context: endpoints, nodes, roles, validity, relabelled key', () => {
    const ctx = parseTalosConfig(raw(good), { source: 'cfg' });
    expect(ctx).toMatchObject({
      name: 'prod',
      source: 'cfg',
      endpoints: ['10.0.0.1', '10.0.0.2:50001'],
      nodes: ['10.0.0.5'],
    });
    expect(ctx.certificate?.roles).toEqual(['os:admin']);
    expect(ctx.certificate?.issuedByCa).toBe(true);
    expect(ctx.certificate?.notAfter.getTime()).toBeGreaterThan(Date.now());
    const key = ctx.credentials.privateKeyPem() ?? '';
    expect(key.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(key).not.toContain('ED25519');
    expect(key).toBe(pki.admin.key);
  });

  it('never shows the key when the context is printed or serialised', () => {
    const ctx = parseTalosConfig(raw(good), { source: 'cfg' });
    for (const text of [JSON.stringify(ctx), inspect(ctx, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain(keyB64.slice(0, 40));
    }
  });

  it('the context option picks another context; an unknown one lists the known names', () => {
    const text = stringify({
      context: 'a',
      contexts: { a: good, b: { ...good, endpoints: ['b.example'] } },
    });
    expect(parseTalosConfig(text, { source: 'cfg', context: 'b' }).endpoints).toEqual([
      'b.example',
    ]);
    expectError(
      () => parseTalosConfig(text, { source: 'cfg', context: 'c' }),
      'context',
      /no context "c" in cfg; it has: a, b/,
    );
  });

  it('reader and operator roles come from the Organization entries', () => {
    const reader = parseTalosConfig(
      raw({ ...good, crt: b64(pki.reader.cert), key: b64(pki.reader.talosKey) }),
      { source: 'cfg' },
    );
    expect(reader.certificate?.roles).toEqual(['os:reader']);
    const both = pki.client(['os:operator', 'os:etcd:backup']);
    const ctx = parseTalosConfig(raw({ ...good, crt: b64(both.cert), key: b64(both.talosKey) }), {
      source: 'cfg',
    });
    expect(ctx.certificate?.roles).toEqual(['os:operator', 'os:etcd:backup']);
  });

  it('a context without crt/key is allowed (maintenance mode); half of a pair is not', () => {
    const { crt: _c, key: _k, ...noCert } = good;
    const ctx = parseTalosConfig(raw(noCert), { source: 'cfg' });
    expect(ctx.certificate).toBeUndefined();
    expect(ctx.credentials.hasClientCertificate).toBe(false);
    const { crt: _c2, ...keyOnly } = good;
    expectError(
      () => parseTalosConfig(raw(keyOnly), { source: 'cfg' }),
      'contexts.prod.crt',
      /crt and key must be given together/,
    );
  });

  const bad: [string, string, string, RegExp][] = [
    ['not YAML', 'a: [', 'talosconfig', /cfg is not valid YAML/],
    ['no contexts', 'context: x\n', 'talosconfig', /has no contexts/],
    [
      'no current context',
      stringify({ contexts: { a: good } }),
      'context',
      /names no current context/,
    ],
    [
      'ca missing',
      raw({ ...good, ca: undefined }),
      'contexts.prod.ca',
      /missing; expected base64 of a PEM block/,
    ],
    ['ca not PEM', raw({ ...good, ca: b64('hello') }), 'contexts.prod.ca', /labelled CERTIFICATE/],
    [
      'ca PEM garbage',
      raw({ ...good, ca: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') }),
      'contexts.prod.ca',
      /not a valid X\.509 certificate/,
    ],
    ['crt is a key', raw({ ...good, crt: keyB64 }), 'contexts.prod.crt', /labelled CERTIFICATE/],
    [
      'key is a cert',
      raw({ ...good, key: b64(pki.admin.cert) }),
      'contexts.prod.key',
      /PRIVATE KEY/,
    ],
    [
      'endpoints not a list',
      raw({ ...good, endpoints: 'x' }),
      'contexts.prod.endpoints',
      /list of non-empty strings/,
    ],
    [
      'empty node',
      raw({ ...good, nodes: [''] }),
      'contexts.prod.nodes',
      /list of non-empty strings/,
    ],
  ];
  it.each(bad)('%s → invalid-input naming the field', (_name, text, field, message) => {
    const err = expectError(() => parseTalosConfig(text, { source: 'cfg' }), field, message);
    expect(err.code).toBe('invalid-input');
  });
});

describe('loadTalosConfig', () => {
  it('--talosconfig, then $TALOSCONFIG, then ~/.talos/config', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.talos'), { recursive: true });
    const write = (path: string, endpoint: string) =>
      writeFile(path, talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [endpoint] }));
    await write(join(home, '.talos', 'config'), 'from-home');
    await write(join(dir, 'env.yaml'), 'from-env');
    await write(join(dir, 'flag.yaml'), 'from-flag');
    const env = { TALOSCONFIG: 'env.yaml' };
    const base = { cwd: dir, homeDir: home };
    expect((await loadTalosConfig({ ...base, env, path: 'flag.yaml' })).endpoints).toEqual([
      'from-flag',
    ]);
    expect((await loadTalosConfig({ ...base, env })).endpoints).toEqual(['from-env']);
    expect((await loadTalosConfig({ ...base, env: {} })).endpoints).toEqual(['from-home']);
  });

  it('a missing file names where the path came from, and every place looked at', async () => {
    const home = join(dir, 'empty-home');
    const err = await loadTalosConfig({
      cwd: dir,
      homeDir: home,
      serviceAccountDir: join(dir, 'no-sa'),
      env: { TALOSCONFIG: 'nope.yaml' },
    }).then(
      () => undefined,
      (e: unknown) => e as TalosLonghornError,
    );
    expect(err?.field).toBe('$TALOSCONFIG');
    expect(err?.message).toBe(
      `$TALOSCONFIG: cannot read talosconfig ${join(dir, 'nope.yaml')}: no such file (nor ${join(home, '.talos', 'config')}, ${join(dir, 'no-sa', 'config')})`,
    );
    const flag = await loadTalosConfig({ cwd: dir, path: 'nope.yaml' }).then(
      () => undefined,
      (e: unknown) => e as TalosLonghornError,
    );
    // The library names its option; the CLI shows it as --talosconfig.
    expect(flag?.field).toBe('path');
    expect(flag?.message).toBe(
      `path: cannot read talosconfig ${join(dir, 'nope.yaml')}: no such file`,
    );
  });

  it('as talosctl: a missing $TALOSCONFIG falls through to $TALOS_HOME, then the pod mount', async () => {
    // pkg/machinery/client/config/path.go: TALOSCONFIG, TALOS_HOME (absolute) or ~/.talos,
    // then /var/run/secrets/talos.dev/config; the first that exists wins.
    const talosHome = join(dir, 'talos-home');
    const sa = join(dir, 'sa');
    await mkdir(talosHome, { recursive: true });
    await mkdir(sa, { recursive: true });
    const write = (path: string, endpoint: string) =>
      writeFile(path, talosconfigText({ ca: pki.ca, client: pki.admin, endpoints: [endpoint] }));
    await write(join(sa, 'config'), 'from-pod');
    const base = { cwd: dir, homeDir: join(dir, 'nobody'), serviceAccountDir: sa };
    const env = { TALOSCONFIG: 'missing.yaml', TALOS_HOME: talosHome };
    expect((await loadTalosConfig({ ...base, env })).endpoints).toEqual(['from-pod']);
    await write(join(talosHome, 'config'), 'from-talos-home');
    expect((await loadTalosConfig({ ...base, env })).endpoints).toEqual(['from-talos-home']);
    // A relative TALOS_HOME is ignored, as talosctl does.
    const relative = { TALOS_HOME: 'talos-home' };
    expect((await loadTalosConfig({ ...base, env: relative })).endpoints).toEqual(['from-pod']);
  });
});

describe('endpoints and node names', () => {
  it('normalises endpoint forms to base URLs', () => {
    expect(endpointUrl('10.0.0.1', 'e')).toBe('https://10.0.0.1:50000');
    expect(endpointUrl('10.0.0.1:50001', 'e')).toBe('https://10.0.0.1:50001');
    expect(endpointUrl('https://talos.example:443', 'e')).toBe('https://talos.example:443');
    expect(endpointUrl('fd00::1', 'e')).toBe('https://[fd00::1]:50000');
    expect(endpointUrl('[fd00::1]:1234', 'e')).toBe('https://[fd00::1]:1234');
    for (const bad of ['', 'a b', 'host:0', 'host:70000', 'host:x', 'a:b:c', '[zz]:1', 'h/p']) {
      expect(() => endpointUrl(bad, '--endpoints')).toThrow(/--endpoints: /);
    }
  });

  it('never throws anything but a TalosLonghornError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const fn of [() => endpointUrl(text, 'e'), () => checkNodeName(text, 'n')]) {
          try {
            fn();
          } catch (err) {
            expect(err).toBeInstanceOf(TalosLonghornError);
          }
        }
      }),
    );
  });
});
