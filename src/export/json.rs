//! graph.json in graphology's serialisation format (`attributes`, `options`,
//! `nodes` with `key`/`attributes`, `edges` with `source`/`target`/`attributes`),
//! which Gephi Lite and sigma.js open directly.
//!
//! Nodes and edges are serialised straight from the finished graph, not
//! built into a `serde_json::Value` first: that tree took about a kilobyte an
//! edge on top of the graph. Keys are written in sorted order (the order a
//! `serde_json::Map` keeps), so the file reads the same as before.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::{attr_key, kind_hex, node_size};
use crate::date::Date;
use crate::graph::{EdgeRow, Finished, NodeRow};

/// Round to 6 decimals so the file reads like the other exports.
fn num(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One attribute value.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(u64),
    Num(f64),
    Date(Option<Date>),
}

impl Serialize for Scalar<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Str(v) => s.serialize_str(v),
            Scalar::Int(v) => s.serialize_u64(*v),
            Scalar::Num(v) => s.serialize_f64(*v),
            Scalar::Date(None) => s.serialize_unit(),
            Scalar::Date(Some(d)) => s.collect_str(d),
        }
    }
}

/// A node's attributes: the fixed ones and the dictionary's, by key. A
/// repeated key keeps its last value, as a map insert would.
struct NodeAttrs<'a>(&'a NodeRow<'a>, &'a [String]);

impl Serialize for NodeAttrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (n, names) = (self.0, self.1);
        let mut entries: Vec<(Cow<str>, Scalar)> = vec![
            ("label".into(), Scalar::Str(n.label.into())),
            ("kind".into(), Scalar::Str(n.kind.into())),
            ("mentions".into(), Scalar::Int(n.mentions)),
            ("documents".into(), Scalar::Int(n.documents)),
            ("windows".into(), Scalar::Int(n.windows)),
            ("first_seen".into(), Scalar::Date(n.first_seen)),
            ("last_seen".into(), Scalar::Date(n.last_seen)),
            ("size".into(), Scalar::Num(num(node_size(n.mentions)))),
            ("color".into(), Scalar::Str(kind_hex(n.kind).into())),
        ];
        for (i, v) in n.attrs {
            entries.push((attr_key(&names[*i]).into(), Scalar::Str(v.into())));
        }
        // Stable: among equal keys the last inserted ends the group.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut m = s.serialize_map(None)?;
        for (k, (key, value)) in entries.iter().enumerate() {
            if entries.get(k + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            m.serialize_entry(key, value)?;
        }
        m.end()
    }
}

struct Node<'a>(&'a NodeRow<'a>, &'a [String]);

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("attributes", &NodeAttrs(self.0, self.1))?;
        m.serialize_entry("key", self.0.id)?;
        m.end()
    }
}

struct EdgeAttrs<'a>(&'a EdgeRow<'a>);

impl Serialize for EdgeAttrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let st = e.stats;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("count", &st.windows)?;
        m.serialize_entry("documents", &st.documents)?;
        m.serialize_entry("examples", &st.examples)?;
        m.serialize_entry("first_date", &Scalar::Date(st.first_date))?;
        m.serialize_entry("last_date", &Scalar::Date(st.last_date))?;
        m.serialize_entry("relation", e.relation())?;
        m.serialize_entry("title", &e.title)?;
        m.serialize_entry("weight", &num(e.weight))?;
        m.end()
    }
}

struct Edge<'a>(usize, &'a EdgeRow<'a>);

impl Serialize for Edge<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("attributes", &EdgeAttrs(self.1))?;
        m.serialize_entry("key", &format_args!("e{}", self.0))?;
        m.serialize_entry("source", self.1.source)?;
        m.serialize_entry("target", self.1.target)?;
        m.serialize_entry("undirected", &true)?;
        m.end()
    }
}

/// A sequence serialised from an iterator made on demand.
struct Seq<F>(F);

impl<F, I, T> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: ExactSizeIterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items = (self.0)();
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

struct Options;

impl Serialize for Options {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("allowSelfLoops", &false)?;
        m.serialize_entry("multi", &false)?;
        m.serialize_entry("type", "undirected")?;
        m.end()
    }
}

pub fn write<W: Write>(mut w: W, g: &Finished, graph_attributes: Map<String, Value>) -> io::Result<()> {
    let names = g.attr_names;
    let mut ser = serde_json::Serializer::pretty(&mut w);
    let mut m = ser.serialize_map(Some(4))?;
    m.serialize_entry("attributes", &graph_attributes)?;
    m.serialize_entry("edges", &Seq(|| g.edges.iter().enumerate().map(|(i, e)| Edge(i, e))))?;
    m.serialize_entry("nodes", &Seq(|| g.nodes.iter().map(|n| Node(n, names))))?;
    m.serialize_entry("options", &Options)?;
    SerializeMap::end(m)?;
    writeln!(w)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeStats, Examples};
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_a_repeated_key_keeps_its_last_value() {
        // "label" is reserved, so it becomes "dict_label" and meets the
        // dictionary's own "dict_label": the later column wins.
        let names = ["zeta".to_string(), "label".to_string(), "dict_label".to_string(), "alpha".to_string()];
        let attrs = [(0, "z".to_string()), (1, "first".to_string()), (2, "second".to_string()), (3, "a".to_string())];
        let node = |id, label, attrs| NodeRow {
            id,
            label,
            kind: "vendor",
            attrs,
            mentions: 3,
            documents: 2,
            windows: 2,
            first_seen: Date::new(2024, 5, Some(1)),
            last_seen: None,
        };
        let stats = EdgeStats {
            windows: 2,
            documents: 1,
            first_date: Date::new(2024, 5, None),
            last_date: None,
            examples: {
                let mut x = Examples::default();
                x.push("d1");
                x
            },
        };
        let g = Finished {
            nodes: vec![node("a", "A \"quoted\"", &attrs), node("b", "B", &[])],
            edges: vec![EdgeRow { source: "a", target: "b", weight: 1.0 / 3.0, stats: &stats, title: Some("it-chef") }],
            dynamic: true,
            attr_names: &names,
        };
        let mut graph_attrs = Map::new();
        graph_attrs.insert("name".into(), "kommunegraf".into());
        let mut out = Vec::new();
        write(&mut out, &g, graph_attrs).unwrap();
        let size = (node_size(3) * 1e6).round() / 1e6;
        let base = |label: &str| {
            json!({"label": label, "kind": "vendor", "mentions": 3, "documents": 2, "windows": 2,
                   "first_seen": "2024-05-01", "last_seen": null, "size": size, "color": kind_hex("vendor")})
        };
        let mut a = base("A \"quoted\"");
        for (k, v) in [("zeta", "z"), ("dict_label", "second"), ("alpha", "a")] {
            a[k] = json!(v);
        }
        let expected = json!({
            "attributes": {"name": "kommunegraf"},
            "options": {"type": "undirected", "multi": false, "allowSelfLoops": false},
            "nodes": [{"key": "a", "attributes": a}, {"key": "b", "attributes": base("B")}],
            "edges": [{"key": "e0", "source": "a", "target": "b", "undirected": true, "attributes": {
                "weight": 0.333333, "count": 2, "documents": 1, "first_date": "2024-05", "last_date": null,
                "examples": ["d1"], "relation": crate::relate::AFFILIATION, "title": "it-chef"}}],
        });
        let text = String::from_utf8(out).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
        // Byte for byte what a sorted map prints: keys in order, pretty, one final newline.
        assert_eq!(text, serde_json::to_string_pretty(&expected).unwrap() + "\n");
    }
}
