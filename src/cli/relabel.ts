import { TalosLonghornError } from '../errors.js';

/**
 * Library errors name the field of the input they were given (`busyboxPath`, `disks[1]`); the
 * CLI re-labels them with what the user typed (`--busybox`, `query.disks[1]`). `label` returns
 * the new field, or `undefined` to leave the error as it is.
 */
export function relabelField(err: unknown, label: (field: string) => string | undefined): unknown {
  if (!(err instanceof TalosLonghornError) || err.field === undefined) return err;
  const field = label(err.field);
  if (field === undefined) return err;
  return new TalosLonghornError(err.code, err.detail, { field, cause: err });
}

/** Re-label by a fixed table of library field → flag; sub-paths (`out.x`) map by their head. */
function relabelAsFlags(err: unknown, flags: Readonly<Record<string, string>>): unknown {
  return relabelField(err, (field) => {
    const head = /^[A-Za-z0-9]+/.exec(field)?.[0] ?? '';
    return Object.hasOwn(flags, head) ? flags[head] : undefined;
  });
}

/** Run `action`, re-labelling its errors by `flags`. */
export async function withFlags<T>(
  flags: Readonly<Record<string, string>>,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw relabelAsFlags(err, flags);
  }
}
