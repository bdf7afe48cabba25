//! Bad input, each case run through the real binary: a clear message naming
//! the file (and line), the run goes on, nothing is lost, exit codes hold.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kommunegraf")).args(args).output().expect("binary runs")
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    csv::Reader::from_path(path).unwrap().records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

/// Run on one input file with the given bytes; returns (stderr, mentions, documents).
fn one(name: &str, bytes: &[u8], extra: &[&str]) -> (String, Vec<Vec<String>>, Vec<Vec<String>>, i32) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(name);
    fs::write(&input, bytes).unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["run", input.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run(&args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let code = o.status.code().unwrap_or(-1);
    if code != 0 {
        return (err, vec![], vec![], code);
    }
    (err, rows(&out.join("mentions.csv")), rows(&out.join("documents.csv")), code)
}

#[test]
fn text_files() {
    // invalid UTF-8: Windows-1252, with a warning naming the file
    let (err, m, _, code) = one("gammel.txt", b"Titel\n\nK\xf8benhavns Kommune og \x93KMD\x94.\n", &[]);
    assert_eq!(code, 0);
    assert!(err.contains("gammel.txt") && err.contains("Windows-1252"), "{err}");
    let labels: Vec<&str> = m.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(labels, ["Københavns Kommune", "KMD"]);
    // binary: skipped with a warning; a warning alone is no error
    let (err, _, _, code) = one("bin.txt", b"KMD\0\0\x01", &[]);
    assert!(err.contains("bin.txt") && err.contains("binary"), "{err}");
    assert_eq!(code, 0, "a warning is not an error");
    // BOM stripped; CRLF and lone CR; offsets exact into the text as read
    let text = "\u{feff}Titel\r\n\r\nKMD og KL.\rNetcompany.\r\n";
    let (err, m, d, _) = one("bom.txt", text.as_bytes(), &[]);
    assert!(!err.contains("warning:"), "{err}");
    assert_eq!(d[0][2], "Titel");
    let read = &text[3..]; // the BOM is not part of the text
    for r in &m {
        let (s, e): (usize, usize) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        assert_eq!(&read[s..e], r[4]);
    }
    let paragraphs: Vec<&str> = m.iter().map(|r| r[7].as_str()).collect();
    assert_eq!(paragraphs, ["1", "1", "2"], "lone CR ends a paragraph");
    // empty file: a warning, and the document is still listed
    let (err, _, d, code) = one("tom.txt", b"", &[]);
    assert_eq!(code, 0);
    assert!(err.contains("tom.txt") && err.contains("empty"), "{err}");
    assert_eq!(d.len(), 1);
}

#[test]
fn jsonl_lines() {
    let jsonl = concat!(
        "{\"id\":\"a\",\"text\":\"KMD vandt.\"}\n",
        "\n",
        "ikke json\n",
        "{\"id\":\"b\"}\n",
        "{\"id\":7,\"text\":\"KL\"}\n",
        "{\"id\":\"a\",\"text\":\"Netcompany tabte.\"}\n",
        "{\"id\":\"c\",\"text\":\"Atea.\"}\n",
    );
    let (err, m, d, code) = one("c.jsonl", jsonl.as_bytes(), &[]);
    assert_eq!(code, 0);
    for (line, what) in [(2, "empty"), (3, "not JSON"), (4, "text"), (5, "id"), (6, "duplicate")] {
        assert!(err.contains(&format!("c.jsonl:{line}")) && err.contains(what), "line {line}: {err}");
    }
    let ids: Vec<&str> = d.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["a", "a#2", "c"], "the rest is processed; a repeated id is made unique");
    let docs_of_mentions: Vec<&str> = m.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(docs_of_mentions, ["a", "a#2", "c"]);
    assert!(err.contains("4 warnings") || err.contains("warnings"), "{err}");
}

#[test]
fn spreadsheet_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("d.csv");
    // (A name that starts with `=` has a flag: the label drops it. `@` is
    // no flag, and Excel runs it as a formula too.)
    fs::write(&dict, "id,type,name,aliases\n=cmd,vendor,@HYPERLINK(\"x\"),Hyperlinkfirma\n").unwrap();
    let input = dir.path().join("a.txt");
    fs::write(&input, "Titel\n\nHyperlinkfirma og -minus.\n").unwrap();
    for (flag, want) in [(None, "'@HYPERLINK(\"x\")"), (Some("--raw-csv"), "@HYPERLINK(\"x\")")] {
        let out = dir.path().join(format!("out{}", flag.is_some()));
        let mut args = vec!["run", input.to_str().unwrap(), "--dict", dict.to_str().unwrap(), "--no-default-dict"];
        args.extend(["-o", out.to_str().unwrap()]);
        args.extend(flag);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let want_id = if flag.is_some() { "=cmd" } else { "'=cmd" };
        for file in ["mentions.csv", "entities.csv"] {
            let r = rows(&out.join(file));
            assert!(r[0].iter().any(|c| c == want), "{file} {flag:?}: {:?}", r[0]);
            assert!(r[0].iter().any(|c| c == want_id), "{file} {flag:?}: {:?}", r[0]);
        }
    }
}

#[test]
fn bad_dictionaries() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("cols.csv", "id,name\nx,y\n", "cols.csv:1"),
        ("dup.csv", "id,type,name\na,vendor,A\na,vendor,B\n", "dup.csv:3"),
        ("empty.csv", "id,type,name,aliases\na,vendor,Alfa,;\n", "empty.csv:2"),
        ("short.csv", "id,type,name,aliases\na,vendor,Alfa,x\n", "short.csv:2"),
        ("punct.csv", "id,type,name,aliases\na,vendor,Alfa,--;?!\n", "punct.csv:2"),
        ("fields.csv", "id,type,name,aliases\na,vendor\n", "fields.csv:2"),
    ];
    let input = dir.path().join("a.txt");
    fs::write(&input, "KMD og Alfa.\n").unwrap();
    for (name, text, loc) in cases {
        let dict = dir.path().join(name);
        fs::write(&dict, text).unwrap();
        let out = dir.path().join("out");
        let o = run(&["run", input.to_str().unwrap(), "--dict", dict.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{name}: {err}");
        assert!(err.contains(loc), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn nothing_readable_is_an_error() {
    let o = run(&["run", "/no/such/input.txt", "-o", tempfile::tempdir().unwrap().path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/no/such/input.txt") && err.contains("no document could be read"), "{err}");
}
