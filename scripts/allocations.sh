#!/usr/bin/env bash
# Allocations a document costs. kommunegraf is built with the system
# allocator (--no-default-features: mimalloc off), which valgrind's DHAT can
# count, and run on the first N and the first 2N documents of a JSONL corpus;
# the difference, over N, is what one more document costs, without the run's
# fixed costs (dictionaries, automaton, end-of-run files). Prints that figure
# and the call sites (first kommunegraf frames) that add the most.
#
# usage: scripts/allocations.sh CORPUS.jsonl [N] [kommunegraf run options]
#   N defaults to 1000; the options default to --threads 1. For the bench:
#   scripts/allocations.sh /tmp/kgbench/corpus_100mb/corpus.jsonl 1000 \
#     --dict /tmp/kgbench/dict.csv --no-default-dict --threads 1
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="$1"
N="${2:-1000}"
shift $(($# < 2 ? $# : 2))
[ $# -gt 0 ] || set -- --threads 1
command -v valgrind >/dev/null || { echo "allocations.sh: valgrind is not installed" >&2; exit 1; }
cargo build --release --quiet --no-default-features --target-dir target/sysalloc
KG="$PWD/target/sysalloc/release/kommunegraf"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for n in "$N" $((2 * N)); do
  head -n "$n" "$CORPUS" > "$WORK/first-$n.jsonl"
  valgrind --tool=dhat --dhat-out-file="$WORK/dhat-$n.json" \
    "$KG" run "$WORK/first-$n.jsonl" -o "$WORK/out-$n" --quiet "$@" 2> "$WORK/valgrind-$n.log"
done
python3 - "$WORK" "$N" <<'PY'
import collections, json, sys
work, n = sys.argv[1], int(sys.argv[2])

def sites(path):
    """Blocks allocated, by the first two kommunegraf frames of the stack."""
    d = json.load(open(path))
    frames, out = d["ftbl"], collections.Counter()
    for pp in d["pps"]:
        chain = []
        for f in (frames[i] for i in pp["fs"]):
            if "kommunegraf::" in f and "alloc::" not in f and "RawVec" not in f:
                chain.append(f.split(": ", 1)[-1][:110])
                if len(chain) == 2:
                    break
        out[" <- ".join(chain) or "(outside kommunegraf)"] += pp["tbk"]
    return out

a, b = sites(f"{work}/dhat-{n}.json"), sites(f"{work}/dhat-{2 * n}.json")
total_a, total_b = sum(a.values()), sum(b.values())
print(f"{n} documents: {total_a} allocations; {2 * n} documents: {total_b}")
print(f"per document: {(total_b - total_a) / n:.1f}")
diff = sorted(((b[k] - a.get(k, 0), k) for k in b), reverse=True)
for blocks, site in diff[:12]:
    if blocks > 0:
        print(f"{blocks / n:8.2f}  {site}")
PY
