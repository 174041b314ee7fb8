import { TalosLonghornError } from '../errors.js';

/** The image architectures we build for, with their ELF machine numbers. */
export const ELF_MACHINE = { amd64: 62, arm64: 183 } as const;
/** An architecture the extension image is built for: `amd64` or `arm64`. */
export type ImageArch = keyof typeof ELF_MACHINE;

const PT_INTERP = 3;

/**
 * Check that `bytes` is a statically linked 64-bit little-endian ELF executable for `arch`:
 * right e_machine, and no PT_INTERP program header (a dynamic executable names its loader there,
 * which the extension's container does not have).
 */
export function checkStaticElf(bytes: Uint8Array, arch: ImageArch, field: string): void {
  const fail = (what: string) => {
    throw new TalosLonghornError('invalid-input', `${what}; expected a static ${arch} executable`, {
      field,
    });
  };
  if (
    bytes.length < 64 ||
    bytes[0] !== 0x7f ||
    bytes[1] !== 0x45 ||
    bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    fail('not an ELF file');
  }
  if (bytes[4] !== 2 || bytes[5] !== 1) fail('not a 64-bit little-endian ELF file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(16, true);
  if (type !== 2 && type !== 3) fail(`ELF type ${type} is not an executable`);
  const machine = view.getUint16(18, true);
  if (machine !== ELF_MACHINE[arch]) {
    const name = Object.entries(ELF_MACHINE).find(([, m]) => m === machine)?.[0];
    fail(
      `ELF machine ${machine}${name ? ` (${name})` : ''} does not match the target architecture ${arch}`,
    );
  }
  const phoff = Number(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phnum === 0 || phentsize < 4 || phoff + phnum * phentsize > bytes.length) {
    fail('ELF program headers are missing or truncated');
  }
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, true) === PT_INTERP) {
      fail('dynamically linked (it has a PT_INTERP program header)');
    }
  }
}
