# shellcheck shell=sh
# What the node offers against what the settings expect: kernel modules, 2 MiB huge pages and
# the IOMMU groups of the v2 disks given by PCI address. Report only; nothing is changed.

findings_report() {
  set -f # split the lists on blanks, never expand them as file names
  # shellcheck disable=SC2086
  set -- $MODULES
  set +f
  for FINDING_MODULE in "$@"; do
    finding_module "$(printf '%s' "$FINDING_MODULE" | tr '-' '_')"
  done
  [ -n "$HUGEPAGES" ] && finding_hugepages
  set -f
  # shellcheck disable=SC2086
  set -- $PCI_DEVICES
  set +f
  for FINDING_BDF in "$@"; do
    finding_iommu "$FINDING_BDF"
  done
}

# A module counts when loaded (/proc/modules) or built in (/sys/module/<name> without being
# listed in /proc/modules): nvme_tcp is built into Talos's kernel.
finding_module() {
  case $1 in
    '' | *[!a-z0-9_]*)
      note "modules: \"$1\" is not a kernel module name; skipped"
      return 0
      ;;
  esac
  if grep -q "^$1 " "${ROOT}proc/modules" 2>/dev/null; then
    note "modules: $1 is loaded"
  elif [ -d "${ROOT}sys/module/$1" ]; then
    note "modules: $1 is built into the kernel"
  else
    note "modules: $1 is MISSING (not in /proc/modules, no /sys/module/$1)"
  fi
}

finding_hugepages() {
  HP_FILE="${ROOT}sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
  if [ -r "$HP_FILE" ]; then
    HP_HAVE=$(cat "$HP_FILE")
  elif grep -q '^Hugepagesize: *2048 kB' "${ROOT}proc/meminfo" 2>/dev/null; then
    HP_HAVE=$(sed -n 's/^HugePages_Total: *\([0-9]*\).*/\1/p' "${ROOT}proc/meminfo")
  else
    note "hugepages: cannot read the 2 MiB huge page count; $HUGEPAGES expected"
    return 0
  fi
  case $HP_HAVE in '' | *[!0-9]*) HP_HAVE=0 ;; esac
  if [ "$HP_HAVE" -ge "$HUGEPAGES" ]; then
    note "hugepages: $HP_HAVE 2 MiB pages reserved, $HUGEPAGES expected (ok)"
  else
    note "hugepages: only $HP_HAVE 2 MiB pages reserved, $HUGEPAGES expected (set vm.nr_hugepages; the kubelet reports new capacity after it restarts)"
  fi
}

finding_iommu() {
  case $1 in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[01][0-9a-f].[0-7]) ;; # device <= 1f, function <= 7
    *)
      note "iommu: \"$1\" is not a PCI address like 0000:01:00.0; skipped"
      return 0
      ;;
  esac
  IOMMU_DEV="${ROOT}sys/bus/pci/devices/$1"
  if [ ! -e "$IOMMU_DEV" ]; then
    note "iommu: $1 is not on this node"
    return 0
  fi
  IOMMU_DRIVER=none
  [ -L "$IOMMU_DEV/driver" ] && IOMMU_DRIVER=$(basename "$(readlink "$IOMMU_DEV/driver")")
  if [ ! -L "$IOMMU_DEV/iommu_group" ]; then
    note "iommu: $1 (driver $IOMMU_DRIVER) has no IOMMU group; vfio-pci needs the IOMMU enabled, uio_pci_generic does not"
    return 0
  fi
  IOMMU_GROUP=$(basename "$(readlink "$IOMMU_DEV/iommu_group")")
  IOMMU_OTHERS=$(dir_entries "${ROOT}sys/kernel/iommu_groups/$IOMMU_GROUP/devices" "$1")
  if [ -z "$IOMMU_OTHERS" ]; then
    note "iommu: $1 (driver $IOMMU_DRIVER) is alone in IOMMU group $IOMMU_GROUP (ok for vfio-pci)"
  else
    note "iommu: $1 (driver $IOMMU_DRIVER) shares IOMMU group $IOMMU_GROUP with $IOMMU_OTHERS; vfio-pci must own the whole group, so use AIO for this disk or isolate it"
  fi
}
