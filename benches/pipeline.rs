//! Criterion benchmarks on generated Danish text: the automaton alone (and
//! the aho-corasick configurations it could use), one document through every
//! per-document stage, and the whole pipeline writing every output.
//!
//! `cargo bench --bench pipeline`; `cargo bench --bench pipeline -- matcher` for one group.

use std::hint::black_box;
use std::io::Write;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kommunegraf::diag::Diagnostics;
use kommunegraf::dict::Dictionary;
use kommunegraf::fold::{fold, fold_into};
use kommunegraf::furniture::Furniture;
use kommunegraf::matcher::Matcher;
use kommunegraf::pipeline::{self, Extractor, Options};

#[path = "../tests/support/xorshift.rs"]
mod xorshift;
use xorshift::XorShift;

/// Deterministic Danish-looking articles naming entities of the shipped
/// dictionaries, people by given name and role, and some site furniture.
fn corpus(docs: usize) -> Vec<String> {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let names: Vec<&str> = dict.entities.iter().map(|e| e.label.as_str()).collect();
    let people = ["Jens Hansen", "Mette Kjær Olsen", "Anne-Marie Dahl", "Søren Lund", "Peter Egelund"];
    let mut rng = XorShift::fixed();
    let mut next = |n: usize| rng.below(n);
    let templates = [
        "{A} har indgået en aftale med {B} om drift af it-systemerne, og det koster 12 mio. kr. om året.",
        "\"Vi er glade for samarbejdet,\" siger it-chef {P}, der er it-chef i {A}.",
        "Ifølge {B} var udbuddet i strid med reglerne, skriver Computerworld.",
        "Kontrakten med {A}s leverandør udløber kl. 12 den 26. januar 2026, oplyser {P}.",
        "På vejen mod en løsning har {A} og {B} mødtes flere gange i Aarhus.",
        "Borgmester {P} kalder det en KMD-kontrakt uden konkurrence.",
    ];
    (0..docs)
        .map(|_| {
            let mut text = String::from("Overskrift om kommunal it\n\n");
            for _ in 0..12 {
                let t = templates[next(templates.len())];
                let s = t
                    .replace("{A}", names[next(names.len())])
                    .replace("{B}", names[next(names.len())])
                    .replace("{P}", people[next(people.len())]);
                text.push_str(&s);
                text.push_str(if next(3) == 0 { "\n\n" } else { " " });
            }
            text.push_str("\n\nLæses lige nu\n\nNavnenyt fra it-Danmark\n\nNetcompany har ansat en ny direktør.\n");
            text
        })
        .collect()
}

fn bench_matcher(c: &mut Criterion) {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let text = corpus(300).join("\n\n");
    let matcher = Matcher::new(&dict).unwrap();
    let mut g = c.benchmark_group("matcher");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    let (mut folded, mut out) = (Vec::new(), Vec::new());
    g.bench_function("candidates (fold + anchored NFA walks from word starts + boundary/case rules)", |b| {
        b.iter(|| {
            matcher.candidates(black_box(&text), &mut folded, &mut out);
            out.len()
        })
    });
    fold_into(&text, &mut folded);
    g.bench_function("fold only", |b| b.iter(|| fold_into(black_box(&text), &mut folded)));
    // The unanchored scans one could use instead, before any boundary check.
    let patterns: Vec<String> = dict.aliases.iter().map(|a| fold(&a.text)).collect();
    for (name, kind) in [
        ("dfa", AhoCorasickKind::DFA),
        ("contiguous-nfa", AhoCorasickKind::ContiguousNFA),
        ("noncontiguous-nfa", AhoCorasickKind::NoncontiguousNFA),
    ] {
        let ac = AhoCorasick::builder().match_kind(MatchKind::Standard).kind(Some(kind)).build(&patterns).unwrap();
        g.bench_function(format!("scan overlapping {name}"), |b| {
            b.iter(|| ac.find_overlapping_iter(black_box(folded.as_slice())).count())
        });
    }
    let ll = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .unwrap();
    g.bench_function("scan leftmost-longest dfa (no overlaps)", |b| {
        b.iter(|| ll.find_iter(black_box(folded.as_slice())).count())
    });
    g.finish();
}

fn bench_extract(c: &mut Criterion) {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let docs = corpus(100);
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    for (name, discover) in [("with discovery", true), ("dictionary only", false)] {
        let mut ex = Extractor::new(&dict, Furniture::embedded(&mut diag)).unwrap();
        if !discover {
            ex.discoverer = None;
        }
        let mut out = Vec::new();
        g.bench_function(name, |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| {
                        ex.extract(black_box(d), &mut out);
                        out.len()
                    })
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    for (i, text) in corpus(400).iter().enumerate() {
        writeln!(f, "{}", serde_json::json!({"id": format!("d{i}"), "text": text})).unwrap();
    }
    drop(f);
    let bytes = std::fs::metadata(&input).unwrap().len();
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    for threads in [1, 2] {
        let mut opts = Options::new(vec![input.clone()], dir.path().join(format!("out{threads}")), &mut diag);
        opts.threads = threads;
        g.bench_function(format!("run, every output, {threads} thread(s)"), |b| {
            b.iter(|| pipeline::run(&dict, &opts).unwrap().mentions)
        });
    }
    g.finish();
}

criterion_group!(benches, bench_matcher, bench_extract, bench_pipeline);
criterion_main!(benches);
