//! The co-mention graph: entities are nodes, and two entities mentioned in the
//! same window are joined by an undirected edge.
//!
//! Every window kind is modelled the same way: a document is a row of windows
//! numbered `0..n`, and a mention occupies a range of them — one sentence, one
//! paragraph, the whole document, or, for a sliding window of `N` words, every
//! window that covers its word. For each entity the graph keeps `nᵢ`, the
//! number of windows holding it; for each pair `c`, the number holding both; and
//! `N`, all windows. The weights of [`Weighting`] are computed from these.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};

use crate::FastMap;
use crate::date::{Date, min_max};
use crate::dict::{Dictionary, EntityIdx};

/// The unit of text within which two mentions count as "together".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    Sentence,
    #[default]
    Paragraph,
    Document,
    /// A sliding window of this many words.
    Words(u32),
}

const WINDOW_VALUES: &str = "sentence, paragraph, document, words:N (N ≥ 2)";

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sentence" => Ok(Window::Sentence),
            "paragraph" => Ok(Window::Paragraph),
            "document" => Ok(Window::Document),
            _ => match s.strip_prefix("words:").map(str::parse::<u32>) {
                Some(Ok(n)) if n >= 2 => Ok(Window::Words(n)),
                _ => Err(format!("unknown window {s:?}; valid: {WINDOW_VALUES}")),
            },
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Sentence => f.write_str("sentence"),
            Window::Paragraph => f.write_str("paragraph"),
            Window::Document => f.write_str("document"),
            Window::Words(n) => write!(f, "words:{n}"),
        }
    }
}

/// How an edge's weight is computed from `c` (windows holding both), `nᵢ`,
/// `nⱼ` (windows holding each) and `N` (all windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weighting {
    /// `c`
    #[default]
    Count,
    /// `c / (nᵢ + nⱼ − c)`
    Jaccard,
    /// `2c / (nᵢ + nⱼ)`
    Dice,
    /// `log(cN / (nᵢnⱼ)) / −log(c/N)`; 1 when `c = N`.
    Npmi,
    /// Association strength `cN / (nᵢnⱼ)`.
    Assoc,
}

impl FromStr for Weighting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "count" => Ok(Weighting::Count),
            "jaccard" => Ok(Weighting::Jaccard),
            "dice" => Ok(Weighting::Dice),
            "npmi" => Ok(Weighting::Npmi),
            "assoc" => Ok(Weighting::Assoc),
            _ => Err(format!("unknown weight {s:?}; valid: count, jaccard, dice, npmi, assoc")),
        }
    }
}

impl Weighting {
    pub fn name(self) -> &'static str {
        match self {
            Weighting::Count => "count",
            Weighting::Jaccard => "jaccard",
            Weighting::Dice => "dice",
            Weighting::Npmi => "npmi",
            Weighting::Assoc => "assoc",
        }
    }

    /// The weight of a pair. `c ≥ 1`, `nᵢ, nⱼ ≥ c`, `N ≥ nᵢ, nⱼ`.
    pub fn weight(self, c: u64, ni: u64, nj: u64, n: u64) -> f64 {
        let (c, ni, nj, n) = (c as f64, ni as f64, nj as f64, n as f64);
        match self {
            Weighting::Count => c,
            Weighting::Jaccard => c / (ni + nj - c),
            Weighting::Dice => 2.0 * c / (ni + nj),
            Weighting::Npmi => {
                if c >= n {
                    1.0
                } else {
                    (c * n / (ni * nj)).ln() / -(c / n).ln()
                }
            }
            Weighting::Assoc => c * n / (ni * nj),
        }
    }
}

/// One mention as the graph sees it: an entity and the windows it occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub entity: EntityIdx,
    pub windows: Range<u64>,
}

/// What the graph keeps of a document besides its mentions.
#[derive(Debug, Clone, Copy)]
pub struct DocInfo<'a> {
    pub id: &'a str,
    pub date: Option<Date>,
    /// Number of windows in the document.
    pub windows: u64,
}

/// Per-entity counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStats {
    pub entity: EntityIdx,
    pub mentions: u64,
    pub documents: u64,
    /// `nᵢ`: windows holding the entity.
    pub windows: u64,
    pub first_seen: Option<Date>,
    pub last_seen: Option<Date>,
}

/// Most example documents kept per edge.
pub const MAX_EXAMPLES: usize = 5;

/// Per-pair counts and provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeStats {
    /// `c`: windows holding both entities.
    pub windows: u64,
    /// Distinct documents holding such a window.
    pub documents: u64,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    /// The first documents (in input order) that link the pair.
    pub examples: Examples,
}

impl EdgeStats {
    fn new() -> Self {
        EdgeStats { windows: 0, documents: 0, first_date: None, last_date: None, examples: Examples::default() }
    }
}

/// Up to [`MAX_EXAMPLES`] document ids in one exact-size allocation, each
/// as its length in bytes, `:`, and the id (`2:d13:d22`). A list of strings
/// took a heap block per id and a vector grown to eight slots: ~300 bytes
/// for an edge, on graphs that can have millions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Examples(Box<str>);

impl Examples {
    pub fn push(&mut self, id: &str) {
        let mut s = String::with_capacity(self.0.len() + id.len() + 4);
        s.push_str(&self.0);
        s.push_str(itoa::Buffer::new().format(id.len()));
        s.push(':');
        s.push_str(id);
        self.0 = s.into_boxed_str();
    }

    /// The ids, in the order they were pushed.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut rest: &str = &self.0;
        std::iter::from_fn(move || {
            let colon = rest.find(':')?;
            let n: usize = rest[..colon].parse().ok()?;
            let id = rest.get(colon + 1..colon + 1 + n)?;
            rest = &rest[colon + 1 + n..];
            Some(id)
        })
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids joined by `sep`, as the tables and XML formats show them.
    pub fn join(&self, sep: &str) -> String {
        let mut out = String::with_capacity(self.0.len());
        for (i, id) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(id);
        }
        out
    }
}

impl serde::Serialize for Examples {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Builds the graph one document at a time.
#[derive(Debug, Default)]
pub struct CoMentionGraph {
    pub graph: UnGraph<NodeStats, EdgeStats>,
    /// By entity index, its node ([`NodeIndex::end`]: none yet).
    nodes: Vec<NodeIndex>,
    edges: FastMap<(NodeIndex, NodeIndex), EdgeIndex>,
    /// Per edge, the number of the last document that linked its pair (the
    /// value of `documents` while that document was added; 0: none): a pair
    /// that meets more than once in a document counts that document once.
    linked_in: Vec<u64>,
    /// `N`: all windows of all documents.
    pub total_windows: u64,
    pub documents: u64,
    pub dated_documents: u64,
    /// Buffers of [`CoMentionGraph::add_document`]: per entity index, its
    /// place in `spans` while a document is added ([`NO_SPAN`] otherwise);
    /// the document's entities; their merged windows grouped by entity
    /// (for list windows only); the sweep, whose events are the merged
    /// windows in order.
    slots: Vec<u32>,
    spans: Vec<EntitySpans>,
    ranges: Vec<Range<u64>>,
    sweep: Sweep,
    /// Typed affiliation edges: the title first stated for each pair.
    relations: FastMap<(NodeIndex, NodeIndex), String>,
    /// A window naming more entities than this is a list, not linked
    /// (0: no limit). See [`CoMentionGraph::with_crowd_limit`].
    crowd_limit: usize,
    crowd: Crowd,
}

/// The list windows of one document: those naming more entities than the
/// graph's limit, which link none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crowded {
    /// How many windows.
    pub windows: u64,
    /// The most entities one of them names.
    pub most: usize,
}

/// Buffers for finding and leaving out list windows, kept from document to
/// document.
#[derive(Debug, Default)]
struct Crowd {
    /// `(window, +1 | -1)`: where each merged range of windows opens and closes.
    events: Vec<(u64, i64)>,
    /// The list windows, sorted and disjoint.
    windows: Vec<Range<u64>>,
    /// Each entity's ranges with the list windows taken out, and where they
    /// are in `kept` (indexed like the document's entities).
    kept: Vec<Range<u64>>,
    spans: Vec<Range<usize>>,
    /// Where each entity's merged windows are in the graph's `ranges`.
    lists: Vec<Range<usize>>,
}

/// The ranges of `events` (in order of their starts) grouped by entity into
/// `ranges`, each entity's in order, and where each entity's are into
/// `lists` (indexed like `spans`).
fn group_by_span(
    events: &[(u64, u64, u32)],
    spans: &[EntitySpans],
    ranges: &mut Vec<Range<u64>>,
    lists: &mut Vec<Range<usize>>,
) {
    lists.clear();
    let mut at = 0;
    for s in spans {
        lists.push(at..at);
        at += s.ranges;
    }
    ranges.clear();
    ranges.resize(at, 0..0);
    for &(start, end, k) in events {
        let l = &mut lists[k as usize];
        ranges[l.end] = start..end;
        l.end += 1;
    }
}

/// The windows where more than `limit` of `lists` (each an entity's merged,
/// sorted ranges) are open at once, into `out`; returns the most open at
/// once. Ranges of one entity neither overlap nor touch, so each open range
/// is a distinct entity.
fn crowded_windows<'r>(
    lists: impl Iterator<Item = &'r [Range<u64>]>,
    limit: usize,
    events: &mut Vec<(u64, i64)>,
    out: &mut Vec<Range<u64>>,
) -> usize {
    events.clear();
    out.clear();
    for r in lists.flatten() {
        events.push((r.start, 1));
        events.push((r.end, -1));
    }
    // At one window, closings (-1) sort before openings.
    events.sort_unstable();
    let (mut open, mut most, mut since) = (0i64, 0usize, None);
    let mut i = 0;
    while i < events.len() {
        let at = events[i].0;
        while let Some(&(w, d)) = events.get(i).filter(|e| e.0 == at) {
            debug_assert_eq!(w, at);
            open += d;
            i += 1;
        }
        let n = open as usize;
        most = most.max(n);
        match since {
            None if n > limit => since = Some(at),
            Some(start) if n <= limit => {
                out.push(start..at);
                since = None;
            }
            _ => {}
        }
    }
    most
}

/// Appends `list` less the windows of `taken` (sorted, disjoint) to `out`.
fn subtract(list: &[Range<u64>], taken: &[Range<u64>], out: &mut Vec<Range<u64>>) {
    for r in list {
        let mut start = r.start;
        let first = taken.partition_point(|t| t.end <= r.start);
        for t in taken[first..].iter().take_while(|t| t.start < r.end) {
            if t.start > start {
                out.push(start..t.start);
            }
            start = t.end;
        }
        if start < r.end {
            out.push(start..r.end);
        }
    }
}

/// One entity of a document: its node, its mentions, and its merged
/// windows (in the sweep's events: where the last is, how many, and how
/// many windows they cover).
#[derive(Debug, Clone, Copy)]
struct EntitySpans {
    entity: EntityIdx,
    node: NodeIndex,
    mentions: u64,
    last: usize,
    ranges: usize,
    windows: u64,
}

/// A [`CoMentionGraph::slots`] entry of an entity not in the document
/// being added.
const NO_SPAN: u32 = u32::MAX;

/// The lists of [`shared_windows`], kept from document to document.
#[derive(Debug, Default)]
struct Sweep {
    /// Every range: start, end, and whose (its index in the lists).
    events: Vec<(u64, u64, u32)>,
    /// The ranges open at the current start: end, and whose.
    open: Vec<(u64, u32)>,
    /// `(k, l, c)`: lists `k` and `l` share `c` windows, one entry per
    /// meeting of two ranges.
    pairs: Vec<(u32, u32, u64)>,
}

/// For each two of `lists` (each an entity's merged, sorted ranges of
/// windows in one document) that share windows, how many: `(k, l, c)`, one
/// entry for each two of their ranges that meet (a pair whose entities meet
/// in two places has two; the graph adds them up). A sweep in window order meets each range with the
/// ranges still open where it starts, so the time goes with the pairs that
/// share windows, not with all pairs of the document's entities (a
/// document naming 40,000 companies took 38 s, pairing them all).
fn shared_windows<'r>(lists: impl Iterator<Item = &'r [Range<u64>]>, sweep: &mut Sweep) -> &[(u32, u32, u64)] {
    sweep.events.clear();
    for (k, list) in lists.enumerate() {
        sweep.events.extend(list.iter().map(|r| (r.start, r.end, k as u32)));
    }
    sweep.events.sort_unstable_by_key(|e| e.0);
    sweep_events(sweep)
}

/// [`shared_windows`] of the ranges in `sweep.events`, which are in order
/// of their starts. (Ranges that start together may come in any order:
/// the later meets the earlier, which is still open, and they share the
/// same windows either way.)
fn sweep_events(sweep: &mut Sweep) -> &[(u32, u32, u64)] {
    let Sweep { events, open, pairs } = sweep;
    debug_assert!(events.is_sorted_by_key(|e| e.0));
    open.clear();
    pairs.clear();
    for &(start, end, k) in events.iter() {
        // A range that ended at or before this start meets no later one.
        open.retain(|&(e, _)| e > start);
        for &(e, l) in open.iter() {
            // `l`'s range began at or before `start`: they share start..min(end, e).
            let c = end.min(e) - start;
            if c > 0 {
                pairs.push((l, k, c));
            }
        }
        open.push((end, k));
    }
    pairs
}

/// Length of the intersection of two sorted lists of disjoint ranges.
#[cfg(test)]
fn overlap(a: &[Range<u64>], b: &[Range<u64>]) -> u64 {
    let (mut i, mut j, mut total) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        if lo < hi {
            total += hi - lo;
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

impl CoMentionGraph {
    pub fn new() -> Self {
        Self::default()
    }

    /// A graph that links no entities of a window naming more than `limit`
    /// of them (0: no limit). Such a window is a list — of all the
    /// kommuner, of a fair's exhibitors — not a statement about how its
    /// entities relate; and linking `n` entities makes `n²/2` edges (a
    /// paragraph naming 5,000 took over 10 GB).
    pub fn with_crowd_limit(limit: usize) -> Self {
        CoMentionGraph { crowd_limit: limit, ..Self::default() }
    }

    /// The limit set by [`CoMentionGraph::with_crowd_limit`] (0: none).
    pub fn crowd_limit(&self) -> usize {
        self.crowd_limit
    }

    fn node(&mut self, entity: EntityIdx) -> NodeIndex {
        let e = entity as usize;
        if self.nodes.len() <= e {
            self.nodes.resize(e + 1, NodeIndex::end());
        }
        if self.nodes[e] == NodeIndex::end() {
            self.nodes[e] = self.graph.add_node(NodeStats {
                entity,
                mentions: 0,
                documents: 0,
                windows: 0,
                first_seen: None,
                last_seen: None,
            });
        }
        self.nodes[e]
    }

    /// The node of `entity`, if it has one.
    #[cfg(test)]
    fn node_of(&self, entity: EntityIdx) -> Option<NodeIndex> {
        self.nodes.get(entity as usize).copied().filter(|&n| n != NodeIndex::end())
    }

    /// Add the mentions of one document. Its list windows (see
    /// [`CoMentionGraph::with_crowd_limit`]), if any, are returned; their
    /// mentions still count for their entities.
    pub fn add_document(&mut self, doc: DocInfo, occurrences: &[Occurrence]) -> Option<Crowded> {
        if !occurrences.is_sorted_by_key(|o| o.windows.start) {
            // The pipeline's mentions come in text order, and so do their
            // windows; others are put in that order first.
            let mut sorted = occurrences.to_vec();
            sorted.sort_by_key(|o| o.windows.start);
            return self.add_document(doc, &sorted);
        }
        self.documents += 1;
        self.total_windows += doc.windows;
        if doc.date.is_some() {
            self.dated_documents += 1;
        }
        // Per entity: its mentions, and the union of the windows they occupy,
        // found in one pass in text order, where the windows come in order
        // (kept flat, in buffers reused from document to document).
        let (mut spans, mut sweep) = (std::mem::take(&mut self.spans), std::mem::take(&mut self.sweep));
        spans.clear();
        sweep.events.clear();
        for o in occurrences {
            let (start, end) = (o.windows.start, o.windows.end);
            let e = o.entity as usize;
            if self.slots.len() <= e {
                self.slots.resize(e + 1, NO_SPAN);
            }
            match self.slots[e] {
                NO_SPAN => {
                    let k = spans.len() as u32;
                    self.slots[e] = k;
                    let node = self.node(o.entity);
                    let last = sweep.events.len();
                    spans.push(EntitySpans { entity: o.entity, node, mentions: 1, last, ranges: 1, windows: 0 });
                    sweep.events.push((start, end, k));
                }
                k => {
                    let span = &mut spans[k as usize];
                    span.mentions += 1;
                    let last = &mut sweep.events[span.last];
                    if start <= last.1 {
                        last.1 = last.1.max(end);
                    } else {
                        span.last = sweep.events.len();
                        span.ranges += 1;
                        sweep.events.push((start, end, k));
                    }
                }
            }
        }
        for &(start, end, k) in &sweep.events {
            spans[k as usize].windows += end - start;
        }
        for span in &spans {
            self.slots[span.entity as usize] = NO_SPAN;
            let s = &mut self.graph[span.node];
            s.mentions += span.mentions;
            s.documents += 1;
            s.windows += span.windows;
            (s.first_seen, s.last_seen) = min_max((s.first_seen, s.last_seen), doc.date);
        }
        let (mut ranges, mut crowd) = (std::mem::take(&mut self.ranges), std::mem::take(&mut self.crowd));
        // No window can name more entities than the document does.
        let limit = self.crowd_limit;
        let most = if limit > 0 && spans.len() > limit {
            group_by_span(&sweep.events, &spans, &mut ranges, &mut crowd.lists);
            let lists = crowd.lists.iter().map(|l| &ranges[l.clone()]);
            crowded_windows(lists, limit, &mut crowd.events, &mut crowd.windows)
        } else {
            0
        };
        // (`most` is 0 when the windows were not looked for: `crowd.windows`
        // then holds an earlier document's.)
        let crowded = (most > limit).then(|| {
            let Crowd { windows, kept, spans: kept_spans, lists, .. } = &mut crowd;
            kept.clear();
            kept_spans.clear();
            for l in lists.iter() {
                let at = kept.len();
                subtract(&ranges[l.clone()], windows, kept);
                kept_spans.push(at..kept.len());
            }
            Crowded { windows: windows.iter().map(|w| w.end - w.start).sum(), most }
        });
        let pairs = if crowded.is_some() {
            shared_windows(crowd.spans.iter().map(|s| &crowd.kept[s.clone()]), &mut sweep)
        } else {
            sweep_events(&mut sweep)
        };
        for &(k, l, c) in pairs {
            self.link(spans[k as usize].node, spans[l as usize].node, c, &doc);
        }
        (self.spans, self.ranges, self.sweep, self.crowd) = (spans, ranges, sweep, crowd);
        crowded
    }

    /// Record that `person` holds the post `title` at `organisation`. The
    /// pair's edge becomes an affiliation edge; it is kept whatever the
    /// count filters say.
    pub fn add_relation(&mut self, person: EntityIdx, organisation: EntityIdx, title: &str) {
        let (a, b) = (self.node(person), self.node(organisation));
        let key = if a < b { (a, b) } else { (b, a) };
        if !self.edges.contains_key(&key) {
            self.add_edge(key);
        }
        self.relations.entry(key).or_insert_with(|| title.to_string());
    }

    fn add_edge(&mut self, key: (NodeIndex, NodeIndex)) -> EdgeIndex {
        let e = self.graph.add_edge(key.0, key.1, EdgeStats::new());
        self.edges.insert(key, e);
        self.linked_in.push(0);
        debug_assert_eq!(self.linked_in.len(), e.index() + 1);
        e
    }

    fn link(&mut self, na: NodeIndex, nb: NodeIndex, c: u64, doc: &DocInfo) {
        let key = if na < nb { (na, nb) } else { (nb, na) };
        let e = match self.edges.get(&key) {
            Some(&e) => e,
            None => self.add_edge(key),
        };
        let s = &mut self.graph[e];
        s.windows += c;
        let seen = &mut self.linked_in[e.index()];
        if *seen == self.documents {
            // Met before in this document: counted then.
            return;
        }
        *seen = self.documents;
        s.documents += 1;
        (s.first_date, s.last_date) = min_max((s.first_date, s.last_date), doc.date);
        // Each linking document is counted once and kept while there is
        // room: the count says how many are kept, without reading them.
        if s.documents <= MAX_EXAMPLES as u64 {
            s.examples.push(doc.id);
        }
        debug_assert_eq!(s.examples.len() as u64, s.documents.min(MAX_EXAMPLES as u64));
    }

    /// The finished graph, weighted and filtered, with rows sorted by id.
    pub fn finish<'a>(&'a self, dict: &'a Dictionary, opts: &GraphOptions) -> Finished<'a> {
        let n = self.total_windows.max(1);
        let keep_kind = |idx: NodeIndex| {
            opts.types.as_ref().is_none_or(|t| t.iter().any(|k| *k == dict.entity(self.graph[idx].entity).kind))
        };
        let mut edges: Vec<(NodeIndex, NodeIndex, f64, &EdgeStats)> = self
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                let s = &self.graph[e];
                if !keep_kind(a) || !keep_kind(b) {
                    return None;
                }
                let related = self.relations.contains_key(&(a.min(b), a.max(b)));
                if !related && (s.windows < opts.min_count || s.documents < opts.min_docs) {
                    return None;
                }
                let (ni, nj) = (self.graph[a].windows.max(1), self.graph[b].windows.max(1));
                let w = opts.weight.weight(s.windows.max(1), ni, nj, n.max(ni).max(nj));
                if related {
                    // Always kept; a floor keeps the weight positive for readers that need it.
                    return Some((a, b, if w.is_finite() { w.max(0.001) } else { 0.001 }, s));
                }
                // A non-positive association (NPMI ≤ 0: no more often than chance) is no link.
                (w.is_finite() && w > 0.0).then_some((a, b, w, s))
            })
            .collect();
        let id = |i: NodeIndex| dict.entity(self.graph[i].entity).id.as_str();
        if let Some(k) = opts.top_edges {
            // Keep an edge when it is among the k strongest of either endpoint.
            let mut per_node: FastMap<NodeIndex, Vec<usize>> = FastMap::default();
            for (i, (a, b, _, _)) in edges.iter().enumerate() {
                per_node.entry(*a).or_default().push(i);
                per_node.entry(*b).or_default().push(i);
            }
            let mut keep: Vec<bool> =
                edges.iter().map(|(a, b, _, _)| self.relations.contains_key(&(*a.min(b), *a.max(b)))).collect();
            for (node, mut list) in per_node {
                let other = |i: usize| if edges[i].0 == node { edges[i].1 } else { edges[i].0 };
                list.sort_by(|&x, &y| edges[y].2.total_cmp(&edges[x].2).then_with(|| id(other(x)).cmp(id(other(y)))));
                for &i in list.iter().take(k) {
                    keep[i] = true;
                }
            }
            let mut i = 0;
            edges.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        let mut linked: Vec<bool> = vec![false; self.graph.node_count()];
        for (a, b, _, _) in &edges {
            linked[a.index()] = true;
            linked[b.index()] = true;
        }
        let mut nodes: Vec<NodeRow<'a>> = self
            .graph
            .node_indices()
            .filter(|&i| keep_kind(i) && (opts.keep_isolates || linked[i.index()]))
            .map(|i| {
                let s = &self.graph[i];
                let e = dict.entity(s.entity);
                NodeRow {
                    id: &e.id,
                    label: &e.label,
                    kind: &e.kind,
                    attrs: &e.attrs,
                    mentions: s.mentions,
                    documents: s.documents,
                    windows: s.windows,
                    first_seen: s.first_seen,
                    last_seen: s.last_seen,
                }
            })
            .collect();
        nodes.sort_by(|a, b| a.id.cmp(b.id));
        let mut rows: Vec<EdgeRow<'a>> = edges
            .into_iter()
            .map(|(a, b, weight, s)| {
                let (x, y) = (id(a), id(b));
                let (source, target) = if x <= y { (x, y) } else { (y, x) };
                let title = self.relations.get(&(a.min(b), a.max(b))).map(String::as_str);
                EdgeRow { source, target, weight, stats: s, title }
            })
            .collect();
        rows.sort_by(|a, b| (a.source, a.target).cmp(&(b.source, b.target)));
        Finished { nodes, edges: rows, dynamic: self.dated_documents > 0, attr_names: &dict.attr_names }
    }
}

/// Which edges and nodes the finished graph keeps, and how edges are weighted.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    pub weight: Weighting,
    /// Least `c` (windows shared) for an edge.
    pub min_count: u64,
    /// Least number of documents for an edge.
    pub min_docs: u64,
    /// Keep each node's K strongest edges.
    pub top_edges: Option<usize>,
    /// Keep only entities of these kinds.
    pub types: Option<Vec<String>>,
    /// Keep nodes without edges.
    pub keep_isolates: bool,
}

/// A node of the finished graph.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    /// Dictionary attributes, by index into [`Finished::attr_names`].
    pub attrs: &'a [(usize, String)],
    pub mentions: u64,
    pub documents: u64,
    pub windows: u64,
    pub first_seen: Option<Date>,
    pub last_seen: Option<Date>,
}

/// An edge of the finished graph, with `source < target` by id.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRow<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub weight: f64,
    pub stats: &'a EdgeStats,
    /// For an affiliation edge, the title of the post.
    pub title: Option<&'a str>,
}

impl EdgeRow<'_> {
    /// `affiliation` for a typed role edge, `co-mention` otherwise.
    pub fn relation(&self) -> &'static str {
        if self.title.is_some() { crate::relate::AFFILIATION } else { "co-mention" }
    }
}

/// The graph as exported.
#[derive(Debug, Clone)]
pub struct Finished<'a> {
    pub nodes: Vec<NodeRow<'a>>,
    pub edges: Vec<EdgeRow<'a>>,
    /// Whether any document had a date (the graph then has a time axis).
    pub dynamic: bool,
    pub attr_names: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_give_back_any_ids_in_order() {
        let ids = ["d1", "", "a:b", "12:3", "æøå 🚀", "x;y"];
        let mut ex = Examples::default();
        assert!(ex.is_empty() && ex.join(";").is_empty());
        assert_eq!(ex.len(), 0);
        for (n, id) in ids.iter().enumerate() {
            ex.push(id);
            assert_eq!(ex.iter().collect::<Vec<_>>(), ids[..=n]);
        }
        assert_eq!(ex.len(), ids.len());
        assert_eq!(ex.join("|"), ids.join("|"));
        assert_eq!(serde_json::to_string(&ex).unwrap(), serde_json::to_string(&ids).unwrap());
    }

    fn occ(v: &[(EntityIdx, u64)]) -> Vec<Occurrence> {
        v.iter().map(|&(entity, w)| Occurrence { entity, windows: w..w + 1 }).collect()
    }

    fn doc(id: &str, windows: u64) -> DocInfo<'_> {
        DocInfo { id, date: None, windows }
    }

    fn edge(g: &CoMentionGraph, a: EntityIdx, b: EntityIdx) -> Option<(u64, u64)> {
        let (na, nb) = (g.node_of(a).expect("a node"), g.node_of(b).expect("a node"));
        g.graph.find_edge(na, nb).map(|e| (g.graph[e].windows, g.graph[e].documents))
    }

    #[test]
    fn counts_shared_windows_and_documents() {
        let mut g = CoMentionGraph::new();
        g.add_document(doc("d1", 2), &occ(&[(0, 0), (1, 0), (0, 0), (1, 1), (2, 1)]));
        g.add_document(doc("d2", 4), &occ(&[(0, 0), (1, 0), (1, 3), (0, 3)]));
        assert_eq!(edge(&g, 0, 1), Some((3, 2)));
        assert_eq!(edge(&g, 1, 2), Some((1, 1)));
        assert_eq!(edge(&g, 0, 2), None);
        let n0 = &g.graph[g.node_of(0).unwrap()];
        assert_eq!((n0.mentions, n0.documents, n0.windows), (4, 2, 3));
        assert_eq!(g.total_windows, 6);
    }

    #[test]
    fn a_window_naming_more_than_the_limit_links_nothing() {
        let mut g = CoMentionGraph::with_crowd_limit(2);
        // Window 0 names three entities: a list. Window 1 names two.
        let crowded = g.add_document(doc("d1", 2), &occ(&[(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (0, 1)]));
        assert_eq!(crowded, Some(Crowded { windows: 1, most: 3 }));
        assert_eq!(edge(&g, 0, 1), Some((1, 1)));
        assert_eq!(edge(&g, 0, 2), None);
        assert_eq!(edge(&g, 1, 2), None);
        // The list's mentions still count for their entities.
        let n2 = &g.graph[g.node_of(2).unwrap()];
        assert_eq!((n2.mentions, n2.documents, n2.windows), (1, 1, 1));
        assert_eq!(g.add_document(doc("d2", 1), &occ(&[(0, 0), (1, 0)])), None);
        assert_eq!(edge(&g, 0, 1), Some((2, 2)));
        let mut unlimited = CoMentionGraph::new();
        assert_eq!(unlimited.add_document(doc("d1", 1), &occ(&[(0, 0), (1, 0), (2, 0)])), None);
        assert_eq!(edge(&unlimited, 0, 2), Some((1, 1)));
    }

    proptest::proptest! {
        /// With a limit, a pair shares exactly the windows holding both of
        /// them and at most `limit` entities in all, counted window by window.
        #[test]
        fn list_windows_are_left_out_window_by_window(
            raw in proptest::collection::vec((0u32..8, 0u64..30, 1u64..6), 0..40),
            limit in 1usize..6,
        ) {
            let occurrences: Vec<Occurrence> =
                raw.iter().map(|&(entity, s, n)| Occurrence { entity, windows: s..s + n }).collect();
            let mut g = CoMentionGraph::with_crowd_limit(limit);
            let crowded = g.add_document(doc("d", 40), &occurrences);
            let holds = |e: u32, w: u64| occurrences.iter().any(|o| o.entity == e && o.windows.contains(&w));
            let named = |w: u64| (0..8).filter(|&e| holds(e, w)).count();
            let lists: Vec<u64> = (0..40).filter(|&w| named(w) > limit).collect();
            let most = (0..40).map(named).max().unwrap_or(0);
            let want = (!lists.is_empty()).then_some(Crowded { windows: lists.len() as u64, most });
            proptest::prop_assert_eq!(crowded, want);
            for a in 0..8 {
                for b in a + 1..8 {
                    let c = (0..40).filter(|&w| named(w) <= limit && holds(a, w) && holds(b, w)).count() as u64;
                    let got = g.node_of(a).zip(g.node_of(b)).and_then(|(na, nb)| g.graph.find_edge(na, nb));
                    proptest::prop_assert_eq!(got.map_or(0, |e| g.graph[e].windows), c, "{} {}", a, b);
                }
            }
        }

        /// The sweep finds exactly the pairs that share windows, with the
        /// windows they share, as comparing every two lists does.
        #[test]
        fn the_sweep_agrees_with_every_pair(
            raw in proptest::collection::vec(proptest::collection::vec((0u64..40, 1u64..6), 0..5), 0..12)
        ) {
            // Each entity's ranges sorted, disjoint and apart, as `add_document` merges them.
            let lists: Vec<Vec<Range<u64>>> = raw
                .iter()
                .map(|rs| {
                    let mut rs: Vec<Range<u64>> = rs.iter().map(|&(s, n)| s..s + n).collect();
                    rs.sort_by_key(|r| r.start);
                    let mut merged: Vec<Range<u64>> = Vec::new();
                    for r in rs {
                        match merged.last_mut() {
                            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                            _ => merged.push(r),
                        }
                    }
                    merged
                })
                .collect();
            let mut want = Vec::new();
            for k in 0..lists.len() {
                for l in k + 1..lists.len() {
                    let c = overlap(&lists[k], &lists[l]);
                    if c > 0 {
                        want.push((k as u32, l as u32, c));
                    }
                }
            }
            let mut sweep = Sweep::default();
            let mut got: Vec<(u32, u32, u64)> = Vec::new();
            for &(k, l, c) in shared_windows(lists.iter().map(Vec::as_slice), &mut sweep) {
                proptest::prop_assert!(k != l && c > 0);
                let (k, l) = (k.min(l), k.max(l));
                match got.iter_mut().find(|g| (g.0, g.1) == (k, l)) {
                    Some(g) => g.2 += c,
                    None => got.push((k, l, c)),
                }
            }
            got.sort_unstable();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn sliding_windows_overlap_by_range() {
        // words:3 over 10 words = 8 windows; mentions at words 2 and 4 share
        // windows 2 only (each covers [p-2, p]).
        let mut g = CoMentionGraph::new();
        let o = vec![Occurrence { entity: 0, windows: 0..3 }, Occurrence { entity: 1, windows: 2..5 }];
        g.add_document(doc("d", 8), &o);
        assert_eq!(edge(&g, 0, 1), Some((1, 1)));
        assert_eq!(overlap(&[0..3, 5..9], &[2..6, 8..10]), 1 + 1 + 1);
    }

    #[test]
    fn weight_formulas_against_hand_computed_values() {
        // c = 2, nᵢ = 4, nⱼ = 5, N = 20
        let w = |k: Weighting| k.weight(2, 4, 5, 20);
        assert_eq!(w(Weighting::Count), 2.0);
        assert!((w(Weighting::Jaccard) - 2.0 / 7.0).abs() < 1e-12);
        assert!((w(Weighting::Dice) - 4.0 / 9.0).abs() < 1e-12);
        assert!((w(Weighting::Assoc) - 2.0).abs() < 1e-12);
        // NPMI = ln(2·20/(4·5)) / −ln(2/20) = ln 2 / ln 10
        assert!((w(Weighting::Npmi) - 2f64.ln() / 10f64.ln()).abs() < 1e-12);
        // perfect co-occurrence everywhere
        assert_eq!(Weighting::Npmi.weight(3, 3, 3, 3), 1.0);
        // independence gives NPMI 0
        assert!(Weighting::Npmi.weight(1, 2, 5, 10).abs() < 1e-12);
    }

    #[test]
    fn filters_and_top_edges() {
        let mut diag = crate::diag::Diagnostics::default();
        let mut dict = Dictionary::new();
        dict.add_csv("t.csv", b"id,type,name\na,vendor,A\nb,vendor,B\nc,person,C\nd,person,D\ne,vendor,E\n", &mut diag);
        let mut g = CoMentionGraph::new();
        // a-b in 3 windows of 2 docs, a-c in 2, a-d in 1; e alone
        g.add_document(doc("d1", 3), &occ(&[(0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (0, 2), (3, 2)]));
        g.add_document(doc("d2", 2), &occ(&[(0, 0), (1, 0), (2, 0), (4, 1)]));
        let ids = |f: &Finished| f.edges.iter().map(|e| format!("{}-{}", e.source, e.target)).collect::<Vec<_>>();
        let all = g.finish(&dict, &GraphOptions::default());
        assert_eq!(ids(&all), ["a-b", "a-c", "a-d", "b-c"]);
        assert_eq!(all.nodes.len(), 4, "isolated e dropped");
        let keep = g.finish(&dict, &GraphOptions { keep_isolates: true, ..Default::default() });
        assert_eq!(keep.nodes.len(), 5);
        let min = g.finish(&dict, &GraphOptions { min_count: 2, ..Default::default() });
        assert_eq!(ids(&min), ["a-b", "a-c", "b-c"]);
        let docs = g.finish(&dict, &GraphOptions { min_docs: 2, ..Default::default() });
        assert_eq!(ids(&docs), ["a-b", "a-c", "b-c"]);
        let top1 = g.finish(&dict, &GraphOptions { top_edges: Some(1), ..Default::default() });
        // a's best is b; b's best is a; c's best is a (tie with b broken by id); d's only is a.
        assert_eq!(ids(&top1), ["a-b", "a-c", "a-d"]);
        let people = g.finish(&dict, &GraphOptions { types: Some(vec!["vendor".into()]), ..Default::default() });
        assert_eq!(ids(&people), ["a-b"]);
    }

    #[test]
    fn options_parse_or_list_valid_values() {
        assert_eq!("words:50".parse::<Window>(), Ok(Window::Words(50)));
        assert!("words:x".parse::<Window>().unwrap_err().contains("sentence, paragraph, document, words:N"));
        assert!("chapter".parse::<Window>().is_err());
        assert_eq!("npmi".parse::<Weighting>(), Ok(Weighting::Npmi));
        assert!("pmi".parse::<Weighting>().unwrap_err().contains("count, jaccard, dice, npmi, assoc"));
    }
}
