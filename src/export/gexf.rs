//! graph.gexf — GEXF 1.3 as Gephi desktop and Gephi Lite (graphology-gexf) read it.
//!
//! Attributes come before nodes and nodes before edges; `<edges>` is written
//! even when empty; no node attribute is named `type` (it breaks Gephi Lite's
//! renderer). When documents have dates the graph is dynamic: nodes and edges
//! carry a spell from first to last date, for Gephi's timeline, and also static
//! first/last date attributes, because Gephi Lite ignores time.

use std::io::{self, Write};

use super::{attr_key, date, fmt_double, kind_colour, node_size, xml_text};
use crate::date::Date;
use crate::graph::Finished;

fn spell(w: &mut impl Write, first: Option<Date>, last: Option<Date>, indent: &str) -> io::Result<()> {
    if let (Some(a), Some(b)) = (first, last) {
        writeln!(w, "{indent}<spells><spell start=\"{}\" end=\"{}\"/></spells>", a.full(), b.full())?;
    }
    Ok(())
}

fn attvalue(w: &mut impl Write, key: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    writeln!(w, "          <attvalue for=\"{}\" value=\"{}\"/>", xml_text(key), xml_text(value))
}

/// Write the graph; `description` goes into `<meta>`.
pub fn write<W: Write>(mut w: W, g: &Finished, description: &str) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">"#)?;
    writeln!(w, "  <meta>\n    <creator>kommunegraf</creator>")?;
    writeln!(w, "    <description>{}</description>\n  </meta>", xml_text(description))?;
    if g.dynamic {
        writeln!(w, r#"  <graph defaultedgetype="undirected" mode="dynamic" timeformat="date">"#)?;
    } else {
        writeln!(w, r#"  <graph defaultedgetype="undirected" mode="static">"#)?;
    }
    writeln!(w, r#"    <attributes class="node" mode="static">"#)?;
    for (id, ty) in [
        ("kind", "string"),
        ("mentions", "integer"),
        ("documents", "integer"),
        ("windows", "integer"),
        ("first_seen", "string"),
        ("last_seen", "string"),
    ] {
        writeln!(w, r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#)?;
    }
    for (i, name) in g.attr_names.iter().enumerate() {
        writeln!(w, r#"      <attribute id="attr{i}" title="{}" type="string"/>"#, xml_text(&attr_key(name)))?;
    }
    writeln!(w, "    </attributes>")?;
    writeln!(w, r#"    <attributes class="edge" mode="static">"#)?;
    for (id, ty) in [
        ("count", "integer"),
        ("documents", "integer"),
        ("first_date", "string"),
        ("last_date", "string"),
        ("examples", "string"),
        ("relation", "string"),
        ("title", "string"),
    ] {
        writeln!(w, r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#)?;
    }
    writeln!(w, "    </attributes>")?;

    writeln!(w, "    <nodes count=\"{}\">", g.nodes.len())?;
    for n in &g.nodes {
        writeln!(w, "      <node id=\"{}\" label=\"{}\">", xml_text(n.id), xml_text(n.label))?;
        writeln!(w, "        <attvalues>")?;
        attvalue(&mut w, "kind", n.kind)?;
        attvalue(&mut w, "mentions", &n.mentions.to_string())?;
        attvalue(&mut w, "documents", &n.documents.to_string())?;
        attvalue(&mut w, "windows", &n.windows.to_string())?;
        attvalue(&mut w, "first_seen", &date(n.first_seen))?;
        attvalue(&mut w, "last_seen", &date(n.last_seen))?;
        for (i, v) in n.attrs {
            attvalue(&mut w, &format!("attr{i}"), v)?;
        }
        writeln!(w, "        </attvalues>")?;
        if g.dynamic {
            spell(&mut w, n.first_seen, n.last_seen, "        ")?;
        }
        let (r, gg, b) = kind_colour(n.kind);
        writeln!(w, "        <viz:color r=\"{r}\" g=\"{gg}\" b=\"{b}\"/>")?;
        writeln!(w, "        <viz:size value=\"{}\"/>", fmt_double(node_size(n.mentions)))?;
        writeln!(w, "      </node>")?;
    }
    writeln!(w, "    </nodes>")?;

    writeln!(w, "    <edges count=\"{}\">", g.edges.len())?;
    for (i, e) in g.edges.iter().enumerate() {
        let s = e.stats;
        writeln!(
            w,
            "      <edge id=\"e{i}\" source=\"{}\" target=\"{}\" weight=\"{}\">",
            xml_text(e.source),
            xml_text(e.target),
            fmt_double(e.weight)
        )?;
        writeln!(w, "        <attvalues>")?;
        attvalue(&mut w, "count", &s.windows.to_string())?;
        attvalue(&mut w, "documents", &s.documents.to_string())?;
        attvalue(&mut w, "first_date", &date(s.first_date))?;
        attvalue(&mut w, "last_date", &date(s.last_date))?;
        attvalue(&mut w, "examples", &s.examples.join(";"))?;
        attvalue(&mut w, "relation", e.relation())?;
        attvalue(&mut w, "title", e.title.unwrap_or(""))?;
        writeln!(w, "        </attvalues>")?;
        if g.dynamic {
            spell(&mut w, s.first_date, s.last_date, "        ")?;
        }
        writeln!(w, "      </edge>")?;
    }
    writeln!(w, "    </edges>\n  </graph>\n</gexf>")?;
    w.flush()
}
