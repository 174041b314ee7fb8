# shellcheck shell=sh
# Leftover Longhorn v2 volume devices. A crashed instance-manager leaves /dev/longhorn/<volume>
# and the device-mapper device <volume> (one linear target over an NVMe-oF namespace) behind.
# An attached volume that nothing has opened yet (attached from the UI, or before NodeStage) looks
# the same, except that its namespace is live, so the namespace decides. A device is a leftover
# only if ALL of these hold (anything unexpected, unreadable or missing means "keep"):
#   1. its dm name is a Longhorn volume name (longhorn-manager util.ValidateName:
#      ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$) and /dev/longhorn (a real directory, not a symlink) has a
#      block device node of that name with this dm device's number;
#   2. its holders/ and slaves/ directories exist, nothing is stacked on it, and it is not mounted;
#   3. its table is exactly one "linear" target starting at sector 0;
#   4. the device under it is gone (the initiator's controller-loss timeout expired and the
#      kernel deleted the namespace), or it is a namespace of a subsystem whose NQN starts with
#      nqn.2023-01.io.longhorn.spdk: and every controller of it is in a terminal state
#      (sysfs `state` "deleting", "deleting (no IO)" or "dead": the kernel is tearing it down);
#   5. its open count is 0.
# Mode remove re-checks every condition on the device number right before removing, removes by
# device number (never by name), then the /dev/longhorn node. Names reach dmsetup only after
# "--". Any other device is never touched.
#
# Test switch (never set on a node): LONGHORN_V2_TEST=1 accepts a regular file as a stand-in for
# the /dev/longhorn block node (fake trees have no device nodes), and with it
# LONGHORN_V2_TEST_PAUSE=<fifo> waits for one line on that FIFO before each re-check, so a test can
# change the device between the scan and the removal.

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
  CLEANUP_DIR="${ROOT}dev/longhorn"
  if [ -L "$CLEANUP_DIR" ]; then
    note "cleanup: /dev/longhorn is a symlink to $(safe_text "$(readlink "$CLEANUP_DIR")"), not a directory; nothing is checked or removed"
    return 0
  fi
  if [ ! -d "$CLEANUP_DIR" ]; then
    note "cleanup: no /dev/longhorn directory; no v2 volume devices to check"
    return 0
  fi
  MOUNTS_FILE="${ROOT}host/proc/1/mounts"
  [ -r "$MOUNTS_FILE" ] || MOUNTS_FILE="${ROOT}proc/mounts"
  # Scan everything first, then re-check and remove each candidate by its device number.
  CLEANUP_CANDIDATES=''
  for CLEANUP_DMDIR in "${ROOT}"sys/block/dm-*; do
    [ -r "$CLEANUP_DMDIR/dm/name" ] || continue
    CLEANUP_DM=${CLEANUP_DMDIR##*/}
    CLEANUP_NAME=$(cat "$CLEANUP_DMDIR/dm/name")
    if CLEANUP_WHY=$(leftover_evidence "$CLEANUP_DMDIR" "$CLEANUP_NAME"); then
      if [ "$CLEANUP_MODE" = remove ]; then
        read_first CLEANUP_DEVNO "$CLEANUP_DMDIR/dev"
        CLEANUP_CANDIDATES="$CLEANUP_CANDIDATES $CLEANUP_DEVNO/$CLEANUP_NAME"
      else
        note "cleanup: LEFTOVER $CLEANUP_NAME ($CLEANUP_DM): $CLEANUP_WHY; reported only (LONGHORN_V2_CLEANUP_MODE=$CLEANUP_MODE)"
      fi
    else
      note "cleanup: keep $(safe_text "$CLEANUP_NAME") ($CLEANUP_DM): $CLEANUP_WHY"
    fi
  done
  # Candidates are "major:minor/name" with a validated name: no blanks, no glob characters.
  for CLEANUP_CANDIDATE in $CLEANUP_CANDIDATES; do
    cleanup_remove "${CLEANUP_CANDIDATE%%/*}" "${CLEANUP_CANDIDATE#*/}"
  done
}

# Prints why the device is a leftover (status 0) or why it must be kept (status 1).
leftover_evidence() {
  EV_DIR=$1 EV_NAME=$2 EV_DM=${1##*/}
  case $EV_NAME in
    [A-Za-z0-9]?*) ;;
    *)
      echo "not a Longhorn volume name"
      return 1
      ;;
  esac
  case $EV_NAME in
    *[!A-Za-z0-9_.-]*)
      echo "not a Longhorn volume name"
      return 1
      ;;
  esac
  EV_NODE="${ROOT}dev/longhorn/$EV_NAME"
  if [ ! -e "$EV_NODE" ] && [ ! -L "$EV_NODE" ]; then
    echo "no /dev/longhorn/$EV_NAME entry"
    return 1
  fi
  node_is_this_device "$EV_NODE" "$EV_DIR" || return 1
  for EV_SUB in holders slaves; do
    if [ ! -d "$EV_DIR/$EV_SUB" ] || [ -L "$EV_DIR/$EV_SUB" ]; then
      echo "sysfs has no $EV_SUB/ directory for it"
      return 1
    fi
  done
  EV_HOLDERS=$(dir_entries "$EV_DIR/holders")
  if [ -n "$EV_HOLDERS" ]; then
    echo "held by $(safe_text "$EV_HOLDERS") (a device is stacked on it)"
    return 1
  fi
  EV_MOUNT=$(mount_of "/dev/mapper/$EV_NAME" "/dev/$EV_DM" "/dev/longhorn/$EV_NAME")
  if [ -n "$EV_MOUNT" ]; then
    echo "mounted ($(safe_text "$EV_MOUNT"))"
    return 1
  fi
  EV_UNDER=$(single_linear_target "$EV_NAME") || {
    echo "$EV_UNDER"
    return 1
  }
  EV_UNDER=$(device_under_is_gone "$EV_UNDER" "$EV_DIR") || {
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

# /dev/longhorn/<name> must be a block device with this dm device's number (a regular file only
# under the test switch).
node_is_this_device() {
  if [ ! -L "$1" ] && [ -f "$1" ] && [ "${LONGHORN_V2_TEST:-}" = 1 ]; then
    return 0
  fi
  if [ -L "$1" ] || [ ! -b "$1" ]; then
    echo "/dev/longhorn/${1##*/} is a $(describe_type "$1"), not a block device node"
    return 1
  fi
  NODE_DEVNO="$(printf '%d' "0x$(stat -c %t "$1")"):$(printf '%d' "0x$(stat -c %T "$1")")"
  read_first DM_DEVNO "$2/dev"
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
  if ! SLT_TABLE=$(dmsetup table -- "$1" 2>&1); then
    echo "dmsetup table failed: $(safe_text "$(one_line "$SLT_TABLE")")"
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
    echo "target is $(safe_text "${3:-empty}"), not linear (a v1 encrypted volume has a crypt target: longhorn#13194)"
    return 1
  fi
  if [ $# -ne 5 ] || [ "$1" != 0 ]; then
    echo "unexpected linear table \"$(safe_text "$SLT_TABLE")\""
    return 1
  fi
  case $4 in
    *[!0-9:]* | :* | *: | *:*:*) ;;
    *:*)
      echo "$4"
      return 0
      ;;
  esac
  echo "unexpected device \"$(safe_text "$4")\" in the table"
  return 1
}

# Given the major:minor under the dm device, prints "gone device M:m" when no such device exists,
# or "nvmeXnY (<nqn>), controllers ..." when it is a Longhorn namespace whose controllers are all
# terminal; otherwise prints why the device must be kept (status 1).
device_under_is_gone() {
  # /sys/dev/block/M:m links to the device's sysfs directory while the device exists.
  LN_LINK="${ROOT}sys/dev/block/$1"
  if [ ! -e "$LN_LINK" ] && [ ! -L "$LN_LINK" ]; then
    echo "gone device $1"
    return 0
  fi
  LN_DEV=$(readlink "$LN_LINK")
  LN_DEV=${LN_DEV##*/}
  read_first LN_DEVNO "${ROOT}sys/block/$LN_DEV/dev"
  if [ -z "$LN_DEV" ] || [ "$LN_DEVNO" != "$1" ]; then
    echo "device $1 under it exists and is not a whole disk"
    return 1
  fi
  case $LN_DEV in
    nvme*n*) ;;
    *)
      echo "device under it is $(safe_text "$LN_DEV"), not an NVMe namespace"
      return 1
      ;;
  esac
  LN_SLAVES=$(dir_entries "$2/slaves")
  if [ "$LN_SLAVES" != "$LN_DEV" ]; then
    echo "sysfs lists \"$(safe_text "$LN_SLAVES")\" under it, the table $LN_DEV"
    return 1
  fi
  LN_PARENT=$(namespace_parent "$LN_DEV")
  if [ -z "$LN_PARENT" ] || [ ! -r "$LN_PARENT/subsysnqn" ]; then
    echo "cannot find the NVMe subsystem of $LN_DEV"
    return 1
  fi
  read_first LN_NQN "$LN_PARENT/subsysnqn"
  case $LN_NQN in
    "$LONGHORN_NQN_PREFIX"*) ;;
    *)
      echo "$LN_DEV belongs to subsystem $(safe_text "$LN_NQN"), not a Longhorn volume"
      return 1
      ;;
  esac
  # The controllers: the parent itself without multipath, its nvmeN entries with it.
  LN_STATES=''
  LN_STATE=''
  if read_first LN_STATE "$LN_PARENT/state"; then
    LN_STATES="${LN_PARENT##*/}=$LN_STATE"
  else
    for LN_CTRL in "$LN_PARENT"/nvme*; do
      read_first LN_STATE "$LN_CTRL/state" || continue
      LN_STATES="$LN_STATES${LN_STATES:+, }${LN_CTRL##*/}=$LN_STATE"
    done
  fi
  if [ -z "$LN_STATES" ]; then
    echo "$LN_DEV ($LN_NQN) lists no controller state; it may still be live"
    return 1
  fi
  LN_REST=$LN_STATES
  while [ -n "$LN_REST" ]; do
    LN_ONE=${LN_REST%%, *}
    case $LN_REST in *", "*) LN_REST=${LN_REST#*, } ;; *) LN_REST='' ;; esac
    case ${LN_ONE#*=} in
      deleting | 'deleting (no IO)' | dead) ;;
      *)
        echo "$LN_DEV ($LN_NQN) is attached: controller $(safe_text "$LN_ONE")"
        return 1
        ;;
    esac
  done
  echo "$LN_DEV ($LN_NQN), every controller terminal: $(safe_text "$LN_STATES")"
}

# The sysfs directory a namespace block device hangs under: its subsystem (native multipath) or
# its controller (without), found as the nvme-subsystem or nvme class entry that lists it.
namespace_parent() {
  for NP_CHILD in "${ROOT}"sys/class/nvme-subsystem/*/"$1" "${ROOT}"sys/class/nvme/*/"$1"; do
    if [ -d "$NP_CHILD" ]; then
      echo "${NP_CHILD%/*}"
      return 0
    fi
  done
}

open_count() {
  if ! OC_OUT=$(dmsetup info -c --noheadings -o name,open -- "$1" 2>&1); then
    echo "dmsetup info failed: $(safe_text "$(one_line "$OC_OUT")")"
    return 1
  fi
  case ${OC_OUT##*:} in
    '' | *[!0-9]*)
      echo "unexpected dmsetup info output \"$(safe_text "$(one_line "$OC_OUT")")\""
      return 1
      ;;
  esac
  echo "${OC_OUT##*:}"
}

# The dm-N directory whose device number is $1, if any.
dm_dir_of() {
  for DD_DIR in "${ROOT}"sys/block/dm-*; do
    read_first DD_DEVNO "$DD_DIR/dev"
    if [ "$DD_DEVNO" = "$1" ]; then
      echo "$DD_DIR"
      return 0
    fi
  done
}

# Re-check the candidate (device number $1, name $2) and remove it by device number.
cleanup_remove() {
  if [ "${LONGHORN_V2_TEST:-}" = 1 ] && [ -p "${LONGHORN_V2_TEST_PAUSE:-}" ]; then
    log "cleanup: test pause before re-checking $2 ($1)"
    read -r _ <"$LONGHORN_V2_TEST_PAUSE"
  fi
  CR_DIR=$(dm_dir_of "$1")
  read_first CR_NAME "$CR_DIR/dm/name"
  if [ -z "$CR_DIR" ] || [ "$CR_NAME" != "$2" ]; then
    log "cleanup: keep $2 ($1): it changed since the scan (device $1 is now ${CR_DIR:+$(safe_text "$CR_NAME")}${CR_DIR:-gone})"
    return 0
  fi
  CR_DM=${CR_DIR##*/}
  if ! CR_WHY=$(leftover_evidence "$CR_DIR" "$2"); then
    log "cleanup: keep $2 ($CR_DM): re-checked before removal: $CR_WHY"
    return 0
  fi
  # --noudevsync: never wait forever for a udev cookie the host's rules may not complete.
  if ! CR_OUT=$(dmsetup remove --noudevsync -j "${1%%:*}" -m "${1#*:}" 2>&1); then
    log "cleanup: LEFTOVER $2 ($CR_DM): $CR_WHY; dmsetup remove failed: $(safe_text "$(one_line "$CR_OUT")"); /dev/longhorn/$2 kept"
    return 0
  fi
  log "cleanup: removed dm device $2 ($CR_DM, $1): $CR_WHY"
  if [ -L "${ROOT}dev/longhorn/$2" ] || [ -d "${ROOT}dev/longhorn/$2" ]; then
    log "cleanup: /dev/longhorn/$2 is no longer a device node; left alone"
  elif CR_OUT=$(rm -f -- "${ROOT}dev/longhorn/$2" 2>&1); then
    log "cleanup: removed /dev/longhorn/$2"
  else
    log "cleanup: cannot remove /dev/longhorn/$2: $(safe_text "$(one_line "$CR_OUT")")"
  fi
}
