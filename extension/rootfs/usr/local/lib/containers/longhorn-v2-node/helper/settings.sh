# shellcheck shell=sh
# Settings from the environment that the generator's ExtensionServiceConfig sets (names in
# src/longhorn/extension-contract.ts). A bad value is logged and replaced by the safe default:
# cleanup mode "report" (never changes anything), interval 60 s (from 5 to 86400).

settings_load() {
  CLEANUP_MODE=${LONGHORN_V2_CLEANUP_MODE:-report}
  case $CLEANUP_MODE in
    off | report | remove) ;;
    *)
      log "settings: LONGHORN_V2_CLEANUP_MODE=\"$CLEANUP_MODE\" is not one of off, report, remove; using report (nothing is removed)"
      CLEANUP_MODE=report
      ;;
  esac

  # The range is MIN_/MAX_CLEANUP_INTERVAL_SECONDS of src/longhorn/requirements.ts (a test
  # checks that the two agree).
  CLEANUP_INTERVAL_MIN=5
  CLEANUP_INTERVAL_MAX=86400
  CLEANUP_INTERVAL=${LONGHORN_V2_CLEANUP_INTERVAL:-60}
  case $CLEANUP_INTERVAL in
    '' | *[!0-9]* | 0* | ??????*) CLEANUP_INTERVAL_OK=0 ;;
    *) CLEANUP_INTERVAL_OK=$((CLEANUP_INTERVAL >= CLEANUP_INTERVAL_MIN && CLEANUP_INTERVAL <= CLEANUP_INTERVAL_MAX)) ;;
  esac
  if [ "$CLEANUP_INTERVAL_OK" != 1 ]; then
    log "settings: LONGHORN_V2_CLEANUP_INTERVAL=\"$CLEANUP_INTERVAL\" is not a whole number of seconds from $CLEANUP_INTERVAL_MIN to $CLEANUP_INTERVAL_MAX; using 60"
    CLEANUP_INTERVAL=60
  fi

  MODULES=${LONGHORN_V2_MODULES:-}
  HUGEPAGES=${LONGHORN_V2_HUGEPAGES:-}
  case $HUGEPAGES in
    *[!0-9]* | ??????????*)
      log "settings: LONGHORN_V2_HUGEPAGES=\"$HUGEPAGES\" is not a page count; huge pages are not checked"
      HUGEPAGES=''
      ;;
  esac
  PCI_DEVICES=${LONGHORN_V2_PCI_DEVICES:-}

  log "settings: cleanup mode $CLEANUP_MODE, every $CLEANUP_INTERVAL s; modules: ${MODULES:-none}; hugepages: ${HUGEPAGES:-not checked}; PCI devices: ${PCI_DEVICES:-none}"
}
