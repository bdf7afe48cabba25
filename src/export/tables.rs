//! The CSV tables: entities.csv, and nodes.csv / edges.csv laid out as Gephi's
//! spreadsheet importer reads them (`Type=Undirected`, quotes doubled, no
//! backslash escapes).

use std::io::Write;

use super::{attr_key, cell, csv_writer, date, fmt_double};
use crate::dict::Dictionary;
use crate::graph::{CoMentionGraph, Finished};

fn attr_cells(attrs: &[(usize, String)], n: usize) -> impl Iterator<Item = String> + '_ {
    (0..n).map(move |a| attrs.iter().find(|(k, _)| *k == a).map(|(_, v)| v.clone()).unwrap_or_default())
}

/// entities.csv: every mentioned entity, its counts, first/last seen and
/// dictionary attributes, sorted by id.
pub fn write_entities<W: Write>(w: W, dict: &Dictionary, graph: &CoMentionGraph, raw: bool) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    let mut header: Vec<String> =
        ["entity_id", "type", "label", "mentions", "documents", "first_seen", "last_seen", "source"]
            .map(String::from)
            .into();
    header.extend(dict.attr_names.iter().cloned());
    wr.write_record(&header)?;
    let mut rows: Vec<_> = graph.graph.node_weights().collect();
    rows.sort_by(|a, b| dict.entity(a.entity).id.cmp(&dict.entity(b.entity).id));
    for s in rows {
        let e = dict.entity(s.entity);
        let mut row = vec![
            cell(&e.id, raw).into_owned(),
            cell(&e.kind, raw).into_owned(),
            cell(&e.label, raw).into_owned(),
            s.mentions.to_string(),
            s.documents.to_string(),
            date(s.first_seen),
            date(s.last_seen),
            e.source.name().to_string(),
        ];
        row.extend(attr_cells(&e.attrs, dict.attr_names.len()).map(|c| cell(&c, raw).into_owned()));
        wr.write_record(&row)?;
    }
    wr.flush()?;
    Ok(())
}

/// nodes.csv: Id, Label, kind, counts, dates, dictionary attributes.
pub fn write_nodes<W: Write>(w: W, g: &Finished, raw: bool) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    let mut header: Vec<String> =
        ["Id", "Label", "kind", "mentions", "documents", "windows", "first_seen", "last_seen"].map(String::from).into();
    header.extend(g.attr_names.iter().map(|a| attr_key(a)));
    wr.write_record(&header)?;
    for n in &g.nodes {
        let mut row = vec![
            cell(n.id, raw).into_owned(),
            cell(n.label, raw).into_owned(),
            cell(n.kind, raw).into_owned(),
            n.mentions.to_string(),
            n.documents.to_string(),
            n.windows.to_string(),
            date(n.first_seen),
            date(n.last_seen),
        ];
        row.extend(attr_cells(n.attrs, g.attr_names.len()).map(|c| cell(&c, raw).into_owned()));
        wr.write_record(&row)?;
    }
    wr.flush()?;
    Ok(())
}

/// edges.csv: Source, Target, Type, Weight, then the raw count, documents,
/// first/last date, example documents (`;`-separated), the relation
/// (`co-mention` or `affiliation`) and an affiliation's title.
pub fn write_edges<W: Write>(w: W, g: &Finished, raw: bool) -> csv::Result<()> {
    let mut wr = csv_writer(w);
    wr.write_record([
        "Source",
        "Target",
        "Type",
        "Weight",
        "count",
        "documents",
        "first_date",
        "last_date",
        "examples",
        "relation",
        "title",
    ])?;
    for e in &g.edges {
        let s = e.stats;
        wr.write_record([
            &cell(e.source, raw),
            &cell(e.target, raw),
            "Undirected",
            &fmt_double(e.weight),
            &s.windows.to_string(),
            &s.documents.to_string(),
            &date(s.first_date),
            &date(s.last_date),
            &cell(&s.examples.join(";"), raw),
            e.relation(),
            &cell(e.title.unwrap_or(""), raw),
        ])?;
    }
    wr.flush()?;
    Ok(())
}
