import { isTalosLonghornError } from '../../errors.js';
import { CPU_FLAGS, KERNEL_REQUIREMENTS } from '../../longhorn/requirements.js';
import {
  parseTalosVersion,
  SUPPORTED_TALOS_VERSIONS,
  type TalosVersion,
} from '../../talos/versions.js';
import { type CheckDefinition, fail, pass, skip, skipUnobserved, warn } from '../check.js';
import type { NodeFacts } from '../facts.js';
import { parseKernelRelease } from '../parse.js';
import { REMEDY } from '../remedies.js';

const SUPPORTED = `${SUPPORTED_TALOS_VERSIONS[0]} to ${SUPPORTED_TALOS_VERSIONS.at(-1)}`;

/** The node's Talos minor version, or why it is not known / not supported. */
export function nodeTalosVersion(
  facts: NodeFacts,
): { readonly version: TalosVersion } | { readonly reason: string } {
  if (!facts.talos.ok) return { reason: facts.talos.reason };
  try {
    return { version: parseTalosVersion(facts.talos.value.tag, 'version') };
  } catch (err) {
    if (!isTalosLonghornError(err)) throw err;
    return { reason: `Talos ${facts.talos.value.tag} is not a supported version` };
  }
}

export const talosVersionCheck: CheckDefinition = {
  id: 'talos-version',
  group: 'base',
  summary: `Talos is a version this project configures (${SUPPORTED})`,
  reads: () => ['talos'],
  run(facts) {
    if (!facts.talos.ok) return skipUnobserved(facts.talos);
    const known = nodeTalosVersion(facts);
    if ('reason' in known) {
      return fail(
        `Talos ${facts.talos.value.tag}: not a supported version (${SUPPORTED})`,
        REMEDY.talos(SUPPORTED),
      );
    }
    return pass(`Talos ${facts.talos.value.tag}`);
  },
};

function atLeast(
  version: { major: number; minor: number },
  [major, minor]: readonly [number, number],
) {
  return version.major > major || (version.major === major && version.minor >= minor);
}

export const kernelVersionCheck: CheckDefinition = {
  id: 'kernel-version',
  group: 'v2',
  summary: `kernel ${KERNEL_REQUIREMENTS.minimum.join('.')}+ (fail below), ${KERNEL_REQUIREMENTS.recommended.join('.')}+ recommended (warn below)`,
  reads: () => ['kernel'],
  run(facts) {
    if (!facts.kernel.ok) return skipUnobserved(facts.kernel);
    const { release } = facts.kernel.value;
    const version = parseKernelRelease(release);
    if (version === undefined)
      return skip(`cannot check: kernel release ${JSON.stringify(release)} has no version number`);
    const minimum = KERNEL_REQUIREMENTS.minimum.join('.');
    const recommended = KERNEL_REQUIREMENTS.recommended.join('.');
    if (!atLeast(version, KERNEL_REQUIREMENTS.minimum)) {
      return fail(
        `kernel ${release} is older than ${minimum}, the v2 engine's minimum`,
        REMEDY.kernel,
      );
    }
    if (!atLeast(version, KERNEL_REQUIREMENTS.recommended)) {
      return warn(
        `kernel ${release} is older than ${recommended}: NVMe/TCP has a known memory-corruption issue before ${recommended}`,
        REMEDY.kernel,
      );
    }
    return pass(`kernel ${release}`);
  },
};

export const cpuFlagsCheck: CheckDefinition = {
  id: 'cpu-flags',
  group: 'v2',
  summary: `CPU has ${CPU_FLAGS.amd64} (amd64) or ${CPU_FLAGS.arm64} (arm64)`,
  reads: () => ['cpu'],
  run(facts) {
    if (!facts.cpu.ok) return skipUnobserved(facts.cpu);
    const { arch, flags } = facts.cpu.value;
    if (arch === 'unknown') return skip('cannot check: /proc/cpuinfo names no CPU flags');
    const flag = CPU_FLAGS[arch];
    if (!flags.includes(flag)) {
      return fail(`${arch} CPU lacks the ${flag} flag the v2 engine needs`, REMEDY.optOut);
    }
    return pass(`${arch} CPU has ${flag}`);
  },
};
