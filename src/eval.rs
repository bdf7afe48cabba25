//! Scoring extracted mentions against hand-made gold entities, with the
//! semantics of the project's `score.py`: per document, the set of
//! (type, entity) pairs; a prediction matches a gold entity of the same type
//! when its normalised label equals the gold name or one of its surfaces;
//! co-mention edges are the unordered pairs of entities sharing a document.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// One gold entity.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldEntity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub surfaces: Vec<String>,
}

#[derive(Deserialize)]
struct GoldDoc {
    id: String,
    entities: Vec<GoldEntity>,
}

/// Gold entities per document id, in the order of the gold file.
pub type Gold = Vec<(String, Vec<GoldEntity>)>;
/// Predicted (type, label) pairs per document id.
pub type Predicted = BTreeMap<String, BTreeSet<(String, String)>>;

/// The normal form labels are compared in (as `score.py`'s `norm`): lower
/// case, typographic apostrophe as `'`, a trailing genitive `s`/`'s` dropped
/// from names longer than four characters, runs of spaces, slashes and
/// hyphens as one space, and surrounding ` .,` trimmed.
pub fn norm(s: &str) -> String {
    let mut s: String = s.chars().flat_map(char::to_lowercase).collect::<String>().replace('\u{2019}', "'");
    if s.chars().count() > 4 {
        if let Some(x) = s.strip_suffix("'s") {
            s = x.to_string();
        } else if s.ends_with('s') {
            let before = s[..s.len() - 1].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "æøå".contains(c)) {
                s.pop();
            }
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut in_sep = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '/' || c == '-' {
            if !in_sep {
                out.push(' ');
            }
            in_sep = true;
        } else {
            out.push(c);
            in_sep = false;
        }
    }
    out.trim_matches([' ', '.', ',']).to_string()
}

pub fn load_gold(path: &Path) -> Result<Gold> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut gold = Gold::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let d: GoldDoc =
            serde_json::from_str(line).with_context(|| format!("{}:{}: not a gold document", path.display(), i + 1))?;
        gold.push((d.id, d.entities));
    }
    Ok(gold)
}

pub fn load_mentions(path: &Path) -> Result<Predicted> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let col =
        |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("{}: no column {n}", path.display()));
    let (d, t, l) = (col("doc_id")?, col("type")?, col("label")?);
    let mut pred = Predicted::new();
    for rec in rdr.records() {
        let rec = rec?;
        // Spreadsheet-safe cells carry a leading ' (see --raw-csv).
        let label = crate::export::uncell(rec[l].trim());
        pred.entry(crate::export::uncell(&rec[d]).to_string())
            .or_default()
            .insert((rec[t].trim().to_lowercase(), label.to_string()));
    }
    Ok(pred)
}

/// Counts of one row of the score table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub pred: usize,
    pub gold: usize,
}

impl Counts {
    /// Precision, recall and F1 (1.0 for an empty denominator, as `score.py`).
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = if self.pred > 0 { self.tp as f64 / self.pred as f64 } else { 1.0 };
        let r = if self.gold > 0 { self.tp as f64 / self.gold as f64 } else { 1.0 };
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        (p, r, f)
    }
}

/// A false positive or negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreError {
    pub doc: String,
    /// `FP` or `FN`
    pub what: &'static str,
    pub kind: String,
    pub name: String,
}

/// The result of scoring.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub by_type: BTreeMap<String, Counts>,
    pub all: Counts,
    pub edges: Counts,
    pub docs: usize,
    pub unknown_docs: usize,
    pub errors: Vec<ScoreError>,
}

pub fn score(gold: &Gold, pred: &Predicted) -> Score {
    let mut s = Score { docs: gold.len(), ..Score::default() };
    let empty = BTreeSet::new();
    for (doc, gents) in gold {
        let pents = pred.get(doc).unwrap_or(&empty);
        let keys: Vec<(&str, &str, BTreeSet<String>)> = gents
            .iter()
            .map(|g| {
                let mut forms: BTreeSet<String> = g.surfaces.iter().map(|x| norm(x)).collect();
                forms.insert(norm(&g.name));
                (g.kind.as_str(), g.name.as_str(), forms)
            })
            .collect();
        let mut used = vec![false; keys.len()];
        let mut matches: HashMap<&(String, String), &str> = HashMap::new();
        let mut fps = Vec::new();
        for p in pents {
            let n = norm(&p.1);
            match keys.iter().enumerate().position(|(i, (t, _, forms))| !used[i] && *t == p.0 && forms.contains(&n)) {
                Some(i) => {
                    used[i] = true;
                    matches.insert(p, keys[i].1);
                    s.by_type.entry(p.0.clone()).or_default().tp += 1;
                }
                None => fps.push(ScoreError { doc: doc.clone(), what: "FP", kind: p.0.clone(), name: p.1.clone() }),
            }
            s.by_type.entry(p.0.clone()).or_default().pred += 1;
        }
        for (i, (t, name, _)) in keys.iter().enumerate() {
            s.by_type.entry(t.to_string()).or_default().gold += 1;
            if !used[i] {
                s.errors.push(ScoreError { doc: doc.clone(), what: "FN", kind: t.to_string(), name: name.to_string() });
            }
        }
        s.errors.extend(fps);
        let pairs = |names: &BTreeSet<String>| -> BTreeSet<(String, String)> {
            names
                .iter()
                .flat_map(|x| names.iter().filter(move |y| x < *y).map(move |y| (x.clone(), y.clone())))
                .collect()
        };
        let gold_names: BTreeSet<String> = gents.iter().map(|g| g.name.clone()).collect();
        let pred_names: BTreeSet<String> =
            pents.iter().map(|p| matches.get(p).map_or_else(|| format!("pred:{}", p.1), |g| g.to_string())).collect();
        let (gp, pp) = (pairs(&gold_names), pairs(&pred_names));
        s.edges.tp += gp.intersection(&pp).count();
        s.edges.pred += pp.len();
        s.edges.gold += gp.len();
    }
    let ids: std::collections::HashSet<&str> = gold.iter().map(|(d, _)| d.as_str()).collect();
    s.unknown_docs = pred.keys().filter(|d| !ids.contains(d.as_str())).count();
    for c in s.by_type.values() {
        s.all.tp += c.tp;
        s.all.pred += c.pred;
        s.all.gold += c.gold;
    }
    s
}

/// The table `score.py` prints, with up to `errors` error lines.
pub fn table(s: &Score, errors: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<14}{:>6}{:>6}{:>6}{:>8}{:>8}{:>8}", "type", "gold", "pred", "tp", "P", "R", "F1");
    let rows = s.by_type.iter().map(|(k, c)| (k.as_str(), c)).chain([("ALL", &s.all), ("EDGES", &s.edges)]);
    for (name, c) in rows {
        let (p, r, f) = c.prf();
        let _ = writeln!(out, "{name:<14}{:>6}{:>6}{:>6}{p:>8.3}{r:>8.3}{f:>8.3}", c.gold, c.pred, c.tp);
    }
    let _ = writeln!(out, "documents: {} gold, {} predicted documents not in the gold", s.docs, s.unknown_docs);
    for e in s.errors.iter().take(errors) {
        let _ = writeln!(out, "{}\t{}\t{}\t{}", e.doc, e.what, e.kind, e.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert_eq!(norm("Aarhus Kommunes"), "aarhus kommune");
        assert_eq!(norm("KMD’s"), "kmd");
        assert_eq!(norm("Faaborg/Midtfyn"), "faaborg midtfyn");
        assert_eq!(norm("EU-domstolen"), "eu domstolen");
        assert_eq!(norm("KLs"), "kls", "four characters or fewer keep their s");
        assert_eq!(norm(" Statens It. "), "statens it");
    }

    #[test]
    fn scoring_by_document_and_edges() {
        let g = |n: &str, t: &str, s: &[&str]| GoldEntity {
            name: n.into(),
            kind: t.into(),
            surfaces: s.iter().map(|x| x.to_string()).collect(),
        };
        let gold: Gold =
            vec![("d1".into(), vec![g("KMD", "vendor", &["KMD"]), g("Aarhus Kommune", "municipality", &["Århus"])])];
        let mut pred = Predicted::new();
        let set = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        pred.insert("d1".into(), set(&[("vendor", "KMD's"), ("municipality", "Århus"), ("person", "Jens")]));
        pred.insert("x".into(), set(&[("vendor", "KMD")]));
        let s = score(&gold, &pred);
        assert_eq!(s.all, Counts { tp: 2, pred: 3, gold: 2 });
        assert_eq!(s.edges, Counts { tp: 1, pred: 3, gold: 1 });
        assert_eq!(s.unknown_docs, 1);
        assert_eq!(s.errors.len(), 1);
    }
}
