//! Writing the tables and the graph.
//!
//! Every file is written under a temporary name in the output directory and
//! renamed into place only when the whole run has succeeded, so a failed run
//! never leaves half-written or mixed outputs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::dict::Dictionary;
use crate::graph::{EdgeRow, NodeRow};

/// An output directory whose files appear all at once, on [`OutputDir::commit`].
pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
}

impl OutputDir {
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(OutputDir { dir: dir.to_path_buf(), pending: Vec::new() })
    }

    /// A buffered writer for `name`, written to a temporary file for now.
    pub fn create(&mut self, name: &str) -> io::Result<BufWriter<File>> {
        let tmp = self.dir.join(format!(".{name}.partial-{}", std::process::id()));
        let f = File::create(&tmp)?;
        self.pending.push((tmp, self.dir.join(name)));
        Ok(BufWriter::with_capacity(1 << 16, f))
    }

    /// Move every finished file into place.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for (tmp, fin) in std::mem::take(&mut self.pending) {
            fs::rename(&tmp, &fin)?;
            done.push(fin);
        }
        Ok(done)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        for (tmp, _) in &self.pending {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Flush a buffered writer and make sure the data reached the file.
pub fn finish(w: BufWriter<File>) -> io::Result<()> {
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(w)
}

/// Per-entity totals for entities.csv.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityTotals {
    pub mentions: u64,
    pub documents: u64,
}

/// entities.csv: every mentioned entity, its counts and dictionary attributes.
pub fn write_entities<W: Write>(w: W, dict: &Dictionary, totals: &[EntityTotals]) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    let mut header = vec!["entity_id", "type", "label", "mentions", "documents"];
    header.extend(dict.attr_names.iter().map(String::as_str));
    wr.write_record(&header)?;
    let mut order: Vec<usize> = (0..dict.entities.len()).filter(|&i| totals[i].mentions > 0).collect();
    order.sort_by(|&a, &b| dict.entities[a].id.cmp(&dict.entities[b].id));
    for i in order {
        let e = &dict.entities[i];
        let mut row = vec![e.id.clone(), e.kind.clone(), e.label.clone()];
        row.push(totals[i].mentions.to_string());
        row.push(totals[i].documents.to_string());
        for a in 0..dict.attr_names.len() {
            row.push(e.attrs.iter().find(|(k, _)| *k == a).map(|(_, v)| v.clone()).unwrap_or_default());
        }
        wr.write_record(&row)?;
    }
    wr.flush()?;
    Ok(())
}

/// nodes.csv in Gephi's spreadsheet-import layout.
pub fn write_nodes<W: Write>(w: W, nodes: &[NodeRow]) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    wr.write_record(["Id", "Label", "kind", "mentions", "documents"])?;
    for n in nodes {
        wr.write_record([n.id, n.label, n.kind, &n.mentions.to_string(), &n.documents.to_string()])?;
    }
    wr.flush()?;
    Ok(())
}

/// edges.csv in Gephi's spreadsheet-import layout.
pub fn write_edges<W: Write>(w: W, edges: &[EdgeRow]) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    wr.write_record(["Source", "Target", "Type", "Weight", "documents"])?;
    for e in edges {
        wr.write_record([e.source, e.target, "Undirected", &e.weight.to_string(), &e.documents.to_string()])?;
    }
    wr.flush()?;
    Ok(())
}

/// A DOT double-quoted string: quotes and backslashes escaped, control
/// characters dropped (Graphviz would otherwise warn or misread them).
pub fn dot_quote(s: &str) -> String {
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

/// Fill colour of a node kind: fixed for the shipped kinds, stable for others.
pub fn kind_colour(kind: &str) -> (u8, u8, u8) {
    match kind {
        "municipality" => (78, 121, 167),
        "region" => (89, 161, 79),
        "person" => (225, 87, 89),
        "vendor" => (242, 142, 43),
        "organization" => (118, 183, 178),
        other => {
            const PALETTE: [(u8, u8, u8); 5] =
                [(237, 201, 72), (176, 122, 161), (255, 157, 167), (156, 117, 95), (186, 176, 172)];
            let h = other.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            PALETTE[(h % PALETTE.len() as u32) as usize]
        }
    }
}

/// graph.dot: an undirected Graphviz graph laid out with sfdp (the default
/// `dot` layout takes minutes on dense co-mention graphs).
pub fn write_dot<W: Write>(mut w: W, nodes: &[NodeRow], edges: &[EdgeRow]) -> io::Result<()> {
    writeln!(w, "graph kommunegraf {{")?;
    writeln!(w, "  layout=sfdp;\n  overlap=prism;\n  outputorder=edgesfirst;")?;
    writeln!(w, "  node [shape=ellipse, style=filled, fontname=\"Helvetica\"];")?;
    for n in nodes {
        let (r, g, b) = kind_colour(n.kind);
        writeln!(
            w,
            "  {} [label={}, kind={}, mentions={}, fillcolor=\"#{r:02x}{g:02x}{b:02x}\"];",
            dot_quote(n.id),
            dot_quote(n.label),
            dot_quote(n.kind),
            n.mentions
        )?;
    }
    let max = edges.iter().map(|e| e.weight).max().unwrap_or(1).max(1) as f64;
    for e in edges {
        let pen = 1.0 + 4.0 * (e.weight as f64).ln_1p() / max.ln_1p();
        writeln!(
            w,
            "  {} -- {} [weight={}, penwidth={pen:.2}, documents={}];",
            dot_quote(e.source),
            dot_quote(e.target),
            e.weight,
            e.documents
        )?;
    }
    writeln!(w, "}}")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_quoting_escapes_and_drops_controls() {
        assert_eq!(dot_quote(r#"Sø "X" \ y"#), r#""Sø \"X\" \\ y""#);
        assert_eq!(dot_quote("a\u{7}b\nc"), "\"abc\"");
        assert_eq!(dot_quote("ends\\"), "\"ends\\\\\"");
    }

    #[test]
    fn output_dir_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut out = OutputDir::new(dir.path()).unwrap();
            let mut w = out.create("a.csv").unwrap();
            w.write_all(b"x").unwrap();
            finish(w).unwrap();
            // dropped without commit
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut out = OutputDir::new(dir.path()).unwrap();
        let mut w = out.create("a.csv").unwrap();
        w.write_all(b"x").unwrap();
        finish(w).unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
