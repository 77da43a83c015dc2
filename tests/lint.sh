#!/bin/sh
# tests/lint.sh - house-style checks: banned functions, getenv in modules
# and core, line length, and clang-format when it is installed.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
files=$(ls core/*.c core/*.h modules/*.c tools/*.c tools/usage/*.h client/*.c \
  client/*.h daemon/*.c daemon/*.h 2>/dev/null)
if grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|sscanf|gets)\(' \
   $files; then
  echo "lint: banned functions above (STYLE.md)"; bad=1
fi
if grep -n 'getenv(' core/*.c modules/*.c; then
  echo "lint: getenv() in core/ or modules/ (SPEC section 2)"; bad=1
fi
if awk 'length($0) > 79 { print FILENAME ":" FNR ": longer than 79 columns"; n++ }
        END { exit n > 0 }' $files; then :; else bad=1; fi
if command -v clang-format >/dev/null 2>&1; then
  for f in $files; do
    clang-format --dry-run -Werror "$f" 2>/dev/null || {
      echo "lint: $f: clang-format differences (clang-format -i $f)"; bad=1; }
  done
fi
exit $bad
