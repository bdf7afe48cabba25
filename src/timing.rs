//! Where a run's time goes (`--timings`): wall time per phase of the run
//! and per stage of the per-document work, measured at full speed on the
//! machine at hand (a profiler such as callgrind runs fifty times slower and
//! counts instructions, not time).
//!
//! Each worker carries a [`Stopwatch`] and ends a lap at every stage
//! boundary: the time since its last lap goes to the stage just finished.
//! Switched off, which is the default, a lap is one branch not taken.

use std::fmt;
use std::time::{Duration, Instant};

/// A stage of the per-document work, in the order data flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a turn to read (only with more than one worker).
    Wait,
    /// Reading and decoding documents.
    Read,
    /// Paragraphs and sentences.
    Segment,
    /// Site-furniture paragraphs.
    Furniture,
    /// The one pass over the characters: runs of letters, the automaton
    /// from the runs that may begin an alias, and name tokens.
    Scan,
    /// Context rules and the choice among overlapping candidates.
    Resolve,
    /// Discovery of people: runs of capitalised words, trimmed to a name.
    People,
    /// Discovery of companies (a legal form) and agencies (a suffix).
    Organisations,
    /// Discovered names in text order, and the shorter forms of the people
    /// named (a lone surname after the full name).
    ShortNames,
    /// What discovery found, placed in its sentences and named.
    Discover,
    /// The document's date (from the text when it has no date field).
    Date,
    /// The co-mention windows of each mention.
    Windows,
    /// Person–organisation relations (a title between the two names of a
    /// sentence) and their contexts.
    Relate,
    /// The mentions' contexts and the CSV rows.
    Rows,
    /// In input order: entities interned, rows written, graph counts.
    Merge,
}

const STAGES: usize = 15;

impl Stage {
    /// Every stage, in the order [`Timings`] prints them.
    pub const ALL: [Stage; STAGES] = [
        Stage::Wait,
        Stage::Read,
        Stage::Segment,
        Stage::Furniture,
        Stage::Scan,
        Stage::Resolve,
        Stage::People,
        Stage::Organisations,
        Stage::ShortNames,
        Stage::Discover,
        Stage::Date,
        Stage::Windows,
        Stage::Relate,
        Stage::Rows,
        Stage::Merge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Wait => "wait",
            Stage::Read => "read",
            Stage::Segment => "segment",
            Stage::Furniture => "furniture",
            Stage::Scan => "scan",
            Stage::Resolve => "resolve",
            Stage::People => "people",
            Stage::Organisations => "organisations",
            Stage::ShortNames => "short names",
            Stage::Discover => "discover",
            Stage::Date => "date",
            Stage::Windows => "windows",
            Stage::Relate => "relate",
            Stage::Rows => "rows",
            Stage::Merge => "merge",
        }
    }
}

/// The time one thread spent in each [`Stage`], or nothing when off.
#[derive(Debug, Clone, Default)]
pub struct Stopwatch {
    /// When the last lap ended; `None` when off.
    last: Option<Instant>,
    totals: [Duration; STAGES],
}

impl Stopwatch {
    /// A stopwatch running from now.
    pub fn started() -> Self {
        Stopwatch { last: Some(Instant::now()), totals: Default::default() }
    }

    /// A stopwatch that records nothing (the same as `default()`).
    pub fn off() -> Self {
        Stopwatch::default()
    }

    /// Ends a lap: the time since the last one was spent in `stage`.
    #[inline]
    pub fn lap(&mut self, stage: Stage) {
        if let Some(d) = split(&mut self.last) {
            self.totals[stage as usize] += d;
        }
    }

    /// Adds another thread's times to these.
    pub fn add(&mut self, other: &Stopwatch) {
        for (t, o) in self.totals.iter_mut().zip(&other.totals) {
            *t += *o;
        }
    }

    /// The time spent in `stage`.
    pub fn get(&self, stage: Stage) -> Duration {
        self.totals[stage as usize]
    }
}

/// The phases of a run, each timed once, in order.
#[derive(Debug, Clone, Default)]
pub struct Phases {
    last: Option<Instant>,
    pub done: Vec<(&'static str, Duration)>,
}

impl Phases {
    /// Phases timed from now on, or (`on` false) not at all.
    pub fn new(on: bool) -> Self {
        Phases { last: on.then(Instant::now), done: Vec::new() }
    }

    /// Ends the phase `name`, which began where the last one ended.
    pub fn end(&mut self, name: &'static str) {
        if let Some(d) = split(&mut self.last) {
            self.done.push((name, d));
        }
    }
}

/// The time since `last`, which then becomes now; `None` when not timing.
#[inline]
fn split(last: &mut Option<Instant>) -> Option<Duration> {
    let last = last.as_mut()?;
    let now = Instant::now();
    let d = now - *last;
    *last = now;
    Some(d)
}

/// What `--timings` prints.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// The phases of the run, in order (wall time).
    pub phases: Vec<(&'static str, Duration)>,
    /// The per-document stages, summed over the workers.
    pub stages: Stopwatch,
    pub threads: usize,
    /// Bytes of document text, for the rate of each stage.
    pub bytes: u64,
}

impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mb = self.bytes as f64 / 1e6;
        let wall: Duration = self.phases.iter().map(|p| p.1).sum();
        let plural = if self.threads == 1 { "" } else { "s" };
        writeln!(f, "timings: {mb:.1} MB of text in {:.3} s on {} thread{plural}", wall.as_secs_f64(), self.threads)?;
        writeln!(f, "  {:<24} {:>10}", "phase", "wall ms")?;
        for (name, d) in &self.phases {
            writeln!(f, "  {name:<24} {:>10.1}", ms(*d))?;
        }
        let busy: Duration = Stage::ALL.iter().map(|&s| self.stages.get(s)).sum();
        writeln!(
            f,
            "  {:<24} {:>10} {:>7} {:>9}",
            format!("stage (all {} thread{plural})", self.threads),
            "ms",
            "share",
            "MB/s"
        )?;
        for s in Stage::ALL {
            let d = self.stages.get(s);
            let share = if busy.is_zero() { 0.0 } else { 100.0 * d.as_secs_f64() / busy.as_secs_f64() };
            let rate = if d.is_zero() { String::from("-") } else { format!("{:.0}", mb / d.as_secs_f64()) };
            writeln!(f, "  {:<24} {:>10.1} {:>6.1}% {:>9}", s.name(), ms(d), share, rate)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lap_goes_to_the_stage_it_ends() {
        let mut w = Stopwatch::started();
        std::thread::sleep(Duration::from_millis(3));
        w.lap(Stage::Scan);
        w.lap(Stage::Merge);
        assert!(w.get(Stage::Scan) >= Duration::from_millis(3));
        // The second lap began where the first ended: it holds almost nothing.
        assert!(w.get(Stage::Merge) < w.get(Stage::Scan));
        for s in Stage::ALL.into_iter().filter(|s| !matches!(s, Stage::Scan | Stage::Merge)) {
            assert_eq!(w.get(s), Duration::ZERO, "{s:?}");
        }
        let mut sum = Stopwatch::off();
        sum.add(&w);
        sum.add(&w);
        assert_eq!(sum.get(Stage::Scan), 2 * w.get(Stage::Scan));
    }

    #[test]
    fn a_stopwatch_that_is_off_records_nothing() {
        let mut w = Stopwatch::off();
        std::thread::sleep(Duration::from_millis(1));
        w.lap(Stage::Read);
        assert!(Stage::ALL.iter().all(|&s| w.get(s).is_zero()));
        let mut p = Phases::new(false);
        p.end("documents");
        assert!(p.done.is_empty());
    }

    #[test]
    fn every_stage_is_listed_once_in_its_own_place() {
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i, "{s:?}");
        }
        let names: std::collections::HashSet<_> = Stage::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), STAGES);
    }

    #[test]
    fn the_report_lists_phases_and_stages_with_rates() {
        let mut stages = Stopwatch::off();
        stages.totals[Stage::Scan as usize] = Duration::from_millis(500);
        stages.totals[Stage::Read as usize] = Duration::from_millis(250);
        let t = Timings {
            phases: vec![("automaton", Duration::from_millis(20)), ("documents", Duration::from_millis(980))],
            stages,
            threads: 1,
            bytes: 100_000_000,
        };
        let s = t.to_string();
        assert!(s.starts_with("timings: 100.0 MB of text in 1.000 s on 1 thread\n"), "{s}");
        let line = |name: &str| s.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or("").to_string();
        assert_eq!(line("scan").split_whitespace().collect::<Vec<_>>(), ["scan", "500.0", "66.7%", "200"]);
        assert_eq!(line("read").split_whitespace().collect::<Vec<_>>(), ["read", "250.0", "33.3%", "400"]);
        assert_eq!(line("merge").split_whitespace().collect::<Vec<_>>(), ["merge", "0.0", "0.0%", "-"]);
        assert_eq!(line("automaton").split_whitespace().collect::<Vec<_>>(), ["automaton", "20.0"]);
    }
}
