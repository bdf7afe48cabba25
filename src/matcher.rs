//! One Aho-Corasick automaton over every alias, run on the folded text.
//!
//! The matcher reports every alias occurrence that passes the rules that depend
//! only on the alias and the characters touching it: word boundaries, the
//! Danish genitive and compound tails, and the alias's case rule. Rules that
//! need more context, and the choice among overlapping candidates, are in
//! [`crate::resolve`].

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::dict::{Alias, CaseRule, Dictionary, EntityIdx};
use crate::fold::{fold, fold_into};

/// An alias found in the text, with exact byte offsets of the entity's surface
/// (genitive and compound tails excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`Matcher::aliases`].
    pub alias: u32,
    pub entity: EntityIdx,
    pub start: usize,
    pub end: usize,
}

/// Most patterns for which the automaton is a full DFA (see [`Matcher::new`]).
pub const DFA_MAX_PATTERNS: usize = 30_000;

/// The compiled automaton and the aliases it was built from.
pub struct Matcher {
    ac: AhoCorasick,
    aliases: Vec<Alias>,
}

/// Whether a character continues a word: Unicode letters and digits.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The length of a Danish genitive tail at the start of `rest` that ends a word:
/// `s` (`Microsofts`), `'s`, `’s`, `´s` (`KMD's`). Zero if there is none.
pub fn genitive_tail(rest: &str) -> usize {
    let tail = if rest.starts_with('s') {
        1
    } else {
        ["'s", "’s", "´s"].iter().find(|t| rest.starts_with(**t)).map_or(0, |t| t.len())
    };
    if tail == 0 || rest[tail..].chars().next().is_some_and(is_word_char) { 0 } else { tail }
}

/// Whether a whitespace-delimited token is a web or e-mail address
/// (`https://itchefer.dk/node/1`, `www.kl.dk`, `navn@kmd.dk`, `kmd.dk/om`).
pub fn is_address(token: &str) -> bool {
    token.contains("://")
        || token.contains('@')
        || token.starts_with("www.")
        || [".dk/", ".com/", ".org/", ".net/", ".eu/"].iter().any(|t| token.contains(t))
}

/// Whether the byte at `i` ends a whitespace character (ASCII whitespace,
/// or the second byte of a no-break space `C2 A0`).
fn ends_space(b: &[u8], i: usize) -> bool {
    b[i].is_ascii_whitespace() || (b[i] == 0xA0 && i > 0 && b[i - 1] == 0xC2)
}

/// The whitespace-delimited token around `start..end` (at most 200 bytes each side).
pub fn token_around(text: &str, start: usize, end: usize) -> &str {
    let b = text.as_bytes();
    let lo = start.saturating_sub(200);
    let mut a = start;
    while a > lo && !ends_space(b, a - 1) {
        a -= 1;
    }
    let hi = (end + 200).min(b.len());
    let mut z = end;
    while z < hi && !b[z].is_ascii_whitespace() && !(b[z] == 0xC2 && b.get(z + 1) == Some(&0xA0)) {
        z += 1;
    }
    // Keep to character boundaries when a limit cut a character.
    while !text.is_char_boundary(a) {
        a += 1;
    }
    while !text.is_char_boundary(z) {
        z -= 1;
    }
    &text[a..z]
}

impl Matcher {
    /// Build the automaton over every alias of `dict`.
    pub fn new(dict: &Dictionary) -> Result<Self, aho_corasick::BuildError> {
        let patterns: Vec<String> = dict.aliases.iter().map(|a| fold(&a.text)).collect();
        // Measured (benches/pipeline.rs, shipped dictionaries): the DFA scans
        // overlapping matches at ~148 MiB/s, the contiguous NFA at ~119 and
        // the noncontiguous NFA at ~110. The DFA's memory grows with patterns
        // × byte classes (~0.9 GB at 10^5 entities), so large dictionaries
        // take the contiguous NFA.
        let kind =
            if patterns.len() <= DFA_MAX_PATTERNS { AhoCorasickKind::DFA } else { AhoCorasickKind::ContiguousNFA };
        let ac = AhoCorasickBuilder::new().match_kind(MatchKind::Standard).kind(Some(kind)).build(&patterns)?;
        Ok(Matcher { ac, aliases: dict.aliases.clone() })
    }

    pub fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    pub fn alias(&self, idx: u32) -> &Alias {
        &self.aliases[idx as usize]
    }

    /// Every acceptable alias occurrence in `text`, in order of end offset.
    /// `folded` is a scratch buffer, reused between calls.
    pub fn candidates(&self, text: &str, folded: &mut Vec<u8>, out: &mut Vec<Candidate>) {
        out.clear();
        fold_into(text, folded);
        for m in self.ac.find_overlapping_iter(folded.as_slice()) {
            let alias_idx = m.pattern().as_u32();
            let alias = &self.aliases[alias_idx as usize];
            let (start, end) = (m.start(), m.end());
            if self.check(text, alias, start, end).is_ok() {
                out.push(Candidate { alias: alias_idx, entity: alias.entity, start, end });
            }
        }
    }

    /// Every raw occurrence of every alias, with the rule that accepted or
    /// rejected it (for `kommunegraf match`).
    pub fn explain(&self, text: &str) -> Vec<(Candidate, Result<(), &'static str>)> {
        let mut folded = Vec::new();
        fold_into(text, &mut folded);
        self.ac
            .find_overlapping_iter(folded.as_slice())
            .map(|m| {
                let idx = m.pattern().as_u32();
                let alias = &self.aliases[idx as usize];
                let c = Candidate { alias: idx, entity: alias.entity, start: m.start(), end: m.end() };
                (c, self.check(text, alias, m.start(), m.end()))
            })
            .collect()
    }

    /// The rules that look only at the alias and its neighbouring characters.
    fn check(&self, text: &str, alias: &Alias, start: usize, end: usize) -> Result<(), &'static str> {
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err("not on a character boundary");
        }
        if text[..start].chars().next_back().is_some_and(is_word_char) {
            return Err("starts inside a word");
        }
        let rest = &text[end..];
        let last = alias.text.chars().next_back();
        if rest.chars().next().is_some_and(is_word_char)
            && (genitive_tail(rest) == 0 || !last.is_some_and(is_word_char))
        {
            return Err("ends inside a word");
        }
        if !alias.compounds && rest.starts_with('-') {
            return Err("this alias does not start hyphen compounds");
        }
        let surface = &text[start..end];
        match alias.case {
            CaseRule::Exact if surface != alias.text => return Err("case-exact alias written otherwise"),
            CaseRule::Capitalised if !surface.chars().next().is_some_and(char::is_uppercase) => {
                return Err("the alias is capitalised, the text is not");
            }
            _ => {}
        }
        // A link is not a mention (checked last: it looks furthest).
        if is_address(token_around(text, start, end)) {
            return Err("inside a web or e-mail address");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;

    fn matcher(csv: &str) -> (Dictionary, Matcher) {
        let mut diag = Diagnostics::default();
        let mut d = Dictionary::new();
        d.add_csv("t.csv", format!("id,type,name,aliases\n{csv}").as_bytes(), &mut diag);
        assert!(diag.is_empty(), "{diag:?}");
        let m = Matcher::new(&d).unwrap();
        (d, m)
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let mut buf = Vec::new();
        let mut out = Vec::new();
        m.candidates(text, &mut buf, &mut out);
        out.iter().map(|c| text[c.start..c.end].to_string()).collect()
    }

    #[test]
    fn tails_and_boundaries() {
        let (_, m) = matcher("kmd,vendor,KMD,\nms,vendor,Microsoft,\nkl,organization,KL,\natos,vendor,Atos,\n");
        let table: &[(&str, &[&str])] = &[
            ("KMD's kontrakt", &["KMD"]),
            ("KMD’s kontrakt", &["KMD"]),
            ("KMDs kontrakt", &["KMD"]),
            ("Microsofts sky", &["Microsoft"]),
            ("KMD-kontrakter", &["KMD"]),
            ("KL-udbuddet", &["KL"]),
            ("Atos' aftale", &["Atos"]),
            ("kl. 8 mødes vi", &[]),
            ("KMDX er ikke KMD", &["KMD"]),
            ("XKMD", &[]),
            ("KMDsen", &[]),
            ("it-KMD", &["KMD"]),
        ];
        for (text, want) in table {
            assert_eq!(found(&m, text), *want, "{text}");
        }
    }

    #[test]
    fn offsets_survive_folding() {
        let (_, m) = matcher("aar,municipality,Aarhus Kommune,Århus\n");
        let text = "ÆØÅ i ÅRHUS og Århus";
        let mut buf = Vec::new();
        let mut out = Vec::new();
        m.candidates(text, &mut buf, &mut out);
        let spans: Vec<&str> = out.iter().map(|c| &text[c.start..c.end]).collect();
        assert_eq!(spans, ["ÅRHUS", "Århus"]);
    }
}
