# shellcheck shell=sh
# The v2 data path rebuilt for real: nvmet/nvmet_tcp on loopback TCP standing in for SPDK, nvme_tcp
# on the host, a linear dm device per volume and /dev/longhorn/<volume>. Every kind of device the
# cleanup meets, side by side; the helper runs in report mode, then in remove mode, and the
# devices that remain are listed after each run.
# shellcheck source=lib.sh
. /vm/lib.sh
export SCENARIO=topology
fabric_setup || { say topology error "fabric setup failed"; exit 1; }

# Attached and idle: connected, nothing opened it yet. Must be kept.
volume vol-idle 600
# Mounted (a filesystem on it), and open (a process holds it).
volume vol-mounted 600
mke2fs -q -b 4096 "/dev/$(dm_of vol-mounted)" >/dev/null && mkdir -p /mnt/vol-mounted &&
  { mount -t ext2 /dev/longhorn/vol-mounted /mnt/vol-mounted || dmesg | tail -5; }
# Open: a process holds it, and its target vanished too (the controller gives up below).
volume vol-open 2
(exec 3<"/dev/longhorn/vol-open" && sleep 3600) >/dev/null 2>&1 &
# v2 encrypted: a crypt device stacked on the linear one.
# aes-cbc-plain: both built into this kernel (xts is a module the crypto API would have to load).
KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
volume vol-enc 600
dmsetup create --noudevsync --table "0 $(cat "/sys/block/$(dm_of vol-enc)/size") crypt aes-cbc-plain $KEY 0 $(cat "/sys/block/$(dm_of vol-enc)/dev") 0" -- vol-enc-encrypted
# v1-like encrypted: crypt named like the volume over a plain disk (longhorn#13194).
truncate -s 32M /tmp/backing/v1.img
V1_LOOP=$(losetup -f)
losetup "$V1_LOOP" /tmp/backing/v1.img
dmsetup create --noudevsync --table "0 65536 crypt aes-cbc-plain $KEY 0 $V1_LOOP 0" -- vol-v1crypt
longhorn_node vol-v1crypt
# The instance-manager restarting: the target vanished, the controller still reconnects.
volume vol-reconnecting 600
target_vanish "${LONGHORN_NQN_PREFIX}vol-reconnecting-e-0"
# Orphans: the target vanished and the controller gave up (ctrl_loss_tmo expired), once with a
# Longhorn name and once with a name starting with "-".
volume vol-orphan 2
volume -vol-dash 2
target_vanish "${LONGHORN_NQN_PREFIX}vol-orphan-e-0"
target_vanish "${LONGHORN_NQN_PREFIX}-vol-dash-e-0"
target_vanish "${LONGHORN_NQN_PREFIX}vol-open-e-0"
wait_controller "${LONGHORN_NQN_PREFIX}vol-orphan-e-0" '' || say topology error "vol-orphan controller did not give up"
wait_controller "${LONGHORN_NQN_PREFIX}-vol-dash-e-0" '' || say topology error "-vol-dash controller did not give up"
wait_controller "${LONGHORN_NQN_PREFIX}vol-open-e-0" '' || say topology error "vol-open controller did not give up"
wait_controller "${LONGHORN_NQN_PREFIX}vol-reconnecting-e-0" connecting || say topology error "vol-reconnecting is not reconnecting"

say topology states "$(for c in /sys/class/nvme/nvme*; do printf '%s=%s ' "$(cat "$c/subsysnqn")" "$(cat "$c/state")"; done)"
say topology before-dm "$(dm_names)"
say topology before-nodes "$(longhorn_entries)"
for mode in report remove; do
  helper_once LONGHORN_V2_CLEANUP_MODE=$mode | while IFS= read -r line; do
    case $line in cleanup:*) say "topology-$mode" log "$line" ;; esac
  done
  say "topology-$mode" dm "$(dm_names)"
  say "topology-$mode" nodes "$(longhorn_entries)"
done
