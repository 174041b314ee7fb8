/**
 * The one rule for a Talos disk selector (a CEL expression such as `system_disk` or
 * `disk.transport == "nvme" && !system_disk`) given by the user, wherever it goes: the data
 * path's `UserVolumeConfig` and the raw partition's `RawVolumeConfig`.
 */
import { invalidInput } from '../errors.js';
import { checkTextField } from '../text-field.js';

/** Longest disk selector accepted (a bound on what we write; Talos sets none). */
export const MAX_DISK_SELECTOR_LENGTH = 1024;

/**
 * A disk selector: a non-empty string of one line (no control characters or Unicode line or
 * paragraph separators, see `checkTextField`), at most `MAX_DISK_SELECTOR_LENGTH` characters.
 * Returns it without surrounding blanks; throws `invalid-input` naming `field`.
 */
export function checkDiskSelector(selector: unknown, field: string): string {
  if (typeof selector !== 'string' || selector.trim() === '') {
    throw invalidInput(
      field,
      'empty disk selector; expected a Talos CEL expression such as system_disk',
    );
  }
  if (selector.length > MAX_DISK_SELECTOR_LENGTH) {
    throw invalidInput(
      field,
      `expected one line of at most ${MAX_DISK_SELECTOR_LENGTH} characters`,
    );
  }
  return checkTextField(selector, field).trim();
}
