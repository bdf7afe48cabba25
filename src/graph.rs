//! The co-mention graph: entities are nodes, and two entities mentioned in the
//! same window (sentence, paragraph or document) are joined by an undirected
//! edge whose weight counts the windows they share.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};

use crate::dict::{Dictionary, EntityIdx};

/// The unit of text within which two mentions count as "together".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    Sentence,
    #[default]
    Paragraph,
    Document,
}

impl FromStr for Window {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sentence" => Ok(Window::Sentence),
            "paragraph" => Ok(Window::Paragraph),
            "document" => Ok(Window::Document),
            _ => Err(format!("unknown window {s:?}; valid: sentence, paragraph, document")),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Window::Sentence => "sentence",
            Window::Paragraph => "paragraph",
            Window::Document => "document",
        })
    }
}

/// One mention as the graph sees it: which entity, in which window of its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    pub window: u32,
    pub entity: EntityIdx,
}

/// Per-entity counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStats {
    pub entity: EntityIdx,
    pub mentions: u64,
    pub documents: u64,
}

/// Per-pair counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeStats {
    /// Windows holding both entities.
    pub windows: u64,
    /// Distinct documents holding such a window.
    pub documents: u64,
    last_doc: u64,
}

/// A node of the finished graph, ready to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub mentions: u64,
    pub documents: u64,
}

/// An edge of the finished graph, with `source < target` by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeRow<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub weight: u64,
    pub documents: u64,
}

/// Builds the graph one document at a time.
#[derive(Debug, Default)]
pub struct CoMentionGraph {
    pub graph: UnGraph<NodeStats, EdgeStats>,
    nodes: HashMap<EntityIdx, NodeIndex>,
    edges: HashMap<(NodeIndex, NodeIndex), EdgeIndex>,
    docs: u64,
    scratch: Vec<Occurrence>,
}

impl CoMentionGraph {
    pub fn new() -> Self {
        Self::default()
    }

    fn node(&mut self, entity: EntityIdx) -> NodeIndex {
        *self
            .nodes
            .entry(entity)
            .or_insert_with(|| self.graph.add_node(NodeStats { entity, mentions: 0, documents: 0 }))
    }

    /// Add the mentions of one document.
    pub fn add_document(&mut self, occurrences: &[Occurrence]) {
        self.docs += 1;
        let doc = self.docs;
        let mut occ = std::mem::take(&mut self.scratch);
        occ.clear();
        occ.extend_from_slice(occurrences);
        occ.sort_unstable();
        // Mentions and documents per entity.
        let mut seen: Vec<EntityIdx> = occ.iter().map(|o| o.entity).collect();
        for &e in &seen {
            let n = self.node(e);
            self.graph[n].mentions += 1;
        }
        seen.sort_unstable();
        seen.dedup();
        for &e in &seen {
            let n = self.node(e);
            self.graph[n].documents += 1;
        }
        occ.dedup();
        let mut i = 0;
        while i < occ.len() {
            let w = occ[i].window;
            let j = i + occ[i..].iter().take_while(|o| o.window == w).count();
            for a in i..j {
                for b in a + 1..j {
                    self.link(occ[a].entity, occ[b].entity, doc);
                }
            }
            i = j;
        }
        self.scratch = occ;
    }

    fn link(&mut self, a: EntityIdx, b: EntityIdx, doc: u64) {
        let (na, nb) = (self.node(a), self.node(b));
        let key = if na < nb { (na, nb) } else { (nb, na) };
        let e = match self.edges.get(&key) {
            Some(&e) => e,
            None => {
                let e = self.graph.add_edge(key.0, key.1, EdgeStats { windows: 0, documents: 0, last_doc: 0 });
                self.edges.insert(key, e);
                e
            }
        };
        let stats = &mut self.graph[e];
        stats.windows += 1;
        if stats.last_doc != doc {
            stats.last_doc = doc;
            stats.documents += 1;
        }
    }

    /// Nodes sorted by entity id, so output does not depend on input order.
    pub fn node_rows<'a>(&'a self, dict: &'a Dictionary) -> Vec<NodeRow<'a>> {
        let mut rows: Vec<NodeRow<'a>> = self
            .graph
            .node_weights()
            .map(|n| {
                let e = dict.entity(n.entity);
                NodeRow { id: &e.id, label: &e.label, kind: &e.kind, mentions: n.mentions, documents: n.documents }
            })
            .collect();
        rows.sort_by(|a, b| a.id.cmp(b.id));
        rows
    }

    /// Edges sorted by (source, target) id.
    pub fn edge_rows<'a>(&'a self, dict: &'a Dictionary) -> Vec<EdgeRow<'a>> {
        let mut rows: Vec<EdgeRow<'a>> = self
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                let (ia, ib) = (&dict.entity(self.graph[a].entity).id, &dict.entity(self.graph[b].entity).id);
                let (source, target) = if ia <= ib { (ia, ib) } else { (ib, ia) };
                let s = &self.graph[e];
                Some(EdgeRow { source, target, weight: s.windows, documents: s.documents })
            })
            .collect();
        rows.sort_by(|a, b| (a.source, a.target).cmp(&(b.source, b.target)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(v: &[(u32, EntityIdx)]) -> Vec<Occurrence> {
        v.iter().map(|&(window, entity)| Occurrence { window, entity }).collect()
    }

    #[test]
    fn weights_count_shared_windows_and_documents() {
        let mut g = CoMentionGraph::new();
        // doc 1: entities 0,1 together in window 0 (0 twice), 1,2 in window 1
        g.add_document(&occ(&[(0, 0), (0, 1), (0, 0), (1, 1), (1, 2)]));
        // doc 2: 0,1 together in two windows
        g.add_document(&occ(&[(0, 0), (0, 1), (3, 1), (3, 0)]));
        let find = |a: EntityIdx, b: EntityIdx| {
            let (na, nb) = (g.nodes[&a], g.nodes[&b]);
            g.graph.find_edge(na, nb).map(|e| (g.graph[e].windows, g.graph[e].documents))
        };
        assert_eq!(find(0, 1), Some((3, 2)));
        assert_eq!(find(1, 2), Some((1, 1)));
        assert_eq!(find(0, 2), None);
        let n0 = &g.graph[g.nodes[&0]];
        assert_eq!((n0.mentions, n0.documents), (4, 2));
    }

    #[test]
    fn window_parses_or_lists_valid_values() {
        assert_eq!("sentence".parse::<Window>(), Ok(Window::Sentence));
        let err = "words".parse::<Window>().unwrap_err();
        assert!(err.contains("sentence, paragraph, document"));
    }
}
