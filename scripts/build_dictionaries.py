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

# Given names and surnames for person discovery: compact lists of the common
# ones (≥50 bearers as a given name, ≥100 as a last name). A given name that is
# also a Danish function word, month, weekday or frequent capitalised noun is
# left out: at the start of a sentence it would look like a name.
NOT_NAMES = {
    "De", "Den", "Det", "Der", "Han", "Hun", "Vi", "Som", "Til", "Om", "Da", "Nu", "Kun", "Ny", "Nye", "Men",
    "Og", "Af", "For", "Med", "Når", "Hvis", "Her", "Så", "Også", "Ved", "Fra", "Mod", "Over", "Alle", "Man",
    "Sol", "Maj", "Juni", "Juli", "August", "April", "Marts", "Januar", "Februar", "September", "Oktober",
    "November", "December", "Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag",
    "Ask", "Storm", "Sky", "Dag", "Nat", "Love", "Nord", "Syd", "Øst", "Vest", "Kirke", "Is", "Ja",
    "Nej", "Tak", "Pris", "Skat", "Stat", "By", "Land", "Ven", "Have", "Lige", "Hele", "Ifølge",
    "Region", "Kommune", "Dansk", "Danske", "Danmark", "Europa", "Is", "Sommer", "Vinter", "Glad", "Blå",
    "Rød", "Grøn", "Hvid", "Sort", "Lys", "Ro", "Ære", "Tro", "Håb", "Fred", "Rose", "Lilje", "Viol",
    "Herlev", "Kolding", "Randers", "Skive", "Thisted", "Viborg", "Vejle", "Esbjerg", "Odense", "Aarhus",
    "Nyborg", "Greve", "Tønder", "Lemvig", "Ringsted", "Hedensted", "Fredensborg", "Holbæk", "Hjørring",
    "Google", "Apple", "Amazon", "Microsoft", "Nokia", "Tesla", "Mercedes", "Chanel", "Paris", "London",
}
with open(ref / "first_names_freq.csv", encoding="utf-8") as f:
    given = [r["name"] for r in csv.DictReader(f) if int(r["total"]) >= 50 and r["name"] not in NOT_NAMES]
# Short names such as "Bo" and "Per" stay: a name needs a capitalised second
# token, which the words "bo" and "per" do not have.
(out / "first_names.txt").write_text(
    "# Danish given names with at least 50 bearers (Danmarks Statistik 2021, via\n"
    "# ../shared/reference/first_names_freq.csv), minus words that open sentences.\n"
    + "\n".join(sorted(set(given))) + "\n", encoding="utf-8")
with open(ref / "surnames_freq.csv", encoding="utf-8") as f:
    family = [r["name"] for r in csv.DictReader(f) if int(r["as_last_name"]) >= 100]
(out / "surnames.txt").write_text(
    "# Danish surnames with at least 100 bearers as last name (2005 counts, via\n"
    "# ../shared/reference/surnames_freq.csv).\n"
    + "\n".join(sorted(set(family))) + "\n", encoding="utf-8")
print("wrote", len(set(given)), "given names and", len(set(family)), "surnames")
