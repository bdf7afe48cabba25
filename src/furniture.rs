//! Site furniture: the parts of a scraped page that are not the article —
//! "Læs også" teasers, "Læses lige nu", event promotions, job ads, "Navnenyt",
//! paywall appeals. Entities named there are not in the article, and linking
//! them would plant false edges, so their paragraphs are marked and skipped.
//!
//! Markers come from a small text file (`dictionaries/furniture.txt`, embedded);
//! see that file for the format.

use regex::{RegexSet, RegexSetBuilder};

use crate::diag::Diagnostics;
use crate::segment::Span;

/// The markers shipped in the binary.
pub const EMBEDDED: &str = include_str!("../dictionaries/furniture.txt");

/// Longest paragraph (bytes) checked against the markers.
const MAX_MARKER_LINE: usize = 400;

/// Longest line that still counts as a teaser headline or a job-ad line.
const SHORT_LINE: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    End,
    Block,
    Line,
}

/// Compiled furniture markers.
#[derive(Debug, Clone)]
pub struct Furniture {
    set: RegexSet,
    markers: Vec<Marker>,
    starts: Option<Starts>,
}

/// One marker on its own, for the paragraphs [`Starts`] sends to it.
#[derive(Debug, Clone)]
struct Marker {
    re: regex::Regex,
    kind: Kind,
}

/// How every match of the markers begins, when each marker is anchored at
/// the start of the paragraph (`^`, as all shipped ones are): the first one
/// to three bytes, in every case, and the markers (indexes) that begin so. A paragraph
/// that begins with none of them is turned away without running a marker,
/// and one that does runs only the markers it may match, each on its own:
/// the set of all markers ran on the PikeVM whenever a paragraph held a
/// letter outside ASCII (the markers' Unicode `\b` keeps the regex crate's
/// DFA off such text), some 4 µs a paragraph against 0.1 µs.
#[derive(Debug, Clone)]
struct Starts {
    first: Box<[bool; 256]>,
    /// By [`literal_key`]: a number, hashed and compared at once (with the
    /// bytes as the key, the look-ups cost ~190 instructions a paragraph).
    prefixes: crate::FastMap<u32, Vec<usize>>,
    lens: Vec<usize>,
}

/// The longest prefix of a marker's matches that [`Starts`] keeps.
const PREFIX_BYTES: usize = 3;

/// Up to [`PREFIX_BYTES`] bytes and their number, as one number.
fn literal_key(b: &[u8]) -> u32 {
    debug_assert!(b.len() <= PREFIX_BYTES);
    b.iter().fold(b.len() as u32, |k, &x| k << 8 | u32::from(x))
}

impl Starts {
    fn of(patterns: &[String]) -> Option<Starts> {
        use regex_syntax::hir::{Look, literal::Extractor};
        let mut starts = Starts { first: Box::new([false; 256]), prefixes: Default::default(), lens: Vec::new() };
        for (i, p) in patterns.iter().enumerate() {
            let hir = regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse(p).ok()?;
            if !hir.properties().look_set_prefix().contains(Look::Start) {
                return None;
            }
            let seq = Extractor::new().limit_literal_len(PREFIX_BYTES).extract(&hir);
            for lit in seq.literals()? {
                let b = lit.as_bytes();
                starts.first[usize::from(*b.first()?)] = true;
                if !starts.lens.contains(&b.len()) {
                    starts.lens.push(b.len());
                }
                let markers = starts.prefixes.entry(literal_key(b)).or_default();
                if !markers.contains(&i) {
                    markers.push(i);
                }
            }
        }
        Some(starts)
    }

    /// Whether some marker may match `para`.
    #[cfg(test)]
    fn may_match(&self, para: &[u8]) -> bool {
        let mut any = false;
        self.each_candidate(para, |_| any = true);
        any
    }

    /// Calls `f` with the index of each marker that may match `para` (once or more).
    #[inline]
    fn each_candidate(&self, para: &[u8], mut f: impl FnMut(usize)) {
        if !para.first().is_some_and(|&b| self.first[usize::from(b)]) {
            return;
        }
        for &n in &self.lens {
            if let Some(markers) = para.get(..n).and_then(|p| self.prefixes.get(&literal_key(p))) {
                markers.iter().for_each(|&i| f(i));
            }
        }
    }
}

/// The stronger of two kinds: end > block > line.
fn stronger(best: Option<Kind>, k: Kind) -> Kind {
    match (best, k) {
        (Some(Kind::End), _) | (_, Kind::End) => Kind::End,
        (Some(Kind::Block), _) | (_, Kind::Block) => Kind::Block,
        _ => Kind::Line,
    }
}

impl Furniture {
    /// Parse a marker file; bad lines are reported (`name:line`) and skipped.
    pub fn parse(name: &str, text: &str, diag: &mut Diagnostics) -> Self {
        let mut patterns = Vec::new();
        let mut markers = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let loc = format!("{name}:{}", i + 1);
            let Some((kind, pat)) = line.split_once('\t') else {
                diag.error(&loc, "expected KIND<TAB>REGEX; skipped");
                continue;
            };
            let kind = match kind.trim() {
                "end" => Kind::End,
                "block" => Kind::Block,
                "line" => Kind::Line,
                other => {
                    diag.error(&loc, format!("unknown kind {other:?} (valid: end, block, line); skipped"));
                    continue;
                }
            };
            let re = match regex::RegexBuilder::new(pat).case_insensitive(true).build() {
                Ok(re) => re,
                Err(e) => {
                    diag.error(&loc, format!("bad regex: {e}; skipped"));
                    continue;
                }
            };
            patterns.push(pat.to_string());
            markers.push(Marker { re, kind });
        }
        let set = RegexSetBuilder::new(&patterns).case_insensitive(true).build().unwrap_or_else(|_| RegexSet::empty());
        let starts = Starts::of(&patterns);
        Furniture { set, markers, starts }
    }

    pub fn embedded(diag: &mut Diagnostics) -> Self {
        Self::parse("<embedded>/furniture.txt", EMBEDDED, diag)
    }

    /// No markers at all.
    pub fn none() -> Self {
        Furniture { set: RegexSet::empty(), markers: Vec::new(), starts: None }
    }

    fn kind_of(&self, para: &str) -> Option<Kind> {
        // Markers are headings and teaser lines, never long paragraphs.
        if para.len() > MAX_MARKER_LINE {
            return None;
        }
        // The strongest matching kind wins.
        let mut best = None;
        match &self.starts {
            Some(starts) => starts.each_candidate(para.as_bytes(), |i| {
                let m = &self.markers[i];
                if best != Some(Kind::End) && m.re.is_match(para) {
                    best = Some(stronger(best, m.kind));
                }
            }),
            None => {
                for i in self.set.matches(para).iter() {
                    best = Some(stronger(best, self.markers[i].kind));
                }
            }
        }
        best
    }

    /// Mark the furniture paragraphs of a document: `out[i]` is true when
    /// paragraph `i` is furniture.
    pub fn mark(&self, text: &str, paragraphs: &[Span], out: &mut Vec<bool>) {
        out.clear();
        out.resize(paragraphs.len(), false);
        if self.markers.is_empty() {
            return;
        }
        let para = |i: usize| &text[paragraphs[i].start..paragraphs[i].end];
        let is_short = |s: &str| s.chars().count() <= SHORT_LINE;
        let mut i = 0;
        while i < paragraphs.len() {
            match self.kind_of(para(i)) {
                Some(Kind::End) => {
                    // Job ads and similar lists run straight into the end marker:
                    // take the heading-like lines before it too.
                    let mut j = i;
                    while j > 0 && !out[j - 1] && looks_like_list_item(para(j - 1)) {
                        j -= 1;
                    }
                    // Never swallow the headline: keep the first paragraph.
                    let j = j.max(1).min(i);
                    out[j..].iter_mut().for_each(|f| *f = true);
                    return;
                }
                Some(Kind::Block) => {
                    out[i] = true;
                    i += 1;
                    while i < paragraphs.len() && is_short(para(i)) && self.kind_of(para(i)).is_none() {
                        out[i] = true;
                        i += 1;
                    }
                }
                Some(Kind::Line) => {
                    out[i] = true;
                    i += 1;
                }
                None => i += 1,
            }
        }
    }
}

/// A short line that does not end like a sentence: a list item, a job title, a
/// place label.
fn looks_like_list_item(p: &str) -> bool {
    p.chars().count() <= 60 && !p.ends_with(['.', '!', '?', '"', '”', ':', ','])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Segments;

    fn furniture_lines(text: &str) -> Vec<&str> {
        let mut diag = Diagnostics::default();
        let f = Furniture::embedded(&mut diag);
        assert!(diag.is_empty(), "{diag:?}");
        let mut seg = Segments::default();
        seg.split(text);
        let mut marks = Vec::new();
        f.mark(text, &seg.paragraphs, &mut marks);
        seg.paragraphs.iter().zip(&marks).filter(|(_, m)| **m).map(|(p, _)| &text[p.start..p.end]).collect()
    }

    #[test]
    fn end_markers_cut_the_rest() {
        let text = "Overskrift\n\nBrødtekst om KMD. \"Godt,\" siger hun.\n\nLæses lige nu\n\n    Navnenyt fra it-Danmark\n\n    X har ansat Y.\n";
        assert_eq!(furniture_lines(text), ["Læses lige nu", "Navnenyt fra it-Danmark", "X har ansat Y."]);
    }

    #[test]
    fn teaser_block_ends_where_the_article_resumes() {
        let long = "Det er en kendt sag i it-branchen, at leverandører skriver referater for kommunerne, og det har flere eksperter kritiseret, fordi det giver leverandøren en stor indflydelse på beslutningerne.";
        let text = format!("Overskrift\n\nLæs også:\n\nEkspert: Ret besynderligt.\n\nIt-chef: Normalt.\n\n{long}\n");
        assert_eq!(furniture_lines(&text), ["Læs også:", "Ekspert: Ret besynderligt.", "It-chef: Normalt."]);
    }

    #[test]
    fn job_list_before_an_end_marker_is_furniture() {
        let text = "Titel\n\nHan siger det til bladet.\n\nStatens IT\n\nDatacenter specialist\n\nKøbenhavnsområdet\n\nComputerworld Events\n\nVi samler 6.000 deltagere.\n";
        assert_eq!(
            furniture_lines(text),
            [
                "Statens IT",
                "Datacenter specialist",
                "Københavnsområdet",
                "Computerworld Events",
                "Vi samler 6.000 deltagere."
            ]
        );
    }

    #[test]
    fn the_start_test_keeps_every_marker_match() {
        let mut diag = Diagnostics::default();
        let f = Furniture::embedded(&mut diag);
        let starts = f.starts.as_ref().expect("the shipped markers are all anchored");
        let lines = [
            "Læses lige nu",
            "LÆSES LIGE NU",
            "læs også:",
            "LÆS OGSÅ: x",
            "Navnenyt",
            "Annonce",
            "ANNONCEINDLÆG FRA x",
            "...men det er dyrt at lave god journalistik",
            "Mest læste artikler",
            "Relaterede artikler",
            "Del artiklen",
            "Herunder finder du 24 artikler om",
            "Event: x",
            "Det kan du læse mere om her",
            "Vil du læse mere om",
        ];
        for line in lines {
            assert!(f.set.is_match(line), "{line}");
            assert!(starts.may_match(line.as_bytes()), "{line}");
        }
        for line in ["Det er ikke furniture", "Kommunen", "Læserne", "", "Æ"] {
            assert!(!f.set.is_match(line), "{line}");
        }
        // Each marker on its own gives the kind the whole set gives.
        let by_set =
            |para: &str| f.set.matches(para).iter().fold(None, |best, i| Some(stronger(best, f.markers[i].kind)));
        for line in lines.iter().chain(&["Det er ikke furniture", "Læs også", "Annonce x", "læses lige nuance", "Æble"])
        {
            assert_eq!(f.kind_of(line), by_set(line), "{line}");
        }
        assert!(!starts.may_match(b"Borgmesteren siger") && !starts.may_match(b"Kommunen"[..2].as_ref()));
        // A marker that is not anchored turns the test off.
        let mut diag = Diagnostics::default();
        let f = Furniture::parse("f.txt", "line\tannonce$\nline\t^foo", &mut diag);
        assert!(f.starts.is_none() && f.kind_of("En annonce").is_some());
    }

    #[test]
    fn single_lines_and_bad_marker_files() {
        let text = "Titel\n\nArtikel top billede\n\nLæs også: Politiet dropper it-system.\n\nBrødtekst.\n";
        assert_eq!(furniture_lines(text), ["Artikel top billede", "Læs også: Politiet dropper it-system."]);
        let mut diag = Diagnostics::default();
        Furniture::parse("f.txt", "end\t(\nnope\n", &mut diag);
        let msgs: Vec<String> = diag.items.iter().map(ToString::to_string).collect();
        assert!(msgs[0].contains("f.txt:1") && msgs[0].contains("regex"), "{msgs:?}");
        assert!(msgs[1].contains("f.txt:2"), "{msgs:?}");
    }
}
