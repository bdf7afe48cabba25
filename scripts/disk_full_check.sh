#!/usr/bin/env bash
# A full disk mid-run: outputs go to a 256 KB tmpfs that the run overflows.
# The run must exit non-zero with a message, leave no temporary files, and
# leave the outputs of an earlier successful run exactly as they were.
# Needs root to mount; skips (exit 0) where mounting is not allowed.
# usage: scripts/disk_full_check.sh KOMMUNEGRAF
set -euo pipefail
KG="$1"
MNT="$(mktemp -d)"
if ! mount -t tmpfs -o size=256k tmpfs "$MNT" 2>/dev/null; then
  echo "disk-full check: skipped (cannot mount a tmpfs here)"
  exit 0
fi
trap 'umount "$MNT"; rmdir "$MNT"' EXIT
WORK="$(mktemp -d)"
printf 'Titel\n\nKMD og KL.\n' > "$WORK/small.txt"
"$KG" run "$WORK/small.txt" -o "$MNT/out" --quiet
before="$(cd "$MNT/out" && sha256sum ./*)"
python3 - "$WORK/big.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3000):
        f.write(json.dumps({"id": f"d{i}", "text": "KMD og Netcompany vandt udbuddet hos KL i Aarhus Kommune. " * 5}) + "\n")
PY
set +e
"$KG" run "$WORK/big.jsonl" -o "$MNT/out" --quiet 2> "$WORK/err"
code=$?
set -e
after="$(cd "$MNT/out" && sha256sum ./*)"
leftovers="$(find "$MNT/out" -name '.*partial*' | wc -l)"
rm -rf "$WORK"
if [ "$code" -ne 1 ] || [ "$before" != "$after" ] || [ "$leftovers" -ne 0 ]; then
  echo "disk-full check: FAILED (exit $code, leftovers $leftovers, outputs changed: $([ "$before" = "$after" ] && echo no || echo yes))"
  exit 1
fi
echo "disk-full check: ok (exit 1, earlier outputs intact, no temporary files)"
