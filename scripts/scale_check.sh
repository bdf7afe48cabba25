#!/usr/bin/env bash
# Scale and shape checks on generated input (nothing from ../shared):
# one 100 MB document on a single line, 10^5 small files, and a dictionary of
# 10^5 entities. Each run must exit 0 without a panic; time and peak memory
# are printed. usage: scripts/scale_check.sh KOMMUNEGRAF [WORKDIR]
set -euo pipefail
KG="$1"
WORK="${2:-$(mktemp -d)}"
mkdir -p "$WORK"
python3 - "$WORK" <<'PY'
import json, os, random, sys
work = sys.argv[1]
rng = random.Random(7)
names = ["KMD", "Netcompany", "Aarhus Kommune", "KL", "Jens Hansen", "Mette Kjær", "Region Sjælland", "EG A/S"]
words = "kommunen har indgået en aftale om drift af it-systemer og det koster penge hvert år siger".split()
def sentence():
    w = [rng.choice(words) for _ in range(rng.randint(6, 14))]
    w.insert(rng.randrange(len(w)), rng.choice(names))
    return " ".join(w).capitalize() + "."
chunks, size = [], 0
while size < 100_000_000:
    s = sentence() + " "
    chunks.append(s)
    size += len(s.encode())
with open(f"{work}/oneline.jsonl", "w") as f:
    f.write(json.dumps({"id": "one", "text": "".join(chunks)}, ensure_ascii=False) + "\n")
os.makedirs(f"{work}/many", exist_ok=True)
for i in range(100_000):
    with open(f"{work}/many/{i:06d}.txt", "w") as f:
        f.write(" ".join(sentence() for _ in range(3)))
first = ["Jens", "Mette", "Lars", "Anne", "Søren", "Hanne", "Peter", "Eva"]
with open(f"{work}/dict.csv", "w") as f:
    f.write("id,type,name,aliases\n")
    for i in range(100_000):
        f.write(f"p{i},person,{rng.choice(first)} Testesen{i},\n")
PY
check() {  # check NAME ARGS...
  local name="$1"; shift
  if ! /usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$KG" run "$@" -o "$WORK/out-$name" --quiet 2> "$WORK/$name.err"; then
    echo "scale check $name: FAILED"; cat "$WORK/$name.err"; exit 1
  fi
  if grep -q panicked "$WORK/$name.err"; then echo "scale check $name: PANIC"; cat "$WORK/$name.err"; exit 1; fi
  read -r secs kb < "$WORK/$name.time"
  printf 'scale check %-28s ok  %6.2f s  %5d MB peak\n' "$name" "$secs" $((kb / 1024))
}
check one-100MB-document "$WORK/oneline.jsonl"
check 100000-files "$WORK/many"
check 100000-entity-dictionary "$WORK/many/000001.txt" --dict "$WORK/dict.csv"
