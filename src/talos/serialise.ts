import { TalosLonghornError } from '../errors.js';
import { yamlText } from '../yaml-text.js';
import type { TalosDocument } from './documents.js';

/**
 * Every `PatchFormat`: `yaml` (multi-document, for talosctl and Terraform), `json` (an array, for
 * programs).
 */
export const PATCH_FORMATS = ['yaml', 'json'] as const;
/** How `renderPatch` writes the documents. */
export type PatchFormat = (typeof PATCH_FORMATS)[number];

/** Options of `renderPatch`: the format and, for YAML, comment lines above the patch. */
export interface RenderPatchOptions {
  readonly format: PatchFormat;
  /** Comment lines above a YAML patch (each prefixed with `# `); JSON has no comments. */
  readonly header?: readonly string[];
}

/**
 * Serialise documents as a strategic-merge patch: multi-document YAML (`---` between documents)
 * for talosctl, Terraform and talhelper, or a JSON array of the documents for programs. Never
 * empty: Talos treats an empty patch as JSON6902, which fails on multi-document configs. Strings
 * are quoted wherever YAML 1.1 or 1.2 would read another type (`0000:01:00.0`, `on`; see yamlText).
 *
 * @example
 * ```ts
 * import { planNode, renderPatch, renderTalosDocuments } from 'talos-longhorn';
 * const documents = renderTalosDocuments(planNode({ disks: ['0000:01:00.0'] }), '1.14');
 * // A patch for talosctl (--config-patch), Terraform's config_patches or talhelper:
 * const patch = renderPatch(documents, { format: 'yaml' });
 * ```
 */
export function renderPatch(
  documents: readonly TalosDocument[],
  options: RenderPatchOptions = { format: 'yaml' },
): string {
  if (documents.length === 0) {
    throw new TalosLonghornError('internal', 'refusing to render an empty patch');
  }
  if (options.format === 'json') return `${JSON.stringify(documents, null, 2)}\n`;
  const header = (options.header ?? []).map((line) => `# ${line}\n`).join('');
  return header + documents.map((document) => yamlText(document)).join('---\n');
}
