//! kommunegraf: entity tables and co-mention graphs from Danish news about
//! public-sector IT.
//!
//! The pipeline, one module per stage in the order data flows:
//! [`read`] documents → [`segment`] into paragraphs and sentences, marking
//! [`furniture`] → [`words`] finds the runs of letters and digits once →
//! [`matcher`] runs one Aho-Corasick automaton over the [`fold`]ed text from
//! the runs that may begin an alias → [`resolve`] applies context rules and
//! picks leftmost-longest mentions → [`discover`] finds people and
//! organisations no dictionary lists → [`relate`] reads roles → [`graph`]
//! links entities mentioned together → [`export`] writes tables and graph
//! files. [`dict`] loads the dictionaries; [`pipeline`] ties the stages
//! together, on several threads merged back [`in_order`], and [`timing`]
//! says where the time went; [`chars`] classifies characters fast.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod chars;
pub mod check;
pub mod date;
pub mod diag;
pub mod dict;
pub mod discover;
pub mod eval;
pub mod export;
pub mod fold;
pub mod furniture;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod graph;
pub mod in_order;
pub mod matcher;
pub mod pipeline;
pub mod read;
pub mod relate;
pub mod resolve;
pub mod segment;
pub mod timing;
pub mod words;

pub use dict::Dictionary;

/// Hash maps and sets keyed by words and indices, looked up for every word
/// and mention: a fast hash with a fixed key (keys are not chosen by an
/// adversary who gains from collisions, and runs stay reproducible).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// See [`FastMap`].
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

/// A set of the numbers `0..64 * W`, a bit each: the one-load answers asked
/// of every word (its first byte, a byte pair, a hashed prefix) before
/// anything is hashed whole.
#[derive(Debug, Clone)]
pub(crate) struct BitSet<const W: usize>([u64; W]);

impl<const W: usize> BitSet<W> {
    pub(crate) const fn new() -> Self {
        BitSet([0; W])
    }

    #[inline(always)]
    pub(crate) const fn insert(&mut self, k: usize) {
        self.0[k >> 6] |= 1 << (k & 63);
    }

    #[inline(always)]
    pub(crate) fn contains(&self, k: usize) -> bool {
        self.0[k >> 6] >> (k & 63) & 1 != 0
    }

    /// How many numbers the set can hold.
    pub(crate) const BITS: usize = 64 * W;

    /// How many numbers it holds.
    pub(crate) fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// Strings emptied for reuse: the labels and names found in one document
/// serve the next one's instead of being allocated anew. At most
/// [`StringPool::KEEP`] are kept, so a document that finds thousands of
/// names leaves only a few KB behind.
#[derive(Debug, Default)]
pub(crate) struct StringPool(Vec<String>);

impl StringPool {
    /// More than most documents find.
    pub(crate) const KEEP: usize = 256;

    /// An empty string, in the buffer of one given back if there is one.
    pub(crate) fn take(&mut self) -> String {
        let mut s = self.0.pop().unwrap_or_default();
        s.clear();
        s
    }

    /// Keep `strings` for reuse, up to [`StringPool::KEEP`] in all.
    pub(crate) fn give(&mut self, strings: impl IntoIterator<Item = String>) {
        let room = Self::KEEP.saturating_sub(self.0.len());
        self.0.extend(strings.into_iter().take(room));
    }
}

pub use graph::{GraphOptions, Weighting, Window};
pub use pipeline::{Extractor, Options, Summary, run};

/// Compile a regular expression written in this crate's source. The patterns
/// are constants, each exercised by unit tests, so a failure is a bug here and
/// never a consequence of user input.
#[allow(clippy::expect_used)]
pub(crate) fn constant_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("a constant pattern of this crate")
}

/// The smallest character boundary of `text` at or after byte `i` (`i` is
/// clamped to the text).
pub(crate) fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The largest character boundary of `text` at or before byte `i` (`i` is
/// clamped to the text), for windows cut at a fixed byte distance.
pub(crate) fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
