#!/usr/bin/env bash
# A full disk mid-run: outputs go to a small file system that the run
# overflows, twice: a 256 KB tmpfs (the tables go through the page cache)
# and an 8 MB ext4 image on a loop device (they are written with direct
# writes, export::direct). Each time the run must exit non-zero with a
# message naming the file, leave no temporary files, and leave the outputs
# of an earlier successful run exactly as they were.
# Needs root to mount; a file system that cannot be mounted here is skipped.
# usage: scripts/disk_full_check.sh KOMMUNEGRAF
set -euo pipefail
KG="$1"
WORK="$(mktemp -d)"
MNT="$(mktemp -d)"
IMG="$WORK/ext4.img"
trap 'umount "$MNT" 2>/dev/null || true; rmdir "$MNT"; rm -rf "$WORK"' EXIT
printf 'Titel\n\nKMD og KL.\n' > "$WORK/small.txt"
# ~10 MB of input, whose mentions.csv outgrows either file system.
python3 - "$WORK/big.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(30000):
        f.write(json.dumps({"id": f"d{i}", "text": "KMD og Netcompany vandt udbuddet hos KL i Aarhus Kommune. " * 5}) + "\n")
PY

# check NAME: overflow the file system mounted at $MNT.
check() {
  "$KG" run "$WORK/small.txt" -o "$MNT/out" --quiet
  local before after leftovers code
  before="$(cd "$MNT/out" && sha256sum ./*)"
  set +e
  "$KG" run "$WORK/big.jsonl" -o "$MNT/out" --quiet 2> "$WORK/err"
  code=$?
  set -e
  after="$(cd "$MNT/out" && sha256sum ./*)"
  leftovers="$(find "$MNT/out" -name '.*partial*' | wc -l)"
  if [ "$code" -ne 1 ] || [ "$before" != "$after" ] || [ "$leftovers" -ne 0 ] \
    || ! grep -q "cannot write $MNT/out/" "$WORK/err"; then
    echo "disk-full check ($1): FAILED (exit $code, leftovers $leftovers," \
      "outputs changed: $([ "$before" = "$after" ] && echo no || echo yes), message: $(head -c 200 "$WORK/err"))"
    exit 1
  fi
  echo "disk-full check ($1): ok (exit 1, earlier outputs intact, no temporary files; $(head -c 120 "$WORK/err"))"
}

if mount -t tmpfs -o size=256k tmpfs "$MNT" 2>/dev/null; then
  check tmpfs
  umount "$MNT"
else
  echo "disk-full check (tmpfs): skipped (cannot mount a tmpfs here)"
fi
if truncate -s 8M "$IMG" && mkfs.ext4 -q -F "$IMG" 2>/dev/null && mount -o loop "$IMG" "$MNT" 2>/dev/null; then
  check "ext4, direct writes"
  umount "$MNT"
else
  echo "disk-full check (ext4): skipped (cannot make or mount an ext4 image here)"
fi
