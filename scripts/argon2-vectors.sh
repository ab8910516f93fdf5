#!/usr/bin/env bash
# Regenerates test/fixtures/argon2-vectors.json with the reference argon2 CLI (Debian package
# `argon2`), an implementation independent of the wasm build the Worker uses.
set -euo pipefail
out="$(dirname "$0")/../test/fixtures/argon2-vectors.json"
vector() { # password salt t m p
  local encoded
  encoded=$(printf '%s' "$1" | argon2 "$2" -id -t "$3" -k "$4" -p "$5" -l 32 -e)
  printf '  {"password": %s, "salt": "%s", "iterations": %s, "memoryKib": %s, "parallelism": %s, "encoded": "%s"}' \
    "$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')" "$2" "$3" "$4" "$5" "$encoded"
}
{
  echo "["
  vector "password" "somesalt" 2 19456 1; echo ","
  vector "pässwörd-日本語-🔑" "saltsaltsalt" 2 19456 1; echo ","
  vector "correct horse battery staple" "0123456789abcdef" 3 32768 1; echo ","
  vector "p" "parallelsalt" 2 19456 2
  echo; echo "]"
} > "$out"
echo "wrote $out"
