/**
 * The one PCI address rule (`DDDD:BB:DD.F`, lower-case hex): domain and bus any hex, device at
 * most 0x1f (5 bits), function at most 7 (3 bits), as the kernel names devices in
 * /sys/bus/pci/devices. The extension helper's `finding_iommu` (extension/…/helper/findings.sh)
 * applies the same rule; a test runs both over the same addresses.
 */
export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

export function isPciAddress(text: string): boolean {
  return PCI_ADDRESS.test(text);
}
