//! The whole job: read → segment → match → resolve → graph → export.
//!
//! Documents stream through one at a time: `mentions.csv` and
//! `documents.csv` are written as each document is done, and only per-entity
//! and per-edge counts are kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::date::{self, Date};
use crate::diag::Diagnostics;
use crate::dict::{Dictionary, EntityIdx};
use crate::discover::{Discoverer, Found, Taken};
use crate::export::{self, Format, OutputDir, dot, gexf, graphml, json, tables};
use crate::furniture::Furniture;
use crate::graph::{CoMentionGraph, DocInfo, GraphOptions, Occurrence, Window};
use crate::matcher::{Candidate, Matcher};
use crate::read::{Document, DocumentReader};
use crate::relate;
use crate::resolve::{Mention, resolve};
use crate::segment::Segments;

/// What a mention refers to: a known entity, or one found in the text that
/// the run's entity registry has yet to intern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Known(EntityIdx),
    Found { kind: &'static str, label: String },
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
            Target::Found { .. } => None,
        }
    }
}

/// Give every discovered mention its entity in `registry` (a copy of the
/// dictionary that grows as names are found).
pub fn intern(registry: &mut Dictionary, located: &mut [Located]) {
    for m in located {
        if let Target::Found { kind, label } = &m.target {
            m.target = Target::Known(registry.intern(kind, label));
        }
    }
}

/// Finds the mentions of one document at a time, reusing its buffers.
pub struct Extractor<'d> {
    pub dict: &'d Dictionary,
    pub matcher: Matcher,
    pub furniture: Furniture,
    /// Finds entities beyond the dictionary; `None` turns discovery off.
    pub discoverer: Option<Discoverer>,
    pub segments: Segments,
    /// Per paragraph of the last document: is it site furniture?
    pub is_furniture: Vec<bool>,
    folded: Vec<u8>,
    candidates: Vec<Candidate>,
    mentions: Vec<Mention>,
    taken: Vec<Taken>,
    found: Vec<Found>,
}

impl<'d> Extractor<'d> {
    pub fn new(dict: &'d Dictionary, furniture: Furniture) -> Result<Self> {
        let matcher = Matcher::new(dict).context("building the Aho-Corasick automaton")?;
        Ok(Extractor {
            dict,
            matcher,
            furniture,
            discoverer: Some(Discoverer::embedded()),
            segments: Segments::default(),
            is_furniture: Vec::new(),
            folded: Vec::new(),
            candidates: Vec::new(),
            mentions: Vec::new(),
            taken: Vec::new(),
            found: Vec::new(),
        })
    }

    fn place(&self, start: usize) -> (u32, u32) {
        let s = self.segments.sentence_at(start);
        (self.segments.sentences.get(s).map_or(0, |x| x.paragraph), s as u32)
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
        self.furniture.mark(text, &self.segments.paragraphs, &mut self.is_furniture);
        self.matcher.candidates(text, &mut self.folded, &mut self.candidates);
        resolve(text, &self.matcher, &mut self.candidates, &mut self.mentions);
        self.taken.clear();
        for m in &self.mentions {
            let (paragraph, sentence) = self.place(m.start);
            if !self.in_body(paragraph) {
                continue;
            }
            let person = self.dict.entity(m.entity).kind == "person";
            self.taken.push(Taken { start: m.start, end: m.end, person });
            out.push(Located { target: Target::Known(m.entity), start: m.start, end: m.end, paragraph, sentence });
        }
        if let Some(d) = &self.discoverer {
            let paragraphs = &self.segments.paragraphs;
            let furniture = &self.is_furniture;
            let body = |offset: usize| {
                let p = paragraphs.partition_point(|p| p.start <= offset).saturating_sub(1);
                !furniture.get(p).copied().unwrap_or(false)
            };
            d.discover(text, &body, &self.taken, &mut self.found);
            for f in &self.found {
                let (paragraph, sentence) = self.place(f.start);
                out.push(Located {
                    target: Target::Found { kind: f.kind, label: f.label.clone() },
                    start: f.start,
                    end: f.end,
                    paragraph,
                    sentence,
                });
            }
            out.sort_by_key(|m| m.start);
        }
    }
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
}

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
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub documents: u64,
    pub mentions: u64,
    pub entities: u64,
    pub nodes: usize,
    pub edges: usize,
    pub files: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
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
    ex.segments
        .paragraphs
        .iter()
        .zip(&ex.is_furniture)
        .filter(|(_, f)| !**f)
        .find_map(|(p, _)| date::find_in_text(&doc.text[p.start..p.end]))
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

/// The windows of a document and of each of its mentions.
fn windows(
    window: Window,
    text: &str,
    ex: &Extractor,
    located: &[Located],
    words: &mut Vec<usize>,
    out: &mut Vec<Occurrence>,
) -> u64 {
    out.clear();
    let body = |p: u32| !ex.is_furniture.get(p as usize).copied().unwrap_or(false);
    let unit = |w: u64| w..w + 1;
    match window {
        Window::Sentence => {
            out.extend(
                located
                    .iter()
                    .filter_map(|m| Some(Occurrence { entity: m.entity()?, windows: unit(u64::from(m.sentence)) })),
            );
            ex.segments.sentences.iter().filter(|s| body(s.paragraph)).count() as u64
        }
        Window::Paragraph => {
            out.extend(
                located
                    .iter()
                    .filter_map(|m| Some(Occurrence { entity: m.entity()?, windows: unit(u64::from(m.paragraph)) })),
            );
            (0..ex.segments.paragraphs.len() as u32).filter(|&p| body(p)).count() as u64
        }
        Window::Document => {
            out.extend(located.iter().filter_map(|m| Some(Occurrence { entity: m.entity()?, windows: unit(0) })));
            1
        }
        Window::Words(n) => {
            // Window k covers words k..k+n; a mention at word p lies in windows
            // max(0, p-n+1) ..= min(p, last).
            word_starts(text, words);
            let n = u64::from(n);
            let count = (words.len() as u64).saturating_sub(n - 1).max(1);
            for m in located {
                let Some(entity) = m.entity() else { continue };
                let p = words.partition_point(|&s| s <= m.start).saturating_sub(1) as u64;
                let lo = p.saturating_sub(n - 1).min(count - 1);
                let hi = p.min(count - 1) + 1;
                out.push(Occurrence { entity, windows: lo..hi });
            }
            count
        }
    }
}

/// The columns of mentions.csv, in order (see [`write_document`]).
pub const MENTION_COLUMNS: [&str; 11] =
    ["doc_id", "entity_id", "type", "label", "surface", "start", "end", "paragraph", "sentence", "context", "source"];

/// Run the whole job over `opts.inputs` and write every output file.
pub fn run(dict: &Dictionary, opts: &Options) -> Result<Summary> {
    let mut out = OutputDir::new(&opts.out_dir)
        .with_context(|| format!("cannot create output directory {}", opts.out_dir.display()))?;
    let ctx = |name: &str| format!("cannot write {}", opts.out_dir.join(name).display());
    let mut mentions_csv = export::csv_writer(out.create("mentions.csv").with_context(|| ctx("mentions.csv"))?);
    mentions_csv.write_record(MENTION_COLUMNS)?;
    let mut relations_csv = export::csv_writer(out.create("relations.csv").with_context(|| ctx("relations.csv"))?);
    relations_csv.write_record(["doc_id", "source_id", "target_id", "relation", "title", "sentence"])?;
    let mut documents_csv = export::csv_writer(out.create("documents.csv").with_context(|| ctx("documents.csv"))?);
    documents_csv.write_record(["doc_id", "source", "title", "date", "bytes", "mentions", "furniture"])?;

    let mut extractor = Extractor::new(dict, opts.furniture.clone())?;
    if !opts.discover {
        extractor.discoverer = None;
    }
    let mut registry = dict.clone();
    let mut graph = CoMentionGraph::new();
    let mut summary = Summary::default();
    let mut located = Vec::new();
    let mut occurrences = Vec::new();
    let mut words = Vec::new();
    let mut relations = Vec::new();
    let mut reader = DocumentReader::new(&opts.inputs);
    for doc in reader.by_ref() {
        extractor.extract(&doc.text, &mut located);
        intern(&mut registry, &mut located);
        let date = document_date(&doc, &extractor, &mut summary.diagnostics);
        let view = DocView {
            doc: &doc,
            date,
            segments: &extractor.segments,
            is_furniture: &extractor.is_furniture,
            located: &located,
        };
        write_document(&mut mentions_csv, &mut documents_csv, &registry, &view).with_context(|| ctx("mentions.csv"))?;
        let n = windows(opts.window, &doc.text, &extractor, &located, &mut words, &mut occurrences);
        graph.add_document(DocInfo { id: &doc.id, date, windows: n }, &occurrences);
        relate::relations(&doc.text, &extractor.segments, &located, &registry, &mut relations);
        for r in &relations {
            graph.add_relation(r.person, r.organisation, &r.title);
            let sentence = extractor.segments.sentences.get(r.sentence as usize);
            relations_csv
                .write_record([
                    doc.id.as_str(),
                    &registry.entity(r.person).id,
                    &registry.entity(r.organisation).id,
                    relate::AFFILIATION,
                    &r.title,
                    sentence.map_or("", |s| doc.text[s.span.start..s.span.end].trim()),
                ])
                .with_context(|| ctx("relations.csv"))?;
        }
        summary.documents += 1;
        summary.mentions += located.len() as u64;
    }
    summary.diagnostics.extend(std::mem::take(&mut reader.diag));

    let w = mentions_csv.into_inner().map_err(|e| e.into_error())?;
    export::finish(w).with_context(|| ctx("mentions.csv"))?;
    let w = documents_csv.into_inner().map_err(|e| e.into_error())?;
    export::finish(w).with_context(|| ctx("documents.csv"))?;
    let w = relations_csv.into_inner().map_err(|e| e.into_error())?;
    export::finish(w).with_context(|| ctx("relations.csv"))?;
    write_with(&mut out, "entities.csv", |w| Ok(tables::write_entities(w, &registry, &graph)?))?;

    let finished = graph.finish(&registry, &opts.graph);
    let description = format!(
        "Co-mention graph of {} documents (window: {}, weight: {})",
        summary.documents,
        opts.window,
        opts.graph.weight.name()
    );
    for format in &opts.formats {
        match format {
            Format::Csv => {
                write_with(&mut out, "nodes.csv", |w| Ok(tables::write_nodes(w, &finished)?))?;
                write_with(&mut out, "edges.csv", |w| Ok(tables::write_edges(w, &finished)?))?;
            }
            Format::Gexf => write_with(&mut out, "graph.gexf", |w| Ok(gexf::write(w, &finished, &description)?))?,
            Format::Graphml => write_with(&mut out, "graph.graphml", |w| Ok(graphml::write(w, &finished)?))?,
            Format::Json => {
                let mut attrs = serde_json::Map::new();
                attrs.insert("name".into(), "kommunegraf".into());
                attrs.insert("description".into(), description.clone().into());
                attrs.insert("window".into(), opts.window.to_string().into());
                attrs.insert("weight".into(), opts.graph.weight.name().into());
                write_with(&mut out, "graph.json", |w| Ok(json::write(w, &finished, attrs)?))?
            }
            Format::Dot => write_with(&mut out, "graph.dot", |w| Ok(dot::write(w, &finished)?))?,
        }
    }
    summary.entities = graph.graph.node_count() as u64;
    summary.nodes = finished.nodes.len();
    summary.edges = finished.edges.len();
    summary.files = out.commit().with_context(|| format!("cannot move outputs into {}", opts.out_dir.display()))?;
    Ok(summary)
}

fn write_with(
    out: &mut OutputDir,
    name: &str,
    f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let path = || format!("cannot write {name}");
    let mut w = out.create(name).with_context(path)?;
    f(&mut w).with_context(path)?;
    export::finish(w).with_context(path)?;
    Ok(())
}

/// The furniture of a document as `start-end` byte ranges joined by `;`
/// (adjacent furniture paragraphs merged).
fn furniture_spans(segments: &Segments, is_furniture: &[bool]) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (p, _) in segments.paragraphs.iter().zip(is_furniture).filter(|(_, f)| **f) {
        match spans.last_mut() {
            Some(last) if segments.paragraphs.iter().all(|q| !(q.start > last.1 && q.start < p.start)) => {
                last.1 = p.end
            }
            _ => spans.push((p.start, p.end)),
        }
    }
    spans.iter().map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>().join(";")
}

/// One processed document, as the tables see it.
struct DocView<'a> {
    doc: &'a Document,
    date: Option<Date>,
    segments: &'a Segments,
    is_furniture: &'a [bool],
    located: &'a [Located],
}

/// One mentions.csv row per mention (columns as [`MENTION_COLUMNS`]) and the
/// document's documents.csv row.
fn write_document<W: Write, V: Write>(
    mentions: &mut csv::Writer<W>,
    documents: &mut csv::Writer<V>,
    dict: &Dictionary,
    v: &DocView,
) -> csv::Result<()> {
    let doc = v.doc;
    for m in v.located {
        let Some(idx) = m.entity() else { continue };
        let e = dict.entity(idx);
        let context =
            v.segments.sentences.get(m.sentence as usize).map_or("", |s| doc.text[s.span.start..s.span.end].trim());
        mentions.write_record([
            doc.id.as_str(),
            &e.id,
            &e.kind,
            &e.label,
            &doc.text[m.start..m.end],
            &m.start.to_string(),
            &m.end.to_string(),
            &m.paragraph.to_string(),
            &m.sentence.to_string(),
            context,
            e.source.name(),
        ])?;
    }
    documents.write_record([
        doc.id.as_str(),
        &doc.source,
        &doc.title,
        &v.date.map(|d| d.to_string()).unwrap_or_default(),
        &doc.text.len().to_string(),
        &v.located.len().to_string(),
        &furniture_spans(v.segments, v.is_furniture),
    ])
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
