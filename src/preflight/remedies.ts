/**
 * The remedies checks point to, in one place, so each names the same `talos-longhorn patch`
 * flag or extension as the rest of the project. Flag names follow `src/cli/node-flags.ts`.
 */
const PATCH = 'talos-longhorn patch';

export const REMEDY = {
  applyPatch: (what: string) =>
    `apply the patch from \`${PATCH}\` with the same flags (it configures ${what}), then reboot the node`,
  hugepages: (pages: number) =>
    `apply \`${PATCH}\` (it sets vm.nr_hugepages=${pages}; change it with --memory-size or --hugepages), reboot, then restart the kubelet so it reports hugepages-2Mi`,
  freeHugepages: `free huge pages on the node or raise the reservation with \`${PATCH} --hugepages N\``,
  optOut: `opt the node out of the v2 engine with \`${PATCH} --disable-v2\``,
  kernel: 'upgrade Talos to a release whose kernel is 6.7 or later (Talos 1.9+ ships 6.12)',
  talos: (supported: string) => `upgrade Talos to a supported release (${supported})`,
  extension: (name: string) =>
    name === 'longhorn-v2-node'
      ? 'add the longhorn-v2-node system extension to the node image (`talos-longhorn extension`) and keep its service configured (no --no-extension)'
      : `add the official extension siderolabs/${name} to the node's schematic (\`talos-longhorn schematic\`) and upgrade the node to that image`,
  devFd:
    'install the longhorn-v2-node system extension (`talos-longhorn extension`): its service recreates /dev/fd and /dev/std{in,out,err} at every boot; Talos >= 1.9 does not create them',
  iommu:
    "enable the IOMMU (VT-d / AMD-Vi in firmware; intel_iommu=on or amd_iommu=on in the schematic's extraKernelArgs)",
  sharedGroup: (disk: string) =>
    `VFIO must own the whole IOMMU group: give the disk by its /dev path (AIO) instead of --disk ${disk}, or move it to a slot with its own group`,
  identity: (machineId: string) =>
    `compare with \`talos-longhorn identity --machine-id ${machineId}\`; on Talos >= 1.10 these files are derived at boot, so a different value comes from an outdated iscsi-tools extension: upgrade it to the release matching Talos`,
  restartKubelet: (node: string) =>
    `restart kubelet so it reads the huge pages again: talosctl -n ${node} service kubelet restart`,
  dataPath: (path: string) =>
    `apply \`${PATCH} --data-path\` (it provides ${path}) and reboot the node`,
} as const;
