/**
 * Files in and files out, for the CLI and the library alike: inputs are read only when they are
 * bounded regular files, outputs are written all or none, never through a symlink and never onto
 * a special file.
 */
export { errnoCode, errnoText } from './errno.js';
export { readBounded, readInputPath, readRegular, withDeadline } from './read.js';
export {
  type OutputFile,
  removeStaleTemporaries,
  stagingName,
  writeFiles,
} from './write.js';
