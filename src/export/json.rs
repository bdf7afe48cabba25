//! graph.json in graphology's serialisation format (`attributes`, `options`,
//! `nodes` with `key`/`attributes`, `edges` with `source`/`target`/`attributes`),
//! which Gephi Lite and sigma.js open directly.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::{attr_key, kind_hex, node_size};
use crate::date::Date;
use crate::graph::Finished;

fn date(d: Option<Date>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

/// Round to 6 decimals so the file reads like the other exports.
fn num(x: f64) -> Value {
    json!((x * 1e6).round() / 1e6)
}

pub fn write<W: Write>(mut w: W, g: &Finished, graph_attributes: Map<String, Value>) -> io::Result<()> {
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|n| {
            let mut a = Map::new();
            a.insert("label".into(), json!(n.label));
            a.insert("kind".into(), json!(n.kind));
            a.insert("mentions".into(), json!(n.mentions));
            a.insert("documents".into(), json!(n.documents));
            a.insert("windows".into(), json!(n.windows));
            a.insert("first_seen".into(), date(n.first_seen));
            a.insert("last_seen".into(), date(n.last_seen));
            a.insert("size".into(), num(node_size(n.mentions)));
            a.insert("color".into(), json!(kind_hex(n.kind)));
            for (i, v) in n.attrs {
                a.insert(attr_key(&g.attr_names[*i]), json!(v));
            }
            json!({"key": n.id, "attributes": a})
        })
        .collect();
    let edges: Vec<Value> = g
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let s = e.stats;
            json!({
                "key": format!("e{i}"),
                "source": e.source,
                "target": e.target,
                "undirected": true,
                "attributes": {
                    "weight": num(e.weight),
                    "count": s.windows,
                    "documents": s.documents,
                    "first_date": date(s.first_date),
                    "last_date": date(s.last_date),
                    "examples": s.examples,
                    "relation": e.relation(),
                    "title": e.title,
                }
            })
        })
        .collect();
    let doc = json!({
        "attributes": graph_attributes,
        "options": {"type": "undirected", "multi": false, "allowSelfLoops": false},
        "nodes": nodes,
        "edges": edges,
    });
    serde_json::to_writer_pretty(&mut w, &doc)?;
    writeln!(w)?;
    w.flush()
}
