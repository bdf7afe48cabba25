//! The `kommunegraf` command line: parses arguments and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kommunegraf::Window;
use kommunegraf::diag::{Diagnostics, Severity};
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{self, Options};

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

#[derive(Subcommand)]
enum Command {
    /// Find the entities of the dictionaries in INPUT and write tables and graphs.
    Run {
        /// .txt/.md files, directories of them (recursive), or .jsonl corpora
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output directory
        #[arg(short, long, default_value = "output")]
        out: PathBuf,
        /// Co-mention window: sentence, paragraph or document
        #[arg(long, default_value = "paragraph")]
        window: Window,
        /// Add a dictionary CSV, or a directory of them (repeatable)
        #[arg(long = "dict")]
        dicts: Vec<PathBuf>,
        /// Do not load the dictionaries built into the binary
        #[arg(long)]
        no_default_dict: bool,
        /// Print nothing but errors
        #[arg(short, long)]
        quiet: bool,
    },
}

fn report(diag: &Diagnostics) {
    for d in &diag.items {
        eprintln!("{d}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { inputs, out, window, dicts, no_default_dict, quiet } => {
            let mut diag = Diagnostics::default();
            let dict = pipeline::load_dictionaries(&dicts, no_default_dict, &mut diag);
            report(&diag);
            if dict.entities.is_empty() {
                eprintln!("error: no dictionary entities loaded; nothing to look for");
                return ExitCode::from(1);
            }
            let furniture = Furniture::embedded(&mut diag);
            let opts = Options { inputs, out_dir: out, window, furniture };
            match pipeline::run(&dict, &opts) {
                Ok(summary) => {
                    report(&summary.diagnostics);
                    diag.extend(summary.diagnostics);
                    if !quiet {
                        eprintln!(
                            "kommunegraf: {} documents, {} mentions of {} entities; graph {} nodes, {} edges; {} warnings, {} errors; wrote {}",
                            summary.documents,
                            summary.mentions,
                            summary.entities,
                            summary.nodes,
                            summary.edges,
                            diag.count(Severity::Warning),
                            diag.count(Severity::Error),
                            opts.out_dir.display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
