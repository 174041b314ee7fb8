/** The `code` of a Node system error (`ENOENT`, `EISDIR`, …), when there is one. */
export function errnoCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'on another file system',
  ENOTEMPTY: 'directory not empty',
  EFBIG: 'file too large',
};

/** `ENOENT: no such file…` → `no such file or directory`, without the path twice. */
export function errnoText(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined) return ERRNO_TEXT[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}
