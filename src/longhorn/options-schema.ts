import { NODE_OPTION_DESCRIPTORS, nodeOptionsSchema } from './option-descriptors.js';
import type { NodeOptions } from './options.js';

export { NODE_OPTIONS_SCHEMA_ID } from './option-descriptors.js';

/**
 * The JSON Schema of `NodeOptions`, built from the option table (`NODE_OPTION_DESCRIPTORS`).
 * `schemas/node-options.schema.json` is this object, written out by `npm run generate` (a test
 * regenerates and compares). The schema checks shape and ranges; `planNode` adds what a schema
 * cannot say (page count against memory size, PCI address normalisation, contradictions).
 */
export const NODE_OPTIONS_SCHEMA: Readonly<Record<string, unknown>> =
  nodeOptionsSchema(NODE_OPTION_DESCRIPTORS);

/** The `NodeOptions` keys, in table order. */
export const NODE_OPTION_KEYS = NODE_OPTION_DESCRIPTORS.map(
  (option) => option.name,
) as readonly (keyof NodeOptions)[];

/**
 * The keys of the mapping at `path` inside node options (`[]` the options themselves,
 * `['rawPartition']`, `['extraModules', 0]`), read off `NODE_OPTIONS_SCHEMA`.
 */
export function nodeOptionKeysAt(path: readonly (string | number)[]): readonly string[] {
  let schema: Record<string, unknown> | undefined = NODE_OPTIONS_SCHEMA;
  for (const segment of path) {
    const next: unknown =
      typeof segment === 'number'
        ? schema?.items
        : (schema?.properties as Record<string, unknown> | undefined)?.[segment];
    schema =
      typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
  }
  return Object.keys((schema?.properties as object | undefined) ?? {});
}
