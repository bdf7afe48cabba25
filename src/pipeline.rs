//! The whole job: read → segment → match → resolve → graph → export.
//!
//! Documents stream through one at a time: `mentions.csv` and
//! `documents.csv` are written as each document is done, and only per-entity
//! and per-edge counts are kept.

use std::fs::File;
use std::io::BufWriter;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use crate::StringPool;
use crate::date::{self, Date};
use crate::diag::Diagnostics;
use crate::dict::{Dictionary, EntityIdx};
use crate::discover::{self, Discoverer, Found, Taken};
use crate::export::{self, Format, OutputDir, StreamedTable, dot, gexf, graphml, json, tables};
use crate::furniture::Furniture;
use crate::graph::{CoMentionGraph, DocInfo, GraphOptions, Occurrence, Window};
use crate::in_order::{InOrder, StopOnPanic};
use crate::matcher::{Candidate, Matcher};
use crate::read::{Document, DocumentReader, ReadDocument};
use crate::relate;
use crate::resolve::{self, Mention, resolve};
use crate::segment::{Segments, Span};
use crate::timing::{Phases, Stage, Stopwatch, Timings};
use crate::words;

/// What a mention refers to: a known entity, or one found in the text that
/// the run's entity registry has yet to intern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Known(EntityIdx),
    Found(FoundName),
}

/// A name found in the text, with the id it will have: the id is
/// [`crate::dict::discovered_id`] of kind and label, computed once by the
/// worker that found the name, and both share one allocation (a fifth of
/// the mentions of a corpus can be discovered ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundName {
    kind: &'static str,
    /// The id, then the label.
    id_label: String,
    id_len: usize,
}

impl FoundName {
    /// The name and its id, written into `buffer` (emptied first): one
    /// given back by [`intern`] from an earlier document, or a new one.
    pub fn new(kind: &'static str, label: &str, mut buffer: String) -> Self {
        buffer.clear();
        // The slug spells out æøå: room for the id to be a little longer.
        buffer.reserve(kind.len() + 1 + 2 * label.len() + 8);
        let mut id_label = buffer;
        crate::dict::push_discovered_id(kind, label, &mut id_label);
        let id_len = id_label.len();
        id_label.push_str(label);
        FoundName { kind, id_label, id_len }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn id(&self) -> &str {
        &self.id_label[..self.id_len]
    }

    pub fn label(&self) -> &str {
        &self.id_label[self.id_len..]
    }

    /// The id and the label together: two names that share an id (their
    /// labels differ only where the id's slug does not tell) differ here.
    pub fn id_and_label(&self) -> &str {
        &self.id_label
    }

    /// The buffer, for another name.
    pub fn into_buffer(self) -> String {
        self.id_label
    }
}

/// A mention placed in its document's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub target: Target,
    pub start: usize,
    pub end: usize,
    pub paragraph: u32,
    pub sentence: u32,
}

impl Located {
    /// The entity, once known (always, after [`intern`]).
    pub fn entity(&self) -> Option<EntityIdx> {
        match self.target {
            Target::Known(e) => Some(e),
            Target::Found(_) => None,
        }
    }
}

/// Give every discovered mention its entity in `registry` (a copy of the
/// dictionary that grows as names are found); the buffers of the names go
/// to `buffers`, for [`Extractor::reuse_name_buffers`].
pub fn intern(registry: &mut Dictionary, located: &mut [Located], buffers: &mut Vec<String>) {
    for m in located {
        if let Target::Found(f) = &m.target {
            let entity = Target::Known(registry.intern_id(f.id(), f.kind(), f.label()));
            if let Target::Found(f) = std::mem::replace(&mut m.target, entity) {
                buffers.push(f.into_buffer());
            }
        }
    }
}

/// Finds the mentions of one document at a time, reusing its buffers.
pub struct Extractor<'d> {
    pub dict: &'d Dictionary,
    /// Shared by every worker: built once per run.
    pub matcher: Arc<Matcher>,
    pub furniture: Furniture,
    /// Finds entities beyond the dictionary; `None` turns discovery off.
    pub discoverer: Option<Arc<Discoverer>>,
    pub segments: Segments,
    /// Per paragraph of the last document: is it site furniture?
    pub is_furniture: Vec<bool>,
    /// The stretches of consecutive paragraphs outside furniture.
    body: Vec<Range<usize>>,
    folded: Vec<u8>,
    tokens: words::Tokens,
    candidates: Vec<Candidate>,
    mentions: Vec<Mention>,
    taken: Vec<Taken>,
    found: Vec<Found>,
    discover_scratch: discover::Scratch,
    /// Buffers for the names discovery finds ([`FoundName`]).
    name_buffers: StringPool,
    /// Where this extractor's thread spends its time (off unless `--timings`).
    pub stopwatch: Stopwatch,
}

impl<'d> Extractor<'d> {
    pub fn new(dict: &'d Dictionary, furniture: Furniture) -> Result<Self> {
        let matcher = Matcher::new(dict).context("building the Aho-Corasick automaton")?;
        Ok(Self::with(dict, Arc::new(matcher), furniture, Some(Arc::new(Discoverer::embedded()))))
    }

    /// An extractor sharing an automaton and discoverer with others.
    pub fn with(
        dict: &'d Dictionary,
        matcher: Arc<Matcher>,
        furniture: Furniture,
        discoverer: Option<Arc<Discoverer>>,
    ) -> Self {
        Extractor {
            dict,
            matcher,
            furniture,
            discoverer,
            segments: Segments::default(),
            is_furniture: Vec::new(),
            body: Vec::new(),
            folded: Vec::new(),
            tokens: words::Tokens::default(),
            candidates: Vec::new(),
            mentions: Vec::new(),
            taken: Vec::new(),
            found: Vec::new(),
            discover_scratch: discover::Scratch::default(),
            name_buffers: StringPool::default(),
            stopwatch: Stopwatch::off(),
        }
    }

    /// Keep the buffers of names already merged (see [`intern`]) for the
    /// names of the next documents; `buffers` is left empty.
    pub fn reuse_name_buffers(&mut self, buffers: &mut Vec<String>) {
        self.name_buffers.give(buffers.drain(..));
    }

    /// What discovery found in the last document, with the rule for each.
    pub fn found(&self) -> &[Found] {
        &self.found
    }

    /// The paragraph and sentence of a mention at `start`. `from` is the
    /// sentence of the mention before (0 for the first): mentions come in
    /// text order, most in the same sentence or the next, so the sentence is
    /// found by stepping on from there, and searched for only when it lies
    /// behind or far ahead. (A search for each mention: 1.9 M more
    /// instructions on 20 MB of the bench corpus, each step waiting on the
    /// load before it.)
    fn place(&self, start: usize, from: &mut usize) -> (u32, u32) {
        let sentences = &self.segments.sentences;
        let mut s = *from;
        let behind = sentences.get(s).is_none_or(|x| x.span.start > start);
        if behind {
            s = self.segments.sentence_at(start);
        } else {
            let mut steps = 0;
            while sentences.get(s + 1).is_some_and(|x| x.span.start <= start) {
                s += 1;
                steps += 1;
                if steps == 8 {
                    s = self.segments.sentence_at(start);
                    break;
                }
            }
        }
        *from = s;
        (sentences.get(s).map_or(0, |x| x.paragraph), s as u32)
    }

    fn in_body(&self, paragraph: u32) -> bool {
        !self.is_furniture.get(paragraph as usize).copied().unwrap_or(false)
    }

    /// The mentions of `text` outside site furniture, in text order:
    /// dictionary matches, then what discovery finds in the rest.
    /// [`Extractor::segments`] holds the document's paragraphs and sentences
    /// afterwards.
    pub fn extract(&mut self, text: &str, out: &mut Vec<Located>) {
        out.clear();
        self.segments.split(text);
        self.stopwatch.lap(Stage::Segment);
        self.furniture.mark(text, &self.segments.paragraphs, &mut self.is_furniture);
        self.stopwatch.lap(Stage::Furniture);
        // One pass finds the runs of letters and digits: the matcher looks
        // at each as it comes, discovery gets the name tokens made of them.
        // Site furniture is left out: its mentions would be dropped, and no
        // rule for a mention or a name looks beyond its own line.
        self.body.clear();
        self.body.extend(stretches(&self.segments.paragraphs, &self.is_furniture, false));
        let mut visitor = self.matcher.visitor(text, &mut self.folded, &mut self.candidates);
        let tokens = self.discoverer.is_some().then_some(&mut self.tokens);
        words::scan_within_skipping(text, &self.body, self.matcher.skip(), |r| visitor.visit(r), tokens);
        visitor.finish();
        self.stopwatch.lap(Stage::Scan);
        resolve(text, &self.matcher, &mut self.candidates, &mut self.mentions);
        out.reserve(self.mentions.len());
        self.taken.clear();
        let mut at = 0;
        for m in &self.mentions {
            let (paragraph, sentence) = self.place(m.start, &mut at);
            if !self.in_body(paragraph) {
                continue;
            }
            let person = self.dict.entity(m.entity).kind == "person";
            self.taken.push(Taken { start: m.start, end: m.end, person });
            out.push(Located { target: Target::Known(m.entity), start: m.start, end: m.end, paragraph, sentence });
        }
        self.stopwatch.lap(Stage::Resolve);
        if let Some(d) = self.discoverer.as_deref() {
            let paragraphs = &self.segments.paragraphs;
            let furniture = &self.is_furniture;
            let body = |offset: usize| {
                let p = paragraphs.partition_point(|p| p.start <= offset).saturating_sub(1);
                !furniture.get(p).copied().unwrap_or(false)
            };
            let (found, scratch) = (&mut self.found, &mut self.discover_scratch);
            d.discover_in(text, &self.tokens, &body, &self.taken, found, scratch, &mut self.stopwatch);
            out.reserve(self.found.len());
            let mut at = 0;
            for f in &self.found {
                let (paragraph, sentence) = self.place(f.start, &mut at);
                out.push(Located {
                    target: Target::Found(FoundName::new(f.kind, &f.label, self.name_buffers.take())),
                    start: f.start,
                    end: f.end,
                    paragraph,
                    sentence,
                });
            }
            out.sort_by_key(|m| m.start);
            self.stopwatch.lap(Stage::Discover);
        }
    }
}

/// The stretches of consecutive `paragraphs` that are furniture
/// (`furniture` true) or that are not, each from the start of its first
/// paragraph to the end of its last (only white space stands between
/// paragraphs). A paragraph without a flag is no furniture.
fn stretches<'a>(
    paragraphs: &'a [Span],
    is_furniture: &'a [bool],
    furniture: bool,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let flags = is_furniture.iter().copied().chain(std::iter::repeat(false));
    let mut items = paragraphs.iter().zip(flags).peekable();
    std::iter::from_fn(move || {
        let (first, _) = items.find(|&(_, f)| f == furniture)?;
        let mut end = first.end;
        while let Some((p, _)) = items.next_if(|&(_, f)| f == furniture) {
            end = p.end;
        }
        Some(first.start..end)
    })
}

/// A human-readable account of how `text` is matched: every raw automaton
/// hit with the rule that accepted or rejected it, the mentions kept (outside
/// furniture), and what discovery found and by which rule.
pub fn explain(ex: &mut Extractor, text: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let alias_text = |i: u32| ex.matcher.alias(i).text.clone();
    let mut raw = ex.matcher.explain(text);
    raw.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
    let mut passed: Vec<Candidate> = raw.iter().filter(|(_, v)| v.is_ok()).map(|(c, _)| *c).collect();
    let mut verdicts = Vec::new();
    let mut mentions = Vec::new();
    resolve::resolve_with(text, &ex.matcher, &mut passed, &mut mentions, &mut |c, v| verdicts.push((*c, v)));
    let _ = writeln!(s, "automaton hits:");
    for (c, v) in &raw {
        let v = match v {
            Ok(()) => verdicts.iter().find(|(d, _)| d == c).map_or(Ok(()), |(_, v)| *v),
            Err(e) => Err(*e),
        };
        let e = ex.dict.entity(c.entity);
        let verdict = match v {
            Ok(()) => "accepted".to_string(),
            Err(why) => format!("rejected: {why}"),
        };
        let _ = writeln!(
            s,
            "  {}..{} {:?} alias {:?} -> {} ({}): {verdict}",
            c.start,
            c.end,
            &text[c.start..c.end],
            alias_text(c.alias),
            e.label,
            e.kind
        );
    }
    let mut located = Vec::new();
    ex.extract(text, &mut located);
    let _ = writeln!(s, "mentions:");
    for m in &located {
        let (label, kind, how) = match &m.target {
            Target::Known(e) => (ex.dict.entity(*e).label.as_str(), ex.dict.entity(*e).kind.as_str(), "dictionary"),
            Target::Found(f) => {
                let rule = ex.found().iter().find(|x| x.start == m.start).map_or("?", |x| x.rule.name());
                (f.label(), f.kind(), rule)
            }
        };
        let how = if how == "dictionary" { how.to_string() } else { format!("discovered by rule {how}") };
        let _ = writeln!(s, "  {}..{} {:?} -> {label} ({kind}), {how}", m.start, m.end, &text[m.start..m.end]);
    }
    let furniture: Vec<&str> = ex
        .segments
        .paragraphs
        .iter()
        .zip(&ex.is_furniture)
        .filter(|(_, f)| **f)
        .map(|(p, _)| &text[p.start..p.end])
        .collect();
    if !furniture.is_empty() {
        let _ = writeln!(s, "site furniture (left out): {furniture:?}");
    }
    s
}

/// What a run should do.
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub window: Window,
    pub graph: GraphOptions,
    /// Graph files to write (the entity tables are always written).
    pub formats: Vec<Format>,
    /// Paragraph markers of site furniture to leave out.
    pub furniture: Furniture,
    /// Find people, companies and agencies beyond the dictionaries.
    pub discover: bool,
    /// Worker threads (0: one per core). The output does not depend on it.
    pub threads: usize,
    /// Show a progress bar on stderr (documents, MB, MB/s, ETA).
    pub progress: bool,
    /// Write CSV cells as they are, without neutralising spreadsheet formulas.
    pub raw_csv: bool,
    /// A window naming more entities than this is read as a list and links
    /// none of them (0: no limit); see [`CoMentionGraph::with_crowd_limit`].
    pub max_window_entities: usize,
    /// Time the phases of the run and the stages of the per-document work
    /// ([`Summary::timings`]).
    pub timings: bool,
}

/// The default of [`Options::max_window_entities`]: five times the most
/// entities any one article of the development set names (90), so that only
/// lists reach it.
pub const MAX_WINDOW_ENTITIES: usize = 500;

impl Options {
    /// Defaults for `inputs` → `out_dir`: paragraph windows, count weights,
    /// every format, the shipped furniture markers.
    pub fn new(inputs: Vec<PathBuf>, out_dir: PathBuf, diag: &mut Diagnostics) -> Self {
        Options {
            inputs,
            out_dir,
            window: Window::default(),
            graph: GraphOptions::default(),
            formats: Format::ALL.to_vec(),
            furniture: Furniture::embedded(diag),
            discover: true,
            threads: 0,
            progress: false,
            raw_csv: false,
            max_window_entities: MAX_WINDOW_ENTITIES,
            timings: false,
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub documents: u64,
    /// Bytes of document text.
    pub bytes: u64,
    pub mentions: u64,
    pub entities: u64,
    pub nodes: usize,
    pub edges: usize,
    pub files: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
    /// Where the time went, when [`Options::timings`] asked.
    pub timings: Option<Timings>,
}

/// The date of a document: its `date` field, else the first date written in
/// its article text (furniture such as event lists is not searched).
pub fn document_date(doc: &Document, ex: &Extractor, diag: &mut Diagnostics) -> Option<Date> {
    if let Some(field) = doc.date.as_deref() {
        match date::parse_field(field) {
            Some(d) => return Some(d),
            None => diag.warn(&doc.source, format!("date {field:?} not understood; looking in the text")),
        }
    }
    let article = ex.segments.paragraphs.iter().zip(&ex.is_furniture).filter(|(_, f)| !**f);
    date::first_in_spans(&doc.text, article.map(|(p, _)| p.start..p.end))
}

/// Start offsets of the words of `text` (runs of letters and digits).
fn word_starts(text: &str, out: &mut Vec<usize>) {
    out.clear();
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let w = c.is_alphanumeric();
        if w && !in_word {
            out.push(i);
        }
        in_word = w;
    }
}

/// The windows of a document and the range of windows each mention
/// occupies (aligned with `located`).
fn windows(
    window: Window,
    text: &str,
    ex: &Extractor,
    located: &[Located],
    words: &mut Vec<usize>,
    out: &mut Vec<Range<u64>>,
) -> u64 {
    out.clear();
    let body = |p: u32| !ex.is_furniture.get(p as usize).copied().unwrap_or(false);
    let unit = |w: u64| w..w + 1;
    match window {
        Window::Sentence => {
            out.extend(located.iter().map(|m| unit(u64::from(m.sentence))));
            ex.segments.sentences.iter().filter(|s| body(s.paragraph)).count() as u64
        }
        Window::Paragraph => {
            out.extend(located.iter().map(|m| unit(u64::from(m.paragraph))));
            (0..ex.segments.paragraphs.len() as u32).filter(|&p| body(p)).count() as u64
        }
        Window::Document => {
            out.extend(located.iter().map(|_| unit(0)));
            1
        }
        Window::Words(n) => {
            // Window k covers words k..k+n; a mention at word p lies in windows
            // max(0, p-n+1) ..= min(p, last).
            word_starts(text, words);
            let n = u64::from(n);
            let count = (words.len() as u64).saturating_sub(n - 1).max(1);
            for m in located {
                let p = words.partition_point(|&s| s <= m.start).saturating_sub(1) as u64;
                let lo = p.saturating_sub(n - 1).min(count - 1);
                let hi = p.min(count - 1) + 1;
                out.push(lo..hi);
            }
            count
        }
    }
}

/// Everything the per-document stages produce, before the sequential merge
/// gives discovered names their entities and writes the tables.
pub struct Processed {
    pub doc: Document,
    pub date: Option<Date>,
    pub located: Vec<Located>,
    /// Window range of each mention.
    pub windows: Vec<Range<u64>>,
    /// Number of windows in the document.
    pub window_count: u64,
    /// Context of each mention: its sentence, or part of a long one.
    pub contexts: Vec<Excerpt>,
    pub relations: Vec<relate::Relation>,
    /// Context of each relation.
    pub relation_contexts: Vec<Excerpt>,
    pub furniture: String,
    /// Filled by the merge ([`intern`]) with the buffers of the discovered
    /// names, which go back to the worker with the document's other lists.
    pub name_buffers: Vec<String>,
    pub diagnostics: Diagnostics,
    /// The document's rows of mentions.csv, documents.csv and relations.csv,
    /// formatted by the worker.
    pub rows: Rows,
    /// See [`ReadDocument::input_bytes`].
    pub input_bytes: u64,
}

/// CSV rows ready to be appended to the streamed tables.
#[derive(Debug, Default)]
pub struct Rows {
    pub mentions: Vec<u8>,
    pub document: Vec<u8>,
    pub relations: Vec<u8>,
}

/// How a mention's entity appears in the tables: for a discovered name, the
/// dictionary entry with its id if there is one, else the entity it will get.
struct EntityView<'a> {
    id: std::borrow::Cow<'a, str>,
    kind: &'a str,
    label: &'a str,
    source: &'static str,
}

fn view<'a>(dict: &'a Dictionary, target: &'a Target) -> EntityView<'a> {
    let known = |e: &'a crate::dict::Entity| EntityView {
        id: e.id.as_str().into(),
        kind: &e.kind,
        label: &e.label,
        source: e.source.name(),
    };
    match target {
        Target::Known(i) => known(dict.entity(*i)),
        Target::Found(f) => match dict.by_id(f.id()) {
            Some(i) => known(dict.entity(i)),
            None => EntityView {
                id: f.id().into(),
                kind: f.kind(),
                label: f.label(),
                source: crate::dict::Source::Discovered.name(),
            },
        },
    }
}

/// What a worker keeps from one document to the next so that it does not
/// allocate it again: the word list of `--window words:N`, and cells
/// shared by rows.
#[derive(Default)]
pub struct Scratch {
    words: Vec<usize>,
    /// The lists of a document merged already, to be filled again
    /// ([`recycle`]): one thread, one document after another, need not
    /// allocate them anew.
    spare: Spare,
    /// Per dictionary entity, its id, type and label escaped for
    /// mentions.csv (empty until first needed): every mention of an entity
    /// shares them. A scratch serves one run, so one dictionary and one
    /// `--raw-csv`.
    heads: Vec<Box<[u8]>>,
    /// Per dictionary entity, whether every alias is a plain cell
    /// ([`export::is_plain_cell`]): then so is each of its surfaces, which
    /// differ from an alias only in the case of letters, and is written
    /// without a look for what to quote (filled with `heads`).
    plain: Vec<bool>,
    /// The same for discovered names, by id and label, with their `source`
    /// cell: a name is often found again in later documents. Emptied when
    /// it holds [`FOUND_HEADS`] names.
    found_heads: crate::FastMap<Box<str>, (Box<[u8]>, &'static str)>,
    /// Cells of the rows being written: the document id, escaped; a
    /// discovered name's head; a relation's context.
    doc_id: Vec<u8>,
    head: Vec<u8>,
    cell: Vec<u8>,
}

/// The id, type and label cells of a mentions.csv row, escaped, with the
/// commas between them.
fn entity_head(e: &EntityView, raw: bool, out: &mut Vec<u8>) {
    let mut row = export::Row::new(out);
    row.field(export::cell(&e.id, raw).as_bytes());
    row.field(export::cell(e.kind, raw).as_bytes());
    row.field(export::cell(e.label, raw).as_bytes());
}

/// The per-document lists of a [`Processed`], emptied for reuse.
#[derive(Default)]
struct Spare {
    located: Vec<Located>,
    windows: Vec<Range<u64>>,
    contexts: Vec<Excerpt>,
    relations: Vec<relate::Relation>,
    relation_contexts: Vec<Excerpt>,
    furniture: String,
    name_buffers: Vec<String>,
    rows: Rows,
}

impl Spare {
    /// The lists of a merged document, to be filled again.
    fn of(p: Processed) -> Spare {
        let Processed {
            located, windows, contexts, relations, relation_contexts, furniture, name_buffers, rows, ..
        } = p;
        Spare { located, windows, contexts, relations, relation_contexts, furniture, name_buffers, rows }
    }

    /// Whether its lists are small enough to keep for another document: a
    /// pool of lists grown by a huge document would hold its size many times.
    fn worth_keeping(&self) -> bool {
        self.rows.mentions.capacity() <= SPARE_ROW_BYTES && self.located.capacity() <= SPARE_ROW_BYTES / 64
    }
}

/// The largest mentions.csv rows buffer kept for reuse between documents by
/// the workers' pool (one thread keeps its last one whatever its size).
const SPARE_ROW_BYTES: usize = 1 << 20;

/// Give the lists of a merged document back to the worker that made it.
fn recycle(scratch: &mut Scratch, p: Processed) {
    scratch.spare = Spare::of(p);
}

/// The most discovered names [`Scratch::found_heads`] holds.
const FOUND_HEADS: usize = 1 << 14;

/// Numbers with commas between them, written on the stack to go into a
/// row as one field: right to left, two digits a step (as the itoa crate
/// writes one number), with no copy of each number into place.
struct Numbers {
    buf: [u8; 4 * 21],
    /// Where the numbers start in `buf`; they end at its end.
    start: usize,
}

impl Numbers {
    fn new(values: [usize; 4]) -> Numbers {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let mut out = Numbers { buf: [0; 4 * 21], start: 4 * 21 };
        for (k, v) in values.into_iter().rev().enumerate() {
            if k > 0 {
                out.start -= 1;
                out.buf[out.start] = b',';
            }
            let mut v = v as u64;
            while v >= 100 {
                let pair = (v % 100) as usize * 2;
                v /= 100;
                out.start -= 2;
                out.buf[out.start..out.start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
            }
            if v >= 10 {
                let pair = v as usize * 2;
                out.start -= 2;
                out.buf[out.start..out.start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
            } else {
                out.start -= 1;
                out.buf[out.start] = b'0' + v as u8;
            }
        }
        out
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// The document's rows, written by hand ([`export::Row`]): no allocation
/// per field, and fields shared by rows (the document id, a sentence) are
/// escaped once.
fn format_rows(p: &Processed, dict: &Dictionary, raw: bool, s: &mut Scratch, rows: &mut Rows) {
    let doc = &p.doc;
    let text = doc.text.as_str();
    let Rows { mentions, document, relations } = rows;
    mentions.clear();
    mentions.reserve(p.located.len() * 200);
    let Scratch { heads, plain, found_heads, doc_id, head: found_head, cell, .. } = s;
    // The context of the last row, and where it is written in `mentions`:
    // the mentions of a short sentence share it.
    let mut last_context: Option<(Excerpt, Range<usize>)> = None;
    doc_id.clear();
    export::escape_field(export::cell(&doc.id, raw).as_bytes(), doc_id);
    for (m, ctx) in p.located.iter().zip(&p.contexts) {
        let (head, source, plain): (&[u8], &'static str, bool) = match &m.target {
            Target::Known(i) => {
                let i = *i as usize;
                if heads.len() <= i {
                    heads.resize_with(dict.entities.len().max(i + 1), Default::default);
                    plain.clear();
                    plain.resize(heads.len(), true);
                    for a in &dict.aliases {
                        plain[a.entity as usize] &= export::is_plain_cell(a.text.as_bytes());
                    }
                }
                if heads[i].is_empty() {
                    found_head.clear();
                    entity_head(&view(dict, &m.target), raw, found_head);
                    heads[i] = found_head.as_slice().into();
                }
                (&heads[i], dict.entity(i as EntityIdx).source.name(), plain[i])
            }
            Target::Found(f) => {
                let key = f.id_and_label();
                if !found_heads.contains_key(key) {
                    if found_heads.len() >= FOUND_HEADS {
                        found_heads.clear();
                    }
                    let e = view(dict, &m.target);
                    found_head.clear();
                    entity_head(&e, raw, found_head);
                    found_heads.insert(key.into(), (found_head.as_slice().into(), e.source));
                }
                let (head, source) = &found_heads[key];
                (head, source, false)
            }
        };
        let mut row = export::Row::new(mentions);
        row.escaped(doc_id);
        row.escaped(head);
        let surface = &text[m.start..m.end];
        if plain {
            row.escaped(surface.as_bytes());
        } else {
            row.field(export::cell(surface, raw).as_bytes());
        }
        // Digits never need quotes: the four numbers go in as one field.
        row.escaped(Numbers::new([m.start, m.end, m.paragraph as usize, m.sentence as usize]).as_slice());
        match &last_context {
            Some((c, at)) if c == ctx => row.again(at.clone()),
            _ => last_context = Some((*ctx, row.written(|out| ctx.write(text, raw, out)))),
        }
        // "dictionary" or "discovered": nothing to quote (see the test of `Source::name`).
        row.escaped(source.as_bytes());
        row.end();
    }
    document.clear();
    document.reserve(doc_id.len() + doc.source.len() + doc.title.len() + p.furniture.len() + 64);
    let mut row = export::Row::new(document);
    row.escaped(doc_id);
    row.field(export::cell(&doc.source, raw).as_bytes());
    row.field(export::cell(&doc.title, raw).as_bytes());
    // Digits and hyphens: nothing to quote.
    let date = p.date.map(|d| d.iso());
    row.escaped(date.as_ref().map_or("", date::IsoDate::as_str).as_bytes());
    // Numbers as decimal digits on the stack, two at a time (the itoa crate).
    let mut num = itoa::Buffer::new();
    row.escaped(num.format(text.len()).as_bytes());
    row.escaped(num.format(p.located.len()).as_bytes());
    row.field(p.furniture.as_bytes());
    row.end();
    relations.clear();
    for (r, ctx) in p.relations.iter().zip(&p.relation_contexts) {
        let mut row = export::Row::new(relations);
        row.escaped(doc_id);
        row.field(export::cell(&view(dict, &p.located[r.person].target).id, raw).as_bytes());
        row.field(export::cell(&view(dict, &p.located[r.organisation].target).id, raw).as_bytes());
        row.field(relate::AFFILIATION.as_bytes());
        row.field(export::cell(&r.title, raw).as_bytes());
        cell.clear();
        ctx.write(text, raw, cell);
        row.escaped(cell);
        row.end();
    }
}

/// The most bytes of a sentence written as the context of a mention or a
/// relation. Real sentences fit (the longest in the dev and bench corpora
/// has ~600 bytes); a longer one, such as a list or a table run into one
/// "sentence", is cut around what it gives the context of, with `…` where
/// it is cut. Written whole, it went into the table once per mention in it:
/// 50,000 mentions in a 500 KB run of text took 23 GB before the run was
/// killed.
pub const MAX_CONTEXT: usize = 1000;

/// The context of a mention or relation: its sentence, or the excerpt of a
/// long sentence around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Excerpt {
    pub span: Span,
    /// Whether the sentence goes on before and after the span.
    pub cut_before: bool,
    pub cut_after: bool,
}

impl Excerpt {
    /// The context of `start..end` in `sentence`: the sentence when it has
    /// at most [`MAX_CONTEXT`] bytes, else about as many bytes around
    /// `start..end`, cut after a space and before one where it can be.
    pub fn of(text: &str, sentence: Span, start: usize, end: usize) -> Excerpt {
        if sentence.end - sentence.start <= MAX_CONTEXT {
            return Excerpt { span: sentence, cut_before: false, cut_after: false };
        }
        let side = MAX_CONTEXT.saturating_sub(end.saturating_sub(start)) / 2;
        let mut from = crate::floor_char_boundary(text, start.saturating_sub(side).max(sentence.start)).min(start);
        let mut to = crate::ceil_char_boundary(text, (end + side).min(sentence.end)).max(end);
        if from > sentence.start {
            if let Some(k) = text[from..start].find(' ') {
                from += k + 1;
            }
        }
        if to < sentence.end {
            if let Some(k) = text[end..to].rfind(' ') {
                to = end + k;
            }
        }
        Excerpt { span: Span { start: from, end: to }, cut_before: from > sentence.start, cut_after: to < sentence.end }
    }

    /// The context as written: trimmed, with `…` at a cut.
    fn write(&self, text: &str, raw: bool, out: &mut Vec<u8>) {
        // A sentence's span is trimmed already: only a cut one may need it.
        let span = &text[self.span.start..self.span.end];
        let body = match (span.as_bytes().first(), span.as_bytes().last()) {
            (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => span,
            _ => span.trim(),
        };
        if !self.cut_before && !self.cut_after {
            export::escape_field(export::cell(body, raw).as_bytes(), out);
            return;
        }
        let mut s = String::with_capacity(body.len() + 6);
        if self.cut_before {
            s.push('…');
        }
        s.push_str(body);
        if self.cut_after {
            s.push('…');
        }
        export::escape_field(export::cell(&s, raw).as_bytes(), out);
    }
}

/// Run every per-document stage on one document.
pub fn process(ex: &mut Extractor, read: ReadDocument, opts: &Options, scratch: &mut Scratch) -> Processed {
    // What the reader said comes first: it is about the input before this
    // document, or this document's own line.
    let ReadDocument { doc, said: mut diagnostics, input_bytes } = read;
    let window = opts.window;
    let Spare {
        mut located,
        windows: mut ranges,
        mut contexts,
        mut relations,
        mut relation_contexts,
        mut furniture,
        mut name_buffers,
        mut rows,
    } = std::mem::take(&mut scratch.spare);
    ex.reuse_name_buffers(&mut name_buffers);
    ex.extract(&doc.text, &mut located);
    let date = document_date(&doc, ex, &mut diagnostics);
    ex.stopwatch.lap(Stage::Date);
    let window_count = windows(window, &doc.text, ex, &located, &mut scratch.words, &mut ranges);
    ex.stopwatch.lap(Stage::Windows);
    let sentence = |i: u32| ex.segments.sentences.get(i as usize).map(|s| s.span).unwrap_or_default();
    let text = doc.text.as_str();
    relate::relations(&doc.text, &ex.segments, &located, ex.dict, &mut relations);
    relation_contexts.clear();
    relation_contexts.extend(relations.iter().map(|r| {
        let (a, b) = (&located[r.person], &located[r.organisation]);
        Excerpt::of(text, sentence(r.sentence), a.start.min(b.start), a.end.max(b.end))
    }));
    ex.stopwatch.lap(Stage::Relate);
    contexts.clear();
    contexts.extend(located.iter().map(|m| Excerpt::of(text, sentence(m.sentence), m.start, m.end)));
    furniture_spans(&ex.segments, &ex.is_furniture, &mut furniture);
    let mut p = Processed {
        doc,
        date,
        located,
        windows: ranges,
        window_count,
        contexts,
        relations,
        relation_contexts,
        furniture,
        name_buffers,
        diagnostics,
        rows: Rows::default(),
        input_bytes,
    };
    format_rows(&p, ex.dict, opts.raw_csv, scratch, &mut rows);
    p.rows = rows;
    ex.stopwatch.lap(Stage::Rows);
    p
}

/// The columns of mentions.csv, in order.
pub const MENTION_COLUMNS: [&str; 11] =
    ["doc_id", "entity_id", "type", "label", "surface", "start", "end", "paragraph", "sentence", "context", "source"];
/// The columns of documents.csv.
pub const DOCUMENT_COLUMNS: [&str; 7] = ["doc_id", "source", "title", "date", "bytes", "mentions", "furniture"];
/// The columns of relations.csv.
pub const RELATION_COLUMNS: [&str; 6] = ["doc_id", "source_id", "target_id", "relation", "title", "sentence"];

/// The sequential end of the pipeline: gives discovered names their
/// entities, writes the streamed tables and builds the graph, in input order.
struct Merger<'a> {
    registry: Dictionary,
    graph: CoMentionGraph,
    mentions_csv: StreamedTable,
    documents_csv: StreamedTable,
    relations_csv: StreamedTable,
    occurrences: Vec<Occurrence>,
    summary: Summary,
    out_dir: &'a Path,
    progress: Option<Progress>,
    /// For the warning about list windows.
    window: Window,
}

impl Merger<'_> {
    fn ctx(&self, name: &str) -> String {
        format!("cannot write {}", self.out_dir.join(name).display())
    }

    fn add(&mut self, p: &mut Processed) -> Result<()> {
        intern(&mut self.registry, &mut p.located, &mut p.name_buffers);
        self.mentions_csv.write_all(&p.rows.mentions).with_context(|| self.ctx("mentions.csv"))?;
        self.documents_csv.write_all(&p.rows.document).with_context(|| self.ctx("documents.csv"))?;
        self.relations_csv.write_all(&p.rows.relations).with_context(|| self.ctx("relations.csv"))?;
        self.occurrences.clear();
        for (m, w) in p.located.iter().zip(&p.windows) {
            if let Some(entity) = m.entity() {
                self.occurrences.push(Occurrence { entity, windows: w.clone() });
            }
        }
        self.summary.diagnostics.extend(std::mem::take(&mut p.diagnostics));
        let doc = &p.doc;
        let info = DocInfo { id: &doc.id, date: p.date, windows: p.window_count };
        if let Some(c) = self.graph.add_document(info, &self.occurrences) {
            let (window, limit) = (self.window, self.graph.crowd_limit());
            let many = if c.windows == 1 {
                format!("a {window} names")
            } else {
                format!("{} {window} windows name", c.windows)
            };
            self.summary.diagnostics.warn(
                &doc.source,
                format!(
                    "{many} more than {limit} entities (up to {}): read as a list, not linked \
                     (--max-window-entities)",
                    c.most
                ),
            );
        }
        for r in &p.relations {
            if let (Some(person), Some(org)) = (p.located[r.person].entity(), p.located[r.organisation].entity()) {
                self.graph.add_relation(person, org, &r.title);
            }
        }
        self.summary.documents += 1;
        self.summary.bytes += p.doc.text.len() as u64;
        self.summary.mentions += p.located.len() as u64;
        if let Some(bar) = &self.progress {
            bar.documents.store(self.summary.documents, std::sync::atomic::Ordering::Relaxed);
            bar.bar.inc(p.input_bytes);
        }
        Ok(())
    }
}

/// The progress bar on stderr: documents merged, input bytes read of all,
/// MB/s and ETA.
struct Progress {
    bar: indicatif::ProgressBar,
    /// Documents merged so far, shown at each redraw (the bar's position
    /// counts bytes).
    documents: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// How long the rate and the ETA are left out at the start: until then they
/// measure the start-up (the automaton, the first documents' lazy set-up),
/// and a run of two seconds showed "ETA 6m".
const SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

impl Progress {
    /// A bar for `total` bytes of input ([`DocumentReader::input_size`]).
    fn new(total: u64) -> Self {
        use std::sync::atomic::Ordering;
        let bar = indicatif::ProgressBar::new(total);
        let documents = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let count = documents.clone();
        let settled = |s: &indicatif::ProgressState| s.elapsed() >= SETTLE;
        let style = indicatif::ProgressStyle::with_template(
            "{documents:>18} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {rate} {eta_settled}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("documents", move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{} documents", count.load(Ordering::Relaxed));
        })
        .with_key("rate", move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            if settled(s) {
                let _ = write!(w, "{}/s", indicatif::DecimalBytes(s.per_sec() as u64));
            }
        })
        .with_key("eta_settled", move |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            if settled(s) {
                let _ = write!(w, "ETA {:#}", indicatif::HumanDuration(s.eta()));
            }
        })
        .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar, documents }
    }
}

/// A streamed table: its header written, its rows to follow as bytes.
fn table(out: &mut OutputDir, name: &str, header: &[&str]) -> Result<StreamedTable> {
    let mut w = export::csv_writer(Vec::new());
    w.write_record(header)?;
    let mut t = StreamedTable::create(out, name)?;
    t.write_all(&w.into_inner().map_err(|e| e.into_error())?)?;
    Ok(t)
}

/// Documents per chunk handed to a worker.
const CHUNK_DOCS: usize = 64;
/// Bytes of text per chunk, for corpora of long documents.
const CHUNK_BYTES: usize = 1 << 20;
/// The fewest bytes of text in a chunk cut short near the end of the input
/// ([`read_chunk`]).
const LAST_CHUNK_BYTES: usize = 64 << 10;
/// Chunks read but not yet merged, per worker: bounds memory however
/// unevenly documents take time.
const CHUNKS_IN_FLIGHT_PER_WORKER: usize = 4;

/// Build every constant pattern, word set and automaton the stages keep in
/// statics, which are otherwise built when a document first needs them.
pub fn warm_up() {
    crate::resolve::warm_up();
    crate::relate::warm_up();
    crate::discover::warm_up();
}

/// Process the documents of `reader` on `threads` workers and merge them in
/// input order.
///
/// Each worker reads its next chunk of documents itself (one at a time, in
/// turn), processes it while the text is still in its cache, and the one
/// that finishes the next chunk in input order merges it ([`InOrder`]): as
/// many threads as workers, none waiting on another's hand-over. A token per
/// chunk read and not yet merged bounds how far reading runs ahead of a
/// slow document.
fn parallel<'m, 'd>(
    reader: &mut DocumentReader,
    input_size: Option<u64>,
    merger: Merger<'m>,
    threads: usize,
    new_extractor: &(dyn Fn() -> Extractor<'d> + Sync),
    opts: &Options,
    stages: &Mutex<Stopwatch>,
) -> Result<Merger<'m>> {
    let in_flight = threads * CHUNKS_IN_FLIGHT_PER_WORKER;
    let (token_tx, token_rx) = std::sync::mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let token_rx = Mutex::new(token_rx);
    let input = Mutex::new(Input { reader, next: 0, left: input_size.filter(|&n| n > 0), threads });
    let order = InOrder::new(merger, token_tx);
    // The lists of merged documents, given back to the workers to fill again
    // (allocating them anew and freeing them on another thread cost 5% of
    // the samples of a 2-thread run).
    let pool: Mutex<Vec<Spare>> = Mutex::new(Vec::new());
    let pool_size = 2 * threads * CHUNK_DOCS;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (token_rx, input, order, pool) = (&token_rx, &input, &order, &pool);
            scope.spawn(move || {
                let _stop = StopOnPanic(order);
                let (mut ex, mut scratch) = (new_extractor(), Scratch::default());
                let mut spares = Vec::with_capacity(CHUNK_DOCS);
                let mut merged = Vec::with_capacity(CHUNK_DOCS);
                let mut merge = |merger: &mut Merger<'m>, chunk: Vec<Processed>| -> Result<()> {
                    for mut p in chunk {
                        merger.add(&mut p)?;
                        merged.push(Spare::of(p));
                    }
                    if let Ok(mut pool) = pool.lock() {
                        let room = pool_size.saturating_sub(pool.len());
                        pool.extend(merged.drain(..).filter(Spare::worth_keeping).take(room));
                    }
                    merged.clear();
                    Ok(())
                };
                loop {
                    // No token: merging stopped (an error, or a worker
                    // panicked and poisoned a lock).
                    let Ok(Ok(())) = token_rx.lock().map(|rx| rx.recv()) else { break };
                    let Ok(mut reader) = input.lock() else { break };
                    ex.stopwatch.lap(Stage::Wait);
                    let (seq, docs) = read_chunk(&mut reader);
                    drop(reader);
                    if docs.is_empty() {
                        break;
                    }
                    if let Ok(mut pool) = pool.lock() {
                        let keep = pool.len().saturating_sub(docs.len());
                        spares.extend(pool.drain(keep..));
                    }
                    ex.stopwatch.lap(Stage::Read);
                    let done: Vec<Processed> = docs
                        .into_iter()
                        .map(|doc| {
                            scratch.spare = spares.pop().unwrap_or_default();
                            process(&mut ex, doc, opts, &mut scratch)
                        })
                        .collect();
                    let merged = order.leave(seq, done, &mut merge);
                    ex.stopwatch.lap(Stage::Merge);
                    if !merged {
                        break;
                    }
                }
                if let Ok(mut stages) = stages.lock() {
                    stages.add(&ex.stopwatch);
                }
            });
        }
    });
    order.finish()
}

/// The reader the workers share.
struct Input<'r> {
    reader: &'r mut DocumentReader,
    /// The number of the next chunk.
    next: u64,
    /// Input bytes not yet read, when the size of the inputs is known.
    left: Option<u64>,
    threads: usize,
}

/// The next chunk of documents and its number (empty at the end of the input).
///
/// Near the end of the input chunks get smaller (to a share of what is
/// left, at least [`LAST_CHUNK_BYTES`]), so that the workers finish close
/// together instead of one processing a whole last chunk while the others
/// wait. `--threads 2` on the 100 MB bench, 14 alternating runs: median wall
/// 323.5 -> 320.0 ms.
fn read_chunk(input: &mut Input) -> (u64, Vec<ReadDocument>) {
    let limit = match input.left {
        Some(left) => (left / (2 * input.threads as u64)).clamp(LAST_CHUNK_BYTES as u64, CHUNK_BYTES as u64) as usize,
        None => CHUNK_BYTES,
    };
    let mut chunk = Vec::with_capacity(CHUNK_DOCS);
    let mut bytes = 0;
    while let Some(read) = input.reader.next_read() {
        bytes += read.doc.text.len();
        if let Some(left) = &mut input.left {
            *left = left.saturating_sub(read.input_bytes);
        }
        chunk.push(read);
        if chunk.len() >= CHUNK_DOCS || bytes >= limit {
            break;
        }
    }
    let seq = input.next;
    input.next += 1;
    (seq, chunk)
}

/// Run the whole job over `opts.inputs` and write every output file.
///
/// Documents are read as a stream, processed in chunks on `opts.threads`
/// workers and merged in input order, so the output is the same for any
/// number of threads; only per-entity and per-edge counts stay in memory.
pub fn run(dict: &Dictionary, opts: &Options) -> Result<Summary> {
    let mut phases = Phases::new(opts.timings);
    let mut out = OutputDir::new(&opts.out_dir)
        .with_context(|| format!("cannot create output directory {}", opts.out_dir.display()))?;
    let ctx = |name: &str| format!("cannot write {}", opts.out_dir.join(name).display());
    let mentions_csv = table(&mut out, "mentions.csv", &MENTION_COLUMNS).with_context(|| ctx("mentions.csv"))?;
    let relations_csv = table(&mut out, "relations.csv", &RELATION_COLUMNS).with_context(|| ctx("relations.csv"))?;
    let documents_csv = table(&mut out, "documents.csv", &DOCUMENT_COLUMNS).with_context(|| ctx("documents.csv"))?;
    let threads =
        if opts.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.threads };
    let new_discoverer = || opts.discover.then(|| Arc::new(Discoverer::embedded()));
    let (matcher, discoverer) = if threads > 1 {
        // The automaton takes longest to build: the patterns and the
        // discoverer are built beside it, not by the first worker to need them
        // while the others wait.
        std::thread::scope(|scope| {
            let side = scope.spawn(|| {
                warm_up();
                new_discoverer()
            });
            let matcher = Matcher::new(dict);
            (matcher, side.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    } else {
        (Matcher::new(dict), new_discoverer())
    };
    let matcher = Arc::new(matcher.context("building the Aho-Corasick automaton")?);
    phases.end("automaton");
    let mut reader = DocumentReader::new(&opts.inputs);
    // The size of the inputs (a look at each file), for the progress bar and
    // for the last chunks of several workers: looked up once, when needed.
    let input_size = (opts.progress || threads > 1).then(|| reader.input_size());
    let mut merger = Merger {
        registry: dict.clone(),
        graph: CoMentionGraph::with_crowd_limit(opts.max_window_entities),
        mentions_csv,
        documents_csv,
        relations_csv,
        occurrences: Vec::new(),
        summary: Summary::default(),
        out_dir: &opts.out_dir,
        progress: input_size.filter(|_| opts.progress).map(Progress::new),
        window: opts.window,
    };
    let new_extractor = || {
        let mut ex = Extractor::with(dict, Arc::clone(&matcher), opts.furniture.clone(), discoverer.clone());
        if opts.timings {
            ex.stopwatch = Stopwatch::started();
        }
        ex
    };
    let stages = Mutex::new(Stopwatch::off());
    if threads == 1 {
        // One thread: no batches, no hand-over.
        let mut ex = new_extractor();
        let mut scratch = Scratch::default();
        while let Some(read) = reader.next_read() {
            ex.stopwatch.lap(Stage::Read);
            let mut p = process(&mut ex, read, opts, &mut scratch);
            merger.add(&mut p)?;
            recycle(&mut scratch, p);
            ex.stopwatch.lap(Stage::Merge);
        }
        if let Ok(mut stages) = stages.lock() {
            stages.add(&ex.stopwatch);
        }
    } else {
        merger = parallel(&mut reader, input_size, merger, threads, &new_extractor, opts, &stages)?;
    }
    phases.end("documents");
    let Merger { registry, graph, mentions_csv, documents_csv, relations_csv, mut summary, progress, .. } = merger;
    if let Some(p) = progress {
        p.bar.finish_and_clear();
    }
    // What was said after the last document (every earlier message came with one).
    summary.diagnostics.extend(std::mem::take(&mut reader.diag));
    mentions_csv.finish(&mut out, "mentions.csv").with_context(|| ctx("mentions.csv"))?;
    documents_csv.finish(&mut out, "documents.csv").with_context(|| ctx("documents.csv"))?;
    relations_csv.finish(&mut out, "relations.csv").with_context(|| ctx("relations.csv"))?;
    phases.end("tables");

    let finished = graph.finish(&registry, &opts.graph);
    phases.end("graph");
    let description = format!(
        "Co-mention graph of {} documents (window: {}, weight: {})",
        summary.documents,
        opts.window,
        opts.graph.weight.name()
    );
    let (finished, registry, graph, raw) = (&finished, &registry, &graph, opts.raw_csv);
    let mut files: Vec<FileJob> =
        vec![("entities.csv", Box::new(move |w| Ok(tables::write_entities(w, registry, graph, raw)?)))];
    for format in &opts.formats {
        match format {
            Format::Csv => {
                files.push(("nodes.csv", Box::new(move |w| Ok(tables::write_nodes(w, finished, raw)?))));
                files.push(("edges.csv", Box::new(move |w| Ok(tables::write_edges(w, finished, raw)?))));
            }
            Format::Gexf => {
                let description = &description;
                files.push(("graph.gexf", Box::new(move |w| Ok(gexf::write(w, finished, description)?))))
            }
            Format::Graphml => files.push(("graph.graphml", Box::new(move |w| Ok(graphml::write(w, finished)?)))),
            Format::Json => {
                let mut attrs = serde_json::Map::new();
                attrs.insert("name".into(), "kommunegraf".into());
                attrs.insert("description".into(), description.clone().into());
                attrs.insert("window".into(), opts.window.to_string().into());
                attrs.insert("weight".into(), opts.graph.weight.name().into());
                files.push(("graph.json", Box::new(move |w| Ok(json::write(w, finished, attrs)?))))
            }
            Format::Dot => files.push(("graph.dot", Box::new(move |w| Ok(dot::write(w, finished)?)))),
        }
    }
    write_files(&mut out, files, threads)?;
    phases.end("graph files");
    summary.entities = graph.graph.node_count() as u64;
    summary.nodes = finished.nodes.len();
    summary.edges = finished.edges.len();
    summary.files = out.commit().with_context(|| format!("cannot move outputs into {}", opts.out_dir.display()))?;
    phases.end("commit");
    if opts.timings {
        let stages = stages.into_inner().unwrap_or_else(|e| e.into_inner());
        summary.timings = Some(Timings { phases: phases.done, stages, threads, bytes: summary.bytes });
    }
    Ok(summary)
}

/// An output file written at the end of the run, and what writes it.
type FileJob<'a> = (&'static str, WriteFile<'a>);
type WriteFile<'a> = Box<dyn FnOnce(&mut BufWriter<File>) -> Result<()> + Send + 'a>;

/// Write the end-of-run files, on up to `threads` threads (they do not
/// depend on each other). Each file is synced in the background as soon as
/// it is written; an error names the file.
fn write_files(out: &mut OutputDir, files: Vec<FileJob>, threads: usize) -> Result<()> {
    let context = |name: &str| format!("cannot write {name}");
    let mut slots = Vec::with_capacity(files.len());
    for (name, job) in files {
        let w = out.create(name).with_context(|| context(name))?;
        slots.push((name, Mutex::new(FileSlot::Ready(w, job))));
    }
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some((_, slot)) = slots.get(next.fetch_add(1, Ordering::Relaxed)) {
            let Ok(mut slot) = slot.lock() else { continue };
            if let FileSlot::Ready(mut w, job) = std::mem::replace(&mut *slot, FileSlot::Taken) {
                *slot = FileSlot::Written(job(&mut w).map(|()| w));
            }
        }
    };
    if threads > 1 {
        std::thread::scope(|scope| {
            for _ in 1..threads.min(slots.len()) {
                scope.spawn(work);
            }
            work();
        });
    } else {
        work();
    }
    for (name, slot) in slots {
        let Ok(FileSlot::Written(result)) = slot.into_inner() else { anyhow::bail!("{} was not written", name) };
        let w = result.with_context(|| context(name))?;
        out.finish(name, w).with_context(|| context(name))?;
    }
    Ok(())
}

/// One end-of-run file in [`write_files`]: waiting, being written, or done.
enum FileSlot<'a> {
    Ready(BufWriter<File>, WriteFile<'a>),
    Taken,
    Written(Result<BufWriter<File>>),
}

/// The furniture of a document as `start-end` byte ranges joined by `;`
/// (furniture paragraphs that follow each other merged). One pass: looking
/// for a paragraph between two furniture ones took time quadratic in the
/// paragraphs (1.1 s for a 3.4 MB document of 80,000 lines).
fn furniture_spans(segments: &Segments, is_furniture: &[bool], out: &mut String) {
    out.clear();
    // The numbers by itoa: `write!` cost ~550 instructions a range.
    let mut num = itoa::Buffer::new();
    for (k, r) in stretches(&segments.paragraphs, is_furniture, true).enumerate() {
        if k > 0 {
            out.push(';');
        }
        out.push_str(num.format(r.start));
        out.push('-');
        out.push_str(num.format(r.end));
    }
}

/// Load the dictionaries a run uses: the embedded ones unless `no_default`,
/// then each of `paths`.
pub fn load_dictionaries(paths: &[PathBuf], no_default: bool, diag: &mut Diagnostics) -> Dictionary {
    let mut dict = if no_default { Dictionary::new() } else { Dictionary::embedded(diag) };
    for p in paths {
        dict.add_path(Path::new(p), diag);
    }
    dict
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    proptest::proptest! {
        #[test]
        fn numbers_are_written_as_decimals_with_commas(
            values in proptest::array::uniform4(proptest::prop_oneof![
                0usize..=200, proptest::num::usize::ANY, proptest::sample::select(vec![9, 10, 99, 100, 999, 1000, usize::MAX])
            ])
        ) {
            let want = values.map(|v| v.to_string()).join(",");
            let got = Numbers::new(values);
            proptest::prop_assert_eq!(got.as_slice(), want.as_bytes());
        }

        /// Stepping on from the sentence before places a mention where a
        /// search of the sentences does, for offsets in text order (some far
        /// apart, past the steps taken) and in any order.
        #[test]
        fn a_mention_is_placed_in_the_sentence_a_search_finds(
            lens in proptest::collection::vec(0usize..30, 1..40),
            offsets in proptest::collection::vec(0usize..2000, 0..80),
            in_order: bool,
        ) {
            let text: String = lens
                .iter()
                .enumerate()
                .map(|(i, &n)| format!("B{}.{}", "a".repeat(n), if i % 5 == 4 { "\n\n" } else { " " }))
                .collect();
            let dict = Dictionary::new();
            let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
            ex.segments.split(&text);
            let mut offsets: Vec<usize> = offsets.into_iter().map(|o| o % (text.len() + 1)).collect();
            if in_order {
                offsets.sort_unstable();
            }
            let mut at = 0;
            for o in offsets {
                let want = ex.segments.sentence_at(o);
                let paragraph = ex.segments.sentences.get(want).map_or(0, |x| x.paragraph);
                proptest::prop_assert_eq!(ex.place(o, &mut at), (paragraph, want as u32), "offset {}", o);
            }
        }
    }

    #[test]
    fn a_long_sentence_gives_each_mention_an_excerpt() {
        let short = "Aarhus Kommune har valgt KMD.";
        let whole = Span { start: 0, end: short.len() };
        assert_eq!(Excerpt::of(short, whole, 0, 6), Excerpt { span: whole, cut_before: false, cut_after: false });
        // A list run into one sentence: 400 entries of "Navn123 ApS, ".
        let list: String = (0..400).map(|i| format!("Navn{i:03} ApS, ")).collect();
        let sentence = Span { start: 0, end: list.len() };
        assert!(list.len() > MAX_CONTEXT);
        let at = list.find("Navn200").unwrap();
        let e = Excerpt::of(&list, sentence, at, at + 7);
        assert!(e.cut_before && e.cut_after);
        assert!(e.span.start <= at && at + 7 <= e.span.end);
        assert!(e.span.end - e.span.start <= MAX_CONTEXT);
        // Cut after a space and before one: whole words only.
        assert_eq!(&list[e.span.start - 1..e.span.start], " ");
        assert_eq!(&list[e.span.end..e.span.end + 1], " ");
        let mut cell = Vec::new();
        e.write(&list, true, &mut cell);
        let cell = String::from_utf8(cell).unwrap();
        assert!(cell.starts_with("\"…Navn") && cell.ends_with("…\""), "{cell}");
        assert_eq!(cell.trim_matches(['"', '…']), &list[e.span.start..e.span.end]);
        // Near the start: cut only after.
        let e = Excerpt::of(&list, sentence, 0, 7);
        assert!(!e.cut_before && e.cut_after && e.span.start == 0);
        // Multi-byte text, no spaces: cut on character boundaries.
        let danish = "æøå".repeat(1000);
        let e = Excerpt::of(&danish, Span { start: 0, end: danish.len() }, 3000, 3006);
        assert!(danish.is_char_boundary(e.span.start) && danish.is_char_boundary(e.span.end));
        assert!(e.span.start <= 3000 && 3006 <= e.span.end && e.span.end - e.span.start <= MAX_CONTEXT + 2);
    }

    #[test]
    fn paragraphs_that_follow_each_other_make_one_range() {
        let paragraphs = [(0, 5), (6, 10), (11, 15), (16, 20), (22, 25), (27, 30)];
        let mut segments = Segments::default();
        segments.paragraphs = paragraphs.iter().map(|&(start, end)| crate::segment::Span { start, end }).collect();
        // Into a used buffer, as a worker does.
        let mut out = "stale".to_string();
        let mut spans = |flags: [bool; 6]| {
            furniture_spans(&segments, &flags, &mut out);
            out.clone()
        };
        assert_eq!(spans([true, true, false, true, false, true]), "0-10;16-20;27-30");
        assert_eq!(spans([false, true, true, true, true, false]), "6-25");
        assert_eq!(spans([true; 6]), "0-30");
        assert_eq!(spans([false; 6]), "");
        assert_eq!(spans([false, false, false, false, false, true]), "27-30");
        // The rest, as the scan takes it; paragraphs without a flag are no furniture.
        let body = |flags: &[bool]| {
            stretches(&segments.paragraphs, flags, false).map(|r| (r.start, r.end)).collect::<Vec<_>>()
        };
        assert_eq!(body(&[true, true, false, true, false, true]), [(11, 15), (22, 25)]);
        assert_eq!(body(&[false, true, true, true, true, false]), [(0, 5), (27, 30)]);
        assert_eq!(body(&[false; 6]), [(0, 30)]);
        assert!(body(&[true; 6]).is_empty());
        assert_eq!(body(&[true]), [(6, 30)]);
    }

    fn job(text: &'static str) -> WriteFile<'static> {
        Box::new(move |w| Ok(w.write_all(text.as_bytes())?))
    }

    /// Chunks get smaller near the end of the input, down to
    /// LAST_CHUNK_BYTES, and every document is read once, in order; with
    /// the size of the input unknown they keep their size.
    #[test]
    fn chunks_shrink_near_the_end_of_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let text = "Kommunen køber it. ".repeat(500); // 9,500 bytes
        let lines: String = (0..1000).map(|i| format!("{{\"id\":\"d{i}\",\"text\":\"{text}\"}}\n")).collect();
        std::fs::write(&path, lines).unwrap();
        let chunks = |known: bool| {
            let mut reader = DocumentReader::new(std::slice::from_ref(&path));
            let left = known.then(|| reader.input_size());
            let mut input = Input { reader: &mut reader, next: 0, left, threads: 2 };
            let mut sizes = Vec::new();
            let mut ids = Vec::new();
            loop {
                let (seq, docs) = read_chunk(&mut input);
                assert_eq!(seq as usize, sizes.len());
                if docs.is_empty() {
                    break;
                }
                sizes.push(docs.iter().map(|d| d.doc.text.len()).sum::<usize>());
                ids.extend(docs.into_iter().map(|d| d.doc.id));
            }
            assert_eq!(ids, (0..1000).map(|i| format!("d{i}")).collect::<Vec<_>>());
            sizes
        };
        let known = chunks(true);
        let (first, last) = (known[0], known[known.len() - 2]);
        assert!(first >= CHUNK_BYTES / 2, "first chunk {first} bytes");
        assert!((LAST_CHUNK_BYTES..CHUNK_BYTES / 8).contains(&last), "last full chunk {last} bytes: {known:?}");
        assert!(known.windows(2).all(|w| w[1] <= w[0] + text.len()), "{known:?}");
        let unknown = chunks(false);
        assert!(unknown[..unknown.len() - 1].iter().all(|&n| n >= CHUNK_BYTES / 2), "{unknown:?}");
    }

    /// Files written side by side land under their own names, whole; a
    /// failed one is named and no file appears.
    #[test]
    fn end_of_run_files_are_written_on_threads_and_errors_name_the_file() {
        for threads in [1, 2, 3] {
            let dir = tempfile::tempdir().unwrap();
            let mut out = OutputDir::new(dir.path()).unwrap();
            let files: Vec<FileJob> = vec![("a.txt", job("alpha")), ("b.txt", job("beta")), ("c.txt", job("gamma"))];
            write_files(&mut out, files, threads).unwrap();
            out.commit().unwrap();
            for (name, text) in [("a.txt", "alpha"), ("b.txt", "beta"), ("c.txt", "gamma")] {
                assert_eq!(std::fs::read_to_string(dir.path().join(name)).unwrap(), text, "{threads} threads");
            }

            let dir = tempfile::tempdir().unwrap();
            let mut out = OutputDir::new(dir.path()).unwrap();
            let fail: FileJob = ("b.txt", Box::new(|_| Err(anyhow::anyhow!("disk full"))));
            let err = write_files(&mut out, vec![("a.txt", job("alpha")), fail], threads).unwrap_err();
            assert_eq!(format!("{err:#}"), "cannot write b.txt: disk full");
            drop(out);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{threads} threads");
        }
    }
}
