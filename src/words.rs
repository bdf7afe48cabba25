//! Runs of letters and digits: the one pass over every character of a
//! document's article text (site furniture is left out) that matching and
//! discovery share.
//!
//! The matcher looks up each run that may begin an alias; discovery joins
//! runs into name tokens ("Anne-Marie", "O'Brien", "D."). The text is walked
//! once for both, 64 bytes at a time: runs are found from bit masks of the
//! bytes that may belong to one ([`crate::chars::Block`]), and only stretches
//! holding non-ASCII characters are decoded.

use std::ops::Range;

use crate::chars::{ALNUM, ALPHA, Classifier, UPPER, blocks};

/// A maximal run of letters and digits (`char::is_alphanumeric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    /// Classes of the first character ([`crate::chars`]). (Those of the
    /// last, and whether the run is one character, are asked only where a
    /// joiner follows, and found then: see [`Joiner::end_before_joiner`].)
    pub first: u8,
}

/// Runs and name tokens in one pass: `on_run` sees each run as it is found
/// (the matcher), and the tokens, when asked for, replace the contents of
/// `tokens` (for discovery). No list of runs is kept: on a 100 MB document
/// it would take 400 MB.
pub fn scan(text: &str, on_run: impl FnMut(&Run), tokens: Option<&mut Tokens>) {
    let whole = 0..text.len();
    scan_within(text, std::slice::from_ref(&whole), on_run, tokens);
}

/// [`scan`] of the stretches `within` of `text` only, with offsets into
/// `text`: the runs and tokens of the rest are left out (the pipeline leaves
/// out site furniture, a quarter of the bench corpus). The stretches are in
/// order and on character boundaries, and white space stands at each end
/// (or the text ends there), so that no run or token is cut.
pub fn scan_within(text: &str, within: &[Range<usize>], on_run: impl FnMut(&Run), tokens: Option<&mut Tokens>) {
    let Some(tokens) = tokens else {
        let mut visit = Visit(on_run);
        for r in within {
            for_each_run(&text[r.clone()], &mut Shifted { by: r.start, sink: &mut visit });
        }
        return;
    };
    if u32::try_from(text.len()).is_err() {
        // Offsets would not fit a token: no tokens (see [`Token`]).
        tokens.clear_for(0);
        return scan_within(text, within, on_run, None);
    }
    tokens.clear_for(within.iter().map(|r| r.end - r.start).sum());
    let mut both = Both { on_run, joiner: Joiner::new(text), tokens };
    for r in within {
        for_each_run(&text[r.clone()], &mut Shifted { by: r.start, sink: &mut both });
    }
    both.joiner.finish(both.tokens);
}

/// What is done with each run. A trait with an always-inlined method, not
/// a closure: the compiler kept the closure out of line, and paid a call
/// with its register saves for each of the ~150,000 runs a megabyte.
trait Sink {
    fn run(&mut self, r: Run);
}

/// The runs of a stretch found in it alone, told with offsets into the text.
struct Shifted<'s, S> {
    by: usize,
    sink: &'s mut S,
}

impl<S: Sink> Sink for Shifted<'_, S> {
    #[inline(always)]
    fn run(&mut self, r: Run) {
        self.sink.run(Run { start: r.start + self.by, end: r.end + self.by, first: r.first });
    }
}

/// The matcher's look alone.
struct Visit<F>(F);

impl<F: FnMut(&Run)> Sink for Visit<F> {
    #[inline(always)]
    fn run(&mut self, r: Run) {
        (self.0)(&r)
    }
}

/// The matcher's look, then the joiner.
struct Both<'t, 'o, F> {
    on_run: F,
    joiner: Joiner<'t>,
    tokens: &'o mut Tokens,
}

impl<F: FnMut(&Run)> Sink for Both<'_, '_, F> {
    #[inline(always)]
    fn run(&mut self, r: Run) {
        (self.on_run)(&r);
        self.joiner.push(r, self.tokens);
    }
}

/// What a stretch of candidate bytes holds beyond ASCII letters and digits:
/// Latin-1 letters (`C3 xx`, all but `×` and `÷`: one run, found without
/// decoding), or other non-ASCII characters (decoded by [`split_mixed`]).
const LATIN1_LETTERS: u8 = 1;
const OTHER_HIGH: u8 = 2;

/// The [`LATIN1_LETTERS`] and [`OTHER_HIGH`] bits of the bytes of `span`.
#[inline(always)]
fn kind_of(high: u64, other: u64, span: u64) -> u8 {
    u8::from(high & span != 0) | u8::from(other & span != 0) << 1
}

/// Calls `f` with each run of `text`, in order.
#[inline]
fn for_each_run(text: &str, f: &mut impl Sink) {
    let k = Classifier::new(text);
    let b = text.as_bytes();
    // A stretch of candidate bytes (`word` bits) that has not ended yet:
    // where it starts, and what it holds so far (`kind_of`).
    let mut open: Option<(usize, u8)> = None;
    // Whether the last byte of the previous block is `C3`.
    let mut c3_carry = 0u64;
    #[inline(always)]
    fn emit(k: Classifier, b: &[u8], s: usize, e: usize, kind: u8, f: &mut impl Sink) {
        if kind & OTHER_HIGH != 0 {
            split_mixed(k, b, s, e, f);
        } else if kind & LATIN1_LETTERS != 0 {
            // One word: its first character is ASCII or `C3 xx`.
            f.run(Run { start: s, end: e, first: k.at(s).class });
        } else {
            f.run(Run { start: s, end: e, first: k.ascii(b[s]) });
        }
    }
    for (base, m) in blocks(b) {
        // Non-ASCII bytes that are not part of a Latin-1 letter: a byte
        // after `C3` is one unless it makes `×` or `÷`.
        let after_c3 = m.c3 << 1 | c3_carry;
        c3_carry = m.c3 >> 63;
        let other = m.high & !(m.c3 | after_c3 & !m.not_letter_after_c3);
        let mut from = 0u32;
        if let Some((s, kind)) = open {
            let ends = !m.word;
            if ends == 0 {
                open = Some((s, kind | kind_of(m.high, other, !0)));
                continue;
            }
            let e = ends.trailing_zeros();
            emit(k, b, s, base + e as usize, kind | kind_of(m.high, other, (1u64 << e) - 1), f);
            open = None;
            from = e;
        }
        while from < 64 {
            let rest = m.word & (!0u64 << from);
            if rest == 0 {
                break;
            }
            let s = rest.trailing_zeros();
            let ends = !m.word & (!0u64 << s);
            if ends == 0 {
                open = Some((base + s as usize, kind_of(m.high, other, !0u64 << s)));
                break;
            }
            let e = ends.trailing_zeros();
            let span = (!0u64 << s) & ((1u64 << e) - 1);
            emit(k, b, base + s as usize, base + e as usize, kind_of(m.high, other, span), f);
            from = e;
        }
    }
    if let Some((s, kind)) = open {
        emit(k, b, s, b.len(), kind, f);
    }
}

/// The runs of a stretch of letters, digits and non-ASCII characters
/// (`s..e`, on character boundaries): a non-ASCII character that is no
/// letter or digit (a dash, a curly quote, a no-break space) splits it.
#[inline(never)]
fn split_mixed(k: Classifier, b: &[u8], s: usize, e: usize, f: &mut impl Sink) {
    let mut i = s;
    while i < e {
        let c = k.at(i);
        i += c.len;
        if c.class & ALNUM == 0 {
            continue;
        }
        let start = i - c.len;
        while i < e {
            let (d, len) = if b[i] < 0x80 {
                (k.ascii(b[i]), 1)
            } else {
                let d = k.at(i);
                (d.class, d.len)
            };
            if d & ALNUM == 0 {
                break;
            }
            i += len;
        }
        f.run(Run { start, end: i, first: c.class });
    }
}

/// A name token for discovery: runs joined by a hyphen or apostrophe between
/// letters ("Anne-Marie", "O'Brien"), or an initial with its full stop ("D.",
/// "A.P"). Two 32-bit offsets only: a document has one per word, and a 100 MB
/// document has some 16 million (256 MB as two `usize`, measured 640 MB
/// peak for the whole run). A document of 4 GiB or more gets no tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    start: u32,
    end: u32,
}

impl Token {
    /// The token `start..end` of a text under 4 GiB ([`scan`] makes none in a larger one).
    #[inline]
    fn new(start: usize, end: usize) -> Self {
        Token { start: start as u32, end: end as u32 }
    }

    /// Where the token starts, in bytes.
    #[inline]
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Where the token ends, in bytes.
    #[inline]
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Whether the token starts with a capital (`text` is its document).
    #[inline]
    pub fn is_cap(&self, text: &str) -> bool {
        Classifier::new(text).at(self.start()).class & UPPER != 0
    }
}

/// The name tokens of a document, with a bit per token that says whether it
/// starts with a capital: discovery looks only at those (one word in six or
/// so of Danish text) and finds the next one by the bits.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    list: Vec<Token>,
    caps: Vec<u64>,
    /// The bits of the tokens since the last full word of `caps`.
    open_caps: u64,
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
        self.open_caps = 0;
        let most = len / 2 + 1;
        self.list.reserve(most);
        self.caps.reserve(most / 64 + 1);
    }

    #[inline]
    fn push(&mut self, t: Token, cap: bool) {
        let n = self.list.len();
        self.open_caps |= u64::from(cap) << (n % 64);
        self.list.push(t);
        if n % 64 == 63 {
            self.caps.push(std::mem::take(&mut self.open_caps));
        }
    }

    /// Stores the bits of the last, partial word of `caps`.
    fn seal(&mut self) {
        if self.list.len() % 64 != 0 {
            self.caps.push(std::mem::take(&mut self.open_caps));
        }
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

/// Joins runs into name tokens as they arrive. Most runs are followed by a
/// space or an ASCII mark that joins nothing: such a run ends its token at
/// once. After a possible joiner (`-`, `'`, `.`, or a non-ASCII character)
/// the token stays open until the next run shows whether it goes on.
struct Joiner<'t> {
    k: Classifier<'t>,
    text: &'t str,
    /// Whether a token is open: where it starts, whether with a capital,
    /// and its last run.
    open: bool,
    start: usize,
    cap: bool,
    run: Run,
}

impl<'t> Joiner<'t> {
    fn new(text: &'t str) -> Self {
        let run = Run { start: 0, end: 0, first: 0 };
        Joiner { k: Classifier::new(text), text, open: false, start: 0, cap: false, run }
    }

    /// Whether the character after `run` ends any token there: the end of
    /// the text, or an ASCII character other than `-`, `'` and `.`.
    #[inline(always)]
    fn ends_plainly(&self, run: &Run) -> bool {
        match self.text.as_bytes().get(run.end) {
            None => true,
            Some(&x) => x < 0x80 && !matches!(x, b'-' | b'\'' | b'.'),
        }
    }

    #[inline(always)]
    fn push(&mut self, next: Run, out: &mut Tokens) {
        if self.open && self.push_open(next, out) {
            return;
        }
        self.push_new(next, out);
    }

    /// Whether a full stop after `run`, which opens a token, ends the token
    /// there: unless the run is one capital, an initial ("D."), the stop
    /// joins nothing. (Most words before a full stop end a sentence; told
    /// here, they do not keep the token open for the next run to close.)
    #[inline(always)]
    fn ends_at_full_stop(&self, run: &Run) -> bool {
        self.text.as_bytes().get(run.end) == Some(&b'.') && !self.is_one_capital(run)
    }

    /// Whether `run` is one capital letter: with a full stop after it, an
    /// initial ("D.").
    #[inline(always)]
    fn is_one_capital(&self, run: &Run) -> bool {
        run.first & UPPER != 0 && self.k.at(run.start).len == run.end - run.start
    }

    /// `next` after an open token: whether it went on it.
    #[inline(never)]
    fn push_open(&mut self, next: Run, out: &mut Tokens) -> bool {
        match self.end_before_joiner(self.run, Some(&next)) {
            None => {
                // `next` goes on the open token.
                self.run = next;
                if self.ends_plainly(&next) {
                    out.push(Token::new(self.start, next.end), self.cap);
                    self.open = false;
                }
                true
            }
            Some(end) => {
                out.push(Token::new(self.start, end), self.cap);
                self.open = false;
                false
            }
        }
    }

    #[inline(always)]
    fn push_new(&mut self, next: Run, out: &mut Tokens) {
        let cap = next.first & UPPER != 0;
        if self.ends_plainly(&next) || self.ends_at_full_stop(&next) {
            out.push(Token::new(next.start, next.end), cap);
        } else {
            (self.open, self.start, self.cap, self.run) = (true, next.start, cap, next);
        }
    }

    /// The classes of the last character of `run`.
    fn last_class(&self, run: Run) -> u8 {
        self.k.at(crate::floor_char_boundary(self.text, run.end - 1)).class
    }

    fn finish(self, out: &mut Tokens) {
        if self.open {
            let end = self.end_before_joiner(self.run, None).unwrap_or(self.run.end);
            out.push(Token::new(self.start, end), self.cap);
        }
        out.seal();
    }

    /// Where the open token, whose last run is `run`, ends, or `None` when
    /// `next` continues it. The character after `run` is a possible joiner.
    #[inline(never)]
    fn end_before_joiner(&self, run: Run, next: Option<&Run>) -> Option<usize> {
        let c = self.k.at(run.end);
        let next = next.filter(|next| next.start == run.end + c.len);
        // Hyphens and apostrophes join letters: "Anne-Marie", "O'Brien".
        if matches!(c.ch, '-' | '\'' | '’')
            && self.last_class(run) & ALPHA != 0
            && next.is_some_and(|n| n.first & ALPHA != 0)
        {
            return None;
        }
        // A full stop after one capital closes an initial: "D.", and takes a
        // word glued to it ("D.Rasmussen").
        if c.ch == '.' && run.start == self.start && self.is_one_capital(&run) {
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
    fn names_join_hyphens_apostrophes_and_initials() {
        let text = "Anne-Marie O'Brien og Povl D. Rasmussen, A.P. Møller, D.Rasmussen - KMD-";
        let mut t = Tokens::default();
        scan(text, |_| {}, Some(&mut t));
        let w: Vec<&str> = t.iter().map(|t| &text[t.start()..t.end()]).collect();
        assert_eq!(
            w,
            ["Anne-Marie", "O'Brien", "og", "Povl", "D.", "Rasmussen", "A.P", "Møller", "D.Rasmussen", "KMD"]
        );
    }

    #[test]
    fn capitals_are_known_across_many_words_of_bits() {
        // Enough tokens to fill several 64-bit words, with an irregular pattern.
        let words: Vec<String> =
            (0..300).map(|i| if i % 3 == 0 || i % 7 == 0 { format!("Ord{i}") } else { format!("ord{i}") }).collect();
        for n in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
            let text = words[..n].join(" ");
            let mut t = Tokens::default();
            scan(&text, |_| {}, Some(&mut t));
            assert_eq!(t.len(), n);
            let want: Vec<usize> = (0..n).filter(|i| i % 3 == 0 || i % 7 == 0).collect();
            assert_eq!(t.caps().collect::<Vec<_>>(), want, "{n} words");
            for i in 0..n {
                assert_eq!(t.is_cap(i), want.contains(&i), "word {i} of {n}");
            }
        }
    }

    proptest! {
        #[test]
        fn runs_and_tokens_agree_with_the_reference(parts in proptest::collection::vec(prop_oneof![
            proptest::sample::select(vec!["-", "'", "’", ".", " ", "A", "D", "é", "É", "ø", "Ø", "x", "7", "²",
                "\u{a0}", "Ǆ", "Ω", "٣", "\u{301}", "—", "Anne", "Marie", "O", "Brien", "×", "÷", "æ"]).prop_map(str::to_string),
            any::<char>().prop_map(|c| c.to_string()),
        ], 0..40), pad in 0usize..140, filler in proptest::sample::select(vec!["w", " ", "é", "9"])) {
            // The filler moves the parts across the 64-byte blocks of the scan.
            let text = filler.repeat(pad) + &parts.concat();
            let (mut r, mut t) = (Vec::new(), Tokens::default());
            scan(&text, |run| r.push(*run), Some(&mut t));
            prop_assert_eq!(r.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>(), reference_runs(&text));
            let joiner = Joiner::new(&text);
            for run in &r {
                let s = &text[run.start..run.end];
                let (f, l) = (s.chars().next().unwrap(), s.chars().next_back().unwrap());
                prop_assert_eq!(run.first, crate::chars::classes_of(f));
                prop_assert_eq!(joiner.last_class(*run), crate::chars::classes_of(l));
            }
            for (i, tok) in t.iter().enumerate() {
                let c = text[tok.start()..].chars().next().unwrap();
                prop_assert_eq!(tok.is_cap(&text), c.is_uppercase());
                prop_assert_eq!(t.is_cap(i), c.is_uppercase());
                prop_assert_eq!(t.next_cap(i), (i..t.len()).find(|&k| t[k].is_cap(&text)));
            }
            prop_assert_eq!(t.caps().collect::<Vec<_>>(), (0..t.len()).filter(|&k| t.is_cap(k)).collect::<Vec<_>>());
            prop_assert_eq!(t.iter().map(|t| (t.start(), t.end())).collect::<Vec<_>>(), reference_tokens(&text));
            let mut alone = Vec::new();
            scan(&text, |run| alone.push(*run), None);
            prop_assert_eq!(alone, r, "the runs without tokens");
        }

        /// Scanning some lines only gives the runs and tokens of the whole
        /// text that lie on them, with the same offsets and capitals.
        #[test]
        fn stretches_give_the_runs_and_tokens_that_lie_in_them(
            lines in proptest::collection::vec((proptest::sample::select(vec![
                "Anne-Marie O'Brien", "D. Rasmussen", "KMD's it-chef", " Æble ", "ø-", "-Ø", "x.", "Ω٣", "\u{a0}Né",
            ]), any::<bool>()), 0..12),
        ) {
            let text = lines.iter().map(|(l, _)| *l).collect::<Vec<_>>().join("\n");
            // The stretches: the chosen lines, trimmed.
            let (mut within, mut at) = (Vec::new(), 0);
            for (line, keep) in &lines {
                let t = line.trim();
                let lead = line.len() - line.trim_start().len();
                if *keep && !t.is_empty() {
                    within.push(at + lead..at + lead + t.len());
                }
                at += line.len() + 1;
            }
            let inside = |s: usize, e: usize| within.iter().any(|r| r.start <= s && e <= r.end);
            let (mut all_runs, mut all) = (Vec::new(), Tokens::default());
            scan(&text, |r| all_runs.push(*r), Some(&mut all));
            let (mut runs, mut some) = (Vec::new(), Tokens::default());
            scan_within(&text, &within, |r| runs.push(*r), Some(&mut some));
            all_runs.retain(|r| inside(r.start, r.end));
            prop_assert_eq!(runs, all_runs);
            let kept: Vec<(usize, usize, bool)> =
                (0..all.len()).filter(|&i| inside(all[i].start(), all[i].end())).map(|i| (all[i].start(), all[i].end(), all.is_cap(i))).collect();
            let got: Vec<(usize, usize, bool)> = (0..some.len()).map(|i| (some[i].start(), some[i].end(), some.is_cap(i))).collect();
            prop_assert_eq!(got, kept);
        }
    }
}
