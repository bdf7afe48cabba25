//! The `kommunegraf` command line: parses arguments and calls the library.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kommunegraf::diag::{Diagnostics, Severity};
use kommunegraf::export::Format;
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{self, Options};
use kommunegraf::{GraphOptions, Weighting, Window};

/// Workers allocate per document, and the worker that merges the document
/// (often another) frees what they allocated; mimalloc's per-thread heaps
/// take those cross-thread frees without the locking glibc's arenas need.
/// Built without transparent huge pages (feature `no_thp`): with them the
/// kernel cleared 2 MB per fault, and the 100 MB bench run was slower and
/// held twice the memory.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kommunegraf",
    version,
    about = "Entity tables and co-mention graphs from Danish public-sector IT news"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct RunArgs {
    /// .txt/.md files, directories of them (recursive), or .jsonl corpora
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output directory
    #[arg(short, long, default_value = "output")]
    out: PathBuf,
    /// Co-mention window: sentence, paragraph, document, or words:N (sliding)
    #[arg(long, default_value = "paragraph")]
    window: Window,
    /// Edge weight: count, jaccard, dice, npmi or assoc
    #[arg(long, default_value = "count")]
    weight: Weighting,
    /// Drop edges shared by fewer than K windows
    #[arg(long, value_name = "K", default_value_t = 1)]
    min_count: u64,
    /// Drop edges found in fewer than K documents
    #[arg(long, value_name = "K", default_value_t = 1)]
    min_docs: u64,
    /// Keep only each node's K strongest edges
    #[arg(long, value_name = "K")]
    top_edges: Option<usize>,
    /// Keep only entities of these types (comma-separated)
    #[arg(long, value_delimiter = ',')]
    types: Option<Vec<String>>,
    /// Link no entities of a window naming more than N of them: it is a list (0: no limit)
    #[arg(long, value_name = "N", default_value_t = pipeline::MAX_WINDOW_ENTITIES)]
    max_window_entities: usize,
    /// Keep nodes that have no edge
    #[arg(long)]
    keep_isolates: bool,
    /// Graph files to write: csv, gexf, graphml, json, dot, all (comma-separated)
    #[arg(long, default_value = "all")]
    format: Formats,
    /// Add a dictionary CSV, or a directory of them (repeatable)
    #[arg(long = "dict")]
    dicts: Vec<PathBuf>,
    /// Do not load the dictionaries built into the binary
    #[arg(long)]
    no_default_dict: bool,
    /// Site-furniture markers to use instead of the shipped ones (KIND<TAB>REGEX lines)
    #[arg(long, value_name = "PATH")]
    furniture: Option<PathBuf>,
    /// Only dictionary entities: do not discover people, companies and agencies
    #[arg(long)]
    no_discover: bool,
    /// Worker threads (default: one per core); the output is the same for any number
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Write CSV cells as they are (by default text starting with = + - @ gets a leading ')
    #[arg(long)]
    raw_csv: bool,
    /// Print nothing but warnings and errors
    #[arg(short, long)]
    quiet: bool,
    /// Print where the time went: each phase of the run, and each stage of the
    /// per-document work summed over the workers (on stderr, even with --quiet)
    #[arg(long)]
    timings: bool,
}

/// A comma-separated list of graph formats.
#[derive(Clone)]
struct Formats(Vec<Format>);

impl std::str::FromStr for Formats {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::parse_list(s).map(Formats)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Find the entities of the dictionaries in INPUT and write tables and graphs.
    Run(RunArgs),
    /// Dictionary tools.
    #[command(subcommand)]
    Dict(DictCommand),
    /// Show how a sentence is matched: every alias hit and the rule that accepted
    /// or rejected it, the mentions kept, and what discovery found.
    Match(MatchArgs),
    /// Score mentions against hand-made gold entities (precision, recall, F1 per
    /// type and for co-mention edges), as shared/eval/score.py does.
    Eval(EvalArgs),
}

#[derive(Subcommand)]
enum DictCommand {
    /// Check dictionaries: missing columns, duplicate ids, aliases shared by
    /// entities, aliases that are common Danish words, too-short aliases.
    /// Exits non-zero when there are errors.
    Check {
        /// Dictionary files or directories to check (with the shipped ones unless --no-default-dict)
        #[arg(long = "dict")]
        dicts: Vec<PathBuf>,
        /// Check only the given dictionaries
        #[arg(long)]
        no_default_dict: bool,
    },
}

#[derive(clap::Args)]
struct MatchArgs {
    /// The text (read from standard input when absent)
    text: Option<String>,
    /// Add a dictionary (repeatable)
    #[arg(long = "dict")]
    dicts: Vec<PathBuf>,
    /// Do not load the dictionaries built into the binary
    #[arg(long)]
    no_default_dict: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Gold entities: JSON Lines of {"id", "entities": [{"name", "type", "surfaces"}]}
    #[arg(long)]
    gold: PathBuf,
    /// A mentions.csv to score (or give CORPUS inputs to run on first)
    #[arg(long, conflicts_with = "corpus")]
    mentions: Option<PathBuf>,
    /// Corpus to run on with the shipped dictionaries (plus --dict), then score
    corpus: Vec<PathBuf>,
    /// Add a dictionary for the run (repeatable)
    #[arg(long = "dict")]
    dicts: Vec<PathBuf>,
    /// List up to N false positives and negatives
    #[arg(long, default_value_t = 0, value_name = "N")]
    errors: usize,
}

fn report(diag: &Diagnostics) {
    for d in &diag.items {
        eprintln!("{d}");
    }
}

fn run(a: RunArgs) -> ExitCode {
    let mut diag = Diagnostics::default();
    let started = std::time::Instant::now();
    let dict = pipeline::load_dictionaries(&a.dicts, a.no_default_dict, &mut diag);
    let furniture = match &a.furniture {
        None => Furniture::embedded(&mut diag),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Furniture::parse(&path.display().to_string(), &text, &mut diag),
            Err(e) => {
                eprintln!("error: {}: cannot read furniture markers: {e}", path.display());
                return ExitCode::from(1);
            }
        },
    };
    let loaded = started.elapsed();
    report(&diag);
    if dict.entities.is_empty() {
        eprintln!("error: no dictionary entities loaded; nothing to look for");
        return ExitCode::from(1);
    }
    let opts = Options {
        inputs: a.inputs,
        out_dir: a.out,
        window: a.window,
        graph: GraphOptions {
            weight: a.weight,
            min_count: a.min_count,
            min_docs: a.min_docs,
            top_edges: a.top_edges,
            types: a.types.map(|t| t.into_iter().map(|s| s.trim().to_lowercase()).collect()),
            keep_isolates: a.keep_isolates,
        },
        formats: a.format.0,
        furniture,
        discover: !a.no_discover,
        threads: a.threads,
        raw_csv: a.raw_csv,
        max_window_entities: a.max_window_entities,
        // Only for a person watching: a terminal, and not --quiet.
        progress: !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        timings: a.timings,
    };
    let summary = match pipeline::run(&dict, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(1);
        }
    };
    report(&summary.diagnostics);
    if let Some(mut t) = summary.timings {
        t.phases.insert(0, ("dictionaries", loaded));
        eprint!("{t}");
    }
    diag.extend(summary.diagnostics);
    let (warnings, errors) = (diag.count(Severity::Warning), diag.count(Severity::Error));
    if !a.quiet {
        eprintln!(
            "kommunegraf: {} documents, {} mentions of {} entities; graph {} nodes, {} edges; {warnings} warnings, {errors} errors; wrote {}",
            summary.documents,
            summary.mentions,
            summary.entities,
            summary.nodes,
            summary.edges,
            opts.out_dir.display()
        );
    }
    if summary.documents == 0 && errors > 0 {
        eprintln!("error: no document could be read");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn explain(a: MatchArgs) -> ExitCode {
    let text = match a.text {
        Some(t) => t,
        None => {
            let mut buf = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut buf) {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(1);
            }
            buf
        }
    };
    let mut diag = Diagnostics::default();
    let dict = pipeline::load_dictionaries(&a.dicts, a.no_default_dict, &mut diag);
    let furniture = Furniture::embedded(&mut diag);
    report(&diag);
    match pipeline::Extractor::new(&dict, furniture) {
        Ok(mut ex) => {
            print!("{}", pipeline::explain(&mut ex, &text));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn dict_check(dicts: &[PathBuf], no_default: bool) -> ExitCode {
    let mut diag = Diagnostics::default();
    let dict = pipeline::load_dictionaries(dicts, no_default, &mut diag);
    kommunegraf::check::check(&dict, &mut diag);
    report(&diag);
    print!("{}", kommunegraf::check::summary(&dict, &diag));
    if diag.count(Severity::Error) > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn eval(a: EvalArgs) -> ExitCode {
    let result = (|| -> anyhow::Result<String> {
        let gold = kommunegraf::eval::load_gold(&a.gold)?;
        let tmp;
        let mentions = match (&a.mentions, a.corpus.is_empty()) {
            (Some(m), _) => m.clone(),
            (None, false) => {
                let mut diag = Diagnostics::default();
                let dict = pipeline::load_dictionaries(&a.dicts, false, &mut diag);
                tmp = std::env::temp_dir().join(format!("kommunegraf-eval-{}", std::process::id()));
                let mut opts = Options::new(a.corpus.clone(), tmp.clone(), &mut diag);
                opts.formats = vec![Format::Csv];
                let summary = pipeline::run(&dict, &opts)?;
                report(&diag);
                report(&summary.diagnostics);
                tmp.join("mentions.csv")
            }
            (None, true) => anyhow::bail!("give --mentions FILE or CORPUS inputs"),
        };
        let pred = kommunegraf::eval::load_mentions(&mentions)?;
        let score = kommunegraf::eval::score(&gold, &pred);
        if a.mentions.is_none() {
            let _ = std::fs::remove_dir_all(mentions.parent().unwrap_or(&mentions));
        }
        Ok(kommunegraf::eval::table(&score, a.errors))
    })();
    match result {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run(args) => run(args),
        Command::Eval(args) => eval(args),
        Command::Match(args) => explain(args),
        Command::Dict(DictCommand::Check { dicts, no_default_dict }) => dict_check(&dicts, no_default_dict),
    }
}
