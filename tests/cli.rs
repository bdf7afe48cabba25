//! End to end: the real binary on the example articles and on small bad inputs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FILES: &[&str] = &[
    "mentions.csv",
    "entities.csv",
    "documents.csv",
    "nodes.csv",
    "edges.csv",
    "graph.dot",
    "graph.gexf",
    "graph.graphml",
    "graph.json",
];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kommunegraf"))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path).unwrap().records().map(Result::unwrap).collect()
}

#[test]
fn examples_produce_every_table_and_graph() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", examples().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in FILES {
        let bytes = fs::read(out.join(f)).unwrap();
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{f} has a BOM");
        assert!(std::str::from_utf8(&bytes).is_ok(), "{f} is not UTF-8");
    }
    let mentions = rows(&out.join("mentions.csv"));
    let has = |doc: &str, label: &str, surface: &str| {
        mentions.iter().any(|r| r[0].starts_with(doc) && &r[3] == label && &r[4] == surface)
    };
    assert!(has("02", "Vejen Kommune", "Vejen"), "borgmester i Vejen");
    assert!(!mentions.iter().any(|r| r[0].starts_with("02") && r[4].eq_ignore_ascii_case("vejen") && &r[4] != "Vejen"));
    assert!(has("03", "Faaborg-Midtfyn Kommune", "Faaborg/Midtfyn"));
    assert!(has("03", "Assens Kommune", "Assens"), "enumeration of municipalities");
    assert!(has("04", "Aarhus Kommune", "Århus Kommune"));
    assert!(has("04", "Aarhus Universitet", "Aarhus Universitet"));
    // "Skejby ved Århus" is a place, and the "Navnenyt" furniture names nobody.
    assert!(!mentions.iter().any(|r| r[0].starts_with("04") && &r[4] == "Århus"));
    assert!(!mentions.iter().any(|r| r[0].starts_with("05") && &r[3] == "Netcompany"));
    // Offsets are exact byte offsets into the file.
    for r in &mentions {
        let text = fs::read_to_string(examples().join(&r[0])).unwrap();
        let (s, e): (usize, usize) = (r[5].parse().unwrap(), r[6].parse().unwrap());
        assert_eq!(&text[s..e], &r[4]);
        assert!(r[9].contains(&r[4]), "context holds the surface: {:?}", r);
    }
    // The tables agree with each other.
    let entities = rows(&out.join("entities.csv"));
    let nodes = rows(&out.join("nodes.csv"));
    // Isolated entities are in entities.csv but not in the graph.
    assert!(entities.len() > nodes.len());
    assert!(nodes.iter().all(|n| entities.iter().any(|e| e[0] == n[0])));
    let total: usize = entities.iter().map(|r| r[3].parse::<usize>().unwrap()).sum();
    assert_eq!(total, mentions.len());
    let documents = rows(&out.join("documents.csv"));
    assert_eq!(documents.len(), 5);
    let edges = rows(&out.join("edges.csv"));
    assert!(!edges.is_empty());
    assert!(
        edges
            .iter()
            .all(|r| &r[2] == "Undirected" && r[3].parse::<f64>().unwrap() >= 1.0 && r[4].parse::<u64>().unwrap() >= 1)
    );
    let ids: Vec<&str> = nodes.iter().map(|r| r.get(0).unwrap()).collect();
    assert!(edges.iter().all(|r| ids.contains(&&r[0]) && ids.contains(&&r[1]) && r[0] < r[1]));
    let dot = fs::read_to_string(out.join("graph.dot")).unwrap();
    assert!(dot.starts_with("graph kommunegraf {") && dot.contains("layout=sfdp"));
    assert_eq!(dot.matches(" -- ").count(), edges.len());
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = run(&["run", examples().to_str().unwrap(), "-o", out.to_str().unwrap(), "--window", "sentence"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in FILES {
        assert_eq!(fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap(), "{f} differs between runs");
    }
}

/// `--timings` reports where the time went, on one thread and on two, and
/// changes no output file.
#[test]
fn timings_name_every_phase_and_stage_and_change_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let o = run(&["run", examples().to_str().unwrap(), "-o", plain.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "--quiet alone prints nothing");
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("timed{threads}"));
        let input = examples();
        let (input, out_dir) = (input.to_str().unwrap(), out.to_str().unwrap());
        let o = run(&["run", input, "-o", out_dir, "--quiet", "--timings", "--threads", threads]);
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        let plural = if threads == "1" { "" } else { "s" };
        assert!(err.starts_with("timings: "), "{err}");
        assert!(err.lines().next().unwrap().ends_with(&format!(" on {threads} thread{plural}")), "{err}");
        // Every phase and stage has its line, with a number of milliseconds.
        let phases = ["dictionaries", "automaton", "documents", "tables", "graph", "graph files", "commit"];
        let stages = [
            "wait",
            "read",
            "segment",
            "furniture",
            "scan",
            "resolve",
            "people",
            "organisations",
            "short names",
            "discover",
            "date",
            "windows",
            "relate",
            "rows",
            "merge",
        ];
        for name in phases.iter().chain(&stages) {
            let line = err.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or("");
            let ms = line.trim_start()[name.len()..].split_whitespace().next().unwrap_or("");
            assert!(ms.parse::<f64>().is_ok_and(|v| v >= 0.0), "{name}: {line:?} in\n{err}");
        }
        // The examples take some time to scan: a rate, not "-" (the
        // milliseconds can round to 0.0 on a fast machine).
        let scan = err.lines().find(|l| l.trim_start().starts_with("scan ")).unwrap();
        let rate = scan.split_whitespace().nth(3).unwrap_or("");
        assert!(rate.parse::<f64>().is_ok_and(|r| r > 0.0), "{err}");
        for f in FILES {
            assert_eq!(fs::read(plain.join(f)).unwrap(), fs::read(out.join(f)).unwrap(), "{f} differs with --timings");
        }
    }
}

#[test]
fn wider_windows_link_more() {
    let dir = tempfile::tempdir().unwrap();
    let mut counts = Vec::new();
    for w in ["sentence", "paragraph", "document"] {
        let out = dir.path().join(w);
        let o = run(&["run", examples().to_str().unwrap(), "-o", out.to_str().unwrap(), "--window", w]);
        assert!(o.status.success(), "{}", stderr(&o));
        counts.push(rows(&out.join("edges.csv")).len());
    }
    assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
}

#[test]
fn user_dictionary_bad_rows_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("mine.csv");
    fs::write(&dict, "id,type,name,aliases,sector\nx1,system,Sundhedsplatformen,SP,health\n,system,NoId,,\nx1,system,Dup,,\nx2,system,Other,SP,\n").unwrap();
    let corpus = dir.path().join("c.jsonl");
    fs::write(&corpus, "{\"id\":\"a\",\"text\":\"Sundhedsplatformen og SP koster. KMD leverer.\"}\nnot json\n{\"id\":\"b\",\"text\":\"SP igen.\"}\n").unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        corpus.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--dict",
        dict.to_str().unwrap(),
        "--no-default-dict",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let loc = dict.display().to_string();
    assert!(err.contains(&format!("{loc}:3")) && err.contains("lacks"), "{err}");
    assert!(err.contains(&format!("{loc}:4")) && err.contains("duplicate id"), "{err}");
    assert!(err.contains(&format!("{loc}:5")) && err.contains("\"x1\"") && err.contains("\"x2\""), "{err}");
    assert!(err.contains(&format!("{}:2", corpus.display())) && err.contains("not JSON"), "{err}");
    let mentions = rows(&out.join("mentions.csv"));
    let got: Vec<(&str, &str)> = mentions.iter().map(|r| (r.get(0).unwrap(), r.get(4).unwrap())).collect();
    // No KMD: the shipped dictionaries are off. The bad JSONL line is skipped, not the rest.
    assert_eq!(got, [("a", "Sundhedsplatformen"), ("a", "SP"), ("b", "SP")]);
    let mut rdr = csv::Reader::from_path(out.join("entities.csv")).unwrap();
    let sector = rdr.headers().unwrap().iter().position(|h| h == "sector").expect("attribute column");
    let first = rdr.records().next().unwrap().unwrap();
    assert_eq!(&first[sector], "health", "extra columns become attributes");
}

#[test]
fn usage_errors_and_unwritable_output() {
    let o = run(&["run", "x.txt", "--window", "chapter"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sentence, paragraph, document"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "x").unwrap();
    let o = run(&["run", examples().to_str().unwrap(), "-o", blocker.join("out").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("output directory"), "{}", stderr(&o));
}

#[test]
fn user_furniture_markers_replace_the_shipped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let markers = dir.path().join("furniture.txt");
    fs::write(&markers, "# mine\nend\t^slut her$\n").unwrap();
    let text = dir.path().join("a.txt");
    fs::write(&text, "Titel\n\nKMD og Netcompany.\n\nslut her\n\nAtea og EG.\n\nLæses lige nu\n").unwrap();
    let out = dir.path().join("out");
    let o =
        run(&["run", text.to_str().unwrap(), "-o", out.to_str().unwrap(), "--furniture", markers.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels: Vec<String> = rows(&out.join("mentions.csv")).iter().map(|r| r[3].to_string()).collect();
    assert_eq!(labels, ["KMD", "Netcompany"]);
    let o = run(&["run", text.to_str().unwrap(), "-o", out.to_str().unwrap(), "--furniture", "/no/such/file"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/file"), "{}", stderr(&o));
}

#[test]
fn eval_scores_a_run_against_gold() {
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/eval/gold.jsonl");
    let ex = examples();
    let o = run(&["eval", "--gold", gold.to_str().unwrap(), ex.to_str().unwrap(), "--errors", "10"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    // 14 gold entities in two articles; the other three articles are unknown to the gold.
    let all = table.lines().find(|l| l.starts_with("ALL")).expect("ALL row");
    let cells: Vec<&str> = all.split_whitespace().collect();
    assert_eq!(cells[1], "14", "{table}");
    let recall: f64 = cells[5].parse().unwrap();
    assert!(recall >= 0.9, "{table}");
    assert!(table.contains("3 predicted documents not in the gold"), "{table}");
    let o = run(&["eval", "--gold", gold.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--mentions"), "{}", stderr(&o));
}

#[test]
fn match_explains_every_decision() {
    let o = run(&["match", "Han var på vejen hjem, da borgmester i Vejen Egon Fræhr ringede kl. 8 til KMD."]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(r#""vejen" alias "Vejen" -> Vejen Kommune (municipality): rejected: the alias is capitalised"#),
        "{out}"
    );
    assert!(out.contains(r#""kl" alias "KL" -> KL (organization): rejected: case-exact"#), "{out}");
    assert!(out.contains(r#""Egon Fræhr" -> Egon Fræhr (person), discovered by rule given-name"#), "{out}");
    assert!(out.contains(r#""KMD" -> KMD (vendor), dictionary"#), "{out}");
    // standard input
    let mut child = Command::new(env!("CARGO_BIN_EXE_kommunegraf"))
        .arg("match")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), "Aarhus Universitet".as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("rejected: overlaps an earlier or longer match"), "{out}");
}

#[test]
fn dict_check_reports_and_fails_on_errors() {
    let o = run(&["dict", "check"]);
    assert!(o.status.success(), "the shipped dictionaries have no errors: {}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 errors"));
    let dir = tempfile::tempdir().unwrap();
    let dict = dir.path().join("mine.csv");
    fs::write(&dict, "id,type,name,aliases\na,vendor,Alfa,sol\na,vendor,Beta,\nb,vendor,Gamma,Alfa\n").unwrap();
    let o = run(&["dict", "check", "--no-default-dict", "--dict", dict.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let loc = dict.display().to_string();
    assert!(err.contains(&format!("{loc}:3")) && err.contains("duplicate id"), "{err}");
    assert!(err.contains(&format!("{loc}:4")) && err.contains("shared"), "{err}");
    assert!(
        err.contains(&format!("{loc}:2")) && err.contains("\"sol\"") && err.contains("common Danish word"),
        "{err}"
    );
}

#[test]
fn a_list_paragraph_links_nothing_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    fs::write(
        &corpus,
        "{\"id\":\"a\",\"text\":\"KMD og Netcompany vandt.\\n\\nPå standen: KMD, Netcompany, EG, Atea og Systematic.\"}\n",
    )
    .unwrap();
    let edges = |limit: &str| {
        let out = dir.path().join(format!("out{limit}"));
        let o = run(&["run", corpus.to_str().unwrap(), "-o", out.to_str().unwrap(), "--max-window-entities", limit]);
        assert!(o.status.success(), "{}", stderr(&o));
        let edges: Vec<String> =
            rows(&out.join("edges.csv")).iter().map(|r| format!("{}-{}:{}", &r[0], &r[1], &r[4])).collect();
        (edges, stderr(&o))
    };
    let (listed, err) = edges("3");
    assert_eq!(listed, ["vendor-kmd-vendor-netcompany:1"]);
    let loc = format!("{}:1", corpus.display());
    assert!(err.contains(&loc) && err.contains("a paragraph names more than 3 entities (up to 5)"), "{err}");
    // Five entities are within the limit: the paragraph is linked, with no warning.
    let (linked, err) = edges("5");
    assert_eq!(linked.len(), 10, "{linked:?}");
    assert!(linked.contains(&"vendor-kmd-vendor-netcompany:2".to_string()), "{linked:?}");
    assert!(!err.contains("warning:"), "{err}");
}

/// Many chunks, read by the workers themselves, with bad lines, empty lines
/// and repeated ids among them: every thread count writes the same files and
/// the same diagnostics as one thread, in input order (what reading said and
/// what processing said, interleaved by line).
#[test]
fn any_number_of_threads_gives_the_same_files_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.jsonl");
    let bodies = [
        "KMD og Netcompany vandt udbuddet hos KL.",
        "Borgmester Jens Hansen i Odense Kommune siger, at KMD's system virker.",
        "Aarhus Kommune og Region Midtjylland valgte EG.\\n\\nLæs også: Netcompany vinder.",
        "",
    ];
    let mut lines = String::new();
    for i in 0..1500 {
        match i % 97 {
            13 => lines.push_str("ikke json\n"),
            29 => lines.push('\n'),
            // A repeated id: renamed, with a warning.
            41 => lines.push_str(&format!("{{\"id\":\"d{}\",\"text\":\"KL og KOMBIT.\"}}\n", i - 1)),
            // A date not understood: said while processing, not reading.
            50 => lines.push_str(&format!("{{\"id\":\"d{i}\",\"date\":\"snart\",\"text\":\"KL.\"}}\n")),
            _ => lines.push_str(&format!("{{\"id\":\"d{i}\",\"text\":\"{}\"}}\n", bodies[i % bodies.len()])),
        }
    }
    // A bad last line: said after the last document.
    lines.push_str("ikke json\n");
    fs::write(&corpus, lines).unwrap();
    let outputs: Vec<(PathBuf, String)> = ["1", "2", "3", "8"]
        .iter()
        .map(|t| {
            let out = dir.path().join(format!("out{t}"));
            let o = run(&["run", corpus.to_str().unwrap(), "-o", out.to_str().unwrap(), "--threads", t, "--quiet"]);
            assert!(o.status.success(), "{}", stderr(&o));
            (out, stderr(&o))
        })
        .collect();
    let (one, err) = &outputs[0];
    assert!(err.contains(&format!("{}:14: not JSON", corpus.display())), "{err}");
    assert!(err.contains("duplicate document id \"d40\""), "{err}");
    assert!(err.contains(&format!("{}:51: date \"snart\" not understood", corpus.display())), "{err}");
    let at = format!("{}:", corpus.display());
    let said: Vec<usize> = err
        .lines()
        .filter_map(|l| l.split_once(&at))
        .map(|(_, rest)| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert!(said.len() > 400, "{} messages", said.len());
    assert!(said.windows(2).all(|w| w[0] <= w[1]), "messages out of input order: {said:?}");
    assert_eq!(said.last(), Some(&1501), "the bad last line is said last");
    assert_eq!(rows(&one.join("documents.csv")).len(), 1500 - 16 - 16, "bad and empty lines skipped");
    for (out, e) in &outputs[1..] {
        for f in FILES {
            assert_eq!(fs::read(one.join(f)).unwrap(), fs::read(out.join(f)).unwrap(), "{f}: {}", out.display());
        }
        assert_eq!(e, err, "messages of {}", out.display());
    }
}
