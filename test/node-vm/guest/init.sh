#!/bin/busybox sh
# PID 1 of the node test bed. /dev is a fresh devtmpfs (no /dev/fd, as on Talos >= 1.9). Runs the
# scenarios named by tlvm.scenarios=a,b,... on the kernel command line, each as a child, reports
# over the serial console (lines "@@ <scenario> <key> <value>"), and always powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# shellcheck source=lib.sh
. /vm/lib.sh
say boot kernel "$(uname -r)"
say boot clocksource "$(cat /sys/devices/system/clocksource/clocksource0/available_clocksource)"
for SCENARIO in $(cmdline_value tlvm.scenarios | tr , ' '); do
  say "$SCENARIO" begin
  sh "/vm/$SCENARIO.sh" </dev/null 2>&1
  say "$SCENARIO" end
done
say boot finished
sync
poweroff -f
