# shellcheck shell=sh
# /dev/fd and /dev/std{in,out,err} on a devtmpfs that lacks them: the helper creates the links,
# and programs then read and write through them.
# shellcheck source=lib.sh
. /vm/lib.sh
for l in fd stdin stdout stderr; do
  if [ -e "/dev/$l" ] || [ -L "/dev/$l" ]; then say devfd before-$l present; else say devfd before-$l absent; fi
done
helper_once LONGHORN_V2_CLEANUP_MODE=off | while IFS= read -r line; do say devfd log "$line"; done
for l in fd stdin stdout stderr; do
  say devfd link-$l "$(readlink "/dev/$l")"
done
say devfd read-fd0 "$(echo through-fd0 | cat /dev/fd/0)"
say devfd read-stdin "$(echo through-stdin | cat /dev/stdin)"
say devfd write-stdout "$(printf %s through-stdout >/dev/stdout)"
say devfd write-stderr "$( (echo through-stderr >/dev/stderr) 2>&1)"
