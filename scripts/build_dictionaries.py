#!/usr/bin/env python3
"""Build dictionaries/municipalities.csv and dictionaries/regions.csv from the
reference facts in ../shared/reference (municipality codes, regions, variants and
the list of short names that are ordinary Danish words).

Run from the repository root: python3 scripts/build_dictionaries.py [REFERENCE_DIR]
The output is committed; the binary embeds it.
"""
import csv
import io
import sys
from pathlib import Path

ref = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
out = Path("dictionaries")

# ambiguous.md, section 1 and 3: short names (and variants) that are ordinary
# words or common surnames/villages; they match bare only in municipal context.
AMBIGUOUS = {"Vejen", "Skive", "Greve", "Odder", "Lejre", "Tønder", "Varde", "Faxe",
             "Vejle", "Samsø", "Assens", "Lyngby", "Fakse"}


def slug_region(name):
    return name.replace("Region ", "").lower().replace("æ", "ae")


def write(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


rows = []
with open(ref / "municipalities.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        short, official = r["name"], r["official_name"]
        bare = [short] + [v for v in r["variants"].split(";") if v]
        aliases = []
        for name in bare:
            flag = "?" if name in AMBIGUOUS else "^"
            aliases.append(flag + name)
            aliases.append(f"{name} Kommune")
        if official.endswith("Regionskommune"):
            aliases.append(official.replace("Regionskommune", "Kommune"))
        # Drop duplicates of the label and keep order.
        seen, uniq = {official}, []
        for a in aliases:
            if a.lstrip("^?") not in seen:
                seen.add(a.lstrip("^?"))
                uniq.append(a)
        rows.append([f"kommune-{r['code']}", "municipality", official, ";".join(uniq),
                     r["code"], r["region"]])
write(out / "municipalities.csv", ["id", "type", "name", "aliases", "code", "region"], rows)

rows = []
with open(ref / "regions.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        # Bare 'Hovedstaden', 'Sjælland', 'Nordjylland'... are places, not the
        # regional council: keep only the forms that say 'Region'.
        variants = [v for v in r["variants"].split(";") if v.startswith("Region") or " Region" in v]
        rows.append([f"region-{slug_region(r['name'])}", "region", r["name"], ";".join(variants), r["code"]])
write(out / "regions.csv", ["id", "type", "name", "aliases", "code"], rows)
print("wrote", out / "municipalities.csv", "and", out / "regions.csv")
