# shellcheck shell=sh
# A device re-created under the same name between the scan and the removal is not removed: the
# helper pauses (test switch) after its scan found the orphan; meanwhile the orphan is torn down
# and a new, attached volume of the same name takes its place.
# shellcheck source=lib.sh
. /vm/lib.sh
export SCENARIO=recreate
fabric_setup 2>/dev/null
volume vol-race 2
target_vanish "${LONGHORN_NQN_PREFIX}vol-race-e-0"
wait_controller "${LONGHORN_NQN_PREFIX}vol-race-e-0" '' || say recreate error "controller did not give up"
say recreate before "$(dm_of vol-race) $(cat "/sys/block/$(dm_of vol-race)/dev")"
# The FIFO lives in the container's /tmp (the helper runs chrooted into the extension rootfs).
container_setup
mkdir -p "$CONTAINER/tmp"
mkfifo "$CONTAINER/tmp/pause"
helper_once LONGHORN_V2_CLEANUP_MODE=remove LONGHORN_V2_TEST=1 LONGHORN_V2_TEST_PAUSE=/tmp/pause >/tmp/recreate.log &
HELPER=$!
for _ in $(seq 600); do grep -q "test pause" /tmp/recreate.log && break; sleep 0.1; done
dmsetup remove --noudevsync -- vol-race
NQN2="${LONGHORN_NQN_PREFIX}vol-race-e-1"
target_add "$NQN2"
NS2=$(host_connect "$NQN2" 600)
dm_linear vol-race "$NS2"
say recreate after "$(dm_of vol-race) $(cat "/sys/block/$(dm_of vol-race)/dev")"
timeout 60 sh -c "echo go >$CONTAINER/tmp/pause"
wait "$HELPER"
while IFS= read -r line; do case $line in cleanup:*) say recreate log "$line" ;; esac; done </tmp/recreate.log
say recreate dm "$(dm_names)"
say recreate nodes "$(longhorn_entries)"
