/**
 * What a node directory holds besides the node's own files: the answers of the Talos API that
 * have no file on the node. `preflight --capture` writes them; the local-root source reads them.
 *
 *   talos-api/version.yaml                     tag, arch (the Version call)
 *   talos-api/resources/<Type>.yaml           `talosctl get <type> -o yaml` documents
 *                                              (metadata.id + spec), one per resource
 *
 * Files written by hand from `talosctl get extensionstatuses -o yaml > …` are read the same way.
 *
 * A symlink the source listed without its target is saved pointing to `UNKNOWN_LINK_TARGET`
 * and read back as "a symlink, target unknown", so the snapshot says no more than was seen.
 */
export const UNKNOWN_LINK_TARGET = '(target not reported by the source)';
const SNAPSHOT_API_DIR = 'talos-api';
export const SNAPSHOT_VERSION_FILE = `${SNAPSHOT_API_DIR}/version.yaml`;

export function snapshotResourceFile(type: string): string {
  return `${SNAPSHOT_API_DIR}/resources/${type}.yaml`;
}
