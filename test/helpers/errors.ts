import { TalosLonghornError } from '../../src/errors.js';

/** The `TalosLonghornError` that `fn` throws; anything else (or nothing) fails the test. */
export function errorOf(fn: () => unknown): TalosLonghornError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TalosLonghornError) return err;
    throw err;
  }
  throw new Error('expected a TalosLonghornError');
}

/** The `TalosLonghornError` that `promise` rejects with; anything else (or success) fails the test. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TalosLonghornError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection with a TalosLonghornError'),
    (err: unknown) => err,
  );
  if (outcome instanceof TalosLonghornError) return outcome;
  throw outcome;
}
