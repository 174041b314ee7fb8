import type { CheckDefinition } from '../check.js';
import { dataPathCheck } from './data-path.js';
import { devFdCheck } from './dev-fd.js';
import { extensionsCheck, iscsidServiceCheck } from './extensions.js';
import { hugepagesCheck } from './hugepages.js';
import { identityFilesCheck } from './identity.js';
import { kernelModulesCheck, vfioIommuCheck } from './modules.js';
import { cpuFlagsCheck, kernelVersionCheck, talosVersionCheck } from './system.js';

/** Every check, in report order. */
export const PREFLIGHT_CHECKS: readonly CheckDefinition[] = [
  talosVersionCheck,
  kernelVersionCheck,
  cpuFlagsCheck,
  kernelModulesCheck,
  vfioIommuCheck,
  hugepagesCheck,
  devFdCheck,
  identityFilesCheck,
  extensionsCheck,
  iscsidServiceCheck,
  dataPathCheck,
];
