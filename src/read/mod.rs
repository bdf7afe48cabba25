//! Reading documents: plain text and Markdown files, directories of them, and
//! JSON Lines corpora, streamed one document at a time.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;

mod flat;
mod lines;

/// One article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// JSONL `id`, or the path relative to the input directory.
    pub id: String,
    /// Where it came from: `file` or `file:line`.
    pub source: String,
    pub title: String,
    pub date: Option<String>,
    pub url: Option<String>,
    pub text: String,
}

/// The text of a file as a string: UTF-8 (a BOM is dropped), or, when that
/// fails, Windows-1252 as old Danish archives are written, with a warning.
/// Offsets in the outputs are into this decoded text.
pub fn decode(bytes: Vec<u8>, location: &str, diag: &mut Diagnostics) -> String {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            diag.warn(location, "not valid UTF-8; read as Windows-1252");
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(e.as_bytes());
            text.into_owned()
        }
    }
}

/// The first non-empty line, trimmed and shortened: the title of a text without one.
pub fn first_line_title(text: &str) -> String {
    // The first line with more than white space starts at the first
    // character that is none, and ends at the next line end (found by
    // memchr: `str::lines` searches with a slower generic loop).
    let rest = text.trim_start();
    let line = rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())].trim_end();
    // At most 200 characters: a line of at most 200 bytes has no more.
    let cut = if line.len() <= 200 { None } else { char_start(line, 200) };
    cut.map_or(line, |i| &line[..i]).to_string()
}

/// Where character `n` of `s` starts (`s.char_indices().nth(n)`), found by
/// counting the continuation bytes of the first `n` bytes in one pass that
/// needs no decoding, then stepping over as many characters more: a title
/// is cut for most documents, and decoding 200 characters was a tenth of
/// reading one.
fn char_start(s: &str, n: usize) -> Option<usize> {
    if s.len() <= n {
        return s.char_indices().nth(n).map(|(i, _)| i);
    }
    // The characters that start before byte `n` are `n - skipped`: character
    // `n` is `skipped` characters after the first that starts at `n` or later.
    let skipped = s.as_bytes()[..n].iter().filter(|&&b| b & 0xC0 == 0x80).count();
    let from = crate::ceil_char_boundary(s, n);
    s[from..].char_indices().nth(skipped).map(|(i, _)| from + i)
}

enum Source {
    File { path: PathBuf, id: String },
    Jsonl { path: PathBuf },
}

impl Source {
    fn path(&self) -> &Path {
        match self {
            Source::File { path, .. } | Source::Jsonl { path } => path,
        }
    }
}

/// Streams the documents of a list of inputs, in order. Problems with single
/// files or lines are collected in [`DocumentReader::diag`] and skipped;
/// [`DocumentReader::next_read`] hands them out with the next document.
pub struct DocumentReader {
    sources: std::vec::IntoIter<Source>,
    jsonl: Option<Jsonl>,
    /// Ids given so far ([`id_key`]), to make repeated ones unique.
    seen: crate::FastSet<u128>,
    /// For a repeated id, the suffix to try next: every smaller one is
    /// taken, so the k-th repeat does not try k suffixes (40,000 documents
    /// with one id took 96 s).
    next_suffix: crate::FastMap<String, u64>,
    pub diag: Diagnostics,
    /// Input bytes read since the last document handed out.
    consumed: u64,
}

/// A document and what the reader said while reading up to it: the lines
/// and files skipped before it, its own empty text or renamed id. Reported
/// with the document, these messages come in input order among the ones
/// processing gives, whichever thread processes it.
#[derive(Debug)]
pub struct ReadDocument {
    pub doc: Document,
    pub said: Diagnostics,
    /// Bytes of input read since the document before: its own line or file,
    /// and the lines and files skipped before it (the progress bar's measure,
    /// which so ends at the inputs' size).
    pub input_bytes: u64,
}

/// How much of a JSON Lines file is read at a time. Small, so that with
/// several workers the lines a worker parses were mostly read into
/// the buffer by itself, and are in its own core's cache (with 1 MB reads
/// a worker's chunk was often read by the other). `--threads 2` on the
/// 100 MB bench, 16 alternating runs: median wall 317 -> 308.5 ms, CPU
/// 575 -> 565 ms; one thread unchanged (544 / 542 ms).
const READ_SIZE: usize = 64 << 10;

/// An open JSON Lines file: its name, its lines, and the number of the last.
struct Jsonl {
    name: String,
    lines: lines::Lines<File>,
    lineno: usize,
}

fn is_jsonl(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

fn is_text(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, diag: &mut Diagnostics) {
    match fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out, diag);
                } else if is_text(&p) || is_jsonl(&p) {
                    out.push(p);
                }
            }
        }
        Err(e) => diag.error(dir.display().to_string(), format!("cannot list directory: {e}")),
    }
}

impl DocumentReader {
    pub fn new(inputs: &[PathBuf]) -> Self {
        let mut diag = Diagnostics::default();
        let mut sources = Vec::new();
        for input in inputs {
            if input.is_dir() {
                let mut files = Vec::new();
                walk(input, &mut files, &mut diag);
                files.sort();
                for path in files {
                    if is_jsonl(&path) {
                        sources.push(Source::Jsonl { path });
                    } else {
                        let rel = path.strip_prefix(input).unwrap_or(&path);
                        let id = rel.to_string_lossy().replace('\\', "/");
                        sources.push(Source::File { path, id });
                    }
                }
            } else if !input.exists() {
                diag.error(input.display().to_string(), "no such file or directory");
            } else if is_jsonl(input) {
                sources.push(Source::Jsonl { path: input.clone() });
            } else {
                let id =
                    input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
                sources.push(Source::File { path: input.clone(), id });
            }
        }
        DocumentReader {
            sources: sources.into_iter(),
            jsonl: None,
            seen: Default::default(),
            next_suffix: Default::default(),
            diag,
            consumed: 0,
        }
    }

    fn next_jsonl(&mut self) -> Option<Document> {
        loop {
            let j = self.jsonl.as_mut()?;
            let read = j.lines.next_line();
            if matches!(read, Ok(None)) {
                self.jsonl = None;
                return None;
            }
            j.lineno += 1;
            // "name:line", made for every document: pushed, not formatted
            // (`format!` was ~800 instructions a document).
            let mut digits = itoa::Buffer::new();
            let line_number = digits.format(j.lineno);
            let mut loc = String::with_capacity(j.name.len() + 1 + line_number.len());
            loc.push_str(&j.name);
            loc.push(':');
            loc.push_str(line_number);
            let line = match read {
                Ok(line) => line.unwrap_or_default(),
                Err(e) => {
                    self.diag.error(&loc, format!("unreadable line skipped: {e}"));
                    self.jsonl = None;
                    return None;
                }
            };
            self.consumed += line.len() as u64;
            // Checked with SIMD: the standard check leaves its ASCII fast
            // path at every æ, ø and å, and took 2% of a run.
            let Ok(line) = simdutf8::basic::from_utf8(line) else {
                self.diag.error(&loc, "unreadable line skipped: stream did not contain valid UTF-8");
                continue;
            };
            let line = line.strip_suffix('\n').map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
            let line = line.trim_start_matches('\u{FEFF}');
            if line.trim().is_empty() {
                self.diag.warn(&loc, "empty line skipped");
                continue;
            }
            let parsed = parse_jsonl_line(line);
            match parsed {
                Ok(mut doc) => {
                    doc.source = loc;
                    return Some(doc);
                }
                Err(msg) => self.diag.error(&loc, format!("{msg}; line skipped")),
            }
        }
    }
}

/// A JSONL field that should be a string: kept as a string, or noted as
/// something else.
enum Field<'a> {
    Str(std::borrow::Cow<'a, str>),
    Other(serde_json::Value),
}

/// By hand rather than `#[serde(untagged)]`, which buffers every field first
/// and then copies the text out of the buffer: a second copy of each
/// document, 2–3% of a run.
impl<'de: 'a, 'a> serde::Deserialize<'de> for Field<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        use serde_json::Value;

        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Field<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'de>, E> {
                Ok(Field::Str(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Field<'de>, E> {
                Ok(Field::Str(v.to_owned().into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Field<'de>, E> {
                Ok(Field::Str(v.into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Field<'de>, E> {
                Ok(Field::Other(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Field<'de>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Field<'de>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Field<'de>, E> {
                Ok(Field::Other(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Field<'de>, E> {
                Ok(Field::Other(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Field<'de>, E> {
                Ok(Field::Other(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<Field<'de>, A::Error> {
                serde::Deserialize::deserialize(SeqAccessDeserializer::new(a)).map(Field::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, a: A) -> Result<Field<'de>, A::Error> {
                serde::Deserialize::deserialize(MapAccessDeserializer::new(a)).map(Field::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The fields kommunegraf reads; others are ignored.
#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    id: Option<Field<'a>>,
    #[serde(borrow)]
    text: Option<Field<'a>>,
    #[serde(borrow)]
    title: Option<Field<'a>>,
    #[serde(borrow)]
    date: Option<Field<'a>>,
    #[serde(borrow)]
    url: Option<Field<'a>>,
}

/// One JSONL object as a document (its `source` is left empty).
pub fn parse_jsonl_line(line: &str) -> Result<Document, String> {
    if !line.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) => format!("not JSON: {e}"),
            Ok(_) => "not a JSON object".into(),
        });
    }
    let l: Line = match flat::flat_object(line) {
        Some(f) => {
            let field = |v: Option<String>| v.map(|s| Field::Str(s.into()));
            Line { id: field(f.id), text: field(f.text), title: field(f.title), date: field(f.date), url: field(f.url) }
        }
        None => serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?,
    };
    let Some(Field::Str(text)) = l.text else { return Err("no string field \"text\"".into()) };
    let id = match l.id {
        Some(Field::Str(s)) if !s.trim().is_empty() => s.into_owned(),
        Some(Field::Str(_)) => return Err("\"id\" must be a non-empty string, not \"\"".into()),
        Some(Field::Other(v)) => return Err(format!("\"id\" must be a non-empty string, not {v}")),
        None => return Err("no string field \"id\"".into()),
    };
    let field = |f: Option<Field>| match f {
        Some(Field::Str(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    let text = text.into_owned();
    Ok(Document {
        id,
        source: String::new(),
        title: field(l.title).unwrap_or_else(|| first_line_title(&text)),
        date: field(l.date),
        url: field(l.url),
        text,
    })
}

/// A document id as the reader remembers it: 128 bits from two runs of
/// foldhash's quality hash with fixed seeds, 16 bytes a document in place of
/// a copy of the id (the one list that grows with the number of documents).
/// Two of n distinct ids share a key with a probability near n² / 2^129
/// (about 10^-25 for ten million documents), unless someone crafts ids to
/// collide: then a document is renamed `#2`, with a warning, and nothing
/// else changes. (SipHash, the standard hasher, cost ~500 instructions a
/// document for the same.)
fn id_key(id: &str) -> u128 {
    use std::hash::BuildHasher;
    let half = |seed: u64| foldhash::quality::FixedState::with_seed(seed).hash_one(id);
    u128::from(half(0x243F_6A88_85A3_08D3)) << 64 | u128::from(half(0x1319_8A2E_0370_7344))
}

impl Iterator for DocumentReader {
    type Item = Document;

    /// The next document; a repeated id gets a `#2`, `#3`... suffix (with a
    /// warning) so that every document keeps its own rows.
    fn next(&mut self) -> Option<Document> {
        let mut doc = self.next_raw()?;
        if doc.text.trim().is_empty() {
            self.diag.warn(&doc.source, "empty document");
        }
        if !self.seen.insert(id_key(&doc.id)) {
            let mut n = self.next_suffix.get(&doc.id).copied().unwrap_or(2);
            let unique = loop {
                let candidate = format!("{}#{n}", doc.id);
                if !self.seen.contains(&id_key(&candidate)) {
                    break candidate;
                }
                n += 1;
            };
            self.next_suffix.insert(doc.id.clone(), n + 1);
            self.diag.warn(&doc.source, format!("duplicate document id {:?}; renamed {unique:?}", doc.id));
            self.seen.insert(id_key(&unique));
            doc.id = unique;
        }
        Some(doc)
    }
}

impl DocumentReader {
    /// The size in bytes of the files still to be read (the progress bar's
    /// whole: [`ReadDocument::input_bytes`] of all documents adds up to it).
    pub fn input_size(&self) -> u64 {
        self.sources.as_slice().iter().map(|s| fs::metadata(s.path()).map_or(0, |m| m.len())).sum()
    }

    /// The next document, with what was said while reading up to it (see
    /// [`ReadDocument`]); what is said after the last document stays in
    /// [`DocumentReader::diag`].
    pub fn next_read(&mut self) -> Option<ReadDocument> {
        let doc = self.next()?;
        let input_bytes = std::mem::take(&mut self.consumed);
        Some(ReadDocument { doc, said: std::mem::take(&mut self.diag), input_bytes })
    }

    fn next_raw(&mut self) -> Option<Document> {
        loop {
            if self.jsonl.is_some() {
                if let Some(doc) = self.next_jsonl() {
                    return Some(doc);
                }
                continue;
            }
            match self.sources.next()? {
                Source::Jsonl { path } => match File::open(&path) {
                    Ok(f) => {
                        let lines = lines::Lines::with_chunk(f, READ_SIZE);
                        self.jsonl = Some(Jsonl { name: path.display().to_string(), lines, lineno: 0 })
                    }
                    Err(e) => self.diag.error(path.display().to_string(), format!("cannot open: {e}")),
                },
                Source::File { path, id } => {
                    let loc = path.display().to_string();
                    match fs::read(&path) {
                        Ok(bytes) => {
                            self.consumed += bytes.len() as u64;
                            if bytes.contains(&0) {
                                self.diag.warn(&loc, "binary file (NUL bytes); skipped");
                                continue;
                            }
                            let text = decode(bytes, &loc, &mut self.diag);
                            return Some(Document {
                                id,
                                source: loc,
                                title: first_line_title(&text),
                                date: None,
                                url: None,
                                text,
                            });
                        }
                        Err(e) => self.diag.error(&loc, format!("cannot read: {e}")),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines_parse_or_explain() {
        let d = parse_jsonl_line(r#"{"id":"a1","text":"Hej\nverden","date":"2025-01-02"}"#).unwrap();
        assert_eq!((d.id.as_str(), d.title.as_str(), d.date.as_deref()), ("a1", "Hej", Some("2025-01-02")));
        assert!(parse_jsonl_line("nope").unwrap_err().contains("not JSON"));
        assert!(parse_jsonl_line(r#"{"id":"x"}"#).unwrap_err().contains("text"));
        assert!(parse_jsonl_line(r#"{"id":[1],"text":"t"}"#).unwrap_err().contains("id"));
    }

    #[test]
    fn repeated_ids_take_the_first_free_suffix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.jsonl");
        // Ids that are taken already ("a#2" in the input) are passed over.
        let ids = ["a", "a", "a#2", "a", "b", "a", "a#4", "a", "b", "b#2", "b"];
        let lines: String = ids.iter().map(|id| format!("{{\"id\":\"{id}\",\"text\":\"x\"}}\n")).collect();
        std::fs::write(&path, lines).unwrap();
        let got: Vec<String> = DocumentReader::new(&[path]).map(|d| d.id).collect();
        let want = ["a", "a#2", "a#2#2", "a#3", "b", "a#4", "a#4#2", "a#5", "b#2", "b#2#2", "b#3"];
        assert_eq!(got, want);
    }

    /// Ids that differ in a character, a suffix or their length get
    /// different keys (a shared key would rename a document), and both
    /// halves of a key differ between them.
    #[test]
    fn close_ids_get_different_keys() {
        let mut ids: Vec<String> = (0..100_000).map(|i| format!("doc{i:07}")).collect();
        ids.extend((0..1000).map(|i| format!("a{}", "#2".repeat(i))));
        ids.extend(["", " ", "æ", "ø", "å", "Æ"].map(String::from));
        let keys: std::collections::HashSet<u128> = ids.iter().map(|id| id_key(id)).collect();
        assert_eq!(keys.len(), ids.len());
        let highs: std::collections::HashSet<u64> = keys.iter().map(|k| (k >> 64) as u64).collect();
        let lows: std::collections::HashSet<u64> = keys.iter().map(|&k| k as u64).collect();
        assert_eq!((highs.len(), lows.len()), (ids.len(), ids.len()));
        assert_eq!(id_key("doc0000001"), id_key(&String::from("doc0000001")));
    }

    #[test]
    fn each_document_counts_the_input_read_since_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        let (one, bad, two) = ("{\"id\":\"1\",\"text\":\"Køge\"}\n", "not json\n\n", "{\"id\":\"2\",\"text\":\"x\"}");
        std::fs::write(&jsonl, [one, bad, two].concat()).unwrap();
        let txt = dir.path().join("b.txt");
        std::fs::write(&txt, "Århus Kommune\n").unwrap();
        // Not read, so not in the size.
        std::fs::write(dir.path().join("c.csv"), "id,name\n").unwrap();
        let mut reader = DocumentReader::new(&[dir.path().to_path_buf()]);
        let size = reader.input_size();
        let counts: Vec<u64> = std::iter::from_fn(|| reader.next_read()).map(|r| r.input_bytes).collect();
        // The skipped lines go with the document after them; all together
        // are the inputs' size, where the progress bar ends.
        let want = [one.len(), bad.len() + two.len(), "Århus Kommune\n".len()];
        assert_eq!(counts, want.map(|n| n as u64));
        assert_eq!(counts.iter().sum::<u64>(), size);
    }

    #[test]
    fn a_jsonl_line_that_is_not_utf8_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let mut bytes = b"{\"id\":\"a\",\"text\":\"K\xc3\xb8ge\"}\r\n".to_vec();
        bytes.extend_from_slice(b"{\"id\":\"b\",\"text\":\"K\xf8ge\"}\n\n");
        bytes.extend_from_slice("\u{FEFF}{\"id\":\"c\",\"text\":\"Århus\"}".as_bytes());
        std::fs::write(&path, bytes).unwrap();
        let mut reader = DocumentReader::new(&[path]);
        let docs: Vec<(String, String, String)> = reader.by_ref().map(|d| (d.id, d.text, d.source)).collect();
        let name = dir.path().join("c.jsonl").display().to_string();
        let want = [("a", "Køge", format!("{name}:1")), ("c", "Århus", format!("{name}:4"))];
        let want: Vec<(String, String, String)> =
            want.into_iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c)).collect();
        assert_eq!(docs, want);
        let said: Vec<String> = reader.diag.items.iter().map(|d| d.to_string()).collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].contains(&format!("{name}:2")) && said[0].contains("not contain valid UTF-8"), "{said:?}");
        assert!(said[1].contains(&format!("{name}:3")) && said[1].contains("empty line"), "{said:?}");
    }

    #[test]
    fn a_title_from_the_first_line_is_at_most_200_characters() {
        assert_eq!(first_line_title("\n  \n  Overskrift her  \nbrødtekst"), "Overskrift her");
        let wide = "æ".repeat(150);
        assert_eq!(first_line_title(&wide), wide, "150 characters in 300 bytes stay whole");
        assert_eq!(first_line_title(&"ø".repeat(250)), "ø".repeat(200));
        assert_eq!(first_line_title(&"a".repeat(201)), "a".repeat(200));
        assert_eq!(first_line_title(&"a".repeat(200)), "a".repeat(200));
    }

    proptest::proptest! {
        /// The title is the first line that is not blank, trimmed, as the
        /// lines of the text give it.
        #[test]
        fn the_title_line_is_the_first_non_blank_line(parts in proptest::collection::vec(
            proptest::sample::select(vec!["a", "æ", " ", "\n", "\r\n", "\r", "\t", "\u{2003}", "\u{85}"]), 0..40)) {
            let s = parts.concat();
            let want = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            proptest::prop_assert_eq!(first_line_title(&s), want, "{:?}", s);
        }

        #[test]
        fn char_start_is_the_nth_char_index(parts in proptest::collection::vec(
            proptest::sample::select(vec!["a", "æ", "€", "𝄞", " ", "\n"]), 0..300), n in 0usize..320) {
            let s = parts.concat();
            proptest::prop_assert_eq!(char_start(&s, n), s.char_indices().nth(n).map(|(i, _)| i));
        }
    }

    #[test]
    fn windows_1252_is_decoded_with_a_warning() {
        let mut diag = Diagnostics::default();
        let s = decode(b"K\xf8benhavn \x93citat\x94 \x80".to_vec(), "old.txt", &mut diag);
        assert_eq!(s, "København “citat” €");
        assert!(diag.items[0].to_string().contains("old.txt"));
        let s = decode("\u{FEFF}Æble".as_bytes().to_vec(), "bom.txt", &mut diag);
        assert_eq!(s, "Æble");
    }
}
