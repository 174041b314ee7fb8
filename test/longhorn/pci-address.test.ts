// One PCI address rule in two places: src/longhorn/pci-address.ts and the extension helper's
// finding_iommu (POSIX sh). Both run over the same addresses; the expected answer comes from
// the kernel's BDF layout (device 5 bits, function 3 bits), not from either implementation.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planNode } from '../../src/index.js';
import { isPciAddress } from '../../src/longhorn/pci-address.js';

const FINDINGS = fileURLToPath(
  new URL(
    '../../extension/rootfs/usr/local/lib/containers/longhorn-v2-node/helper/findings.sh',
    import.meta.url,
  ),
);

/** Run the helper's finding_iommu on each address; true when it did not call it malformed. */
function helperAccepts(addresses: readonly string[]): boolean[] {
  const script = `note() { printf '%s\\n' "$*"; }
ROOT=/nonexistent/
. "$1"
shift
for a in "$@"; do
  if finding_iommu "$a" | grep -q 'is not a PCI address'; then echo no; else echo yes; fi
done`;
  const result = spawnSync('sh', ['-c', script, 'sh', FINDINGS, ...addresses], {
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => line === 'yes');
}

function kernelRule(text: string): boolean {
  const match = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-9a-f])$/.exec(text);
  if (match === null) return false;
  return Number.parseInt(match[3] ?? '', 16) <= 0x1f && Number.parseInt(match[4] ?? '', 16) <= 7;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

describe('the PCI address rule', () => {
  const edges = [
    '0000:01:00.0',
    '0000:00:1f.7',
    '0000:00:20.0',
    '0000:00:1f.8',
    'ffff:ff:1f.7',
    '0000:01:00.f',
    '0000:01:ff.0',
    '0000:01:00',
    '0000:01:00.0 ',
    'ABCD:01:00.0',
  ];

  it('agrees with the kernel layout and with the extension helper on edge cases', () => {
    const helper = helperAccepts(edges);
    edges.forEach((address, i) => {
      expect(isPciAddress(address), address).toBe(kernelRule(address));
      expect(helper[i], address).toBe(kernelRule(address));
    });
  });

  it('agrees on random hex addresses of the right shape', () => {
    const address = fc
      .tuple(fc.nat(0xffff), fc.nat(0xff), fc.nat(0xff), fc.nat(0xf))
      .map(([d, b, s, f]) => `${hex(d, 4)}:${hex(b, 2)}:${hex(s, 2)}.${hex(f, 1)}`);
    const sample = fc.sample(address, { numRuns: 200, seed: 11 });
    const helper = helperAccepts(sample);
    sample.forEach((a, i) => {
      expect(isPciAddress(a), a).toBe(kernelRule(a));
      expect(helper[i], a).toBe(kernelRule(a));
    });
  });

  it('is what the disks option enforces, with a one-line error naming the limits', () => {
    expect(planNode({ disks: ['0000:00:1F.7'] }).disks[0]).toMatchObject({
      kind: 'pci',
      address: '0000:00:1f.7',
    });
    expect(planNode({ disks: ['03:00.1'] }).disks[0]).toMatchObject({ address: '0000:03:00.1' });
    for (const bad of ['0000:00:20.0', '0000:01:00.8', '01:00.9']) {
      expect(() => planNode({ disks: [bad] })).toThrow(
        /^disks\[0\]: .* is not a PCI address; .*device at most 1f, function at most 7/,
      );
    }
  });
});
