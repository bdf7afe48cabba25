//! Writing the tables and the graph, one submodule per graph format.
//!
//! Every file is written under a temporary name in the output directory and
//! renamed into place only when the whole run has succeeded, so a failed run
//! never leaves half-written or mixed outputs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[cfg(target_os = "linux")]
pub mod direct;
pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod json;
pub mod tables;

/// An output directory whose files appear all at once, on [`OutputDir::commit`].
pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
    /// Files flushed and being synced to disk, each on its own thread: the
    /// run goes on writing the next file meanwhile, and [`OutputDir::commit`]
    /// waits for them all.
    syncing: Vec<(String, std::thread::JoinHandle<io::Result<()>>)>,
}

impl OutputDir {
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(OutputDir { dir: dir.to_path_buf(), pending: Vec::new(), syncing: Vec::new() })
    }

    /// A buffered writer for `name`, written to a temporary file for now.
    pub fn create(&mut self, name: &str) -> io::Result<BufWriter<File>> {
        self.create_with_capacity(name, 1 << 16)
    }

    /// [`OutputDir::create`] with a buffer of `capacity` bytes.
    pub fn create_with_capacity(&mut self, name: &str, capacity: usize) -> io::Result<BufWriter<File>> {
        Ok(BufWriter::with_capacity(capacity, self.create_file(name)?.0))
    }

    /// The temporary file of `name`, and its path.
    fn create_file(&mut self, name: &str) -> io::Result<(File, PathBuf)> {
        let tmp = self.dir.join(format!(".{name}.partial-{}", std::process::id()));
        let f = File::create(&tmp)?;
        self.pending.push((tmp.clone(), self.dir.join(name)));
        Ok((f, tmp))
    }

    /// Flush `w` (an error shows now) and sync it to disk in the background;
    /// [`OutputDir::commit`] waits for the sync.
    pub fn finish(&mut self, name: &str, w: BufWriter<File>) -> io::Result<()> {
        let f = w.into_inner().map_err(|e| e.into_error())?;
        self.sync_in_background(name, move || f.sync_all());
        Ok(())
    }

    fn sync_in_background(&mut self, name: &str, sync: impl FnOnce() -> io::Result<()> + Send + 'static) {
        self.syncing.push((name.to_string(), std::thread::spawn(sync)));
    }

    /// Wait until every finished file is on disk, then move them all into
    /// place. An error names the file.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let mut first = Ok(());
        for (name, sync) in std::mem::take(&mut self.syncing) {
            let result = sync.join().unwrap_or_else(|_| Err(io::Error::other("the sync thread panicked")));
            if let (Err(e), Ok(())) = (result, &first) {
                first = Err(io::Error::new(e.kind(), format!("{name}: {e}")));
            }
        }
        first?;
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
        for (_, sync) in self.syncing.drain(..) {
            let _ = sync.join();
        }
        for (tmp, _) in &self.pending {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// The buffer of a streamed table: mentions.csv is larger than the corpus,
/// and 1 MB writes took 2–4% less of a run's time than 64 KB ones (medians
/// of 10 runs on 100 MB, three series).
const STREAMED_BUFFER: usize = 1 << 20;

/// Bytes of a streamed table between background syncs.
const SYNC_EVERY: u64 = 2 << 20;

/// A table written as the run goes (mentions.csv can outgrow the corpus):
/// with direct writes where the file system takes them (Linux: `direct`),
/// else through a buffer and the page cache.
pub struct StreamedTable(Streamed);

enum Streamed {
    #[cfg(target_os = "linux")]
    Direct(direct::DirectTable),
    /// Every 2 MB its data is handed to the disk by a background thread, so
    /// the fsync that ends the run waits only for the last stretch instead
    /// of all of it (0.25 s of a 2.6 s run on 100 MB, measured). The other
    /// files' final syncs wait for that stretch too (ext4 commits the
    /// pending data of every file with the journal): 8 MB stretches left
    /// 17–20 ms of syncing after the last file was written, 2 MB ones 4–5 ms.
    Buffered {
        w: BufWriter<File>,
        unsynced: u64,
        syncer: Option<(std::sync::mpsc::SyncSender<File>, std::thread::JoinHandle<io::Result<()>>)>,
    },
}

impl StreamedTable {
    /// The table `name` of `out`, empty.
    pub fn create(out: &mut OutputDir, name: &str) -> io::Result<Self> {
        let (f, path) = out.create_file(name)?;
        #[cfg(target_os = "linux")]
        let f = match direct::DirectTable::open(&path, f) {
            Ok(d) => return Ok(StreamedTable(Streamed::Direct(d))),
            Err(f) => f,
        };
        #[cfg(not(target_os = "linux"))]
        let _ = path;
        Ok(StreamedTable(Streamed::Buffered {
            w: BufWriter::with_capacity(STREAMED_BUFFER, f),
            unsynced: 0,
            syncer: None,
        }))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.0 {
            #[cfg(target_os = "linux")]
            Streamed::Direct(d) => d.write_all(bytes),
            Streamed::Buffered { w, unsynced, syncer } => {
                w.write_all(bytes)?;
                *unsynced += bytes.len() as u64;
                if *unsynced >= SYNC_EVERY {
                    *unsynced = 0;
                    w.flush()?;
                    sync_in_background(w.get_ref(), syncer)?;
                }
                Ok(())
            }
        }
    }

    /// Write what is buffered now (an error shows now); the syncs under way
    /// and the sync of the rest finish in the background, and `out`'s
    /// commit waits for them.
    pub fn finish(self, out: &mut OutputDir, name: &str) -> io::Result<()> {
        let (f, syncer) = match self.0 {
            #[cfg(target_os = "linux")]
            Streamed::Direct(d) => (d.finish()?, None),
            Streamed::Buffered { w, syncer, .. } => (w.into_inner().map_err(|e| e.into_error())?, syncer),
        };
        out.sync_in_background(name, move || {
            if let Some((tx, handle)) = syncer {
                drop(tx);
                handle.join().map_err(|_| io::Error::other("the background sync thread panicked"))??;
            }
            f.sync_all()
        });
        Ok(())
    }
}

/// Have a thread sync `file`'s data to disk, unless a sync is under way.
fn sync_in_background(
    file: &File,
    syncer: &mut Option<(std::sync::mpsc::SyncSender<File>, std::thread::JoinHandle<io::Result<()>>)>,
) -> io::Result<()> {
    let file = file.try_clone()?;
    let (tx, _) = syncer.get_or_insert_with(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<File>(1);
        // The clone shares the file's error state with `w`: an error
        // seen here is kept and returned by `finish`.
        let handle = std::thread::spawn(move || {
            let mut first = Ok(());
            for f in rx {
                if let (Err(e), Ok(())) = (f.sync_data(), &first) {
                    first = Err(e);
                }
            }
            first
        });
        (tx, handle)
    });
    // A sync still running is enough: never make the run wait here.
    let _ = tx.try_send(file);
    Ok(())
}

pub fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(w)
}

/// Appends `field` to `out` as [`csv_writer`] writes it: in quotes, with
/// quotes doubled, when it holds a comma, a quote, CR or LF; else as it is.
pub fn escape_field(field: &[u8], out: &mut Vec<u8>) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.reserve(field.len() + 2);
    out.push(b'"');
    // Quotes found by memchr: most quoted fields are sentences with a comma
    // and no quote, copied whole.
    let mut from = 0;
    for q in memchr::memchr_iter(b'"', field) {
        out.extend_from_slice(&field[from..=q]);
        out.push(b'"');
        from = q + 1;
    }
    out.extend_from_slice(&field[from..]);
    out.push(b'"');
}

/// Whether a field holds a comma, a quote, CR or LF. Sixteen bytes a step
/// with SSE2 (one pass for all four bytes: a sentence took two searches
/// before, each with its set-up), the rest a byte at a time.
fn needs_quotes(field: &[u8]) -> bool {
    let is_special = |b: &u8| matches!(b, b',' | b'"' | b'\n' | b'\r');
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= field.len() {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads
        // bytes i..i+16, inside `field` (an unaligned load is allowed).
        let bits = unsafe {
            let x = _mm_loadu_si128(field.as_ptr().add(i).cast::<__m128i>());
            let eq = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(eq(b','), eq(b'"')), _mm_or_si128(eq(b'\n'), eq(b'\r'))))
        };
        if bits != 0 {
            return true;
        }
        i += 16;
    }
    field[i..].iter().any(is_special)
}

/// A CSV row written by hand into a buffer, byte for byte as [`csv_writer`]
/// would write it. For mentions.csv, which has a row per mention: a field
/// costs one scan and one copy, and a field escaped once can be written
/// again as it is ([`Row::escaped`], [`Row::again`]; mentions of one
/// sentence share their context).
pub struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Row { out, first: true }
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    pub fn field(&mut self, field: &[u8]) {
        self.separate();
        escape_field(field, self.out);
    }

    /// A field already passed through [`escape_field`].
    pub fn escaped(&mut self, field: &[u8]) {
        self.separate();
        self.out.extend_from_slice(field);
    }

    /// A field escaped by `write` straight into the row; returns where it
    /// stands in the buffer, for [`Row::again`].
    pub fn written(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> std::ops::Range<usize> {
        self.separate();
        let at = self.out.len();
        write(self.out);
        at..self.out.len()
    }

    /// A field of an earlier row of the same buffer ([`Row::written`]), again.
    pub fn again(&mut self, field: std::ops::Range<usize>) {
        self.separate();
        self.out.extend_from_within(field);
    }

    pub fn end(self) {
        self.out.push(b'\n');
    }
}

/// A CSV cell safe to open in a spreadsheet: text starting with `=`, `+`,
/// `-`, `@`, tab or CR (which Excel and LibreOffice run as a formula) gets a
/// leading `'`, unless it is a number. `raw` turns this off (`--raw-csv`).
pub fn cell(s: &str, raw: bool) -> std::borrow::Cow<'_, str> {
    let risky = opens_like_formula(s.as_bytes());
    if raw || !risky || s.parse::<f64>().is_ok() { s.into() } else { format!("'{s}").into() }
}

/// Whether `s` goes into a CSV file as it is: [`cell`] leaves it alone and
/// [`escape_field`] does not quote it.
pub fn is_plain_cell(s: &[u8]) -> bool {
    !opens_like_formula(s) && !s.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// Whether a cell opens with `=`, `+`, `-`, `@`, tab or CR (see [`cell`]).
/// All six are ASCII: the first byte tells, and no character is decoded.
fn opens_like_formula(s: &[u8]) -> bool {
    matches!(s.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// The text of a cell written by [`cell`]: the leading `'` removed where
/// `cell` added it, so tables read back as they were meant.
pub fn uncell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if cell(rest, false) == s => rest,
        _ => s,
    }
}

/// The graph formats `--format` chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// nodes.csv and edges.csv
    Csv,
    Gexf,
    Graphml,
    Json,
    Dot,
}

pub const FORMAT_VALUES: &str = "csv, gexf, graphml, json, dot, all";

impl Format {
    pub const ALL: [Format; 5] = [Format::Csv, Format::Gexf, Format::Graphml, Format::Json, Format::Dot];

    /// A comma-separated list of formats (`all` for every one).
    pub fn parse_list(s: &str) -> Result<Vec<Format>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim) {
            match part {
                "all" => out.extend(Format::ALL),
                "csv" => out.push(Format::Csv),
                "gexf" => out.push(Format::Gexf),
                "graphml" => out.push(Format::Graphml),
                "json" => out.push(Format::Json),
                "dot" => out.push(Format::Dot),
                other => return Err(format!("unknown format {other:?}; valid: {FORMAT_VALUES}")),
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
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

/// An optional date as ISO text, empty when absent.
pub fn date(d: Option<crate::date::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// `#rrggbb` for a kind.
pub fn kind_hex(kind: &str) -> String {
    let (r, g, b) = kind_colour(kind);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Node size from its mention count: grows slowly so hubs do not hide the rest.
pub fn node_size(mentions: u64) -> f64 {
    ((4.0 + 4.0 * (mentions as f64).ln_1p()) * 100.0).round() / 100.0
}

/// A double that always has a dot (`3.0`, `0.285714`), at most 6 decimals.
///
/// Counts and node sizes, whole or in hundredths (as good as every number
/// of a graph file), are written by hand: `{:.6}` took ~2,700 instructions
/// a number. (Below 10^9 the double nearest to a number of hundredths is
/// within 6·10^-8 of it, so six decimals give that number.)
pub fn fmt_double(x: f64) -> String {
    let hundredths = (x * 100.0).round();
    if x.is_sign_positive() && hundredths < 1e11 && hundredths / 100.0 == x {
        let h = hundredths as u64;
        let mut s = String::with_capacity(16);
        s.push_str(itoa::Buffer::new().format(h / 100));
        let (tenths, rest) = ((h % 100 / 10) as u8, (h % 10) as u8);
        s.push('.');
        s.push(char::from(b'0' + tenths));
        if rest != 0 {
            s.push(char::from(b'0' + rest));
        }
        return s;
    }
    six_decimals(x)
}

/// `x` with six decimals, the trailing zeros cut but one after the dot: what
/// [`fmt_double`] writes for every number.
fn six_decimals(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0');
    if s.ends_with('.') { format!("{s}0") } else { s.to_string() }
}

/// Names that a dictionary attribute may not take in graph files, because
/// readers give them a meaning (`type` breaks Gephi Lite's renderer) or the
/// exporter already uses them.
const RESERVED: &[&str] = &[
    "id",
    "label",
    "type",
    "kind",
    "mentions",
    "documents",
    "windows",
    "first_seen",
    "last_seen",
    "size",
    "color",
    "x",
    "y",
    "weight",
    "source",
    "target",
    "key",
];

/// The name a dictionary attribute gets in graph files.
pub fn attr_key(name: &str) -> String {
    if RESERVED.contains(&name.to_lowercase().as_str()) { format!("dict_{name}") } else { name.to_string() }
}

/// Text safe for XML 1.0: markup characters escaped, control characters
/// (which XML 1.0 forbids or readers reject) dropped. Written where it is
/// formatted (`{}`), in slices of the text between the characters it
/// changes: no string of its own.
pub fn xml_text(s: &str) -> XmlText<'_> {
    XmlText(s)
}

/// See [`xml_text`].
pub struct XmlText<'a>(&'a str);

impl std::fmt::Display for XmlText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        let mut from = 0;
        for (i, c) in s.char_indices() {
            let escaped = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                '\u{FFFE}' | '\u{FFFF}' => "",
                c if c.is_control() => "",
                _ => continue,
            };
            f.write_str(&s[from..i])?;
            f.write_str(escaped)?;
            from = i + c.len_utf8();
        }
        f.write_str(&s[from..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Rows written by hand are the rows the csv crate writes.
        #[test]
        fn hand_written_rows_match_the_csv_crate(fields in proptest::collection::vec(
            proptest::collection::vec(proptest::sample::select(vec!["a", "æ", ",", "\"", "\n", "\r", " ", "'", "#", ""]), 0..40)
                .prop_map(|p| p.concat()),
            2..6,
        )) {
            let mut w = csv_writer(Vec::new());
            w.write_record(&fields).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            let mut row = Row::new(&mut got);
            for (i, f) in fields.iter().enumerate() {
                if i % 2 == 0 {
                    row.field(f.as_bytes());
                } else {
                    let mut e = Vec::new();
                    escape_field(f.as_bytes(), &mut e);
                    row.escaped(&e);
                }
            }
            row.end();
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }

    proptest! {
        /// A plain cell is written as it stands, raw or not.
        #[test]
        fn plain_cells_are_written_as_they_are(parts in proptest::collection::vec(
            proptest::sample::select(vec!["a", "Æ", ",", "\"", "\n", "\r", " ", "-", "=", "+", "@", "\t", "1", "."]), 0..8
        )) {
            let s = parts.concat();
            for raw in [false, true] {
                let mut e = Vec::new();
                escape_field(cell(&s, raw).as_bytes(), &mut e);
                prop_assert!(!is_plain_cell(s.as_bytes()) || e == s.as_bytes(), "{:?} raw {}", s, raw);
            }
        }
    }

    /// Long fields take the memchr path: each special byte alone must still
    /// quote the field, as the csv crate does.
    #[test]
    fn long_fields_with_one_special_byte_are_quoted_like_the_csv_crate() {
        for special in [",", "\"", "\n", "\r"] {
            let field = format!("{}{special}{}", "a".repeat(30), "æ".repeat(10));
            let mut w = csv_writer(Vec::new());
            w.write_record([&field]).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            escape_field(field.as_bytes(), &mut got);
            got.push(b'\n');
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{special:?}");
        }
    }

    proptest! {
        /// The text written in slices is the text made a character at a time.
        #[test]
        fn xml_text_in_slices_is_the_text_a_character_at_a_time(s in "[a&<>\"'æ\u{1}\u{7f}\u{85}\u{FFFE}\u{FFFF}👍 ]{0,40}") {
            let mut want = String::new();
            for c in s.chars() {
                match c {
                    '&' => want.push_str("&amp;"),
                    '<' => want.push_str("&lt;"),
                    '>' => want.push_str("&gt;"),
                    '"' => want.push_str("&quot;"),
                    '\'' => want.push_str("&apos;"),
                    '\u{FFFE}' | '\u{FFFF}' => {}
                    c if c.is_control() => {}
                    c => want.push(c),
                }
            }
            prop_assert_eq!(xml_text(&s).to_string(), want);
        }
    }

    #[test]
    fn xml_text_escapes_and_drops_controls() {
        assert_eq!(xml_text("A & B <c> \"d\" 'e'").to_string(), "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;");
        assert_eq!(xml_text("x\u{1}y\u{7f}z\u{200f}æ👍").to_string(), "xyz\u{200f}æ👍");
    }

    #[test]
    fn formulas_are_neutralised_unless_raw() {
        assert_eq!(cell("=SUM(A1:A9)", false), "'=SUM(A1:A9)");
        assert_eq!(cell("+45 1234", false), "'+45 1234");
        assert_eq!(cell("@kl", false), "'@kl");
        assert_eq!(cell("-12.5", false), "-12.5");
        assert_eq!(cell("KMD", false), "KMD");
        assert_eq!(cell("=SUM(A1:A9)", true), "=SUM(A1:A9)");
        // Each of the six openers is guarded, and nothing else: not a dash
        // outside ASCII, not a letter.
        for c in ['=', '+', '-', '@', '\t', '\r'] {
            assert_eq!(cell(&format!("{c}x"), false), format!("'{c}x"), "{c:?}");
        }
        for s in ["–x", "æx", " =x", ""] {
            assert_eq!(cell(s, false), s, "{s:?}");
        }
        for s in ["=SUM(A1)", "+45", "@kl", "-x", "\tfane", "KMD", "'citat'", "-12.5"] {
            assert_eq!(uncell(&cell(s, false)), s, "{s:?}");
        }
    }

    #[test]
    fn doubles_always_have_a_dot() {
        assert_eq!(fmt_double(3.0), "3.0");
        assert_eq!(fmt_double(2.0 / 7.0), "0.285714");
        assert_eq!(fmt_double(0.5), "0.5");
        assert_eq!(fmt_double(12.05), "12.05");
        assert_eq!(fmt_double(-0.0), "-0.0");
    }

    proptest! {
        /// Whole numbers, hundredths (rounded as node sizes are) and any
        /// other double are written as six decimals would write them.
        #[test]
        fn doubles_by_hand_are_six_decimals_trimmed(
            n in 0u64..2_000_000_000_000,
            m in 0u64..100_000,
            x in proptest::num::f64::ANY,
            y in -1e12f64..1e12,
        ) {
            let hundredths = (n as f64 / 100.0, (n as f64 / 100.0 * 100.0).round() / 100.0);
            let size = ((4.0 + 4.0 * (m as f64).ln_1p()) * 100.0).round() / 100.0;
            for v in [n as f64, hundredths.0, hundredths.1, size, x, y, y.round(), (y * 100.0).round() / 100.0] {
                prop_assert_eq!(fmt_double(v), six_decimals(v), "{:?}", v);
            }
        }
    }

    #[test]
    fn formats_parse_or_list_valid_values() {
        assert_eq!(Format::parse_list("dot,csv"), Ok(vec![Format::Csv, Format::Dot]));
        assert_eq!(Format::parse_list("all").unwrap().len(), 5);
        assert!(Format::parse_list("gexf,pdf").unwrap_err().contains("csv, gexf, graphml, json, dot, all"));
    }

    #[test]
    fn reserved_attribute_names_are_renamed() {
        assert_eq!(attr_key("type"), "dict_type");
        assert_eq!(attr_key("region"), "region");
    }

    #[test]
    fn output_dir_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut out = OutputDir::new(dir.path()).unwrap();
            let mut w = out.create("a.csv").unwrap();
            w.write_all(b"x").unwrap();
            out.finish("a.csv", w).unwrap();
            // dropped without commit
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut out = OutputDir::new(dir.path()).unwrap();
        let mut w = out.create("a.csv").unwrap();
        w.write_all(b"x").unwrap();
        out.finish("a.csv", w).unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"x");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
