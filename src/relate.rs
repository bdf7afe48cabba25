//! Roles and affiliations: who holds which post where, read from the phrasing
//! of a single sentence.
//!
//! A person P and an organisation, municipality, region or vendor O are
//! affiliated when the text between them says so:
//!
//! - `P, der er it-chef i O` / `P, administrerende direktør for O`
//! - `O's digitaliseringschef P` / `Y Kommunes it-chef P`
//! - `it-chef i O, P` / `formand for O, P`
//! - `salgsdirektør P fra O`
//! - `O har ansat P som direktør`
//!
//! Relations become `relations.csv` and typed `affiliation` edges (with the
//! title) in every graph export.

use std::sync::OnceLock;

use regex::Regex;

use crate::dict::Dictionary;
use crate::pipeline::{Located, Target};
use crate::segment::Segments;

/// A person's post at an organisation, as one sentence states it. `person`
/// and `organisation` index the document's mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub person: usize,
    pub organisation: usize,
    /// The title as written ("it-chef", "administrerende direktør").
    pub title: String,
    /// Index of the sentence in its document.
    pub sentence: u32,
}

/// The name of the relation kind in the output files.
pub const AFFILIATION: &str = "affiliation";

/// The roles a title word ends in (`it-chef`, `finansordfører`).
const ROLES: &[&str] = &[
    "chef",
    "direktør",
    "ordfører",
    "minister",
    "formand",
    "næstformand",
    "leder",
    "rådgiver",
    "konsulent",
    "redaktør",
    "analytiker",
    "professor",
    "borgmester",
    "rådmand",
    "partner",
    "stifter",
    "ejer",
    "medlem",
    "arkitekt",
    "koordinator",
    "specialist",
    "sekretær",
    "CEO",
    "CTO",
    "CIO",
    "CFO",
];

/// The prepositions between a title and its organisation ("it-chef i O",
/// "medlem af O").
const PREPOSITIONS: &[&str] = &["i", "hos", "for", "ved", "på", "af"];
/// Those of them that a title before an organisation and a comma takes
/// ("formand for O, P").
const PREPOSITIONS_BEFORE_O: &[&str] = &["i", "hos", "for", "ved", "på"];
/// The prepositions between a person and the organisation that follows, after
/// a title before the person ("it-chef Lars Møller fra O").
const PREPOSITIONS_AFTER_P: &[&str] = &["fra", "hos", "i"];
/// The articles that may follow a preposition at the end of a gap ("i det").
const ARTICLES: &[&str] = &["det", "den"];

/// A title: a word ending in one of [`ROLES`], with an optional modifier
/// (`administrerende direktør`).
fn title() -> String {
    format!(
        r"\b(?:(?:administrerende|adm\.|konstitueret|fungerende|tidligere|nye?|daglig|teknisk|øverste|kommunal|politisk|faglig)\s+)?[\p{{L}}\-]*(?:{})",
        ROLES.join("|")
    )
}

struct Patterns {
    /// P, der er TITLE i O
    p_comma_title_prep: Regex,
    /// P fra O (with a title right before P)
    p_fra: Regex,
    /// O har ansat P (then: som TITLE after P)
    o_hired: Regex,
    /// O's TITLE P
    o_gen_title: Regex,
    /// TITLE i O, P
    o_comma: Regex,
    title_before: Regex,
    title_before_o: Regex,
    som_title: Regex,
}

/// Build the patterns now (see [`crate::pipeline::warm_up`]).
pub(crate) fn warm_up() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: String| crate::constant_regex(&s);
        let title = title();
        let (at, at_before_o, after_p, article) = (
            PREPOSITIONS.join("|"),
            PREPOSITIONS_BEFORE_O.join("|"),
            PREPOSITIONS_AFTER_P.join("|"),
            ARTICLES.join("|"),
        );
        Patterns {
            p_comma_title_prep: re(format!(
                r"^(?:s|'s|’s)?,\s+(?:der\s+er\s+|som\s+er\s+|nu\s+|ny\s+|tidligere\s+)?(?P<title>{title})\s+(?:{at})\s+(?:(?:{article})\s+)?$"
            )),
            p_fra: re(format!(r"^\s+(?:{after_p})\s+$")),
            o_hired: re(r"^\s+har\s+(?:nu\s+)?(?:ansat|udnævnt|ansætter|hentet)\s+$".into()),
            o_gen_title: re(format!(r"^(?:s|'s|’s|´s)\s+(?:nye\s+|tidligere\s+|egen\s+)?(?P<title>{title})\s*,?\s+$")),
            o_comma: re(r"^(?:s)?,\s+$".into()),
            title_before: re(format!(r"(?P<title>{title})\s+$")),
            title_before_o: re(format!(r"(?P<title>{title})\s+(?:{at_before_o})\s+$")),
            som_title: re(format!(r"^\s+som\s+(?:ny\s+)?(?P<title>{title}|[\p{{Ll}}\-]+)")),
        }
    })
}

/// Literal tests that the gap between two mentions passes before the
/// patterns that read it run (most pairs of a person and an organisation in
/// a sentence state no post): each is true wherever its pattern matches.
mod may {
    /// `p_comma_title_prep`: a comma, after an optional genitive, then a
    /// role, a preposition and an optional "det" or "den" as the last words,
    /// between white space. Most gaps with a comma and a preposition at the
    /// end state no post ("Lars Møller, der bor i"): the role before the
    /// preposition turns them away before the pattern is run for its title.
    pub fn p_comma(gap: &str) -> bool {
        let comma = gap.starts_with(',') || ["s,", "'s,", "’s,"].iter().any(|p| gap.starts_with(p));
        if !comma {
            return false;
        }
        let rest = gap.trim_end();
        let rest = strip_word(rest, super::ARTICLES).unwrap_or(rest);
        strip_word(rest, super::PREPOSITIONS).is_some_and(ends_in_role)
    }

    /// `title_before_o`: a role, then one of its prepositions as the last
    /// word, between white space.
    pub fn title_before_o(before: &str) -> bool {
        strip_word(before.trim_end(), super::PREPOSITIONS_BEFORE_O).is_some_and(ends_in_role)
    }

    /// `s` without its last word when that is one of `words` with white
    /// space before it, and without that white space.
    fn strip_word<'s>(s: &'s str, words: &[&str]) -> Option<&'s str> {
        words
            .iter()
            .find_map(|w| s.strip_suffix(w).filter(|head| head.ends_with(char::is_whitespace)).map(str::trim_end))
    }

    /// Whether `s` ends in one of the [`super::ROLES`] a title ends in.
    fn ends_in_role(s: &str) -> bool {
        super::ROLES.iter().any(|r| s.ends_with(r))
    }

    /// `p_fra`: one of its prepositions alone between white space.
    pub fn p_fra(gap: &str) -> bool {
        super::PREPOSITIONS_AFTER_P.contains(&gap.trim())
    }

    /// `o_gen_title`: a genitive, then white space, and a role at the end
    /// (before white space and at most one comma). Most gaps after an
    /// organisation's genitive hold more than a title ("Odense Kommunes
    /// borgere, siger Lars Møller"): the end turns them away before the
    /// pattern is run for its title.
    pub fn o_gen_title(gap: &str) -> bool {
        let genitive = ["s", "'s", "’s", "´s"]
            .iter()
            .any(|g| gap.strip_prefix(g).is_some_and(|r| r.starts_with(char::is_whitespace)));
        if !genitive {
            return false;
        }
        let last = gap.trim_end();
        ends_in_role(last.strip_suffix(',').unwrap_or(last).trim_end())
    }

    /// `o_comma`: a comma, after an optional `s`.
    pub fn o_comma(gap: &str) -> bool {
        gap.starts_with(',') || gap.starts_with("s,")
    }

    /// `o_hired`: "har" after white space.
    pub fn o_hired(gap: &str) -> bool {
        gap.trim_start().starts_with("har")
    }
}

fn is_organisation(kind: &str) -> bool {
    matches!(kind, "organization" | "municipality" | "region" | "vendor")
}

/// The relations stated in one document, in text order. `dict` gives the
/// kinds of known entities; discovered ones carry their own.
pub fn relations(text: &str, segments: &Segments, located: &[Located], dict: &Dictionary, out: &mut Vec<Relation>) {
    out.clear();
    let p = patterns();
    let kind = |m: &Located| -> Option<&str> {
        match &m.target {
            Target::Known(e) => Some(dict.entity(*e).kind.as_str()),
            Target::Found(f) => Some(f.kind()),
        }
    };
    for (i, a) in located.iter().enumerate() {
        for (jb, b) in located.iter().enumerate().skip(i + 1) {
            if b.sentence != a.sentence {
                break;
            }
            let (ea, eb) = (i, jb);
            let (Some(ka), Some(kb)) = (kind(a), kind(b)) else {
                continue;
            };
            let gap = &text[a.end..b.start];
            if gap.len() > 120 {
                break;
            }
            let sentence_start = segments.sentences.get(a.sentence as usize).map_or(0, |s| s.span.start);
            // A title before the person ends right before it: 200 bytes hold
            // it and its modifier, and keep the search short in a long
            // sentence (the whole sentence was searched for each pair).
            let look_back = crate::floor_char_boundary(text, a.start.saturating_sub(200));
            let before_a = &text[sentence_start.max(look_back).min(a.start)..a.start];
            let after_b =
                &text[b.end..segments.sentences.get(b.sentence as usize).map_or(b.end, |s| s.span.end.max(b.end))];
            let found = if ka == "person" && is_organisation(kb) {
                // P first
                if let Some(c) = may::p_comma(gap).then(|| p.p_comma_title_prep.captures(gap)).flatten() {
                    Some((ea, eb, c["title"].to_string()))
                } else if may::p_fra(gap) && p.p_fra.is_match(gap) {
                    p.title_before.captures(before_a).map(|c| (ea, eb, c["title"].to_string()))
                } else {
                    None
                }
            } else if is_organisation(ka) && kb == "person" {
                // O first
                if let Some(c) = may::o_gen_title(gap).then(|| p.o_gen_title.captures(gap)).flatten() {
                    Some((eb, ea, c["title"].to_string()))
                } else if may::o_comma(gap) && p.o_comma.is_match(gap) {
                    may::title_before_o(before_a)
                        .then(|| p.title_before_o.captures(before_a))
                        .flatten()
                        .map(|c| (eb, ea, c["title"].to_string()))
                } else if may::o_hired(gap) && p.o_hired.is_match(gap) {
                    p.som_title.captures(after_b).map(|c| (eb, ea, c["title"].to_string()))
                } else {
                    None
                }
            } else {
                None
            };
            if let Some((person, organisation, title)) = found {
                let title = crate::discover::single_spaced(&title);
                // Each pair of mentions is looked at once, so no relation
                // repeats (a search of the list made many relations quadratic).
                out.push(Relation { person, organisation, title, sentence: a.sentence });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::furniture::Furniture;
    use crate::pipeline::{Extractor, intern};

    #[test]
    fn roles_from_real_style_sentences() {
        let mut diag = Diagnostics::default();
        let dict = Dictionary::embedded(&mut diag);
        let mut registry = dict.clone();
        let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
        // (sentence, [(person, organisation, title)])
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str, &'a str)]);
        let table: &[Case] = &[
            (
                "Det siger Lars Møller, der er it-chef i Gribskov Kommune.",
                &[("Lars Møller", "Gribskov Kommune", "it-chef")],
            ),
            (
                "Randers Kommunes digitaliseringschef Hanne Toft er glad.",
                &[("Hanne Toft", "Randers Kommune", "digitaliseringschef")],
            ),
            ("It-chef i Aarhus Kommune, Bo Fristed, stopper.", &[("Bo Fristed", "Aarhus Kommune", "It-chef")]),
            (
                "Ifølge Eva Berneke, administrerende direktør for KMD, går det godt.",
                &[("Eva Berneke", "KMD", "administrerende direktør")],
            ),
            (
                "Netcompany har ansat Mads Holm som ny teknisk direktør.",
                &[("Mads Holm", "Netcompany", "teknisk direktør")],
            ),
            ("Det mener formand for KL, Martin Damm.", &[("Martin Damm", "KL", "formand")]),
            ("Det uddyber salgsdirektør Karen Nielsen fra KMD.", &[("Karen Nielsen", "KMD", "salgsdirektør")]),
            // together in a sentence, but no post is stated
            ("Lars Møller mødte KMD i Aarhus.", &[]),
            ("Mette Frederiksen og Region Sjælland er uenige.", &[]),
        ];
        let mut failures = Vec::new();
        for (text, want) in table {
            let mut located = Vec::new();
            ex.extract(text, &mut located);
            let mut rels = Vec::new();
            relations(text, &ex.segments, &located, &dict, &mut rels);
            intern(&mut registry, &mut located, &mut Vec::new());
            let label = |i: usize| located[i].entity().map(|e| registry.entity(e).label.clone()).unwrap_or_default();
            let got: Vec<(String, String, String)> =
                rels.iter().map(|r| (label(r.person), label(r.organisation), r.title.clone())).collect();
            let want: Vec<(String, String, String)> =
                want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
            if got != want {
                failures.push(format!("{text}\n   want {want:?}\n   got  {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    proptest::proptest! {
        /// The literal tests never turn away a gap their pattern matches.
        /// Gaps are built slot by slot in the order the patterns read them,
        /// so that every pattern matches some of them.
        #[test]
        fn literal_tests_keep_every_match(
            genitive in proptest::sample::select(vec!["", "s", "'s", "’s", "´s", "S", "x"]),
            comma in proptest::sample::select(vec!["", ",", ";"]),
            space in proptest::sample::select(vec!["", " ", "  ", "\u{a0}", "\n", "\u{2003}"]),
            word in proptest::sample::select(vec!["", "der er ", "nu ", "nye ", "har ", "har nu ", "HAR ", "fra", "hos", "i", "Fra"]),
            verb in proptest::sample::select(vec!["", "ansat", "hentet", "x"]),
            title in proptest::sample::select(vec![
                "", "it-chef", "administrerende direktør", "formand", "projektleder", "CEO", "Direktør", "kok", "chefen",
            ]),
            after in proptest::sample::select(vec!["", " ", "\u{a0}", " ,", ", "]),
            prep in proptest::sample::select(vec![
                "", "i ", "for ", "på ", "på den ", "hos ", "ved ", "af ", "i det ", "af\u{a0}", "ved\n", "fori ", "pa ",
            ]),
        ) {
            let gap = [genitive, comma, space, word, verb, title, after, prep].concat();
            let p = patterns();
            let cases = [
                (p.p_comma_title_prep.is_match(&gap), may::p_comma(&gap), "p_comma"),
                (p.p_fra.is_match(&gap), may::p_fra(&gap), "p_fra"),
                (p.o_gen_title.is_match(&gap), may::o_gen_title(&gap), "o_gen_title"),
                (p.o_comma.is_match(&gap), may::o_comma(&gap), "o_comma"),
                (p.o_hired.is_match(&gap), may::o_hired(&gap), "o_hired"),
                (p.title_before_o.is_match(&gap), may::title_before_o(&gap), "title_before_o"),
            ];
            for (matched, may, name) in cases {
                proptest::prop_assert!(!matched || may, "{} matches {:?} but its literal test says no", name, gap);
            }
        }
    }

    /// Each pattern matches gaps like those built above, and each literal
    /// test lets them through, for every alternative of the pattern.
    #[test]
    fn each_pattern_matches_a_built_gap() {
        let p = patterns();
        type Case<'a> = (&'a Regex, fn(&str) -> bool, &'a [&'a str]);
        let cases: [Case; 6] = [
            (
                &p.p_comma_title_prep,
                may::p_comma,
                &[
                    ", it-chef i ",
                    "s, der er it-chef i ",
                    "’s,\u{a0}formand for ",
                    ", chef hos ",
                    ", leder ved ",
                    ", formand på\u{a0}",
                    ", medlem af\n",
                    ", it-chef i det ",
                    ", direktør for den ",
                ],
            ),
            (&p.p_fra, may::p_fra, &[" fra ", "\u{2003}hos ", " i\n"]),
            (&p.o_gen_title, may::o_gen_title, &["s it-chef ", "'s nye formand ", "´s\nadministrerende direktør, "]),
            (&p.o_comma, may::o_comma, &[", ", "s,\u{a0}"]),
            (&p.o_hired, may::o_hired, &[" har ansat ", "\n har nu hentet "]),
            (&p.title_before_o, may::title_before_o, &["Det siger it-chef i ", "formand for\u{a0}", "CTO hos "]),
        ];
        for (re, may, gaps) in cases {
            for gap in gaps {
                assert!(re.is_match(gap), "{re} on {gap:?}");
                assert!(may(gap), "{re}: the literal test turns away {gap:?}");
            }
        }
    }

    /// The literal tests that look for a role turn away gaps that have the
    /// other words of their pattern but no role: the pattern is not run.
    #[test]
    fn gaps_without_a_role_are_turned_away() {
        let p = patterns();
        type Case<'a> = (&'a Regex, fn(&str) -> bool, &'a [&'a str]);
        let cases: [Case; 3] = [
            (&p.p_comma_title_prep, may::p_comma, &[", der bor i ", ", som i det ", "s, ligesom resten af "]),
            (&p.o_gen_title, may::o_gen_title, &["s borgere, siger ", "'s kunder ", "s Direktør "]),
            (&p.title_before_o, may::title_before_o, &["Det siger hun i ", "Det skete for "]),
        ];
        for (re, may, gaps) in cases {
            for gap in gaps {
                assert!(!re.is_match(gap), "{re} on {gap:?}");
                assert!(!may(gap), "{re}: the literal test lets {gap:?} through");
            }
        }
    }
}
