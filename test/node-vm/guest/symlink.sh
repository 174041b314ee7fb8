# shellcheck shell=sh
# /dev/longhorn is a symlink to /dev/mapper: an LVM-like linear device whose disk is gone must not
# be removed through it.
# shellcheck source=lib.sh
. /vm/lib.sh
export SCENARIO=symlink
fabric_setup 2>/dev/null
NQN=nqn.2014-08.org.nvmexpress:uuid:00000000-0000-4000-8000-00000000d15c
target_add "$NQN"
NS=$(host_connect "$NQN" 2)
DEVNO=$(cat "/sys/class/block/$NS/dev")
dmsetup create --noudevsync --table "0 $(cat "/sys/class/block/$NS/size") linear $DEVNO 0" -- vg0-data
target_vanish "$NQN"
wait_controller "$NQN" '' || say symlink error "controller did not give up"
mkdir -p /dev/mapper
[ -b /dev/mapper/vg0-data ] || mknod /dev/mapper/vg0-data b "$(dmsetup info -c --noheadings -o major -- vg0-data)" "$(dmsetup info -c --noheadings -o minor -- vg0-data)"
rm -rf /dev/longhorn.real
[ -d /dev/longhorn ] && mv /dev/longhorn /dev/longhorn.real
ln -s /dev/mapper /dev/longhorn
helper_once LONGHORN_V2_CLEANUP_MODE=remove | while IFS= read -r line; do
  case $line in cleanup:*) say symlink log "$line" ;; esac
done
say symlink dm "$(dm_names)"
rm /dev/longhorn
[ -d /dev/longhorn.real ] && mv /dev/longhorn.real /dev/longhorn
