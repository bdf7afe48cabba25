//! `kommunegraf dict check`: what could go wrong with a dictionary before a
//! run finds out. Loading already reports rows without id, type or name,
//! duplicate ids, empty aliases and aliases shared by two entities; this adds
//! aliases that are ordinary Danish words without a case or context flag,
//! and aliases too short to be safe.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diag::{Diagnostics, Severity};
use crate::dict::{CaseRule, ContextRule, Dictionary, word_list};

/// The word list shipped in the binary.
pub const COMMON_WORDS: &str = include_str!("../dictionaries/common_words.txt");

/// Check the aliases of `dict`, adding warnings to `diag`.
pub fn check(dict: &Dictionary, diag: &mut Diagnostics) {
    let words = word_list(COMMON_WORDS);
    for a in &dict.aliases {
        let e = dict.entity(a.entity);
        let lower = a.text.to_lowercase();
        let guarded = a.case == CaseRule::Exact || a.context == ContextRule::Municipal;
        if words.contains(lower.as_str()) && !guarded {
            let how = match a.case {
                CaseRule::Free => "in any case",
                _ => "whenever capitalised, as at the start of a sentence",
            };
            diag.warn(
                &e.origin,
                format!(
                    "alias {:?} of {:?} is also a common Danish word and matches {how}; consider ={} (case-exact){}",
                    a.text,
                    e.id,
                    a.text,
                    if e.kind == "municipality" {
                        format!(" or ?{} (municipal context)", a.text)
                    } else {
                        String::new()
                    }
                ),
            );
        }
        if a.text.chars().filter(|c| c.is_alphanumeric()).count() <= 2 && a.case != CaseRule::Exact {
            diag.warn(
                &e.origin,
                format!("alias {:?} of {:?} is two characters or fewer and not case-exact", a.text, e.id),
            );
        }
    }
}

/// A summary: entities per type, aliases, warnings and errors.
pub fn summary(dict: &Dictionary, diag: &Diagnostics) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &dict.entities {
        *kinds.entry(e.kind.as_str()).or_default() += 1;
    }
    let mut s = String::new();
    let per: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let _ = writeln!(s, "{} entities ({}), {} aliases", dict.entities.len(), per.join(", "), dict.aliases.len());
    let _ = writeln!(s, "{} errors, {} warnings", diag.count(Severity::Error), diag.count(Severity::Warning));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_and_short_aliases_are_flagged() {
        let mut diag = Diagnostics::default();
        let mut d = Dictionary::new();
        d.add_csv(
            "t.csv",
            "id,type,name,aliases\nv,municipality,Vejen Kommune,?Vejen\ns,organization,Skat,=SKAT\nx,vendor,Xy,\nvv,vendor,Venstre Data,venstre\n".as_bytes(),
            &mut diag,
        );
        check(&d, &mut diag);
        let msgs: Vec<String> = diag.items.iter().map(ToString::to_string).collect();
        assert!(msgs.iter().any(|m| m.contains("\"Skat\"") && m.contains("common Danish word")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("\"venstre\"") && m.contains("in any case")), "{msgs:?}");
        assert!(!msgs.iter().any(|m| m.contains("\"Vejen\"")), "guarded by ? : {msgs:?}");
        assert!(!msgs.iter().any(|m| m.contains("\"SKAT\"")), "case-exact: {msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("\"Xy\"") && m.contains("two characters")), "{msgs:?}");
        assert!(msgs.iter().all(|m| m.contains("t.csv:")), "{msgs:?}");
        assert!(summary(&d, &diag).starts_with("4 entities"));
    }
}
