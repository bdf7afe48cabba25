//! From candidates to mentions: the context rules for place names, and the
//! choice of one leftmost-longest entity among overlapping candidates.
//!
//! Place names are the risky aliases. A bare town name counts as its
//! municipality only when it is capitalised and stands alone: not inside a larger
//! proper name (`Aarhus Universitet`, `Dagbladet Holstebro Struer`,
//! `Holstebro-Struer`, `Birgitte Nyborg`), and not as a mere location (`ved
//! Århus`, `nordvest for København`, `møde i Aalborg`). Names that are also
//! common words (`vejen`, `skive`, `greve`...) additionally need a municipal cue:
//! `Vejen Kommune(s)`, `borgmester i Vejen`, or a list ending in `Kommuner`.

use std::sync::OnceLock;

use regex::Regex;

use crate::dict::ContextRule;
use crate::matcher::{Candidate, Matcher, genitive_tail, is_word_char};

/// A chosen entity occurrence: `text[start..end]` is the surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub entity: crate::dict::EntityIdx,
    pub alias: u32,
    pub start: usize,
    pub end: usize,
}

/// Capitalised words that may stand before a place name without making it part
/// of a larger name (prepositions and conjunctions at the start of a sentence).
const FUNCTION_WORDS: &[&str] = &[
    "I", "På", "Fra", "Til", "Og", "Men", "Hos", "Med", "Om", "For", "Efter", "Både", "Mens", "Da", "Når", "Hvis",
    "Også", "Nu", "Her", "Der", "Det", "Den", "Som", "Mellem", "Blandt", "Af", "Uden", "Nyhed", "Nyheder",
];

/// Capitalised words that may follow a place name (the municipality itself).
const MUNICIPAL_WORDS: &[&str] = &[
    "Kommune",
    "Kommunes",
    "Kommuner",
    "Kommunernes",
    "Byråd",
    "Byråds",
    "Byrådet",
    "Kommunalbestyrelse",
    "Kommunalbestyrelsen",
    "Rådhus",
    "Borgmester",
];

/// Words before a bare town name that make it a mere location: "ved Århus",
/// "nordvest for København", "møde i Aalborg", "Retten i Roskilde".
const LOCATION_CUES: &[&[&str]] = &[
    &["ved"],
    &["nær"],
    &["nord", "for"],
    &["syd", "for"],
    &["øst", "for"],
    &["vest", "for"],
    &["nordøst", "for"],
    &["nordvest", "for"],
    &["sydøst", "for"],
    &["sydvest", "for"],
    &["uden", "for"],
    &["udenfor"],
    &["retten", "i"],
    &["byretten", "i"],
    &["i", "nærheden", "af"],
    &["km", "fra"],
];

/// Words ending in "møde", "konference" or "messe" before "i": a venue.
const VENUE_ENDINGS: &[&str] = &["møde", "konference", "messe"];

/// The (up to) `n` words right before `pos`, lower-cased, nearest last.
fn words_before(text: &str, pos: usize, n: usize) -> Vec<String> {
    let head = &text[..pos];
    let mut out: Vec<String> = head
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_lowercase)
        .collect();
    out.reverse();
    out
}

fn is_location_cue(text: &str, start: usize) -> bool {
    // Only spaces between the cue and the name.
    if !text[..start].ends_with(' ') {
        return false;
    }
    let words = words_before(text, start, 3);
    if LOCATION_CUES.iter().any(|cue| words.ends_with(&cue.iter().map(|w| w.to_string()).collect::<Vec<_>>())) {
        return true;
    }
    matches!(&words[..], [.., venue, i] if i == "i" && VENUE_ENDINGS.iter().any(|v| venue.ends_with(v)))
}

/// Build the patterns now (see [`crate::pipeline::warm_up`]).
pub(crate) fn warm_up() {
    municipal_before_re();
    municipal_after_re();
}

fn municipal_before_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        crate::constant_regex(r"(?i)(?:borgmester(?:en)?|byråd(?:et)?|kommunalbestyrelsen?|rådhuset|kommunerne|kommune(?:n|rne)?)\s+(?:i|for)\s+$|(?i)kommunerne\s+(?:\p{Lu}\p{L}*(?:,\s*|\s+og\s+))*$")
    })
}

fn municipal_after_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        crate::constant_regex(r"^(?:s)?(?:(?:,\s*|\s+og\s+|\s+eller\s+)\p{Lu}[\p{L}\-/]*)*\s+(?:[Kk]ommun(?:e|es|er|ernes)|[Bb]yråd(?:et)?)\b")
    })
}

/// The word that ends right before `pos` (skipping spaces), if it is separated
/// from `pos` by spaces only.
fn word_before(text: &str, pos: usize) -> Option<&str> {
    let head = &text[..pos];
    let trimmed = head.trim_end_matches(' ');
    if trimmed.len() == head.len() {
        return None;
    }
    let start = trimmed.char_indices().rev().find(|&(_, c)| !is_word_char(c)).map_or(0, |(i, c)| i + c.len_utf8());
    let w = &trimmed[start..];
    (!w.is_empty()).then_some(w)
}

fn is_capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Why a candidate was accepted (`Ok`) or which rule rejected it.
pub type Verdict = Result<(), &'static str>;

/// The place-name rules, with the reason a name is not taken as its municipality.
fn place_verdict(text: &str, start: usize, end: usize) -> Verdict {
    if !is_capitalised(&text[start..end]) {
        return Err("a place name must be capitalised");
    }
    // "borgmester i Vejen Egon Fræhr": the cue settles it, whatever follows.
    if has_municipal_cue_before(text, start) {
        return Ok(());
    }
    let tail = genitive_tail(&text[end..]);
    let rest = &text[end + tail..];
    // "Holstebro-Struer": a hyphen joining two proper names.
    if let Some(r) = rest.strip_prefix('-') {
        if r.chars().next().is_some_and(char::is_uppercase) {
            return Err("joined to another proper name by a hyphen");
        }
    }
    // "Aarhus Universitet", "Helsingør Dagblad", "København K".
    let after = rest.strip_prefix(' ').map(|r| {
        let n = r.find(|c: char| !is_word_char(c)).unwrap_or(r.len());
        &r[..n]
    });
    if let Some(w) = after {
        if is_capitalised(w) && !MUNICIPAL_WORDS.contains(&w) {
            return Err("followed by a capitalised word: part of a larger name");
        }
    }
    // "Dagbladet Holstebro", "Birgitte Nyborg".
    if let Some(w) = word_before(text, start) {
        if is_capitalised(w) && !FUNCTION_WORDS.contains(&w) {
            return Err("after a capitalised word: part of a larger name");
        }
    }
    if is_location_cue(text, start) {
        return Err("a location, not the municipality (ved, nord for, møde i ...)");
    }
    Ok(())
}

/// Whether an ambiguous municipality name at `start..end` has a municipal cue.
fn has_municipal_cue(text: &str, start: usize, end: usize) -> bool {
    if municipal_after_re().is_match(&text[end..crate::floor_char_boundary(text, (end + 200).min(text.len()))]) {
        return true;
    }
    has_municipal_cue_before(text, start)
}

/// "borgmester i", "byrådet i", "kommunerne Odense, ..." right before `start`.
fn has_municipal_cue_before(text: &str, start: usize) -> bool {
    let window_start = crate::floor_char_boundary(text, start.saturating_sub(60));
    municipal_before_re().is_match(&text[window_start..start])
}

/// The context rules of a candidate's alias; `prev_place` is the end of the
/// place name accepted just before, for enumerations.
fn context_verdict(text: &str, matcher: &Matcher, c: &Candidate, prev_place: Option<usize>) -> Verdict {
    match matcher.alias(c.alias).context {
        ContextRule::Plain => Ok(()),
        ContextRule::Place => place_verdict(text, c.start, c.end),
        ContextRule::Municipal => {
            place_verdict(text, c.start, c.end)?;
            let listed = prev_place.is_some_and(|end| continues_place_list(text, end, c.start));
            if listed || has_municipal_cue(text, c.start, c.end) {
                Ok(())
            } else {
                Err(
                    "also an ordinary word: needs municipal context (X Kommune, borgmester i X, a list of municipalities)",
                )
            }
        }
    }
}

/// Whether `start` continues an enumeration right after a place name ending at
/// `prev_end`: `Nyborg, Assens`, `Furesø og Egedal`.
fn continues_place_list(text: &str, prev_end: usize, start: usize) -> bool {
    let Some(gap) = text.get(prev_end..start) else { return false };
    let gap = gap.strip_prefix('s').unwrap_or(gap);
    let gap = gap.trim_start_matches(',').trim_matches(' ');
    gap.is_empty() || gap == "og" || gap == "eller"
}

/// Keep the candidates that pass their context rules, then choose
/// non-overlapping ones leftmost-first, longest-first. Ties (same span) go to
/// the alias defined first. Writes into `out` in text order.
pub fn resolve(text: &str, matcher: &Matcher, candidates: &mut [Candidate], out: &mut Vec<Mention>) {
    resolve_with(text, matcher, candidates, out, &mut |_, _| {});
}

/// [`resolve`], telling `verdict` what became of every candidate.
pub fn resolve_with(
    text: &str,
    matcher: &Matcher,
    candidates: &mut [Candidate],
    out: &mut Vec<Mention>,
    verdict: &mut dyn FnMut(&Candidate, Verdict),
) {
    out.clear();
    candidates.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then(a.alias.cmp(&b.alias)));
    let mut covered = 0;
    // End of the last accepted place name, for enumerations of municipalities.
    let mut last_place: Option<usize> = None;
    for c in candidates.iter() {
        if c.start < covered {
            verdict(c, Err("overlaps an earlier or longer match"));
            continue;
        }
        let v = context_verdict(text, matcher, c, last_place);
        verdict(c, v);
        if v.is_err() {
            continue;
        }
        out.push(Mention { entity: c.entity, alias: c.alias, start: c.start, end: c.end });
        covered = c.end;
        if matcher.alias(c.alias).context != ContextRule::Plain {
            last_place = Some(c.end);
        }
    }
}
