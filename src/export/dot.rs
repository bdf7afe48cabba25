//! graph.dot for Graphviz. `layout=sfdp`: the default `dot` layout takes
//! minutes on a thousand-node co-mention graph; sfdp takes a second.

use std::io::{self, Write};

use super::{fmt_double, kind_hex};
use crate::graph::Finished;

/// A DOT double-quoted string: quotes and backslashes escaped, control
/// characters dropped (Graphviz would otherwise warn or misread them).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn write<W: Write>(mut w: W, g: &Finished) -> io::Result<()> {
    writeln!(w, "graph kommunegraf {{")?;
    writeln!(w, "  layout=sfdp;\n  overlap=prism;\n  outputorder=edgesfirst;")?;
    writeln!(w, "  node [shape=ellipse, style=filled, fontname=\"Helvetica\"];")?;
    for n in &g.nodes {
        writeln!(
            w,
            "  {} [label={}, kind={}, mentions={}, fillcolor=\"{}\"];",
            quote(n.id),
            quote(n.label),
            quote(n.kind),
            n.mentions,
            kind_hex(n.kind)
        )?;
    }
    let max = g.edges.iter().map(|e| e.weight).fold(0.0f64, f64::max);
    for e in &g.edges {
        let pen = if max > 0.0 { 0.5 + 4.5 * e.weight / max } else { 1.0 };
        writeln!(
            w,
            "  {} -- {} [weight={}, penwidth={:.2}, kg_weight={}, documents={}{}];",
            quote(e.source),
            quote(e.target),
            e.stats.windows.max(1),
            pen,
            fmt_double(e.weight),
            e.stats.documents,
            e.title.map(|t| format!(", style=bold, relation=\"affiliation\", title={}", quote(t))).unwrap_or_default()
        )?;
    }
    writeln!(w, "}}")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_and_drops_controls() {
        assert_eq!(quote(r#"Sø "X" \ y"#), r#""Sø \"X\" \\ y""#);
        assert_eq!(quote("a\u{7}b\nc"), "\"abc\"");
        assert_eq!(quote("ends\\"), "\"ends\\\\\"");
    }
}
