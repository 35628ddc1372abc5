#!/usr/bin/env bash
# Puts this checkout's CLI on PATH as `ibcc` (the docs say `ibcc export ...`):
# a link /usr/local/bin/ibcc -> dist/kernel/cli.js, made again when it names
# another checkout, and said only when it changes. IBCC_LINK moves the link
# (the tests use a folder of their own).
set -euo pipefail
cd "$(dirname "$0")/.."
cli="$PWD/dist/kernel/cli.js"
link=${IBCC_LINK:-/usr/local/bin/ibcc}
chmod +x "$cli"
if [ "$(readlink "$link" 2>/dev/null)" != "$cli" ]; then
  if [ -e "$link" ] && [ ! -L "$link" ]; then
    printf 'ibcc setup: %s is not a link; leaving it (this checkout'\''s CLI is %s)\n' "$link" "$cli" >&2
  else
    ln -sfn "$cli" "$link"
    printf 'ibcc setup: `ibcc` is %s -> %s\n' "$link" "$cli"
  fi
fi
