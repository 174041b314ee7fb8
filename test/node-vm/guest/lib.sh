# shellcheck shell=sh
# Shared by the guest scripts of the node test bed (busybox sh).

say() {
  printf '@@ %s\n' "$*"
}

# The value of word NAME=VALUE on the kernel command line.
cmdline_value() {
  tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"
}

# The container the extension's service runs in, rebuilt from its rootfs and the mounts of
# its service file (longhorn-v2-node.yaml), plus what containerd's default spec adds (/proc,
# /sys) and /lib64 (the Debian dmsetup's glibc loader; Talos's dmsetup is musl in /lib).
CONTAINER=/usr/local/lib/containers/longhorn-v2-node
container_setup() {
  [ -d "$CONTAINER/host/proc" ] && return 0
  for d in dev proc sys host/proc host/usr/bin host/sbin lib lib64 usr/lib; do
    mkdir -p "$CONTAINER/$d" "/$d"
  done
  mount --rbind /dev "$CONTAINER/dev"
  mount -t proc proc "$CONTAINER/proc"
  mount --rbind /sys "$CONTAINER/sys"
  mount --rbind /proc "$CONTAINER/host/proc"
  mount --bind /usr/bin "$CONTAINER/host/usr/bin"
  mount --bind /sbin "$CONTAINER/host/sbin"
  mount --bind /lib "$CONTAINER/lib"
  mount --bind /lib64 "$CONTAINER/lib64"
  mount --bind /usr/lib "$CONTAINER/usr/lib"
}

# One pass of the helper inside that container; extra NAME=VALUE settings as arguments.
helper_once() {
  container_setup
  env -i PATH=/host/usr/bin:/host/sbin "$@" chroot "$CONTAINER" /bin/busybox sh /helper/node-helper.sh --once
}

NVMET=/sys/kernel/config/nvmet
LONGHORN_NQN_PREFIX=nqn.2023-01.io.longhorn.spdk:

# The kernel's NVMe-oF target on loopback TCP stands in for SPDK; the host side is nvme_tcp.
fabric_setup() {
  modprobe loop && modprobe dm_mod && modprobe dm_crypt && modprobe nvmet && modprobe nvmet_tcp && modprobe nvme_tcp || return 1
  grep -q configfs /proc/mounts || mount -t configfs configfs /sys/kernel/config
  ip link set lo up
  ip addr add 127.0.0.1/8 dev lo 2>/dev/null
  mkdir -p "$NVMET/ports/1"
  echo tcp >"$NVMET/ports/1/addr_trtype"
  echo ipv4 >"$NVMET/ports/1/addr_adrfam"
  echo 127.0.0.1 >"$NVMET/ports/1/addr_traddr"
  echo 4420 >"$NVMET/ports/1/addr_trsvcid"
  mkdir -p /dev/longhorn /tmp/backing
}

# target_add NQN: a subsystem with one file-backed 64 MiB namespace, exported on the port.
target_add() {
  mkdir "$NVMET/subsystems/$1"
  echo 1 >"$NVMET/subsystems/$1/attr_allow_any_host"
  mkdir "$NVMET/subsystems/$1/namespaces/1"
  TA_FILE=/tmp/backing/$(echo "$1" | tr ':/' '__')
  truncate -s 64M "$TA_FILE"
  echo "$TA_FILE" >"$NVMET/subsystems/$1/namespaces/1/device_path"
  # tmpfs has no O_DIRECT, which the file backend uses unless told otherwise.
  echo 1 >"$NVMET/subsystems/$1/namespaces/1/buffered_io"
  echo 1 >"$NVMET/subsystems/$1/namespaces/1/enable"
  ln -s "$NVMET/subsystems/$1" "$NVMET/ports/1/subsystems/$1"
}

# The instance-manager crash: the target stops exporting the subsystem (its controllers drop).
target_vanish() {
  rm "$NVMET/ports/1/subsystems/$1"
}

# host_connect NQN CTRL_LOSS_TMO: connect, then print the namespace block device (nvmeXnY).
host_connect() {
  echo "transport=tcp,traddr=127.0.0.1,trsvcid=4420,nqn=$1,ctrl_loss_tmo=$2,reconnect_delay=1" >/dev/nvme-fabrics || return 1
  for _ in $(seq 300); do
    for HC_SUB in /sys/class/nvme-subsystem/*; do
      [ "$(cat "$HC_SUB/subsysnqn" 2>/dev/null)" = "$1" ] || continue
      for HC_NS in "$HC_SUB"/nvme*n*; do
        [ -e "$HC_NS/dev" ] && echo "${HC_NS##*/}" && return 0
      done
    done
    sleep 0.2
  done
  return 1
}

# dm_linear NAME DEVICE: a linear dm device over the whole block device, and its
# /dev/longhorn/NAME node (as Longhorn's instance-manager makes them).
dm_linear() {
  DL_SECTORS=$(cat "/sys/class/block/$2/size")
  DL_DEVNO=$(cat "/sys/class/block/$2/dev")
  dmsetup create --noudevsync --table "0 $DL_SECTORS linear $DL_DEVNO 0" -- "$1" || return 1
  longhorn_node "$1"
}

longhorn_node() {
  LN_DEVNO=$(dmsetup info -c --noheadings -o major,minor -- "$1") || return 1
  rm -f -- "/dev/longhorn/$1"
  mknod -- "/dev/longhorn/$1" b "${LN_DEVNO%%:*}" "${LN_DEVNO#*:}"
}

# A Longhorn volume: target, host connection with the given ctrl_loss_tmo, dm, node.
volume() {
  V_NQN="$LONGHORN_NQN_PREFIX$1-e-0"
  target_add "$V_NQN"
  V_NS=$(host_connect "$V_NQN" "$2") || {
    say "${SCENARIO:-setup}" error "cannot connect $V_NQN"
    return 1
  }
  dm_linear "$1" "$V_NS"
}

# The dm device of a name, e.g. dm-3.
dm_of() {
  for DO_DIR in /sys/block/dm-*; do
    [ "$(cat "$DO_DIR/dm/name")" = "$1" ] && echo "${DO_DIR##*/}" && return 0
  done
  return 1
}

# Wait until the controller of NQN is gone (ctrl_loss_tmo expired) or in state $2.
wait_controller() {
  for _ in $(seq 300); do
    WC_FOUND=''
    for WC_CTRL in /sys/class/nvme/nvme*; do
      [ "$(cat "$WC_CTRL/subsysnqn" 2>/dev/null)" = "$1" ] || continue
      WC_FOUND=$(cat "$WC_CTRL/state" 2>/dev/null)
    done
    [ "$WC_FOUND" = "${2:-}" ] && return 0
    sleep 0.2
  done
  return 1
}

# Sorted, space-separated names of all dm devices and of /dev/longhorn entries.
dm_names() {
  for DN in /sys/block/dm-*/dm/name; do [ -r "$DN" ] && cat "$DN"; done | sort | tr '\n' ' ' | sed 's/ $//'
}
longhorn_entries() {
  for LE in /dev/longhorn/* /dev/longhorn/.*; do
    case ${LE##*/} in . | .. | '*' | '.*') ;; *) echo "${LE##*/}" ;; esac
  done | sort | tr '\n' ' ' | sed 's/ $//'
}
