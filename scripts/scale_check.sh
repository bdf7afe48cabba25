#!/usr/bin/env bash
# Scale and shape checks on generated input (nothing from ../shared):
# one 100 MB document on a single line, 10^5 small files, a dictionary of
# 10^5 entities, 3,000 entities in 30,000 documents that make ~840,000
# edges, one document of 400,000 lines, every other one furniture, one
# document naming 160,000 companies, and one naming 160,000 people who share
# their first two names. Each run must exit 0 without a panic; time and peak
# memory are printed. The many-edges run must stay under 400 MB (it took
# 2.5 GB when graph.json was built as a serde_json::Value tree); the
# furniture document must take under 10 s (about 0.5 s; the furniture ranges
# were once quadratic in the paragraphs, 26 s), the companies document under
# 15 s (about 2 s; pairing every two entities of a document took 38 s) and
# the people document under 10 s (about 1 s; short forms of names were once
# matched against every name with the same first two words). A last
# document is one 500 KB sentence with 50,000 mentions: it must stay under
# 1 GB (about 150 MB; each mention once carried the whole sentence as its
# context, and the run was killed at 23 GB). And 40,000 documents with one
# id must take under 10 s (about 0.2 s; each repeat once tried every
# suffix before its own, 96 s). The companies document read as one window
# (--window document) is a list of 160,000 entities: it must be reported as
# one and stay under 600 MB (about 310 MB, as much as the same document
# in paragraph windows; linking them all was killed at 23 GB). usage: scripts/scale_check.sh KOMMUNEGRAF [WORKDIR]
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
# Many edges: 8 of 3,000 vendors in each of 30,000 documents, nearly every
# pair of a document new.
with open(f"{work}/edges-dict.csv", "w") as f:
    f.write("id,type,name,aliases\n")
    for i in range(3000):
        f.write(f"v{i},vendor,Zorblax{i:04d},\n")
with open(f"{work}/edges.jsonl", "w") as f:
    for d in range(30000):
        text = " ".join(f"Zorblax{e:04d} leverer." for e in rng.sample(range(3000), 8))
        f.write(json.dumps({"id": f"d{d}", "text": text}) + "\n")
# Furniture: "Læs også" lines between article lines, 400,000 lines in all.
lines = ["Læs også: Kommunen køber nyt system" if i % 2 == 0 else "Aarhus Kommune har indgået en aftale med KMD."
         for i in range(400_000)]
with open(f"{work}/furniture.jsonl", "w") as f:
    f.write(json.dumps({"id": "furniture", "text": "\n".join(lines)}, ensure_ascii=False) + "\n")
# One document, 80,000 lines, two new companies (legal forms) in each.
lines = [f"Firma{i} A/S og Netip{i} ApS samt Digitaliseringsstyrelsen og Konkurrence- og Forbrugerstyrelsen."
         for i in range(80_000)]
with open(f"{work}/companies.jsonl", "w") as f:
    f.write(json.dumps({"id": "companies", "text": "\n".join(lines)}) + "\n")
# One document, 160,000 people called "Jens Peter" and a made-up surname.
def surname(i):
    s, i = "", i + 26**3
    while i:
        s, i = chr(97 + i % 26) + s, i // 26
    return s.capitalize() + "sen"
lines = [f"Jens Peter {surname(i)} siger, at det går godt." for i in range(160_000)]
with open(f"{work}/people.jsonl", "w") as f:
    f.write(json.dumps({"id": "people", "text": "\n".join(lines)}) + "\n")
# 40,000 documents with the same id.
with open(f"{work}/same-id.jsonl", "w") as f:
    f.writelines(json.dumps({"id": "same", "text": f"KMD nr. {i}."}) + "\n" for i in range(40_000))
# One sentence, 25,000 times "KMD og Aarhus Kommune".
with open(f"{work}/sentence.jsonl", "w") as f:
    f.write(json.dumps({"id": "sentence", "text": " ".join(["KMD og Aarhus Kommune"] * 25_000) + "."}) + "\n")
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
check many-edges "$WORK/edges.jsonl" --dict "$WORK/edges-dict.csv" --no-default-dict
read -r _ kb < "$WORK/many-edges.time"
if [ $((kb / 1024)) -ge 400 ]; then echo "scale check many-edges: $((kb / 1024)) MB peak, limit 400"; exit 1; fi
check furniture-lines "$WORK/furniture.jsonl"
read -r secs _ < "$WORK/furniture-lines.time"
if ! awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; then echo "scale check furniture-lines: $secs s, limit 10"; exit 1; fi
check companies-one-document "$WORK/companies.jsonl"
read -r secs _ < "$WORK/companies-one-document.time"
if ! awk -v s="$secs" 'BEGIN { exit !(s < 15) }'; then echo "scale check companies-one-document: $secs s, limit 15"; exit 1; fi
check companies-as-one-window "$WORK/companies.jsonl" --window document
read -r _ kb < "$WORK/companies-as-one-window.time"
if [ $((kb / 1024)) -ge 600 ]; then echo "scale check companies-as-one-window: $((kb / 1024)) MB peak, limit 600"; exit 1; fi
grep -q "read as a list" "$WORK/companies-as-one-window.err" || { echo "scale check companies-as-one-window: no list warning"; exit 1; }
check people-one-document "$WORK/people.jsonl"
read -r secs _ < "$WORK/people-one-document.time"
if ! awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; then echo "scale check people-one-document: $secs s, limit 10"; exit 1; fi
check one-long-sentence "$WORK/sentence.jsonl"
read -r _ kb < "$WORK/one-long-sentence.time"
if [ $((kb / 1024)) -ge 1000 ]; then echo "scale check one-long-sentence: $((kb / 1024)) MB peak, limit 1000"; exit 1; fi
check repeated-ids "$WORK/same-id.jsonl"
read -r secs _ < "$WORK/repeated-ids.time"
if ! awk -v s="$secs" 'BEGIN { exit !(s < 10) }'; then echo "scale check repeated-ids: $secs s, limit 10"; exit 1; fi
