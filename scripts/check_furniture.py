#!/usr/bin/env python3
"""Check furniture detection against the annotated article bodies.

Usage: scripts/check_furniture.py KOMMUNEGRAF SHARED_DIR

Runs kommunegraf on the dev corpus (which includes the five seed pages) and
compares the furniture byte ranges it reports in documents.csv with the
annotations in SHARED_DIR/eval/dev/annotations: `body_spans` (seeds) or
`body_end` (the others). For every document it prints how much of the
annotated furniture was found and how much article body was wrongly taken as
furniture. Fails if, on a seed page, less than 80% of the furniture is found,
more than 2% of the body is lost, or an entity that occurs only in furniture
(`furniture_entities`) is still mentioned.
"""
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

kg, shared = sys.argv[1], Path(sys.argv[2])
ann_dir = shared / "eval/dev/annotations"
with tempfile.TemporaryDirectory() as out:
    subprocess.run([kg, "run", str(shared / "eval/dev/corpus.jsonl"), "-o", out, "--quiet", "--format", "csv"],
                   check=True)
    docs = {r["doc_id"]: r for r in csv.DictReader(open(Path(out) / "documents.csv", encoding="utf-8"))}
    mentions = {}
    for r in csv.DictReader(open(Path(out) / "mentions.csv", encoding="utf-8")):
        mentions.setdefault(r["doc_id"], set()).add(r["label"])


def to_chars(text, spans):
    """Byte ranges (UTF-8) to a set of character positions."""
    b2c, pos = {}, 0
    for i, ch in enumerate(text):
        b2c[pos] = i
        pos += len(ch.encode("utf-8"))
    b2c[pos] = len(text)
    chars = set()
    for a, b in spans:
        chars.update(range(b2c[a], b2c[b]))
    return chars


failed = False
print(f"{'document':<24}{'furniture':>10}{'found':>8}{'body lost':>10}")
for path in sorted(ann_dir.glob("*.json")):
    ann = json.load(open(path, encoding="utf-8"))
    text, doc = ann["text"], docs[ann["id"]]
    body = ann.get("body_spans") or [[0, ann.get("body_end", len(text))]]
    body_chars = set()
    for a, b in body:
        body_chars.update(range(a, b))
    # Only non-space characters count; paragraph gaps are neither.
    solid = {i for i in range(len(text)) if not text[i].isspace()}
    furn_gold = solid - body_chars
    spans = [tuple(map(int, s.split("-"))) for s in doc["furniture"].split(";") if s]
    ours = to_chars(text, spans) & solid
    found = len(ours & furn_gold) / len(furn_gold) if furn_gold else 1.0
    lost = len(ours & body_chars) / max(1, len(body_chars & solid))
    seed = "body_spans" in ann
    leaked = [e["name"] for e in ann.get("furniture_entities", []) if e["name"] in mentions.get(ann["id"], set())]
    bad = seed and (found < 0.80 or lost > 0.02 or leaked)
    failed |= bool(bad)
    flag = "  FAIL" if bad else ""
    print(f"{ann['id']:<24}{len(furn_gold):>10}{found:>8.0%}{lost:>10.1%}{flag}" + (f"  leaked: {leaked}" if leaked else ""))
print("furniture check:", "FAIL" if failed else "ok")
sys.exit(1 if failed else 0)
