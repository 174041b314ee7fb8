/**
 * Files in and files out, for the CLI and the library alike: inputs are read only when they are
 * bounded regular files, outputs are written all or none, never through a symlink and never onto
 * a special file.
 */
export { makeDirectories } from './dirs.js';
export { errnoCode, errnoText } from './errno.js';
export { fileKind } from './file-kind.js';
export {
  type ByteStream,
  type RegularRead,
  readAtMost,
  readBounded,
  readInputPath,
  readRegular,
  withDeadline,
} from './read.js';
export {
  type OutputFile,
  outputPathParts,
  removeStaleTemporaries,
  stagingName,
  type WriteFilesOptions,
  type WriteFilesResult,
  writeFiles,
} from './write.js';
