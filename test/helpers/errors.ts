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
