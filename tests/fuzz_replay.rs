//! Replays the fuzz seeds and findings (`fuzz/seeds/`, `fuzz/corpus/` when
//! present) through the fuzz targets on stable Rust, so every input a fuzzer
//! once choked on stays a regression test.

use std::fs;
use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in [root.join("seeds").join(target), root.join("corpus").join(target), root.join("artifacts").join(target)]
    {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for file in files {
            // A running fuzzer may remove files between listing and reading.
            let Ok(bytes) = fs::read(&file) else { continue };
            f(&bytes);
            n += 1;
        }
    }
    n
}

#[test]
fn matcher_inputs() {
    assert!(replay("matcher", kommunegraf::fuzz_targets::matcher) > 0);
}

#[test]
fn reader_inputs() {
    assert!(replay("reader", kommunegraf::fuzz_targets::reader) > 0);
}

#[test]
fn segment_inputs() {
    assert!(replay("segment", kommunegraf::fuzz_targets::segment) > 0);
}
