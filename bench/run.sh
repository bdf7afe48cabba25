#!/usr/bin/env bash
# Run kommunegraf beside the peers of ../shared/bench on the same corpus and
# dictionary, in one run, and print MB/s and ratios; then two --threads 1 runs
# side by side, for the ceiling this machine gives two independent jobs.
#
# usage: bench/run.sh [MB]        (default 100; corpus made by make_corpus.py --mb MB)
# env:   ROUNDS (3: rounds of rust-limit and kommunegraf, for medians),
#        SHARED (../shared), TOOLS (peers, default: rust-limit pyahocorasick hyperscan flashtext spacy)
#        RUNDIR (/tmp/kgbench/runs/kg-<timestamp>), KEEP=1 keeps kommunegraf's outputs there
#        (~250 MB a run on 100 MB; by default they are removed once compared)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SHARED:-../shared}"
MB="${1:-100}"
BENCH="$SHARED/bench"
CORPUS="/tmp/kgbench/corpus_${MB}mb/corpus.jsonl"
DICT=/tmp/kgbench/dict.csv
RUNDIR="${RUNDIR:-/tmp/kgbench/runs/kg-$(date +%Y%m%d-%H%M%S)}"
export TOOLS="${TOOLS:-rust-limit pyahocorasick hyperscan flashtext spacy}"

[ -x /tmp/kgbench/venv/bin/python ] && [ -x /tmp/kgbench/target/release/limit ] || bash "$BENCH/setup.sh"
[ -f "$CORPUS" ] || python3 "$BENCH/make_corpus.py" --mb "$MB"
[ -f "$DICT" ] || python3 "$BENCH/make_dict.py"
cargo build --release --quiet
KG="$PWD/target/release/kommunegraf"
# kg TIMEFILE OUTDIR ARGS...: one timed kommunegraf run on the bench corpus and dictionary.
kg() {
  local time="$1" out="$2"
  shift 2
  /usr/bin/time -v -o "$time" "$KG" run "$CORPUS" --dict "$DICT" --no-default-dict -o "$out" --quiet "$@"
}

mkdir -p "$RUNDIR"
bash "$BENCH/run_peers.sh" "$CORPUS" "$DICT" "$RUNDIR" > "$RUNDIR/peers.md"
for threads in 1 2; do
  echo "running kommunegraf --threads $threads ..." >&2
  kg "$RUNDIR/kommunegraf-t$threads.time" "$RUNDIR/kommunegraf-t$threads" --threads "$threads"
done
# The dictionary job alone, as the peers do it (no discovery of people,
# companies and agencies): what discovery costs, on the same machine state.
echo "running kommunegraf --threads 1 --no-discover ..." >&2
kg "$RUNDIR/kommunegraf-t1-no-discover.time" "$RUNDIR/kommunegraf-t1-nd" --threads 1 --no-discover
rm -rf "$RUNDIR/kommunegraf-t1-nd"
# Where the time goes, stage by stage, in one more --threads 1 run (timed
# apart: the laps cost a little), printed after the table.
echo "running kommunegraf --threads 1 --timings ..." >&2
kg "$RUNDIR/timings.wall" "$RUNDIR/kommunegraf-timings" --threads 1 --timings 2> "$RUNDIR/timings.txt"
rm -rf "$RUNDIR/kommunegraf-timings"
# The table above is one run of each, as the peers get. On a shared VM one
# wall time can be 15% off, so ROUNDS-1 more rounds (default 2) time
# rust-limit and kommunegraf again, in turn, for medians printed below it.
for round in $(seq 2 "${ROUNDS:-3}"); do
  dir="$RUNDIR/round-$round"
  mkdir -p "$dir"
  TOOLS=rust-limit bash "$BENCH/run_peers.sh" "$CORPUS" "$DICT" "$dir" > "$dir/peers.md"
  for threads in 1 2; do
    echo "running kommunegraf --threads $threads (round $round) ..." >&2
    kg "$dir/kommunegraf-t$threads.time" "$dir/out" --threads "$threads"
    rm -rf "$dir/out"
  done
done
# This machine's own ceiling for two busy cores: two independent --threads 1
# runs side by side (nothing shared), timed apart from the table above.
echo "running two kommunegraf --threads 1 side by side ..." >&2
for k in a b; do
  kg "$RUNDIR/pair-$k.wall" "$RUNDIR/pair-$k" --threads 1 &
done
wait
rm -rf "$RUNDIR/pair-a" "$RUNDIR/pair-b"
cmp -s "$RUNDIR/kommunegraf-t1/mentions.csv" "$RUNDIR/kommunegraf-t2/mentions.csv" \
  && echo "outputs of --threads 1 and 2: identical" || echo "outputs of --threads 1 and 2: DIFFER"
[ -n "${KEEP:-}" ] || rm -rf "$RUNDIR/kommunegraf-t1" "$RUNDIR/kommunegraf-t2"

python3 - "$RUNDIR" "$CORPUS" <<'PY'
import re, statistics, sys
from pathlib import Path
run, corpus = Path(sys.argv[1]), Path(sys.argv[2])
mb = corpus.stat().st_size / 1e6
def wall_rss(p):
    t = p.read_text()
    hms = re.search(r"Elapsed \(wall clock\) time .*: (\S+)", t).group(1).split(":")
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(hms)))
    return wall, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
rows = {p.stem: wall_rss(p) for p in sorted(run.glob("*.time"))}
# the re peer reads a capped prefix; leave it out of the ratios
rows.pop("re", None)
limit = rows.get("rust-limit")
print(f"\ncorpus {mb:.1f} MB ({corpus}); MB/s = corpus MB / whole-process wall time\n")
print("| tool | wall s | MB/s | peak RSS MB | × rust-limit |")
print("|---|---:|---:|---:|---:|")
for tool, (wall, rss) in sorted(rows.items(), key=lambda kv: kv[1][0]):
    ratio = f"{limit[0] / wall:.2f}" if limit else "-"
    print(f"| {tool} | {wall:.2f} | {mb / wall:.2f} | {rss:.0f} | {ratio} |")
t1, t2 = rows.get("kommunegraf-t1"), rows.get("kommunegraf-t2")
if t1 and t2:
    print(f"\nkommunegraf --threads 2 vs --threads 1: {t1[0] / t2[0]:.2f}×")
    pair = [wall_rss(p)[0] for p in sorted(run.glob("pair-*.wall"))]
    if len(pair) == 2:
        print(f"two --threads 1 runs side by side: {max(pair):.2f} s for twice the work, "
              f"{2 * t1[0] / max(pair):.2f}× the rate of one (this machine's ceiling for two independent jobs)")
    nd = rows.get("kommunegraf-t1-no-discover")
    if nd:
        print(f"kommunegraf --threads 1 --no-discover (the dictionary job alone): {nd[0]:.2f} s; "
              f"discovery takes {1 - nd[0] / t1[0]:.0%} of the --threads 1 time")
    rounds = [run] + sorted(run.glob("round-*"))
    walls = {name: sorted(wall_rss(d / f"{name}.time")[0] for d in rounds if (d / f"{name}.time").exists())
             for name in ("rust-limit", "kommunegraf-t1", "kommunegraf-t2")}
    if len(rounds) > 1 and all(walls.values()):
        med = {name: statistics.median(w) for name, w in walls.items()}
        each = "; ".join(f"{name} " + " ".join(f"{x:.2f}" for x in w) for name, w in walls.items())
        print(f"medians of {len(rounds)} rounds (s: {each}): "
              f"--threads 1 {med['rust-limit'] / med['kommunegraf-t1']:.2f}× rust-limit, "
              f"--threads 2 {med['kommunegraf-t1'] / med['kommunegraf-t2']:.2f}× --threads 1")
    for peer in ("hyperscan", "pyahocorasick", "flashtext", "spacy"):
        if peer in rows:
            print(f"kommunegraf --threads 1 vs {peer}: {rows[peer][0] / t1[0]:.2f}×")
timings = run / "timings.txt"
if timings.exists():
    print("\nkommunegraf --threads 1 --timings (one more run):\n")
    print(timings.read_text().rstrip())
PY
