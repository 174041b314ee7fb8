# shellcheck shell=sh
# Logging shared by the helper's parts.

NL='
'
# Findings of the previous and of the current pass, one per line.
SEEN_BEFORE=''
SEEN_NOW=''

log() {
  printf '%s\n' "$*"
}

# Log a finding unless the previous pass logged exactly the same line.
note() {
  SEEN_NOW="$SEEN_NOW$*$NL"
  case "$NL$SEEN_BEFORE" in
    *"$NL$*$NL"*) ;;
    *) log "$*" ;;
  esac
}

pass_begin() {
  SEEN_NOW=''
}

pass_end() {
  SEEN_BEFORE=$SEEN_NOW
}

# read_first VAR FILE: the first line of FILE into VAR without starting a process (sysfs
# attributes are one line); VAR is empty and the status 1 when FILE cannot be read.
read_first() {
  eval "$1=''"
  [ -r "$2" ] || return 1
  # shellcheck disable=SC2229 # the variable is named by the caller
  IFS= read -r "$1" <"$2" || :
}

# A text with everything but printable ASCII replaced by "?" (names come from the kernel and
# may hold newlines or escape sequences; a log line must not be forged by one).
safe_text() {
  printf '%s' "$1" | tr -c ' -~' '?'
}

# The lines of a command's output joined with "; " (for one-line log messages).
one_line() {
  printf '%s' "$1" | tr '\n' ';' | sed 's/;$//; s/;/; /g'
}

# The entries of a directory, space-separated (sysfs names have no blanks), leaving out $2.
dir_entries() {
  DE_OUT=''
  for DE_PATH in "$1"/*; do
    [ -e "$DE_PATH" ] || [ -L "$DE_PATH" ] || continue
    [ "${DE_PATH##*/}" = "${2:-}" ] || DE_OUT="$DE_OUT ${DE_PATH##*/}"
  done
  echo "${DE_OUT# }"
}
