//! Runs of letters and digits: the one pass over every character of a
//! document that matching and discovery share.
//!
//! The matcher looks up each run that may begin an alias; discovery joins
//! runs into name tokens ("Anne-Marie", "O'Brien", "D."). Walking the text
//! once for both, with a tight loop over ASCII, halves the per-byte work of
//! the two stages.

use crate::chars::{ALNUM, ALPHA, Classifier, UPPER};

/// A maximal run of letters and digits (`char::is_alphanumeric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    /// Classes of the first and the last character ([`crate::chars`]).
    pub first: u8,
    pub last: u8,
    /// Whether the run is a single character.
    pub single: bool,
}

/// How many of the (up to) eight bytes at `i` are, from the first, ASCII
/// letters or digits (0 when fewer than eight bytes remain).
#[inline(always)]
fn ascii_alnum_prefix(b: &[u8], i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(chunk) = b.get(i..i + 8) else { return 0 };
    let mut a = [0u8; 8];
    a.copy_from_slice(chunk);
    let x = u64::from_le_bytes(a);
    if x & HIGH != 0 {
        // A byte outside ASCII: count the ASCII ones before it bytewise.
        return chunk.iter().take_while(|&&c| c < 0x80 && c.is_ascii_alphanumeric()).count();
    }
    // Per byte (all below 0x80, so no carries cross bytes): the high bit
    // of `x + (0x80 - lo)` is set iff the byte >= lo, and of
    // `x + (0x7F - hi)` iff the byte > hi.
    let in_range = |v: u64, lo: u8, hi: u8| {
        let ge = v.wrapping_add(ONES * u64::from(0x80 - lo));
        let gt = v.wrapping_add(ONES * u64::from(0x7F - hi));
        ge & !gt & HIGH
    };
    let letters = in_range(x | (ONES * 0x20), b'a', b'z');
    let digits = in_range(x, b'0', b'9');
    let not_alnum = !(letters | digits) & HIGH;
    (not_alnum.trailing_zeros() / 8) as usize
}

/// Runs and name tokens in one pass: `on_run` sees each run as it is found
/// (the matcher), and the tokens, when asked for, replace the contents of
/// `tokens` (for discovery). No list of runs is kept: on a 100 MB document
/// it would take 400 MB.
pub fn scan(text: &str, mut on_run: impl FnMut(&Run), tokens: Option<&mut Tokens>) {
    let Some(tokens) = tokens else {
        for_each_run(text, |r| on_run(&r));
        return;
    };
    tokens.clear_for(text.len());
    let mut joiner = Joiner::new(text);
    for_each_run(text, |r| {
        on_run(&r);
        joiner.push(r, tokens);
    });
    joiner.finish(tokens);
}

/// Calls `f` with each run of `text`, in order.
#[inline]
fn for_each_run(text: &str, mut f: impl FnMut(Run)) {
    let k = Classifier::new(text);
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        // Between runs: ASCII punctuation and spaces first, cheaply.
        let x = b[i];
        if x < 0x80 && k.ascii(x) & ALNUM == 0 {
            i += 1;
            continue;
        }
        let c = k.at(i);
        if c.class & ALNUM == 0 {
            i += c.len;
            continue;
        }
        let start = i;
        let first = c.class;
        let mut last = c.class;
        i += c.len;
        while i < n {
            // Eight ASCII letters or digits at a time, the common case.
            let ahead = ascii_alnum_prefix(b, i);
            if ahead > 0 {
                i += ahead;
                last = k.ascii(b[i - 1]);
                if ahead == 8 {
                    continue;
                }
            }
            if i >= n {
                break;
            }
            let x = b[i];
            if x < 0x80 {
                let class = k.ascii(x);
                if class & ALNUM == 0 {
                    break;
                }
                last = class;
                i += 1;
            } else {
                let c = k.at(i);
                if c.class & ALNUM == 0 {
                    break;
                }
                last = c.class;
                i += c.len;
            }
        }
        let single = i - start == c.len;
        f(Run { start, end: i, first, last, single });
    }
}

/// A name token for discovery: runs joined by a hyphen or apostrophe between
/// letters ("Anne-Marie", "O'Brien"), or an initial with its full stop ("D.",
/// "A.P"). Two offsets only: a document has one per word, and a 100 MB
/// document has some 16 million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Whether the token starts with a capital (`text` is its document).
    #[inline]
    pub fn is_cap(&self, text: &str) -> bool {
        Classifier::new(text).at(self.start).class & UPPER != 0
    }
}

/// The name tokens of a document, with a bit per token that says whether it
/// starts with a capital: discovery looks only at those (one word in six or
/// so of Danish text) and finds the next one by the bits.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    list: Vec<Token>,
    caps: Vec<u64>,
}

impl std::ops::Deref for Tokens {
    type Target = [Token];
    fn deref(&self) -> &[Token] {
        &self.list
    }
}

impl Tokens {
    /// Empties the list and makes room for the tokens of a text of `len`
    /// bytes (at most one per two bytes): reserved, not touched, so a huge
    /// document never has its list copied to a larger one while the old is
    /// still held.
    fn clear_for(&mut self, len: usize) {
        self.list.clear();
        self.caps.clear();
        let most = len / 2 + 1;
        self.list.reserve(most);
        self.caps.reserve(most / 64 + 1);
    }

    #[inline]
    fn push(&mut self, t: Token, cap: bool) {
        let n = self.list.len();
        if n % 64 == 0 {
            self.caps.push(0);
        }
        if let Some(w) = self.caps.last_mut() {
            *w |= u64::from(cap) << (n % 64);
        }
        self.list.push(t);
    }

    /// Whether token `i` starts with a capital.
    #[inline]
    pub fn is_cap(&self, i: usize) -> bool {
        self.caps.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 != 0)
    }

    /// The first token from `i` on that starts with a capital.
    #[inline]
    pub fn next_cap(&self, i: usize) -> Option<usize> {
        let mut w = i / 64;
        let mut bits = self.caps.get(w)? & (!0u64 << (i % 64));
        while bits == 0 {
            w += 1;
            bits = *self.caps.get(w)?;
        }
        Some(w * 64 + bits.trailing_zeros() as usize)
    }

    /// The indexes of the tokens that start with a capital, in order.
    pub fn caps(&self) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.next_cap(0);
        std::iter::from_fn(move || {
            let i = next?;
            next = self.next_cap(i + 1);
            Some(i)
        })
    }
}

/// Joins runs into name tokens as they arrive: whether a run ends its token
/// depends on the character after it and on whether the next run starts
/// right after that character.
struct Joiner<'t> {
    k: Classifier<'t>,
    b: &'t [u8],
    /// Where the token being built starts (`usize::MAX` before the first
    /// run), whether with a capital, and its last run.
    start: usize,
    cap: bool,
    run: Run,
}

impl<'t> Joiner<'t> {
    fn new(text: &'t str) -> Self {
        let run = Run { start: 0, end: 0, first: 0, last: 0, single: false };
        Joiner { k: Classifier::new(text), b: text.as_bytes(), start: usize::MAX, cap: false, run }
    }

    #[inline(always)]
    fn push(&mut self, next: Run, out: &mut Tokens) {
        if self.start != usize::MAX {
            match self.end_before(self.run, Some(&next)) {
                None => {
                    self.run = next;
                    return;
                }
                Some(end) => out.push(Token { start: self.start, end }, self.cap),
            }
        }
        self.start = next.start;
        self.cap = next.first & UPPER != 0;
        self.run = next;
    }

    fn finish(self, out: &mut Tokens) {
        if self.start != usize::MAX {
            let end = self.end_before(self.run, None).unwrap_or(self.run.end);
            out.push(Token { start: self.start, end }, self.cap);
        }
    }

    /// Where the token whose last run is `run` ends, or `None` when `next`
    /// continues it.
    #[inline(always)]
    fn end_before(&self, run: Run, next: Option<&Run>) -> Option<usize> {
        // Mostly a space or an ASCII mark that joins nothing follows.
        match self.b.get(run.end) {
            None => Some(run.end),
            Some(&x) if x < 0x80 && !matches!(x, b'-' | b'\'' | b'.') => Some(run.end),
            Some(_) => self.end_before_joiner(run, next),
        }
    }

    #[inline(never)]
    fn end_before_joiner(&self, run: Run, next: Option<&Run>) -> Option<usize> {
        let c = self.k.at(run.end);
        let next = next.filter(|next| next.start == run.end + c.len);
        // Hyphens and apostrophes join letters: "Anne-Marie", "O'Brien".
        if matches!(c.ch, '-' | '\'' | '’') && run.last & ALPHA != 0 && next.is_some_and(|n| n.first & ALPHA != 0) {
            return None;
        }
        // A full stop after one capital closes an initial: "D.", and takes a
        // word glued to it ("D.Rasmussen").
        if c.ch == '.' && run.start == self.start && run.single && run.first & UPPER != 0 {
            return if next.is_some() { None } else { Some(run.end + 1) };
        }
        Some(run.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The char-by-char definition of name tokens the runs must reproduce.
    fn reference_tokens(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        let mut prev = '\0';
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let next = iter.peek().map(|&(_, n)| n);
            let joiner = matches!(c, '-' | '\'' | '’') && prev.is_alphabetic() && next.is_some_and(char::is_alphabetic);
            let initial_dot = c == '.' && start.is_some_and(|s| i - s == prev.len_utf8()) && prev.is_uppercase();
            if c.is_alphanumeric() || joiner || initial_dot {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                out.push((s, i));
            }
            prev = c;
        }
        if let Some(s) = start {
            out.push((s, text.len()));
        }
        out
    }

    fn reference_runs(text: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, text.len()));
        }
        out
    }

    #[test]
    fn eight_byte_scan_agrees_with_bytewise() {
        for c in 0..=255u8 {
            for pos in 0..8 {
                let mut chunk = *b"aZ09bY8c";
                chunk[pos] = c;
                let want = chunk.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                assert_eq!(ascii_alnum_prefix(&chunk, 0), want, "byte {c:#x} at {pos}");
            }
        }
        assert_eq!(ascii_alnum_prefix(b"abc", 0), 0, "fewer than eight bytes");
    }

    #[test]
    fn names_join_hyphens_apostrophes_and_initials() {
        let text = "Anne-Marie O'Brien og Povl D. Rasmussen, A.P. Møller, D.Rasmussen - KMD-";
        let mut t = Tokens::default();
        scan(text, |_| {}, Some(&mut t));
        let w: Vec<&str> = t.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(
            w,
            ["Anne-Marie", "O'Brien", "og", "Povl", "D.", "Rasmussen", "A.P", "Møller", "D.Rasmussen", "KMD"]
        );
    }

    proptest! {
        #[test]
        fn runs_and_tokens_agree_with_the_reference(parts in proptest::collection::vec(prop_oneof![
            proptest::sample::select(vec!["-", "'", "’", ".", " ", "A", "D", "é", "É", "ø", "Ø", "x", "7", "²",
                "\u{a0}", "Ǆ", "Ω", "٣", "\u{301}", "—", "Anne", "Marie", "O", "Brien", "×"]).prop_map(str::to_string),
            any::<char>().prop_map(|c| c.to_string()),
        ], 0..30)) {
            let text = parts.concat();
            let (mut r, mut t) = (Vec::new(), Tokens::default());
            scan(&text, |run| r.push(*run), Some(&mut t));
            prop_assert_eq!(r.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>(), reference_runs(&text));
            for run in &r {
                let s = &text[run.start..run.end];
                let (f, l) = (s.chars().next().unwrap(), s.chars().next_back().unwrap());
                prop_assert_eq!(run.first, crate::chars::classes_of(f));
                prop_assert_eq!(run.last, crate::chars::classes_of(l));
                prop_assert_eq!(run.single, s.chars().count() == 1);
            }
            for (i, tok) in t.iter().enumerate() {
                let c = text[tok.start..].chars().next().unwrap();
                prop_assert_eq!(tok.is_cap(&text), c.is_uppercase());
                prop_assert_eq!(t.is_cap(i), c.is_uppercase());
                prop_assert_eq!(t.next_cap(i), (i..t.len()).find(|&k| t[k].is_cap(&text)));
            }
            prop_assert_eq!(t.caps().collect::<Vec<_>>(), (0..t.len()).filter(|&k| t.is_cap(k)).collect::<Vec<_>>());
            prop_assert_eq!(t.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(), reference_tokens(&text));
            let mut alone = Vec::new();
            scan(&text, |run| alone.push(*run), None);
            prop_assert_eq!(alone, r, "the runs without tokens");
        }
    }
}
