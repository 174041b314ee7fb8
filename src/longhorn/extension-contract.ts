/**
 * The contract between the generator (which emits an `ExtensionServiceConfig`), the
 * `longhorn-v2-node` extension's node helper (which reads these variables) and the preflight.
 * Change a name here and in `extension/` together.
 */
export const EXTENSION_NAME = 'longhorn-v2-node';

/**
 * The environment variables the extension's node helper reads, by meaning; the generator writes
 * them into the `ExtensionServiceConfig`.
 */
export const EXTENSION_ENV = {
  /** Space-separated kernel modules the node is expected to have (loaded or built in). */
  modules: 'LONGHORN_V2_MODULES',
  /** Expected count of 2 MiB huge pages. */
  hugepages: 'LONGHORN_V2_HUGEPAGES',
  /** Space-separated PCI addresses (BDF) of v2 disks, checked for IOMMU groups. */
  pciDevices: 'LONGHORN_V2_PCI_DEVICES',
  /** `off`, `report` or `remove`. */
  cleanupMode: 'LONGHORN_V2_CLEANUP_MODE',
  /** Seconds between leftover-device scans. */
  cleanupInterval: 'LONGHORN_V2_CLEANUP_INTERVAL',
} as const;

/**
 * What the extension does with leftover v2 devices unless told otherwise: report them, remove
 * nothing.
 */
export const DEFAULT_CLEANUP_MODE = 'report';
/** Seconds between the extension's leftover-device scans unless told otherwise. */
export const DEFAULT_CLEANUP_INTERVAL_SECONDS = 60;
