//! graph.graphml, with typed keys for label, kind, weight and the counts, as
//! networkx and graphology-graphml read it.

use std::io::{self, Write};

use super::{attr_key, date, fmt_double, kind_hex, node_size, xml_text};
use crate::graph::Finished;

fn data(w: &mut impl Write, key: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    writeln!(w, "      <data key=\"{key}\">{}</data>", xml_text(value))
}

pub fn write<W: Write>(mut w: W, g: &Finished) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    let node_keys = [
        ("n_label", "label", "string"),
        ("n_kind", "kind", "string"),
        ("n_mentions", "mentions", "int"),
        ("n_documents", "documents", "int"),
        ("n_windows", "windows", "int"),
        ("n_first_seen", "first_seen", "string"),
        ("n_last_seen", "last_seen", "string"),
        ("n_size", "size", "double"),
        ("n_color", "color", "string"),
    ];
    for (id, name, ty) in node_keys {
        writeln!(w, r#"  <key id="{id}" for="node" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    for (i, name) in g.attr_names.iter().enumerate() {
        writeln!(
            w,
            r#"  <key id="n_attr{i}" for="node" attr.name="{}" attr.type="string"/>"#,
            xml_text(&attr_key(name))
        )?;
    }
    let edge_keys = [
        ("e_weight", "weight", "double"),
        ("e_count", "count", "int"),
        ("e_documents", "documents", "int"),
        ("e_first_date", "first_date", "string"),
        ("e_last_date", "last_date", "string"),
        ("e_examples", "examples", "string"),
        ("e_relation", "relation", "string"),
        ("e_title", "title", "string"),
    ];
    for (id, name, ty) in edge_keys {
        writeln!(w, r#"  <key id="{id}" for="edge" attr.name="{name}" attr.type="{ty}"/>"#)?;
    }
    writeln!(w, r#"  <graph id="kommunegraf" edgedefault="undirected">"#)?;
    for n in &g.nodes {
        writeln!(w, "    <node id=\"{}\">", xml_text(n.id))?;
        data(&mut w, "n_label", n.label)?;
        data(&mut w, "n_kind", n.kind)?;
        data(&mut w, "n_mentions", &n.mentions.to_string())?;
        data(&mut w, "n_documents", &n.documents.to_string())?;
        data(&mut w, "n_windows", &n.windows.to_string())?;
        data(&mut w, "n_first_seen", &date(n.first_seen))?;
        data(&mut w, "n_last_seen", &date(n.last_seen))?;
        data(&mut w, "n_size", &fmt_double(node_size(n.mentions)))?;
        data(&mut w, "n_color", &kind_hex(n.kind))?;
        for (i, v) in n.attrs {
            data(&mut w, &format!("n_attr{i}"), v)?;
        }
        writeln!(w, "    </node>")?;
    }
    for (i, e) in g.edges.iter().enumerate() {
        let s = e.stats;
        writeln!(w, "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">", xml_text(e.source), xml_text(e.target))?;
        data(&mut w, "e_weight", &fmt_double(e.weight))?;
        data(&mut w, "e_count", &s.windows.to_string())?;
        data(&mut w, "e_documents", &s.documents.to_string())?;
        data(&mut w, "e_first_date", &date(s.first_date))?;
        data(&mut w, "e_last_date", &date(s.last_date))?;
        data(&mut w, "e_examples", &s.examples.join(";"))?;
        data(&mut w, "e_relation", e.relation())?;
        data(&mut w, "e_title", e.title.unwrap_or(""))?;
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>\n</graphml>")?;
    w.flush()
}
