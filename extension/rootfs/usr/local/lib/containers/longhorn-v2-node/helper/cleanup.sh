# shellcheck shell=sh
# Leftover Longhorn v2 volume devices. A crashed instance-manager leaves /dev/longhorn/<volume>
# and the device-mapper device <volume> (one linear target over an NVMe-oF namespace) behind.
# Matching by name alone destroyed v1 encrypted volumes (longhorn#13194), so a device is a
# leftover only if ALL of these hold:
#   1. its dm name equals a /dev/longhorn/<name> entry (and that node is this dm device);
#   2. nothing is stacked on it (no holders) and it is not mounted;
#   3. its table is exactly one "linear" target starting at sector 0;
#   4. the device under it is an NVMe namespace of a subsystem whose NQN starts with
#      nqn.2023-01.io.longhorn.spdk:, or that device no longer exists;
#   5. its open count is 0.
# Any other device is never touched. Mode remove: dmsetup remove, then the /dev/longhorn node.

LONGHORN_NQN_PREFIX='nqn.2023-01.io.longhorn.spdk:'

cleanup_scan() {
  if [ "$CLEANUP_MODE" = off ]; then
    note "cleanup: off (LONGHORN_V2_CLEANUP_MODE=off)"
    return 0
  fi
  if ! command -v dmsetup >/dev/null 2>&1; then
    note "cleanup: dmsetup not found on PATH ($PATH); leftover devices are not checked"
    return 0
  fi
  MOUNTS_FILE="${ROOT}host/proc/1/mounts"
  [ -r "$MOUNTS_FILE" ] || MOUNTS_FILE="${ROOT}proc/mounts"
  for CLEANUP_DMDIR in "${ROOT}"sys/block/dm-*; do
    [ -r "$CLEANUP_DMDIR/dm/name" ] || continue
    CLEANUP_DM=${CLEANUP_DMDIR##*/}
    CLEANUP_NAME=$(cat "$CLEANUP_DMDIR/dm/name")
    if CLEANUP_WHY=$(leftover_evidence "$CLEANUP_DMDIR" "$CLEANUP_DM" "$CLEANUP_NAME"); then
      cleanup_leftover "$CLEANUP_DM" "$CLEANUP_NAME" "$CLEANUP_WHY"
    else
      note "cleanup: keep $CLEANUP_NAME ($CLEANUP_DM): $CLEANUP_WHY"
    fi
  done
}

# Prints why the device is a leftover (status 0) or why it must be kept (status 1).
leftover_evidence() {
  EV_DIR=$1 EV_DM=$2 EV_NAME=$3
  case $EV_NAME in
    '' | .* | *[!A-Za-z0-9._-]*)
      echo "name has characters a Longhorn volume name cannot have"
      return 1
      ;;
  esac
  EV_NODE="${ROOT}dev/longhorn/$EV_NAME"
  if [ ! -e "$EV_NODE" ] && [ ! -L "$EV_NODE" ]; then
    echo "no /dev/longhorn/$EV_NAME entry"
    return 1
  fi
  node_is_this_device "$EV_NODE" "$EV_DIR" || return 1
  EV_HOLDERS=$(dir_entries "$EV_DIR/holders")
  if [ -n "$EV_HOLDERS" ]; then
    echo "held by $EV_HOLDERS (a device is stacked on it)"
    return 1
  fi
  EV_MOUNT=$(mount_of "/dev/mapper/$EV_NAME" "/dev/$EV_DM" "/dev/longhorn/$EV_NAME")
  if [ -n "$EV_MOUNT" ]; then
    echo "mounted ($EV_MOUNT)"
    return 1
  fi
  EV_UNDER=$(single_linear_target "$EV_NAME") || {
    echo "$EV_UNDER"
    return 1
  }
  EV_UNDER=$(longhorn_namespace "$EV_UNDER" "$EV_DIR") || {
    echo "$EV_UNDER"
    return 1
  }
  EV_OPEN=$(open_count "$EV_NAME") || {
    echo "$EV_OPEN"
    return 1
  }
  if [ "$EV_OPEN" != 0 ]; then
    echo "open count $EV_OPEN (in use)"
    return 1
  fi
  echo "one linear target over $EV_UNDER, open count 0, not mounted"
}

# /dev/longhorn/<name> must be a block device with this dm device's number. (A regular file is
# accepted too: test trees use regular files as stand-ins for device nodes.)
node_is_this_device() {
  if [ -L "$1" ] || { [ ! -b "$1" ] && [ ! -f "$1" ]; }; then
    echo "/dev/longhorn/${1##*/} is a $(describe_type "$1"), not a device node"
    return 1
  fi
  [ -b "$1" ] || return 0
  NODE_DEVNO="$(printf '%d' "0x$(stat -c %t "$1")"):$(printf '%d' "0x$(stat -c %T "$1")")"
  DM_DEVNO=$(cat "$2/dev" 2>/dev/null)
  if [ "$NODE_DEVNO" != "$DM_DEVNO" ]; then
    echo "/dev/longhorn/${1##*/} is device $NODE_DEVNO, not this dm device ${DM_DEVNO:-?}"
    return 1
  fi
}

# Prints the first mount whose source is one of the given device paths.
mount_of() {
  [ -r "$MOUNTS_FILE" ] || return 0
  awk -v a="$1" -v b="$2" -v c="$3" \
    '$1 == a || $1 == b || $1 == c { print $1 " on " $2; exit }' "$MOUNTS_FILE"
}

# Prints the major:minor under a table of exactly one linear target from sector 0.
single_linear_target() {
  if ! SLT_TABLE=$(dmsetup table "$1" 2>&1); then
    echo "dmsetup table failed: $(one_line "$SLT_TABLE")"
    return 1
  fi
  SLT_LINES=$(printf '%s\n' "$SLT_TABLE" | grep -c .)
  if [ "$SLT_LINES" != 1 ]; then
    echo "table has $SLT_LINES targets, not one linear target"
    return 1
  fi
  set -f
  # shellcheck disable=SC2086 # split the table line into its fields
  set -- $SLT_TABLE
  set +f
  if [ "${3:-}" != linear ]; then
    echo "target is ${3:-empty}, not linear (a v1 encrypted volume has a crypt target: longhorn#13194)"
    return 1
  fi
  if [ $# -ne 5 ] || [ "$1" != 0 ]; then
    echo "unexpected linear table \"$SLT_TABLE\""
    return 1
  fi
  case $4 in
    [0-9]*:[0-9]*) echo "$4" ;;
    *)
      echo "unexpected device \"$4\" in the table"
      return 1
      ;;
  esac
}

# Given the major:minor under the dm device, prints "nvmeXnY (<nqn>)" or "gone device M:m" when
# it is a Longhorn NVMe-oF namespace or no longer exists; otherwise prints why not (status 1).
longhorn_namespace() {
  LN_DEV=''
  for LN_SYS in "${ROOT}"sys/block/*; do
    if [ "$(cat "$LN_SYS/dev" 2>/dev/null)" = "$1" ]; then
      LN_DEV=${LN_SYS##*/}
      break
    fi
  done
  if [ -z "$LN_DEV" ]; then
    if [ -e "${ROOT}sys/dev/block/$1" ]; then
      echo "device $1 under it is not a whole disk"
      return 1
    fi
    echo "gone device $1"
    return 0
  fi
  if ! printf '%s\n' "$LN_DEV" | grep -qx 'nvme[0-9][0-9]*n[0-9][0-9]*'; then
    echo "device under it is $LN_DEV, not an NVMe namespace"
    return 1
  fi
  LN_SLAVES=$(dir_entries "$2/slaves")
  if [ -n "$LN_SLAVES" ] && [ "$LN_SLAVES" != "$LN_DEV" ]; then
    echo "sysfs lists $LN_SLAVES under it, the table $LN_DEV"
    return 1
  fi
  LN_NQN=$(subsystem_nqn "$LN_DEV")
  case $LN_NQN in
    "$LONGHORN_NQN_PREFIX"*)
      echo "$LN_DEV ($LN_NQN)"
      ;;
    '')
      echo "cannot find the NVMe subsystem of $LN_DEV"
      return 1
      ;;
    *)
      echo "$LN_DEV belongs to subsystem $LN_NQN, not a Longhorn volume"
      return 1
      ;;
  esac
}

# The subsystem NQN of a namespace block device: its parent device (the subsystem with native
# multipath, the controller without), or the subsystem/controller that lists it as a child.
subsystem_nqn() {
  if [ -r "${ROOT}sys/block/$1/device/subsysnqn" ]; then
    cat "${ROOT}sys/block/$1/device/subsysnqn"
    return 0
  fi
  for SN_PARENT in "${ROOT}"sys/class/nvme-subsystem/*/"$1" "${ROOT}"sys/class/nvme/*/"$1"; do
    if [ -d "$SN_PARENT" ] && [ -r "${SN_PARENT%/*}/subsysnqn" ]; then
      cat "${SN_PARENT%/*}/subsysnqn"
      return 0
    fi
  done
}

open_count() {
  if ! OC_OUT=$(dmsetup info -c --noheadings -o name,open "$1" 2>&1); then
    echo "dmsetup info failed: $(one_line "$OC_OUT")"
    return 1
  fi
  case ${OC_OUT##*:} in
    '' | *[!0-9]*)
      echo "unexpected dmsetup info output \"$(one_line "$OC_OUT")\""
      return 1
      ;;
  esac
  echo "${OC_OUT##*:}"
}

cleanup_leftover() {
  if [ "$CLEANUP_MODE" != remove ]; then
    note "cleanup: LEFTOVER $2 ($1): $3; reported only (LONGHORN_V2_CLEANUP_MODE=$CLEANUP_MODE)"
    return 0
  fi
  # --noudevsync: never wait forever for a udev cookie the host's rules may not complete.
  if ! CL_OUT=$(dmsetup remove --noudevsync "$2" 2>&1); then
    log "cleanup: LEFTOVER $2 ($1): $3; dmsetup remove failed: $(one_line "$CL_OUT"); /dev/longhorn/$2 kept"
    return 0
  fi
  log "cleanup: removed dm device $2 ($1): $3"
  if CL_OUT=$(rm -f "${ROOT}dev/longhorn/$2" 2>&1); then
    log "cleanup: removed /dev/longhorn/$2"
  else
    log "cleanup: cannot remove /dev/longhorn/$2: $(one_line "$CL_OUT")"
  fi
}
