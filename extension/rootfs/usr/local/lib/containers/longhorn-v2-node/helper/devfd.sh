# shellcheck shell=sh
# /dev/fd and /dev/std{in,out,err}: Talos >= 1.9 (systemd-udevd) no longer creates them, and
# SPDK's setup.sh and cryptsetup need them. Create missing links; never replace anything.

devfd_ensure() {
  devfd_link fd /proc/self/fd
  devfd_link stdin /proc/self/fd/0
  devfd_link stdout /proc/self/fd/1
  devfd_link stderr /proc/self/fd/2
}

devfd_link() {
  DEVFD_PATH="${ROOT}dev/$1"
  if [ -L "$DEVFD_PATH" ]; then
    DEVFD_CURRENT=$(readlink "$DEVFD_PATH")
    if [ "$DEVFD_CURRENT" = "$2" ]; then
      note "devfd: /dev/$1 -> $2 is present"
    else
      note "devfd: /dev/$1 is a symlink to $DEVFD_CURRENT, not $2; left alone"
    fi
  elif [ -e "$DEVFD_PATH" ]; then
    note "devfd: /dev/$1 exists as a $(describe_type "$DEVFD_PATH"), not a symlink to $2; left alone"
  elif DEVFD_ERROR=$(ln -s "$2" "$DEVFD_PATH" 2>&1); then
    log "devfd: created /dev/$1 -> $2"
  else
    note "devfd: cannot create /dev/$1 -> $2: $(one_line "$DEVFD_ERROR")"
  fi
}

describe_type() {
  if [ -d "$1" ]; then
    echo directory
  elif [ -b "$1" ]; then
    echo "block device"
  elif [ -c "$1" ]; then
    echo "character device"
  elif [ -f "$1" ]; then
    echo "regular file"
  else
    echo "special file"
  fi
}
