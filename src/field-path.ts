/** A field path such as `nodes[2].disks[0]`, as segments: `['nodes', 2, 'disks', 0]`. */
export type FieldPath = readonly (string | number)[];

/** Write a field path as text: `['nodes', 2, 'disks', 0]` → `nodes[2].disks[0]`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** The inverse of `formatFieldPath` for the names this project uses (no dots or brackets). */
export function parseFieldPath(text: string): FieldPath {
  const path: (string | number)[] = [];
  for (const match of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) path.push(Number(match[2]));
    else if (match[1] !== undefined) path.push(match[1]);
  }
  return path;
}

/** A JSON pointer (Ajv's `instancePath`) as segments; array indexes become numbers. */
export function fieldPathFromPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((part) => {
      const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
      return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
    });
}
