//! Entry points for the fuzzers in `fuzz/` and for replaying their corpora in
//! `tests/fuzz_replay.rs`. Each takes arbitrary bytes and panics only when an
//! invariant of the pipeline breaks.

use std::sync::{Arc, LazyLock};

use crate::diag::Diagnostics;
use crate::dict::Dictionary;
use crate::discover::Discoverer;
use crate::furniture::Furniture;
use crate::pipeline::{Extractor, Located};
use crate::read;
use crate::segment::Segments;

fn check_mentions(text: &str, located: &[Located]) {
    let mut last_end = 0;
    for m in located {
        assert!(m.start < m.end && m.end <= text.len(), "span {}..{} outside the text", m.start, m.end);
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end), "span not on char boundaries");
        assert!(m.start >= last_end, "mentions overlap or are out of order");
        last_end = m.end;
    }
}

/// Arbitrary patterns (the first lines, up to the first empty line) against
/// arbitrary text (the rest), through the automaton, the resolver and
/// discovery (name tokens, people, organisations, short names).
pub fn matcher(data: &[u8]) {
    static DISCOVERER: LazyLock<Arc<Discoverer>> = LazyLock::new(|| Arc::new(Discoverer::embedded()));
    let s = String::from_utf8_lossy(data);
    let (head, text) = s.split_once("\n\n").unwrap_or(("", &s));
    let mut csv = csv::Writer::from_writer(Vec::new());
    let _ = csv.write_record(["id", "type", "name", "aliases"]);
    for (i, line) in head.lines().take(32).enumerate() {
        let _ = csv.write_record([format!("e{i}").as_str(), "vendor", line, line]);
    }
    let bytes = csv.into_inner().unwrap_or_default();
    let mut diag = Diagnostics::default();
    let mut dict = Dictionary::new();
    dict.add_csv("fuzz.csv", &bytes, &mut diag);
    let Ok(matcher) = crate::matcher::Matcher::new(&dict) else { return };
    let mut ex = Extractor::with(&dict, Arc::new(matcher), Furniture::none(), Some(Arc::clone(&DISCOVERER)));
    let mut out = Vec::new();
    ex.extract(text, &mut out);
    check_mentions(text, &out);
}

/// Arbitrary bytes as a file, a JSONL line, a dictionary and a marker file.
pub fn reader(data: &[u8]) {
    let mut diag = Diagnostics::default();
    let text = read::decode(data.to_vec(), "fuzz", &mut diag);
    for line in text.lines() {
        let _ = read::parse_jsonl_line(line);
    }
    let mut dict = Dictionary::new();
    dict.add_csv("fuzz.csv", data, &mut diag);
    let _ = Furniture::parse("fuzz.txt", &text, &mut diag);
    let _ = crate::date::find_in_text(&text);
}

/// Arbitrary text through segmentation and every per-document stage with the
/// shipped dictionaries, discovery and furniture included.
pub fn segment(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut seg = Segments::default();
    seg.split(&text);
    let mut last = 0;
    for p in &seg.paragraphs {
        assert!(p.start >= last && p.start < p.end && p.end <= text.len(), "paragraphs out of order");
        assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
        last = p.end;
    }
    for s in &seg.sentences {
        assert!(s.span.start < s.span.end && text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
        assert!((s.paragraph as usize) < seg.paragraphs.len());
    }
    thread_local! {
        // Built once: the shipped automaton and name lists take a while.
        static EXTRACTOR: std::cell::RefCell<Extractor<'static>> = std::cell::RefCell::new({
            let dict: &'static Dictionary = Box::leak(Box::new(Dictionary::embedded(&mut Diagnostics::default())));
            match Extractor::new(dict, Furniture::embedded(&mut Diagnostics::default())) {
                Ok(ex) => ex,
                Err(e) => panic!("the shipped dictionaries build an automaton: {e}"),
            }
        });
    }
    EXTRACTOR.with(|ex| {
        let mut ex = ex.borrow_mut();
        let mut out = Vec::new();
        ex.extract(&text, &mut out);
        check_mentions(&text, &out);
    });
}
