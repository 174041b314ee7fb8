#!/bin/sh
# shellcheck source-path=SCRIPTDIR
#
# longhorn-v2-node node helper, run by a static busybox as the Talos extension service
# ext-longhorn-v2-node. Every pass it makes sure /dev/fd and /dev/std{in,out,err} exist, reports
# kernel modules, huge pages and IOMMU groups against the expected settings, and checks for
# leftover Longhorn v2 volume devices (off | report | remove). One line per finding; a finding is
# logged when it first appears or changes, so a steady node stays quiet between passes.
#
# Usage: node-helper.sh [--once]     --once: one pass, then exit (tests, manual runs)
# ROOT (default /) prefixes every path read or written, so the helper can run against a fake tree.
set -u

HELPER_DIR=${0%/*}
[ "$HELPER_DIR" = "$0" ] && HELPER_DIR=.

. "$HELPER_DIR/common.sh"
. "$HELPER_DIR/settings.sh"
. "$HELPER_DIR/devfd.sh"
. "$HELPER_DIR/findings.sh"
. "$HELPER_DIR/cleanup.sh"

ONCE=0
case "${1:-}" in
  --once) ONCE=1 ;;
  '') ;;
  *)
    log "usage: node-helper.sh [--once] (unknown argument \"$1\")"
    exit 2
    ;;
esac

ROOT=${ROOT:-/}
case $ROOT in */) ;; *) ROOT="$ROOT/" ;; esac

settings_load
while :; do
  pass_begin
  devfd_ensure
  findings_report
  cleanup_scan
  pass_end
  [ "$ONCE" = 1 ] && break
  sleep "$CLEANUP_INTERVAL"
done
