//! Properties on arbitrary text: offsets are exact, surfaces are what the text
//! says, and the leftmost-longest choice agrees with a brute-force reference.

use std::fs;

use kommunegraf::diag::Diagnostics;
use kommunegraf::discover::Taken;
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{self, Extractor, Located, Options};
use kommunegraf::{Dictionary, Window};

use proptest::prelude::*;

#[path = "support/xorshift.rs"]
mod xorshift;
use xorshift::XorShift;

const FRAGMENTS: &[&str] = &[
    "KMD",
    "kmd",
    "KMD's",
    "KMD’s",
    "KMD-",
    "Odense",
    "Odense Kommune",
    "Odense Kommunes",
    "Århus",
    "ÅRHUS",
    "Faaborg",
    "/",
    "Midtfyn",
    "Vejen",
    "vejen",
    "Kommune",
    "kl.",
    "KL",
    "EG",
    "eg",
    "æ",
    "Ø",
    "å",
    " ",
    " ",
    "-",
    "s",
    "'",
    ".",
    ",",
    "\n",
    "\n\n",
    "\u{a0}",
    "é",
    "👍",
    "\u{200f}",
    "\u{301}",
    "Aarhus Universitet",
    "borgmester i ",
    "Skive",
    "og",
    "https://",
    "kmd.dk/",
    "@",
    "\"",
    "&",
    "<",
    "\\",
    "Læs også:",
    // Furniture: a line, a block of teasers (and the rest of a page, in
    // `leaving_furniture_out_of_the_scan_changes_nothing_else`).
    "\nAnnonce\n",
    "\nLæs også\n",
    "Region Nordjylland",
    "Co",
    "KMDs",
    // Discovery's cues and name shapes.
    "Af ",
    "Anders",
    "Xyzzy",
    "Qwerty",
    "siger ",
    "Foto: ",
    " A/S",
    "van der",
    "Digitaliseringsstyrelsen",
];

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        // Long gaps, across the 200 bytes discovery looks back for a cue.
        1 => (1usize..300).prop_map(|n| " ".repeat(n)),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// The texts as a JSONL corpus `d0`, `d1`, ... in `dir`.
fn write_corpus(dir: &std::path::Path, texts: &[String]) -> std::path::PathBuf {
    let input = dir.join("in.jsonl");
    let lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string())
        .collect();
    fs::write(&input, lines.join("\n")).unwrap();
    input
}

fn embedded() -> Dictionary {
    let mut diag = Diagnostics::default();
    Dictionary::embedded(&mut diag)
}

/// Many chunks of documents: the workers fill again the lists of documents
/// merged already (from a pool); the output still matches one thread, where
/// the lists go round one worker.
#[test]
fn reused_lists_leave_no_trace_across_many_chunks() {
    // A fixed pseudo-random mix of fragments: documents of every size and
    // content, so a list filled again after a larger one would show.
    let mut rng = XorShift::fixed();
    let mut next = |n: usize| rng.below(n);
    let texts: Vec<String> = (0..700)
        .map(|_| {
            let pieces = [2, 10, 60, 300][next(4)];
            (0..next(pieces) + 1).map(|_| FRAGMENTS[next(FRAGMENTS.len())]).collect()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = write_corpus(dir.path(), &texts);
    let dict = embedded();
    let mut outs = Vec::new();
    for threads in [1, 2] {
        let mut diag = Diagnostics::default();
        let mut opts = Options::new(vec![input.clone()], dir.path().join(format!("out{threads}")), &mut diag);
        opts.threads = threads;
        pipeline::run(&dict, &opts).unwrap();
        outs.push(opts.out_dir);
    }
    for f in ["mentions.csv", "documents.csv", "relations.csv", "edges.csv"] {
        let one = fs::read(outs[0].join(f)).unwrap();
        assert!(one == fs::read(outs[1].join(f)).unwrap(), "{f} differs between 1 and 2 threads");
    }
    let mentions = fs::read_to_string(outs[0].join("mentions.csv")).unwrap();
    assert!(mentions.lines().count() > 1000, "{} rows", mentions.lines().count());
}

/// Two names whose ids are one slug ("Kirsten-Maja" and "Kirsten Maja")
/// keep each its own label in the rows of their documents, whatever rows
/// were written before them.
#[test]
fn names_that_share_an_id_keep_their_own_labels() {
    let dir = tempfile::tempdir().unwrap();
    let texts = ["Det siger Kirsten-Maja Fjordbæk i dag.", "Det siger Kirsten Maja Fjordbæk i dag."];
    let input = write_corpus(dir.path(), &texts.map(String::from));
    let mut diag = Diagnostics::default();
    let opts = Options::new(vec![input], dir.path().join("out"), &mut diag);
    pipeline::run(&embedded(), &opts).unwrap();
    let mentions = fs::read_to_string(opts.out_dir.join("mentions.csv")).unwrap();
    let rows: Vec<Vec<&str>> = mentions.lines().skip(1).map(|l| l.split(',').take(5).collect()).collect();
    assert_eq!(
        rows,
        [
            ["d0", "person-kirsten-maja-fjordbaek", "person", "Kirsten-Maja Fjordbæk", "Kirsten-Maja Fjordbæk"],
            ["d1", "person-kirsten-maja-fjordbaek", "person", "Kirsten Maja Fjordbæk", "Kirsten Maja Fjordbæk"],
        ]
    );
}

/// A surface is written as it stands only when every alias of its entity
/// is a plain cell: one with a comma is quoted, one that opens like a
/// formula is guarded, and their neighbours are not.
#[test]
fn surfaces_are_quoted_and_guarded_by_their_own_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let mut diag = Diagnostics::default();
    let mut dict = Dictionary::new();
    dict.add_csv(
        "t.csv",
        "id,type,name,aliases\n\
         a,vendor,\"Acme, Inc\",\n\
         b,vendor,+Plus,\n\
         c,vendor,KMD,\n"
            .as_bytes(),
        &mut diag,
    );
    let input = write_corpus(dir.path(), &["Acme, Inc og KMD og +Plus.".to_string()]);
    let opts = Options::new(vec![input], dir.path().join("out"), &mut diag);
    pipeline::run(&dict, &opts).unwrap();
    let mentions = fs::read(opts.out_dir.join("mentions.csv")).unwrap();
    let mut r = csv::Reader::from_reader(mentions.as_slice());
    let surfaces: Vec<String> = r.records().map(|rec| rec.unwrap()[4].to_string()).collect();
    assert_eq!(surfaces, ["Acme, Inc", "KMD", "'+Plus"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), ..ProptestConfig::default() })]

    /// Every row of mentions.csv has `text[start..end] == surface`, on char
    /// boundaries, for arbitrary text written through the whole pipeline.
    #[test]
    fn surfaces_are_exact_slices(texts in proptest::collection::vec(text_strategy(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let input = write_corpus(dir.path(), &texts);
        let dict = embedded();
        let mut diag = Diagnostics::default();
        let mut opts = Options::new(vec![input], dir.path().join("out"), &mut diag);
        opts.window = Window::Sentence;
        pipeline::run(&dict, &opts).unwrap();
        let mut rdr = csv::Reader::from_path(dir.path().join("out/mentions.csv")).unwrap();
        for row in rdr.records() {
            let row = row.unwrap();
            let doc: usize = row[0][1..].parse().unwrap();
            let text = &texts[doc];
            let (start, end): (usize, usize) = (row[5].parse().unwrap(), row[6].parse().unwrap());
            prop_assert!(start < end && end <= text.len());
            prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            prop_assert_eq!(&text[start..end], &row[4]);
        }
    }

    /// The output is the same bytes for one thread and for two, and for a
    /// second run.
    #[test]
    fn output_is_deterministic_across_threads(texts in proptest::collection::vec(text_strategy(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let input = write_corpus(dir.path(), &texts);
        let dict = embedded();
        let mut outs = Vec::new();
        for (k, threads) in [1, 2, 2].into_iter().enumerate() {
            let mut diag = Diagnostics::default();
            let mut opts = Options::new(vec![input.clone()], dir.path().join(format!("out{k}")), &mut diag);
            opts.threads = threads;
            pipeline::run(&dict, &opts).unwrap();
            outs.push(opts.out_dir);
        }
        for f in ["mentions.csv", "entities.csv", "documents.csv", "relations.csv", "nodes.csv", "edges.csv", "graph.gexf", "graph.graphml", "graph.json", "graph.dot"] {
            let a = fs::read(outs[0].join(f)).unwrap();
            prop_assert_eq!(&a, &fs::read(outs[1].join(f)).unwrap(), "{} differs between 1 and 2 threads", f);
            prop_assert_eq!(&a, &fs::read(outs[2].join(f)).unwrap(), "{} differs between runs", f);
        }
    }

    /// Site furniture is neither matched nor made into name tokens: what is
    /// found outside it is what matching, resolving and discovery find when
    /// they go over the whole text and furniture is dropped afterwards.
    #[test]
    fn leaving_furniture_out_of_the_scan_changes_nothing_else(
        (article, rest) in (text_strategy(), proptest::option::of(text_strategy())),
    ) {
        let text = match rest {
            Some(rest) => format!("{article}\nLæses lige nu\n{rest}"),
            None => article,
        };
        let dict = embedded();
        let mut diag = Diagnostics::default();
        let mut ex = Extractor::new(&dict, Furniture::embedded(&mut diag)).unwrap();
        let mut got: Vec<Located> = Vec::new();
        ex.extract(&text, &mut got);
        let known: Vec<(usize, usize, u32)> = got.iter().filter_map(|m| Some((m.start, m.end, m.entity()?))).collect();
        let found = ex.found().to_vec();
        // The whole text, furniture dropped by paragraph afterwards.
        let segments = &ex.segments;
        let paragraph_of = |offset: usize| segments.sentences.get(segments.sentence_at(offset)).map_or(0, |s| s.paragraph);
        let in_body = |offset: usize| !ex.is_furniture.get(paragraph_of(offset) as usize).copied().unwrap_or(false);
        let (mut candidates, mut mentions) = (Vec::new(), Vec::new());
        ex.matcher.candidates(&text, &mut Vec::new(), &mut candidates);
        kommunegraf::resolve::resolve(&text, &ex.matcher, &mut candidates, &mut mentions);
        mentions.retain(|m| in_body(m.start));
        let want: Vec<(usize, usize, u32)> = mentions.iter().map(|m| (m.start, m.end, m.entity)).collect();
        prop_assert_eq!(&known, &want);
        let taken: Vec<Taken> = mentions
            .iter()
            .map(|m| Taken { start: m.start, end: m.end, person: dict.entity(m.entity).kind == "person" })
            .collect();
        let paragraphs = &segments.paragraphs;
        let body = |offset: usize| {
            let p = paragraphs.partition_point(|p| p.start <= offset).saturating_sub(1);
            !ex.is_furniture.get(p).copied().unwrap_or(false)
        };
        let mut want_found = Vec::new();
        ex.discoverer.as_ref().unwrap().discover(&text, &body, &taken, &mut want_found);
        prop_assert_eq!(found, want_found);
    }

    /// With plain aliases, the mentions are exactly the greedy leftmost-longest
    /// choice among all word-bounded occurrences found by brute force.
    #[test]
    fn leftmost_longest_agrees_with_brute_force(text in text_strategy()) {
        let mut diag = Diagnostics::default();
        let mut dict = Dictionary::new();
        dict.add_csv("t.csv", "id,type,name,aliases\n\
            a,vendor,KMD,\n\
            b,municipality,Odense Kommune,~odense\n\
            c,organization,Aarhus Universitet,\n\
            d,vendor,~kommune,\n\
            e,vendor,~&co,\n".as_bytes(), &mut diag);
        let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
        ex.discoverer = None;
        let mut got: Vec<Located> = Vec::new();
        ex.extract(&text, &mut got);
        let got: Vec<(usize, usize, u32)> = got.iter().filter_map(|m| Some((m.start, m.end, m.entity()?))).collect();
        prop_assert_eq!(got, brute_force(&text, &dict));
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// The reference: try every alias at every char boundary.
fn brute_force(text: &str, dict: &Dictionary) -> Vec<(usize, usize, u32)> {
    let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
    let mut all = Vec::new();
    for (i, _) in text.char_indices() {
        if text[..i].chars().next_back().is_some_and(is_word) {
            continue;
        }
        for a in &dict.aliases {
            let n = a.text.len();
            let Some(piece) = text.get(i..i + n) else { continue };
            let exact_ok = match a.case {
                kommunegraf::dict::CaseRule::Exact => piece == a.text,
                kommunegraf::dict::CaseRule::Capitalised => {
                    lower(piece) == lower(&a.text) && piece.chars().next().is_some_and(char::is_uppercase)
                }
                kommunegraf::dict::CaseRule::Free => lower(piece) == lower(&a.text),
            };
            if !exact_ok || lower(piece).len() != n {
                continue;
            }
            let rest = &text[i + n..];
            let mut chars = rest.chars();
            let ok_end = match chars.next() {
                None => true,
                Some(c) if !is_word(c) => true,
                Some('s') => !chars.next().is_some_and(is_word),
                Some(_) => false,
            };
            if ok_end && !kommunegraf::matcher::is_address(kommunegraf::matcher::token_around(text, i, i + n)) {
                all.push((i, i + n, a.entity));
            }
        }
    }
    all.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
    let mut out = Vec::new();
    let mut covered = 0;
    for m in all {
        if m.0 >= covered {
            covered = m.1;
            out.push(m);
        }
    }
    out
}
