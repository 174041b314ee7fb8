// A node's identity read over the Talos API: COSI Identities (os:reader is enough) → machine-id
// → IQN/NQN, and, when the role allows Read (os:admin), a comparison with the node's own files.
import { TalosLonghornError } from '../errors.js';
import { compareIdentityFiles, type FileMismatch } from '../identity/compare.js';
import { deriveIdentity, type Identity, identityFiles } from '../identity/derive.js';
import type { TalosClient } from './client.js';

export { compareIdentityFiles, type FileMismatch };

/**
 * The COSI resource holding a node's identity (`spec.nodeId`, Talos >= 1.10):
 * `Identities.cluster.talos.dev` `cluster/local`.
 */
export const IDENTITY_RESOURCE = {
  namespace: 'cluster',
  type: 'Identities.cluster.talos.dev',
  id: 'local',
} as const;

/**
 * Whether the node's identity files were compared with the derived identity: the mismatches found,
 * or why they were not read.
 */
export type FileCheck =
  | { readonly checked: true; readonly mismatches: readonly FileMismatch[] }
  | { readonly checked: false; readonly reason: string };

/**
 * A node's identity read over the API (`readNodeIdentity`): derived from its node id, with the
 * check of its identity files.
 */
export interface NodeIdentity extends Identity {
  readonly node: string;
  readonly files: FileCheck;
}

/** Identity files are a few dozen bytes; anything bigger is not one. */
const MAX_IDENTITY_FILE_BYTES = 4096;

/**
 * Whether `readNodeIdentity` reads the identity files: `auto` when the certificate has `os:admin`,
 * `always` (fails without it), `never`.
 */
export type FileCheckMode = 'auto' | 'always' | 'never';

/**
 * Read one node's identity. `checkFiles`: `auto` reads the files when the client certificate
 * has os:admin, `always` insists (a reader role then fails), `never` skips them.
 */
export async function readNodeIdentity(
  client: TalosClient,
  node: string,
  checkFiles: FileCheckMode = 'auto',
): Promise<NodeIdentity> {
  const { namespace, type, id } = IDENTITY_RESOURCE;
  const resource = await client.getResource(node, namespace, type, id);
  const spec = resource.spec as { nodeId?: unknown } | null;
  if (spec === null || typeof spec !== 'object' || typeof spec.nodeId !== 'string') {
    throw new TalosLonghornError('node-error', `${type} ${namespace}/${id} has no spec.nodeId`, {
      field: `node ${node}`,
    });
  }
  const identity = deriveIdentity({ nodeId: spec.nodeId });
  const canRead = client.roles.includes('os:admin');
  if (checkFiles === 'never' || (checkFiles === 'auto' && !canRead)) {
    const roles = client.roles.length ? client.roles.join(', ') : 'none';
    const reason =
      checkFiles === 'never'
        ? 'not requested'
        : `reading files needs os:admin; the client certificate has ${roles}`;
    return { node, ...identity, files: { checked: false, reason } };
  }
  const paths = identityFiles(identity).map((f) => `/${f.path}`);
  const contents = await Promise.all(
    paths.map((path) =>
      client.readFile(node, path, { maxBytes: MAX_IDENTITY_FILE_BYTES }).then(
        (bytes) => bytes.toString('utf8'),
        (err: unknown) => {
          if (err instanceof TalosLonghornError && err.code === 'not-found') return null;
          throw err;
        },
      ),
    ),
  );
  const actual = Object.fromEntries(paths.map((p, i) => [p, contents[i] ?? null]));
  return {
    node,
    ...identity,
    files: { checked: true, mismatches: compareIdentityFiles(identity, actual) },
  };
}
