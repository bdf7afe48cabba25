//! Runs of letters and digits: the one pass over every character of a
//! document's article text (site furniture is left out) that matching and
//! discovery share.
//!
//! The matcher looks up each run that may begin an alias; discovery gets the
//! name tokens that open with a capital ("Anne-Marie", "O'Brien", "D.") and
//! reads the words around them from the text. The text is walked
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

/// Runs and capitalised name tokens in one pass: `on_run` sees each run as
/// it is found (the matcher), and the tokens, when asked for, replace the
/// contents of `tokens` (for discovery). No list of runs is kept: on a 100 MB document
/// it would take 400 MB.
pub fn scan(text: &str, on_run: impl FnMut(&Run), tokens: Option<&mut Tokens>) {
    let whole = 0..text.len();
    scan_within(text, std::slice::from_ref(&whole), on_run, tokens);
}

/// Runs that open with one of some lower-case ASCII letters, which no one
/// asks for: the matcher turns away a lower-case word unless an alias a
/// lower-case word can match opens with its letter, and name tokens are
/// capitalised. The scan passes over such a run without handing it on,
/// found by a bit mask of its block, not looked at one by one (most words
/// are such runs, and the test of each had cachegrind's most mispredicted
/// branch). A run inside a stretch that must be decoded (one holding a
/// non-ASCII character other than a Latin-1 letter) may still be handed on.
#[derive(Debug, Clone, Copy)]
pub struct Skip {
    /// The lower-case letters that are *not* skipped (at most [`Skip::KEPT`]).
    kept: [u8; Skip::KEPT],
    kept_len: usize,
    /// Whether any run is skipped.
    on: bool,
}

impl Skip {
    /// The most letters kept out of the skip: each costs a compare of
    /// every byte. With more, nothing is skipped.
    pub const KEPT: usize = 8;
    /// Nothing skipped.
    pub const NONE: Skip = Skip { kept: [0; Skip::KEPT], kept_len: 0, on: false };

    /// Skip the runs that open with a lower-case ASCII letter other than
    /// those of `kept` (nothing, when `kept` has more than [`Skip::KEPT`]
    /// of them).
    pub fn lower_except(kept: impl IntoIterator<Item = u8>) -> Skip {
        let mut s = Skip { on: true, ..Skip::NONE };
        for b in kept.into_iter().filter(u8::is_ascii_lowercase) {
            if s.kept[..s.kept_len].contains(&b) {
                continue;
            }
            if s.kept_len == Skip::KEPT {
                return Skip::NONE;
            }
            s.kept[s.kept_len] = b;
            s.kept_len += 1;
        }
        s
    }

    /// Whether a run that opens with byte `b` is skipped.
    pub fn skips(&self, b: u8) -> bool {
        self.on && b.is_ascii_lowercase() && !self.kept[..self.kept_len].contains(&b)
    }

    /// Bit `i` set when byte `i` of `bytes` is a letter whose runs are skipped.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn mask(&self, bytes: &[u8; 64]) -> u64 {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
        };
        if !self.on {
            return 0;
        }
        let mut m = 0u64;
        for k in 0..4 {
            // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads
            // bytes 16k..16k+16 of a 64-byte array (an unaligned load is allowed).
            let bits = unsafe {
                let x = _mm_loadu_si128(bytes.as_ptr().add(16 * k).cast::<__m128i>());
                // Signed compares: bytes >= 0x80 are negative, and fail.
                let lower =
                    _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x7B)));
                let mut kept = _mm_setzero_si128();
                for &b in &self.kept[..self.kept_len] {
                    kept = _mm_or_si128(kept, _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8)));
                }
                _mm_movemask_epi8(_mm_andnot_si128(kept, lower)) as u16
            };
            m |= u64::from(bits) << (16 * k);
        }
        m
    }

    /// See the other `mask`: byte by byte where SSE2 is not at hand.
    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn mask(&self, bytes: &[u8; 64]) -> u64 {
        self.mask_bytewise(bytes)
    }

    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn mask_bytewise(&self, bytes: &[u8; 64]) -> u64 {
        bytes.iter().enumerate().fold(0, |m, (i, &b)| m | u64::from(self.skips(b)) << i)
    }
}

/// [`scan`] of the stretches `within` of `text` only, with offsets into
/// `text`: the runs and tokens of the rest are left out (the pipeline leaves
/// out site furniture, a quarter of the bench corpus). The stretches are in
/// order and on character boundaries, and white space stands at each end
/// (or the text ends there), so that no run or token is cut.
pub fn scan_within(text: &str, within: &[Range<usize>], on_run: impl FnMut(&Run), tokens: Option<&mut Tokens>) {
    scan_within_skipping(text, within, &Skip::NONE, on_run, tokens)
}

/// [`scan_within`], passing over the runs `skip` names without handing
/// them to `on_run` (the tokens are the same: they are capitalised).
pub fn scan_within_skipping(
    text: &str,
    within: &[Range<usize>],
    skip: &Skip,
    on_run: impl FnMut(&Run),
    tokens: Option<&mut Tokens>,
) {
    let Some(tokens) = tokens else {
        let mut visit = Visit(on_run);
        for r in within {
            for_each_run(&text[r.clone()], skip, &mut Shifted { by: r.start, sink: &mut visit });
        }
        return;
    };
    if u32::try_from(text.len()).is_err() {
        // Offsets would not fit a token: no tokens (see [`Token`]).
        tokens.clear_for(0);
        return scan_within_skipping(text, within, skip, on_run, None);
    }
    tokens.clear_for(within.iter().map(|r| r.end - r.start).sum());
    let mut both = Both { on_run, capitals: Capitals::new(text), tokens };
    for r in within {
        for_each_run(&text[r.clone()], skip, &mut Shifted { by: r.start, sink: &mut both });
    }
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

/// The matcher's look, then the capitalised tokens.
struct Both<'t, 'o, F> {
    on_run: F,
    capitals: Capitals<'t>,
    tokens: &'o mut Tokens,
}

impl<F: FnMut(&Run)> Sink for Both<'_, '_, F> {
    #[inline(always)]
    fn run(&mut self, r: Run) {
        (self.on_run)(&r);
        self.capitals.push(r, self.tokens);
    }
}

/// Whether a stretch of candidate bytes (the bits `span` of a block) holds
/// a non-ASCII character other than a Latin-1 letter (`other`: bytes that
/// are no part of a `C3 xx` letter, all but `×` and `÷`). Such a stretch is
/// decoded ([`split_mixed`]); any other is one run, found without decoding.
#[inline(always)]
fn mixed(other: u64, span: u64) -> bool {
    other & span != 0
}

/// The bits of `starts` (stretch starts of a block) whose stretch holds a
/// bit of `other` in the block: each `other` bit's stretch starts at the
/// last start at or before it. (A stretch from the block before, with no
/// start in this one, is left to the caller.) Few blocks hold such bytes,
/// and then a few.
#[inline(always)]
fn mixed_starts(starts: u64, mut other: u64) -> u64 {
    let mut mixed = 0;
    while other != 0 {
        let p = other.trailing_zeros();
        other &= other - 1;
        let before = starts & (!0u64 >> (63 - p));
        if before != 0 {
            mixed |= 1u64 << (63 - before.leading_zeros());
        }
    }
    mixed
}

/// Calls `f` with each run of `text`, in order, but for the runs `skip`
/// names, in stretches with nothing to decode.
#[inline]
fn for_each_run(text: &str, skip: &Skip, f: &mut impl Sink) {
    let k = Classifier::new(text);
    let b = text.as_bytes();
    // A stretch of candidate bytes (`word` bits) that has not ended yet:
    // where it starts, whether it is [`mixed`] so far, and whether it opens
    // with a skipped letter (then it is handed on only if it is mixed: its
    // runs are found by decoding it, and a later one may be wanted).
    let mut open: Option<(usize, bool, bool)> = None;
    // Whether the last byte of the previous block is `C3`, and whether it
    // is a candidate byte.
    let (mut c3_carry, mut word_carry) = (0u64, 0u64);
    #[inline(always)]
    fn emit(k: Classifier, b: &[u8], s: usize, e: usize, mixed: bool, f: &mut impl Sink) {
        if mixed {
            split_mixed(k, b, s, e, f);
        } else {
            // One word: its first character is ASCII or `C3 xx`, told by
            // its first byte (seldom `C3`), not by whether the word holds a
            // Latin-1 letter anywhere: in cachegrind's model a branch on
            // that was mispredicted 345,000 times on the first 20 MB of the
            // bench corpus.
            let first = match b[s] {
                0xC3 => k.c3(b[s + 1]),
                x => k.ascii(x),
            };
            f.run(Run { start: s, end: e, first });
        }
    }
    for (base, m) in blocks(b) {
        // Non-ASCII bytes that are not part of a Latin-1 letter: a byte
        // after `C3` is one unless it makes `×` or `÷`.
        let after_c3 = m.c3 << 1 | c3_carry;
        c3_carry = m.c3 >> 63;
        let other = m.high & !(m.c3 | after_c3 & !m.not_letter_after_c3);
        // Where stretches start, and those passed over: the ones that open
        // with a skipped letter and hold nothing to decode (in a full block).
        let starts = m.word & !(m.word << 1 | word_carry);
        word_carry = m.word >> 63;
        let skipped = match b.get(base..base + 64).and_then(|x| <&[u8; 64]>::try_from(x).ok()) {
            Some(bytes) => starts & skip.mask(bytes) & !mixed_starts(starts, other),
            None => 0,
        };
        let mut from = 0u32;
        if let Some((s, was_mixed, was_skipped)) = open {
            let ends = !m.word;
            if ends == 0 {
                open = Some((s, was_mixed | mixed(other, !0), was_skipped));
                continue;
            }
            let e = ends.trailing_zeros();
            let mx = was_mixed | mixed(other, (1u64 << e) - 1);
            if !was_skipped || mx {
                emit(k, b, s, base + e as usize, mx, f);
            }
            open = None;
            from = e;
        }
        let mut todo = starts & !skipped & (!0u64 << from);
        while todo != 0 {
            let s = todo.trailing_zeros();
            let ends = !m.word & (!0u64 << s);
            if ends == 0 {
                open = Some((base + s as usize, mixed(other, !0u64 << s), false));
                break;
            }
            let e = ends.trailing_zeros();
            let span = (!0u64 << s) & ((1u64 << e) - 1);
            emit(k, b, base + s as usize, base + e as usize, mixed(other, span), f);
            todo &= !0u64 << e;
        }
        if open.is_none() && word_carry != 0 {
            // The block ends in a stretch that began in it (one from before
            // ended in it, or the loop above would have gone on) and that
            // was passed over (so it holds nothing to decode yet): it stays
            // open, to be handed on should it turn out mixed.
            if let Some(last) = 63u32.checked_sub(starts.leading_zeros()) {
                open = Some((base + last as usize, false, true));
            }
        }
    }
    if let Some((s, was_mixed, was_skipped)) = open {
        if !was_skipped || was_mixed {
            emit(k, b, s, b.len(), was_mixed, f);
        }
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
/// "A.P"). Two 32-bit offsets only: a 100 MB document has some 16 million
/// words (256 MB as two `usize` when every token was kept, measured 640 MB
/// peak for the whole run). A document of 4 GiB or more gets no tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    start: u32,
    end: u32,
}

impl Token {
    /// The token `start..end` of a text under 4 GiB ([`scan`] makes none in a larger one).
    #[inline]
    pub(crate) fn new(start: usize, end: usize) -> Self {
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

/// The capitalised name tokens of a document, in order: every rule of
/// discovery starts at one (one word in seven or so of Danish text). The
/// words around one are read from the text when a rule asks for them
/// ([`token_end`], [`token_ending_at`]), not kept for every word: a list of
/// every token cost 7% of a run's instructions on the bench corpus.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    list: Vec<Token>,
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
        self.list.reserve(len / 2 + 1);
    }
}

/// Makes the capitalised tokens of the runs as they arrive. A run that
/// opens with a capital starts a token unless the token before goes on
/// into it: across a hyphen or apostrophe between letters ("it-Chef",
/// "Anne-Marie"), or after an initial ("D.Rasmussen", then within the
/// last token made). Other runs are passed over with one bit test.
struct Capitals<'t> {
    k: Classifier<'t>,
    text: &'t str,
    /// Where the last token made ends.
    last_end: usize,
}

impl<'t> Capitals<'t> {
    fn new(text: &'t str) -> Self {
        Capitals { k: Classifier::new(text), text, last_end: 0 }
    }

    #[inline(always)]
    fn push(&mut self, run: Run, out: &mut Tokens) {
        if run.first & UPPER != 0 {
            self.push_capital(run, out);
        }
    }

    #[inline]
    fn push_capital(&mut self, run: Run, out: &mut Tokens) {
        if run.start < self.last_end || joined_to_letter_before(self.k, self.text, run.start) {
            return;
        }
        // Most runs are followed by a space or an ASCII mark that joins
        // nothing, or by the full stop that ends a sentence (a token of one
        // character, an initial, goes on past it): the token is the run.
        let b = self.text.as_bytes();
        let end = match b.get(run.end) {
            Some(b'.') if run.end - run.start > utf8_len(b[run.start]) => run.end,
            Some(&x) if x >= 0x80 || matches!(x, b'-' | b'\'' | b'.') => token_end(self.text, run.start, run.end),
            _ => run.end,
        };
        self.last_end = end;
        out.list.push(Token::new(run.start, end));
    }
}

/// The length of the character that starts with byte `b`.
#[inline(always)]
fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7F => 1,
        0x80..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Whether `c` joins two letters into one token: a hyphen or an apostrophe
/// ("Anne-Marie", "O'Brien", "O’Brien").
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’')
}

/// Whether the character before `i` (a character boundary) is a joiner
/// ([`is_joiner`], told here by its bytes: this is asked before every
/// capitalised run, nearly always of a space, and decoding the character
/// cost 0.4% of a run's instructions) with a letter before it: a letter at
/// `i` then goes on the token before. The property test of the tokens holds
/// the two to the same set.
fn joined_to_letter_before(k: Classifier, text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    let (j, joiner) = match i.checked_sub(1).map(|j| b[j]) {
        Some(b'-' | b'\'') => (i - 1, true),
        // `’` is E2 80 99.
        Some(0x99) if i >= 3 && b[i - 3..i] == [0xE2, 0x80, 0x99] => (i - 3, true),
        _ => (0, false),
    };
    joiner && j > 0 && k.at(crate::floor_char_boundary(text, j - 1)).class & ALPHA != 0
}

/// Where the name token that starts at `start` ends, given that
/// `start..from` (at least its first character) belongs to it: letters
/// and digits, a hyphen or apostrophe between letters, and the full stop
/// of an initial (a token of one capital: "D.", "D.Rasmussen").
pub fn token_end(text: &str, start: usize, from: usize) -> usize {
    let k = Classifier::new(text);
    let mut last = k.at(crate::floor_char_boundary(text, from - 1));
    let mut i = from;
    while i < text.len() {
        let c = k.at(i);
        let goes_on = c.class & ALNUM != 0
            || is_joiner(c.ch)
                && last.class & ALPHA != 0
                && i + c.len < text.len()
                && k.at(i + c.len).class & ALPHA != 0
            || c.ch == '.' && i - start == last.len && last.class & UPPER != 0;
        if !goes_on {
            break;
        }
        last = c;
        i += c.len;
    }
    i
}

/// The name token that ends at `end`, if one does (`end` is a character
/// boundary and no token goes on past it: white space follows). Read from
/// the last ASCII byte before it that no token holds, forward.
pub fn token_ending_at(text: &str, end: usize) -> Option<Token> {
    let b = text.as_bytes();
    let mut from = end;
    while from > 0
        && (b[from - 1] >= 0x80 || b[from - 1].is_ascii_alphanumeric() || matches!(b[from - 1], b'-' | b'\'' | b'.'))
    {
        from -= 1;
    }
    let k = Classifier::new(text);
    let mut i = from;
    while i < end {
        let c = k.at(i);
        if c.class & ALNUM == 0 {
            i += c.len;
            continue;
        }
        let e = token_end(text, i, i + c.len);
        if e == end {
            return u32::try_from(end).is_ok().then(|| Token::new(i, e));
        }
        i = e;
    }
    None
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

    /// The capitalised tokens of the reference tokens.
    fn reference_capitals(text: &str) -> Vec<(usize, usize)> {
        reference_tokens(text)
            .into_iter()
            .filter(|&(s, _)| text[s..].chars().next().is_some_and(char::is_uppercase))
            .collect()
    }

    fn capitals(text: &str) -> Vec<&str> {
        let mut t = Tokens::default();
        scan(text, |_| {}, Some(&mut t));
        t.iter().map(|t| &text[t.start()..t.end()]).collect()
    }

    #[test]
    fn a_skip_keeps_at_most_eight_lower_case_letters() {
        let s = Skip::lower_except(*b"eAt(e");
        assert!(s.skips(b'a') && s.skips(b'z') && !s.skips(b'e') && !s.skips(b't'));
        // Capitals, digits and punctuation are never skipped.
        assert!(!s.skips(b'A') && !s.skips(b'7') && !s.skips(b'(') && !s.skips(0xC3));
        assert!(Skip::lower_except(*b"abcdefgh").skips(b'i'));
        // A ninth letter: nothing is skipped.
        assert!(!Skip::lower_except(*b"abcdefghi").skips(b'z'));
        assert!(!Skip::NONE.skips(b'a'));
    }

    #[test]
    fn names_join_hyphens_apostrophes_and_initials() {
        let text = "Anne-Marie O'Brien og Povl D. Rasmussen, A.P. Møller, D.Rasmussen - KMD- it-Chef x-D.Eks";
        assert_eq!(
            capitals(text),
            ["Anne-Marie", "O'Brien", "Povl", "D.", "Rasmussen", "A.P", "Møller", "D.Rasmussen", "KMD", "Eks"]
        );
    }

    #[test]
    fn the_words_around_a_capital_are_read_from_the_text() {
        let text = "sagde it-chef D. Jens-Ole O’Brien. vd.";
        let at = |w: &str| text.find(w).unwrap();
        // From its first character on.
        assert_eq!(token_end(text, at("it-chef"), at("it-chef") + 1), at("it-chef") + 7);
        assert_eq!(token_end(text, at("D."), at("D.") + 1), at("D.") + 2);
        assert_eq!(token_end(text, at("Jens"), at("Jens") + 4), at("Jens") + 8);
        // The full stop after more than one letter ends the token.
        assert_eq!(token_end(text, at("O’Brien"), at("O’Brien") + 1), at("O’Brien") + "O’Brien".len());
        let ending = |end: usize| token_ending_at(text, end).map(|t| &text[t.start()..t.end()]);
        assert_eq!(ending(at(" D.")), Some("it-chef"));
        assert_eq!(ending(at(" Jens")), Some("D."));
        assert_eq!(ending(at(" O’")), Some("Jens-Ole"));
        // After the full stop of a sentence, no token ends.
        assert_eq!(ending(at(" vd.")), None);
        assert_eq!(ending(text.len()), None);
        assert_eq!(ending(at("sagde") + 5), Some("sagde"));
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
            for run in &r {
                let f = text[run.start..run.end].chars().next().unwrap();
                prop_assert_eq!(run.first, crate::chars::classes_of(f));
            }
            for tok in t.iter() {
                prop_assert!(tok.is_cap(&text));
            }
            prop_assert_eq!(t.iter().map(|t| (t.start(), t.end())).collect::<Vec<_>>(), reference_capitals(&text));
            // Every token, read from the text from its first character, and
            // as the token that ends before white space.
            let reference = reference_tokens(&text);
            for &(s, e) in &reference {
                let first = text[s..].chars().next().unwrap().len_utf8();
                prop_assert_eq!(token_end(&text, s, s + first), e, "{:?}", &text[s..e]);
            }
            for (p, c) in text.char_indices().chain([(text.len(), ' ')]) {
                if c.is_whitespace() {
                    let want = reference.iter().find(|t| t.1 == p).copied();
                    prop_assert_eq!(token_ending_at(&text, p).map(|t| (t.start(), t.end())), want, "at {}", p);
                }
            }
            let mut alone = Vec::new();
            scan(&text, |run| alone.push(*run), None);
            prop_assert_eq!(alone, r, "the runs without tokens");
        }

        /// A skip passes over runs that open with a skipped letter and
        /// nothing else: every run handed on is a run of the text, every
        /// run that opens otherwise is handed on, and the tokens are those
        /// of a scan without it.
        #[test]
        fn a_skip_leaves_out_only_runs_that_open_with_a_skipped_letter(parts in proptest::collection::vec(prop_oneof![
            proptest::sample::select(vec!["-", "'", ".", " ", "\n", "Anne", "marie", "et", "ti", "z", "é", "ø", "Ø",
                "7", "\u{a0}", "—", "”", "Ω", "×", "æble", "kommune", "sø"]).prop_map(str::to_string),
            any::<char>().prop_map(|c| c.to_string()),
        ], 0..40), pad in 0usize..140, filler in proptest::sample::select(vec!["w", "e", " ", "é", "9"]),
            kept in proptest::collection::vec(proptest::sample::select(b"aekmstwz".to_vec()), 0..4)) {
            let text = filler.repeat(pad) + &parts.concat();
            let skip = Skip::lower_except(kept.iter().copied());
            let (mut all, mut all_tokens) = (Vec::new(), Tokens::default());
            scan(&text, |run| all.push(*run), Some(&mut all_tokens));
            let (mut some, mut tokens) = (Vec::new(), Tokens::default());
            let whole = 0..text.len();
            scan_within_skipping(&text, std::slice::from_ref(&whole), &skip, |run| some.push(*run), Some(&mut tokens));
            for run in &some {
                prop_assert!(all.contains(run), "{:?} is no run", &text[run.start..run.end]);
            }
            for run in all.iter().filter(|r| !skip.skips(text.as_bytes()[r.start])) {
                prop_assert!(some.contains(run), "{:?} left out", &text[run.start..run.end]);
            }
            prop_assert_eq!(&tokens[..], &all_tokens[..]);
        }

        #[test]
        fn skip_masks_agree_with_bytewise(
            bytes in proptest::collection::vec(prop_oneof![b'a'..=b'z', any::<u8>()], 64),
            kept in proptest::collection::vec(b'a'..=b'z', 0..9),
        ) {
            let skip = Skip::lower_except(kept.iter().copied());
            let block: [u8; 64] = bytes.try_into().unwrap();
            prop_assert_eq!(skip.mask(&block), skip.mask_bytewise(&block));
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
            let kept: Vec<(usize, usize)> =
                all.iter().filter(|t| inside(t.start(), t.end())).map(|t| (t.start(), t.end())).collect();
            let got: Vec<(usize, usize)> = some.iter().map(|t| (t.start(), t.end())).collect();
            prop_assert_eq!(got, kept);
        }
    }
}
