//! Graph files: well-formed for any label, dynamic GEXF when documents have
//! dates and static when not, and every format agreeing on the graph.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn run(args: &[&str], out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_kommunegraf"))
        .args(args)
        .args(["-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every XML event of a file, as (element name, attributes) for start tags;
/// panics on malformed XML.
fn xml_elements(path: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let text = fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            Ok(Event::Text(t)) => {
                t.decode().unwrap();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{} is not well-formed XML at {}: {e}", path.display(), reader.buffer_position()),
        }
    }
    out
}

fn attr<'a>(el: &'a (String, Vec<(String, String)>), key: &str) -> Option<&'a str> {
    el.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

fn hostile(out: &Path, extra: &[&str]) {
    let corpus = data("hostile/corpus.jsonl");
    let dict = data("hostile/dict.csv");
    let mut args = vec!["run", corpus.to_str().unwrap(), "--dict", dict.to_str().unwrap(), "--no-default-dict"];
    args.extend_from_slice(extra);
    run(&args, out);
}

#[test]
fn hostile_labels_stay_well_formed_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    hostile(out, &["--window", "sentence"]);
    let nodes = csv_rows(&out.join("nodes.csv"));
    let edges = csv_rows(&out.join("edges.csv"));
    assert!(nodes >= 8 && edges > 0, "{nodes} nodes, {edges} edges");

    let gexf = xml_elements(&out.join("graph.gexf"));
    assert_eq!(gexf.iter().filter(|e| e.0 == "node").count(), nodes);
    assert_eq!(gexf.iter().filter(|e| e.0 == "edge").count(), edges);
    let labels: Vec<&str> = gexf.iter().filter(|e| e.0 == "node").filter_map(|e| attr(e, "label")).collect();
    assert!(labels.contains(&"Firma \"Citat\" A/S"));
    assert!(labels.contains(&"<Tag> Forening"));
    assert!(labels.contains(&"Back\\slash ApS"));
    assert!(labels.contains(&"KontrolPerson"), "control characters dropped: {labels:?}");
    assert!(labels.contains(&"Rocket 🚀 Labs"));
    // The dictionary column "Type" must not become a node attribute "type".
    let titles: Vec<&str> = gexf.iter().filter(|e| e.0 == "attribute").filter_map(|e| attr(e, "title")).collect();
    assert!(titles.contains(&"dict_Type") && !titles.iter().any(|t| t.eq_ignore_ascii_case("type")), "{titles:?}");

    let graphml = xml_elements(&out.join("graph.graphml"));
    assert_eq!(graphml.iter().filter(|e| e.0 == "node").count(), nodes);
    assert_eq!(graphml.iter().filter(|e| e.0 == "edge").count(), edges);

    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("graph.json")).unwrap()).unwrap();
    assert_eq!(json["nodes"].as_array().unwrap().len(), nodes);
    assert_eq!(json["edges"].as_array().unwrap().len(), edges);
    assert_eq!(json["options"]["type"], "undirected");
    assert!(json["nodes"].as_array().unwrap().iter().all(|n| n["attributes"].get("type").is_none()));

    let dot = fs::read_to_string(out.join("graph.dot")).unwrap();
    assert!(dot.contains(r#"label="Back\\slash ApS""#) && dot.contains(r#"label="Firma \"Citat\" A/S""#));
    assert!(!dot.chars().any(|c| c.is_control() && c != '\n'), "no control characters in DOT");
}

#[test]
fn dated_corpus_gives_a_dynamic_gexf_with_spells() {
    let dir = tempfile::tempdir().unwrap();
    hostile(dir.path(), &[]);
    let gexf = xml_elements(&dir.path().join("graph.gexf"));
    let graph = gexf.iter().find(|e| e.0 == "graph").unwrap();
    assert_eq!(attr(graph, "mode"), Some("dynamic"));
    assert_eq!(attr(graph, "timeformat"), Some("date"));
    let spells: Vec<_> = gexf.iter().filter(|e| e.0 == "spell").collect();
    assert!(!spells.is_empty());
    assert!(spells.iter().all(|s| attr(s, "start").unwrap() <= attr(s, "end").unwrap()));
    // The Æblelaug is named in all three documents: 2025-03-01 (field),
    // 2025-04-15 (field) and 2025-05-12 (found in the text).
    let first = gexf
        .iter()
        .any(|e| e.0 == "attvalue" && attr(e, "for") == Some("first_seen") && attr(e, "value") == Some("2025-03-01"));
    let last = gexf
        .iter()
        .any(|e| e.0 == "attvalue" && attr(e, "for") == Some("last_seen") && attr(e, "value") == Some("2025-05-12"));
    assert!(first && last, "static first/last date attributes");
    assert!(spells.iter().any(|s| attr(s, "start") == Some("2025-03-01") && attr(s, "end") == Some("2025-05-12")));
}

#[test]
fn undated_corpus_gives_a_static_gexf() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    run(&["run", examples.to_str().unwrap()], dir.path());
    let gexf = xml_elements(&dir.path().join("graph.gexf"));
    let graph = gexf.iter().find(|e| e.0 == "graph").unwrap();
    assert_eq!(attr(graph, "mode"), Some("static"));
    assert!(!gexf.iter().any(|e| e.0 == "spell" || e.0 == "spells"));
    // <edges> is there even when a filter leaves none.
    run(&["run", examples.to_str().unwrap(), "--min-count", "1000", "--format", "gexf"], dir.path());
    let gexf = xml_elements(&dir.path().join("graph.gexf"));
    assert!(gexf.iter().any(|e| e.0 == "edges"));
}

#[test]
fn every_weight_and_window_writes_positive_weights() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for window in ["sentence", "paragraph", "document", "words:30"] {
        for weight in ["count", "jaccard", "dice", "npmi", "assoc"] {
            let out = dir.path().join(format!("{window}-{weight}").replace(':', "_"));
            run(&["run", examples.to_str().unwrap(), "--window", window, "--weight", weight, "--format", "csv"], &out);
            let mut rdr = csv::Reader::from_path(out.join("edges.csv")).unwrap();
            for r in rdr.records() {
                let r = r.unwrap();
                let w: f64 = r[3].parse().unwrap();
                assert!(w.is_finite() && w > 0.0, "{window}/{weight}: {r:?}");
                assert!(r[3].contains('.'), "weights are doubles with a dot");
            }
        }
    }
}

#[test]
fn unknown_option_values_list_the_valid_ones() {
    for (flag, value, valid) in [
        ("--format", "pdf", "csv, gexf, graphml, json, dot, all"),
        ("--window", "chapter", "sentence, paragraph, document, words:N"),
        ("--weight", "pmi", "count, jaccard, dice, npmi, assoc"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_kommunegraf")).args(["run", "x.txt", flag, value]).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(valid), "{flag}: {err}");
    }
}
