//! The whole job: read → segment → match → resolve → graph → export.
//!
//! Documents stream through one at a time: `mentions.csv` and
//! `documents.csv` are written as each document is done, and only per-entity
//! and per-edge counts are kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::diag::Diagnostics;
use crate::dict::{Dictionary, EntityIdx};
use crate::export::{self, EntityTotals, OutputDir};
use crate::furniture::Furniture;
use crate::graph::{CoMentionGraph, Occurrence, Window};
use crate::matcher::{Candidate, Matcher};
use crate::read::{Document, DocumentReader};
use crate::resolve::{Mention, resolve};
use crate::segment::Segments;

/// A mention placed in its document's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub entity: EntityIdx,
    pub alias: u32,
    pub start: usize,
    pub end: usize,
    pub paragraph: u32,
    pub sentence: u32,
}

/// Finds the mentions of one document at a time, reusing its buffers.
pub struct Extractor<'d> {
    pub dict: &'d Dictionary,
    pub matcher: Matcher,
    pub furniture: Furniture,
    pub segments: Segments,
    /// Per paragraph of the last document: is it site furniture?
    pub is_furniture: Vec<bool>,
    folded: Vec<u8>,
    candidates: Vec<Candidate>,
    mentions: Vec<Mention>,
}

impl<'d> Extractor<'d> {
    pub fn new(dict: &'d Dictionary, furniture: Furniture) -> Result<Self> {
        let matcher = Matcher::new(dict).context("building the Aho-Corasick automaton")?;
        Ok(Extractor {
            dict,
            matcher,
            furniture,
            segments: Segments::default(),
            is_furniture: Vec::new(),
            folded: Vec::new(),
            candidates: Vec::new(),
            mentions: Vec::new(),
        })
    }

    /// The mentions of `text` outside site furniture, in text order.
    /// [`Extractor::segments`] holds the document's paragraphs and sentences
    /// afterwards.
    pub fn extract(&mut self, text: &str, out: &mut Vec<Located>) {
        out.clear();
        self.segments.split(text);
        self.furniture.mark(text, &self.segments.paragraphs, &mut self.is_furniture);
        self.matcher.candidates(text, &mut self.folded, &mut self.candidates);
        resolve(text, &self.matcher, &mut self.candidates, &mut self.mentions);
        for m in &self.mentions {
            let s = self.segments.sentence_at(m.start);
            let paragraph = self.segments.sentences.get(s).map_or(0, |x| x.paragraph);
            if self.is_furniture.get(paragraph as usize).copied().unwrap_or(false) {
                continue;
            }
            out.push(Located {
                entity: m.entity,
                alias: m.alias,
                start: m.start,
                end: m.end,
                paragraph,
                sentence: s as u32,
            });
        }
    }
}

/// What a run should do.
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub window: Window,
    /// Paragraph markers of site furniture to leave out.
    pub furniture: Furniture,
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

fn window_of(m: &Located, window: Window) -> u32 {
    match window {
        Window::Sentence => m.sentence,
        Window::Paragraph => m.paragraph,
        Window::Document => 0,
    }
}

/// Run the whole job over `opts.inputs` and write every output file.
pub fn run(dict: &Dictionary, opts: &Options) -> Result<Summary> {
    let mut out = OutputDir::new(&opts.out_dir)
        .with_context(|| format!("cannot create output directory {}", opts.out_dir.display()))?;
    let ctx = |name: &str| format!("cannot write {}", opts.out_dir.join(name).display());
    let mut mentions_csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out.create("mentions.csv").with_context(|| ctx("mentions.csv"))?);
    mentions_csv.write_record([
        "doc_id",
        "entity_id",
        "type",
        "label",
        "surface",
        "start",
        "end",
        "paragraph",
        "sentence",
        "context",
    ])?;
    let mut documents_csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out.create("documents.csv").with_context(|| ctx("documents.csv"))?);
    documents_csv.write_record(["doc_id", "source", "title", "date", "bytes", "mentions"])?;

    let mut extractor = Extractor::new(dict, opts.furniture.clone())?;
    let mut graph = CoMentionGraph::new();
    let mut totals = vec![EntityTotals::default(); dict.entities.len()];
    let mut summary = Summary::default();
    let mut located = Vec::new();
    let mut occurrences = Vec::new();
    let mut seen_in_doc: Vec<EntityIdx> = Vec::new();
    let mut reader = DocumentReader::new(&opts.inputs);
    for doc in reader.by_ref() {
        extractor.extract(&doc.text, &mut located);
        write_document(&mut mentions_csv, &mut documents_csv, dict, &extractor.segments, &doc, &located)
            .with_context(|| ctx("mentions.csv"))?;
        occurrences.clear();
        occurrences.extend(located.iter().map(|m| Occurrence { window: window_of(m, opts.window), entity: m.entity }));
        graph.add_document(&occurrences);
        seen_in_doc.clear();
        for m in &located {
            totals[m.entity as usize].mentions += 1;
            seen_in_doc.push(m.entity);
        }
        seen_in_doc.sort_unstable();
        seen_in_doc.dedup();
        for &e in &seen_in_doc {
            totals[e as usize].documents += 1;
        }
        summary.documents += 1;
        summary.mentions += located.len() as u64;
    }
    summary.diagnostics.extend(std::mem::take(&mut reader.diag));

    let w = mentions_csv.into_inner().map_err(|e| e.into_error())?;
    export::finish(w).with_context(|| ctx("mentions.csv"))?;
    let w = documents_csv.into_inner().map_err(|e| e.into_error())?;
    export::finish(w).with_context(|| ctx("documents.csv"))?;

    let nodes = graph.node_rows(dict);
    let edges = graph.edge_rows(dict);
    write_with(&mut out, "entities.csv", |w| Ok(export::write_entities(w, dict, &totals)?))?;
    write_with(&mut out, "nodes.csv", |w| Ok(export::write_nodes(w, &nodes)?))?;
    write_with(&mut out, "edges.csv", |w| Ok(export::write_edges(w, &edges)?))?;
    write_with(&mut out, "graph.dot", |w| Ok(export::write_dot(w, &nodes, &edges)?))?;
    summary.entities = totals.iter().filter(|t| t.mentions > 0).count() as u64;
    summary.nodes = nodes.len();
    summary.edges = edges.len();
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

fn write_document<W: Write, V: Write>(
    mentions: &mut csv::Writer<W>,
    documents: &mut csv::Writer<V>,
    dict: &Dictionary,
    segments: &Segments,
    doc: &Document,
    located: &[Located],
) -> csv::Result<()> {
    for m in located {
        let e = dict.entity(m.entity);
        let context =
            segments.sentences.get(m.sentence as usize).map_or("", |s| doc.text[s.span.start..s.span.end].trim());
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
        ])?;
    }
    documents.write_record([
        doc.id.as_str(),
        &doc.source,
        &doc.title,
        doc.date.as_deref().unwrap_or(""),
        &doc.text.len().to_string(),
        &located.len().to_string(),
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
