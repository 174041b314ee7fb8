import { renderClusterFiles } from '../plan/render.js';
import type { ResolvedPlan } from '../plan/types.js';
import { type WriteFilesResult, writeFiles } from './write.js';

export type { WriteFilesResult } from './write.js';

/**
 * Write every file of a resolved plan (`renderClusterFiles`) into `dir`, created when missing:
 * all or none, never through a symlink or onto a special file, and files that already hold the
 * right bytes are left untouched. Files of nodes no longer in the plan are not removed. Throws
 * `TalosLonghornError` with code `io` (field `dir`) naming the path when the directory cannot be
 * written; `options.label` is how `dir` is named in that message (default: `dir` as given).
 *
 * @example
 * ```ts
 * import { resolvePlan, validatePlan, writeClusterFiles } from 'talos-longhorn';
 * const plan = resolvePlan(validatePlan({ nodes: [{ name: 'storage-1' }] }));
 * const { written } = await writeClusterFiles(plan, 'cluster');
 * ```
 */
export function writeClusterFiles(
  plan: ResolvedPlan,
  dir: string,
  options: { readonly label?: string } = {},
): Promise<WriteFilesResult> {
  return writeFiles(dir, renderClusterFiles(plan), {
    field: 'dir',
    skipUnchanged: true,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}
