# shellcheck shell=sh
# Preflight facts, captured as `preflight --capture` lays them out: first from the bare guest,
# then after applying the patch's kernel modules (modprobe, names as written) and its
# vm.nr_hugepages. Both captures go onto the share (virtio disk vda) as one tar stream.
# shellcheck source=lib.sh
. /vm/lib.sh
MODULES=$(cmdline_value tlvm.modules | tr , ' ')
HUGEPAGES=$(cmdline_value tlvm.hugepages)

# capture DEST: the node files, directory listings and block-device files (uevent, size: the
# raw-partition facts) of /vm/capture.list.
capture() {
  while read -r kind path depth; do
    case $kind in
      file)
        [ -r "$path" ] || continue
        mkdir -p "$1${path%/*}"
        cat "$path" >"$1$path"
        ;;
      dir)
        [ -d "$path" ] || continue
        mkdir -p "$1$path"
        find "$path" -mindepth 1 -maxdepth "$depth" | while IFS= read -r entry; do
          if [ -L "$entry" ]; then
            mkdir -p "$1${entry%/*}"
            ln -s "$(readlink "$entry")" "$1$entry"
          elif [ -d "$entry" ]; then
            mkdir -p "$1$entry"
          fi
        done
        ;;
      block)
        for dev in "$path"/*; do
          mkdir -p "$1$dev"
          for f in uevent size; do
            if [ -r "$dev/$f" ]; then cat "$dev/$f" >"$1$dev/$f"; fi
          done
        done
        ;;
    esac
  done </vm/capture.list
}

modprobe virtio_pci; modprobe virtio_blk
for _ in $(seq 50); do [ -e /sys/class/block/vdb1 ] && break; sleep 0.1; done
mkdir -p /tmp/capture
capture /tmp/capture/bare
for m in $MODULES; do
  if out=$(modprobe "$m" 2>&1); then
    if grep -q "^$m " /proc/modules; then say prepare module "$m loaded"; else say prepare module "$m built-in"; fi
  else
    say prepare module "$m failed $(echo "$out" | tr '\n' ' ')"
  fi
done
sysctl -w "vm.nr_hugepages=$HUGEPAGES" >/dev/null
say prepare meminfo "$(grep '^HugePages_Total:' /proc/meminfo | tr -s ' ')"
capture /tmp/capture/prepared
say prepare partname "$(grep '^PARTNAME=' /sys/class/block/vdb1/uevent)"
tar -cf /dev/vda -C /tmp/capture . && say prepare share written
helper_once "LONGHORN_V2_MODULES=$MODULES" "LONGHORN_V2_HUGEPAGES=$HUGEPAGES" LONGHORN_V2_CLEANUP_MODE=off |
  while IFS= read -r line; do say prepare log "$line"; done
