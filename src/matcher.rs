//! One Aho-Corasick automaton over every alias, run on the folded text.
//!
//! The matcher reports every alias occurrence that passes the rules that depend
//! only on the alias and the characters touching it: word boundaries, the
//! Danish genitive and compound tails, and the alias's case rule. Rules that
//! need more context, and the choice among overlapping candidates, are in
//! [`crate::resolve`].
//!
//! An occurrence must start where no word character precedes it, so the
//! automaton is anchored: it runs from each such position only, and only when
//! the first two folded bytes there begin some alias. On Danish news text that
//! skips most of the bytes an unanchored scan would step through, and every
//! occurrence the unanchored scan would accept is still found (see
//! `tests/properties.rs`, which compares with a brute-force search).

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind, nfa::contiguous};

use crate::chars::{ALNUM, Classifier, LOWER};
use crate::dict::{Alias, CaseRule, Dictionary, EntityIdx, starts_capitalised};
use crate::fold::{fold, fold_into};
use crate::words::Run;
use crate::{BitSet, FastSet};

/// An alias found in the text, with exact byte offsets of the entity's surface
/// (genitive and compound tails excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into [`Matcher::aliases`].
    pub alias: u32,
    pub entity: EntityIdx,
    pub start: usize,
    pub end: usize,
}

/// The compiled automaton and the aliases it was built from.
pub struct Matcher {
    /// Anchored only: every search starts at a possible word start. Used
    /// through its concrete type so that a transition is inlined (the
    /// `AhoCorasick` wrapper costs a dynamic call per search, and there is a
    /// search per word that may begin an alias).
    ac: contiguous::NFA,
    aliases: Vec<Alias>,
    /// Where the automaton is worth starting.
    starts: FirstWords,
    /// The runs the matcher never looks at ([`Matcher::skip`]).
    skip: crate::words::Skip,
}

/// The folded first words of the aliases (their leading run of word
/// characters): an alias can only start where the text's word is one of
/// them, or one of them plus a genitive `s`. A bitmap of their prefixes
/// answers most words from the cache; when it is so full that it answers
/// few ([`FirstWords::confirm_words`]), a bloom bitmap and the set of the
/// words confirm. Aliases that start with a non-word character (rare) are
/// tried wherever their first two bytes stand.
struct FirstWords {
    /// Bit [`prefix_key`] set for the first four bytes and length of each first word,
    /// and of each first word with a genitive `s`: 4 KB, so most words are
    /// turned away from the cache without hashing them whole.
    prefixes: Box<BitSet<512>>,
    /// Whether a word that passes `prefixes` is looked up in `words` before
    /// the automaton walks from it: only when more than half the bits of
    /// `prefixes` are set. With fewer, most words that pass begin an alias,
    /// and the lookup only delays the walk: on the bench dictionary (806
    /// first words) it cost 1.6% of a run's instructions. With a dictionary
    /// of 100,000 random names (the bitmap full), walks from every word
    /// made the scan 6% slower than the lookups, and with 20,000 (71% of
    /// the bits) they cost the same.
    confirm_words: bool,
    bloom: Box<BitSet<BLOOM_WORDS>>,
    words: FastSet<Box<[u8]>>,
    /// Bit `b0 * 256 + b1` set when an alias starting with a non-word
    /// character starts with the bytes `b0 b1`.
    other_pairs: Box<BitSet<1024>>,
    /// The distinct first bytes of those aliases (party letters: `(`).
    other_firsts: Vec<u8>,
    /// Bit `b` set when an alias that a word starting with a lower-case
    /// letter can match (a case-free alias, or a case-exact one written in
    /// lower case: "twoday", "e-Boks") starts with the folded byte `b`. Most
    /// words are lower case, and most dictionaries have few such aliases:
    /// most words are turned away by this one bit.
    lower_firsts: BitSet<4>,
}

const BLOOM_BITS: u32 = 15;
const BLOOM_WORDS: usize = 1 << (BLOOM_BITS - 6);

/// A 15-bit key of a word's first four bytes and its length (up to 31):
/// with the length in the key, a common word seldom shares a key with a
/// first word of an alias ("det" with "Dethlefsen").
#[inline(always)]
pub(crate) fn prefix_key(w: &[u8]) -> usize {
    let head = match *w {
        [a, b, c, d, ..] => u32::from_le_bytes([a, b, c, d]),
        [a, b, c] => u32::from_le_bytes([a, b, c, 0]),
        [a, b] => u32::from_le_bytes([a, b, 0, 0]),
        [a] => u32::from(a),
        [] => 0,
    };
    key_of(head, w.len())
}

/// [`prefix_key`] of the word `buf[start..end]`: where four bytes stand at
/// `start` (all but the last few of a text), one load masked to the word's
/// length, with no branch on the length: word lengths follow no pattern a
/// branch predictor can learn. The match on them had 2.6% of a one-thread
/// run's cpu-clock samples (perf) for 0.6% of its instructions.
#[inline(always)]
fn prefix_key_in(buf: &[u8], start: usize, end: usize) -> usize {
    let Some(four) = buf.get(start..start + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else {
        return prefix_key_at_end(&buf[start..end]);
    };
    let len = end - start;
    let mask = ((1u64 << (8 * len.min(4))) - 1) as u32;
    key_of(u32::from_le_bytes(four) & mask, len)
}

/// [`prefix_key`] of a word among the last bytes of a text: out of line,
/// so that the test every word takes stays small enough to inline.
#[cold]
#[inline(never)]
fn prefix_key_at_end(w: &[u8]) -> usize {
    prefix_key(w)
}

/// The key of a word's first four bytes (zero beyond its end) and length.
#[inline(always)]
fn key_of(head: u32, len: usize) -> usize {
    let x = u64::from(head) | (len.min(31) as u64) << 32;
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 49) as usize
}

/// The bloom bit of a word: the top [`BLOOM_BITS`] of its [`word_hash`].
#[inline]
fn bloom_key(w: &[u8]) -> usize {
    (word_hash(w) >> (64 - BLOOM_BITS)) as usize
}

/// A cheap hash of a short byte string: whole-word loads, no copying (after
/// wyhash's handling of short inputs).
#[inline]
fn word_hash(w: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |x: u64| (x ^ (x >> 29)).wrapping_mul(K);
    let r4 = |i: usize| w.get(i..i + 4).and_then(|s| <[u8; 4]>::try_from(s).ok()).map_or(0, u32::from_le_bytes);
    let r8 = |i: usize| w.get(i..i + 8).and_then(|s| <[u8; 8]>::try_from(s).ok()).map_or(0, u64::from_le_bytes);
    let n = w.len();
    let (mut h, a, b) = if n >= 8 {
        let mut h = 0;
        let mut i = 0;
        while i + 8 < n {
            h = mix(h ^ r8(i));
            i += 8;
        }
        (h, r8(n - 8), 0)
    } else if n >= 4 {
        (0, u64::from(r4(0)), u64::from(r4(n - 4)))
    } else if n > 0 {
        (0, u64::from(w[0]) << 16 | u64::from(w[n / 2]) << 8 | u64::from(w[n - 1]), 0)
    } else {
        (0, 0, 0)
    };
    h = mix(h ^ a ^ (b << 32) ^ n as u64);
    mix(h)
}

/// Whether an alias can match a surface that starts with a lower-case letter
/// ([`Matcher::check`]'s case rules).
fn may_start_lower(alias: &Alias) -> bool {
    match alias.case {
        CaseRule::Free => true,
        CaseRule::Exact => !alias.text.chars().next().is_some_and(char::is_uppercase),
        CaseRule::Capitalised => false,
    }
}

impl FirstWords {
    /// `patterns` are the folded aliases, in the order of `aliases`.
    fn new(patterns: &[String], aliases: &[Alias]) -> Self {
        let mut f = FirstWords {
            prefixes: Box::new(BitSet::new()),
            confirm_words: false,
            bloom: Box::new(BitSet::new()),
            words: FastSet::default(),
            other_pairs: Box::new(BitSet::new()),
            other_firsts: Vec::new(),
            lower_firsts: BitSet::new(),
        };
        for (p, alias) in patterns.iter().zip(aliases) {
            if let Some(&b0) = p.as_bytes().first().filter(|_| may_start_lower(alias)) {
                f.lower_firsts.insert(usize::from(b0));
            }
            let n = p.char_indices().find(|&(_, c)| !is_word_char(c)).map_or(p.len(), |(i, _)| i);
            let b = p.as_bytes();
            if n > 0 {
                let genitive = [&b[..n], b"s"].concat();
                for w in [&b[..n], &genitive[..]] {
                    f.prefixes.insert(prefix_key(w));
                }
                f.bloom.insert(bloom_key(&b[..n]));
                f.words.insert(b[..n].into());
            } else if let Some(&b0) = b.first() {
                if !f.other_firsts.contains(&b0) {
                    f.other_firsts.push(b0);
                }
                let mut set = |b1: u8| f.other_pairs.insert(usize::from(b0) << 8 | usize::from(b1));
                match b.get(1) {
                    Some(&b1) => set(b1),
                    None => (0..=255).for_each(set),
                }
            }
        }
        f.confirm_words = 2 * f.prefixes.len() > BitSet::<512>::BITS;
        f
    }

    /// Whether the folded word `folded[start..end]` (a whole run of word
    /// characters, `lower` when its first letter is lower case) may begin
    /// an alias.
    #[inline(always)]
    fn word(&self, folded: &[u8], start: usize, end: usize, lower: bool) -> bool {
        if lower && !self.lower_firsts.contains(usize::from(folded[start])) {
            return false;
        }
        self.prefixes.contains(prefix_key_in(folded, start, end))
            && (!self.confirm_words || self.confirm(&folded[start..end]))
    }

    /// The rest of [`FirstWords::word`] for a word that passes a full
    /// prefix bitmap. Out of line, so that the test every word takes stays
    /// small enough to inline into the scan's loop.
    #[inline(never)]
    fn confirm(&self, w: &[u8]) -> bool {
        let known = |w: &[u8]| self.bloom.contains(bloom_key(w)) && self.words.contains(w);
        known(w) || (w.len() > 1 && w.ends_with(b"s") && known(&w[..w.len() - 1]))
    }

    /// Whether an alias that starts with a non-word character may start at
    /// `i` of the folded text.
    #[inline]
    fn other(&self, folded: &[u8], i: usize) -> bool {
        self.other_pairs.contains(usize::from(folded[i]) << 8 | usize::from(folded.get(i + 1).copied().unwrap_or(0)))
    }
}

/// Whether a character continues a word: Unicode letters and digits.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether the character that ends at byte `i` of `text` (a character
/// boundary) is a word character ([`is_word_char`]), by its classes
/// ([`Classifier`]: a table for ASCII and Latin-1, nearly every character
/// next to a match, and decoded beyond).
fn word_char_before(text: &str, i: usize) -> bool {
    i > 0 && Classifier::new(text).at(crate::floor_char_boundary(text, i - 1)).class & ALNUM != 0
}

/// Whether the character that starts at byte `i` of `text` (a character
/// boundary) is a word character; see [`word_char_before`].
fn word_char_at(text: &str, i: usize) -> bool {
    i < text.len() && Classifier::new(text).at(i).class & ALNUM != 0
}

/// The length of a Danish genitive tail at the start of `rest` that ends a word:
/// `s` (`Microsofts`), `'s`, `’s`, `´s` (`KMD's`). Zero if there is none.
pub fn genitive_tail(rest: &str) -> usize {
    let tail = if rest.starts_with('s') {
        1
    } else {
        ["'s", "’s", "´s"].iter().find(|t| rest.starts_with(**t)).map_or(0, |t| t.len())
    };
    if tail == 0 || rest[tail..].chars().next().is_some_and(is_word_char) { 0 } else { tail }
}

/// Whether a whitespace-delimited token is a web or e-mail address
/// (`https://itchefer.dk/node/1`, `www.kl.dk`, `navn@kmd.dk`, `kmd.dk/om`).
pub fn is_address(token: &str) -> bool {
    if token.starts_with("www.") {
        return true;
    }
    // Every other form holds `@`, or a `/` after `:/` or a domain's ending:
    // each `/` is asked what stands before it (six searches with
    // `str::contains` cost ~340 instructions a token that has a `/`). A
    // token is mostly a word or two: a plain loop, not memchr's set-up.
    let b = token.as_bytes();
    let address_at = |i: usize| {
        let head = &b[..i];
        b[i] == b'@'
            || head.ends_with(b":/")
            || [&b".dk"[..], b".com", b".org", b".net", b".eu"].iter().any(|e| head.ends_with(e))
    };
    if b.len() < 64 {
        has_at_or_slash(b) && (0..b.len()).any(|i| matches!(b[i], b'@' | b'/') && address_at(i))
    } else {
        memchr::memchr2_iter(b'@', b'/', b).any(address_at)
    }
}

/// Whether `b` holds `@` or `/`, eight bytes a step (with the test for a
/// zero byte in a word, of each byte xor the one looked for): nearly every
/// token holds neither, and a look at each byte cost ~70 instructions a
/// candidate.
fn has_at_or_slash(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let has_zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if has_zero_byte(x ^ (ONES * u64::from(b'@'))) || has_zero_byte(x ^ (ONES * u64::from(b'/'))) {
            return true;
        }
    }
    words.remainder().iter().any(|&c| c == b'@' || c == b'/')
}

/// Whether the byte at `i` ends a whitespace character (ASCII whitespace,
/// or the second byte of a no-break space `C2 A0`).
fn ends_space(b: &[u8], i: usize) -> bool {
    b[i].is_ascii_whitespace() || (b[i] == 0xA0 && i > 0 && b[i - 1] == 0xC2)
}

/// The whitespace-delimited token around `start..end` (at most 200 bytes each side).
pub fn token_around(text: &str, start: usize, end: usize) -> &str {
    let b = text.as_bytes();
    let lo = start.saturating_sub(200);
    let mut a = start;
    while a > lo && !ends_space(b, a - 1) {
        a -= 1;
    }
    let hi = (end + 200).min(b.len());
    let mut z = end;
    while z < hi && !b[z].is_ascii_whitespace() && !(b[z] == 0xC2 && b.get(z + 1) == Some(&0xA0)) {
        z += 1;
    }
    // Keep to character boundaries when a limit cut a character.
    while !text.is_char_boundary(a) {
        a += 1;
    }
    while !text.is_char_boundary(z) {
        z -= 1;
    }
    &text[a..z]
}

/// See [`Matcher::visitor`].
pub struct RunVisitor<'a> {
    m: &'a Matcher,
    text: &'a str,
    folded: &'a [u8],
    out: &'a mut Vec<Candidate>,
}

impl RunVisitor<'_> {
    /// An occurrence starts where no word character precedes it: at the
    /// start of a run, or at a character between runs (only aliases that
    /// open with punctuation can start there; [`RunVisitor::finish`] looks
    /// for those).
    #[inline(always)]
    pub fn visit(&mut self, r: &Run) {
        if self.m.starts.word(self.folded, r.start, r.end, r.first & LOWER != 0) {
            self.push(r.start);
        }
    }

    /// Aliases that open with punctuation ("(S)"), searched by their first
    /// byte over the whole text: a handful of bytes, found with memchr,
    /// instead of a look at every character between words.
    pub fn finish(mut self) {
        let (m, folded, text) = (self.m, self.folded, self.text);
        let mut at = |i: usize| {
            if m.starts.other(folded, i) {
                self.push(i);
            }
        };
        // Streamed, not collected: with more than three first bytes every
        // character is a start to try, and a list of them would be 8 bytes
        // a character.
        match m.starts.other_firsts[..] {
            [] => {}
            [a] => memchr::memchr_iter(a, folded).for_each(at),
            [a, b] => memchr::memchr2_iter(a, b, folded).for_each(at),
            [a, b, c] => memchr::memchr3_iter(a, b, c, folded).for_each(at),
            _ => text.char_indices().for_each(|(i, _)| at(i)),
        }
    }

    fn push(&mut self, start: usize) {
        let (m, text, out) = (self.m, self.text, &mut *self.out);
        m.at(self.folded, start, |alias_idx, end| {
            let alias = &m.aliases[alias_idx as usize];
            if m.check(text, alias, start, end).is_ok() {
                out.push(Candidate { alias: alias_idx, entity: alias.entity, start, end });
            }
        });
    }
}

/// Follow the anchored automaton from `i` until it dies, reporting each
/// alias that starts at `i` as `f(pattern, end)`.
#[inline(always)]
fn walk<A: Automaton>(a: &A, folded: &[u8], i: usize, mut f: impl FnMut(u32, usize)) {
    let Ok(mut sid) = a.start_state(Anchored::Yes) else { return };
    for (j, &b) in folded.iter().enumerate().skip(i) {
        sid = a.next_state(Anchored::Yes, sid, b);
        if a.is_dead(sid) {
            return;
        }
        if a.is_match(sid) {
            let end = j + 1;
            for k in 0..a.match_len(sid) {
                let pid = a.match_pattern(sid, k);
                // A state also reports the aliases that are suffixes of its
                // own ("struer" at the end of "dagbladet holstebro struer"):
                // those start later and are found from their own start.
                if a.pattern_len(pid) == end - i {
                    f(pid.as_u32(), end);
                }
            }
        }
    }
}

impl Matcher {
    /// Build the automaton over every alias of `dict`.
    pub fn new(dict: &Dictionary) -> Result<Self, aho_corasick::BuildError> {
        let patterns: Vec<String> = dict.aliases.iter().map(|a| fold(&a.text)).collect();
        // Measured on the bench corpus (10,059 patterns, 20 MB): anchored
        // walks from the filtered word starts take 0.15 s with either the
        // contiguous NFA or the DFA; the NFA builds in half the time (0.02 s)
        // and stays small for 10^5 entities, where the DFA needed ~0.9 GB.
        // An unanchored overlapping DFA scan of the same text took 0.21 s
        // before any boundary check.
        let ac = contiguous::Builder::new().match_kind(MatchKind::Standard).prefilter(false).build(&patterns)?;
        let starts = FirstWords::new(&patterns, &dict.aliases);
        let skip =
            crate::words::Skip::lower_except((b'a'..=b'z').filter(|&b| starts.lower_firsts.contains(usize::from(b))));
        Ok(Matcher { ac, aliases: dict.aliases.clone(), starts, skip })
    }

    /// The runs the matcher never looks at: those that open with a
    /// lower-case ASCII letter that opens no alias a lower-case word can
    /// match ([`FirstWords::word`] turns them away by their first byte).
    pub fn skip(&self) -> &crate::words::Skip {
        &self.skip
    }

    pub fn aliases(&self) -> &[Alias] {
        &self.aliases
    }

    pub fn alias(&self, idx: u32) -> &Alias {
        &self.aliases[idx as usize]
    }

    /// Every alias occurrence in the folded text that starts at `i`.
    #[inline]
    fn at(&self, folded: &[u8], i: usize, f: impl FnMut(u32, usize)) {
        walk(&self.ac, folded, i, f)
    }

    /// Every acceptable alias occurrence in `text` (in no particular order:
    /// [`crate::resolve`] sorts them). `folded` is a scratch buffer, reused
    /// between calls.
    pub fn candidates(&self, text: &str, folded: &mut Vec<u8>, out: &mut Vec<Candidate>) {
        let mut v = self.visitor(text, folded, out);
        let whole = 0..text.len();
        crate::words::scan_within_skipping(text, std::slice::from_ref(&whole), &self.skip, |r| v.visit(r), None);
        v.finish();
    }

    /// Collects the candidates of `text` from its runs of letters and digits
    /// as [`crate::words::scan`] finds them: call [`RunVisitor::visit`] for
    /// each run in order, then [`RunVisitor::finish`].
    pub fn visitor<'a>(
        &'a self,
        text: &'a str,
        folded: &'a mut Vec<u8>,
        out: &'a mut Vec<Candidate>,
    ) -> RunVisitor<'a> {
        out.clear();
        fold_into(text, folded);
        RunVisitor { m: self, text, folded, out }
    }

    /// Every raw occurrence of every alias, with the rule that accepted or
    /// rejected it (for `kommunegraf match`), in order of end offset.
    pub fn explain(&self, text: &str) -> Vec<(Candidate, Result<(), &'static str>)> {
        let mut folded = Vec::new();
        fold_into(text, &mut folded);
        let mut out = Vec::new();
        // Every character boundary, also inside words, to show those rejections.
        for (start, _) in text.char_indices() {
            self.at(&folded, start, |idx, end| {
                let alias = &self.aliases[idx as usize];
                let c = Candidate { alias: idx, entity: alias.entity, start, end };
                out.push((c, self.check(text, alias, start, end)));
            });
        }
        out.sort_by(|(a, _), (b, _)| a.end.cmp(&b.end).then(b.start.cmp(&a.start)).then(a.alias.cmp(&b.alias)));
        out
    }

    /// The rules that look only at the alias and its neighbouring characters.
    fn check(&self, text: &str, alias: &Alias, start: usize, end: usize) -> Result<(), &'static str> {
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err("not on a character boundary");
        }
        if word_char_before(text, start) {
            return Err("starts inside a word");
        }
        let rest = &text[end..];
        if word_char_at(text, end) && (genitive_tail(rest) == 0 || !word_char_before(&alias.text, alias.text.len())) {
            return Err("ends inside a word");
        }
        if !alias.compounds && rest.starts_with('-') {
            return Err("this alias does not start hyphen compounds");
        }
        let surface = &text[start..end];
        match alias.case {
            CaseRule::Exact if surface != alias.text => return Err("case-exact alias written otherwise"),
            CaseRule::Capitalised if !starts_capitalised(surface) => {
                return Err("the alias is capitalised, the text is not");
            }
            _ => {}
        }
        // A link is not a mention (checked last: it looks furthest).
        if is_address(token_around(text, start, end)) {
            return Err("inside a web or e-mail address");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;

    fn matcher(csv: &str) -> (Dictionary, Matcher) {
        let mut diag = Diagnostics::default();
        let mut d = Dictionary::new();
        d.add_csv("t.csv", format!("id,type,name,aliases\n{csv}").as_bytes(), &mut diag);
        assert!(diag.is_empty(), "{diag:?}");
        let m = Matcher::new(&d).unwrap();
        (d, m)
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let mut buf = Vec::new();
        let mut out = Vec::new();
        m.candidates(text, &mut buf, &mut out);
        out.iter().map(|c| text[c.start..c.end].to_string()).collect()
    }

    /// With a full prefix bitmap the set of first words is asked before a
    /// walk, with a sparse one it is not; either way the same aliases are
    /// found.
    #[test]
    fn first_words_are_confirmed_only_behind_a_full_bitmap() {
        // Names of random syllables: 30,000 of them fill most of the bitmap.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut word = || -> String {
            let len = 2 + next(3);
            let mut w: String = (0..len)
                .map(|_| {
                    let c = b"bdfghjklmnprstv"[next(15) as usize] as char;
                    let v = ['a', 'e', 'i', 'o', 'u', 'æ', 'ø', 'å'][next(8) as usize];
                    format!("{c}{v}")
                })
                .collect();
            w[..1].make_ascii_uppercase();
            w
        };
        // One word or two (a genitive `s` on a one-word name ends its first word).
        let mut names: Vec<String> =
            (0..30_000).map(|i| if i % 3 == 0 { word() } else { format!("{} {}", word(), word()) }).collect();
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.to_lowercase()));
        let csv: String = names.iter().enumerate().map(|(i, n)| format!("x{i},vendor,{n},\n")).collect();
        let (_, mut dense) = matcher(&csv);
        let (_, sparse) = matcher(&csv[..csv.find("x40,").unwrap()]);
        assert!(dense.starts.confirm_words && !sparse.starts.confirm_words);
        // Names, their genitives and other words of the same syllables.
        let text: String = (0..3000)
            .map(|i| match i % 4 {
                0 => names[i * 7 % names.len()].clone(),
                1 => format!("{}s", names[i * 11 % names.len()]),
                _ => word(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let confirmed = found(&dense, &text);
        assert!(confirmed.len() >= 1500, "{}", confirmed.len());
        dense.starts.confirm_words = false;
        assert_eq!(found(&dense, &text), confirmed);
        let few = found(&sparse, &text);
        assert!(few.iter().all(|f| names[..40].contains(f)), "{few:?}");
    }

    #[test]
    fn tails_and_boundaries() {
        let (_, m) = matcher("kmd,vendor,KMD,\nms,vendor,Microsoft,\nkl,organization,KL,\natos,vendor,Atos,\n");
        let table: &[(&str, &[&str])] = &[
            ("KMD's kontrakt", &["KMD"]),
            ("KMD’s kontrakt", &["KMD"]),
            ("KMDs kontrakt", &["KMD"]),
            ("Microsofts sky", &["Microsoft"]),
            ("KMD-kontrakter", &["KMD"]),
            ("KL-udbuddet", &["KL"]),
            ("Atos' aftale", &["Atos"]),
            ("kl. 8 mødes vi", &[]),
            ("KMDX er ikke KMD", &["KMD"]),
            ("XKMD", &[]),
            ("KMDsen", &[]),
            ("it-KMD", &["KMD"]),
        ];
        for (text, want) in table {
            assert_eq!(found(&m, text), *want, "{text}");
        }
    }

    #[test]
    fn aliases_that_open_with_punctuation_by_few_or_many_first_bytes() {
        // One first byte goes to memchr; four go to the walk over every
        // character. `x(S)` starts inside a word either way.
        let text = "Partiet (S) og «Nyt» mødte [A] og {B}, ikke x(S).";
        let (_, few) = matcher("s,organization,=(S),\n");
        assert_eq!(found(&few, text), ["(S)"]);
        let (_, many) =
            matcher("s,organization,=(S),\nn,organization,=«Nyt»,\na,organization,=[A],\nb,organization,={B},\n");
        let mut got = found(&many, text);
        got.sort();
        assert_eq!(got, ["(S)", "[A]", "{B}", "«Nyt»"]);
        // Without the `=` flag, "«Nyt»" is capitalised (by its first letter)
        // and matches only when that letter is a capital.
        let (_, unflagged) = matcher("n,organization,«Nyt»,\n");
        assert_eq!(found(&unflagged, "Læs «Nyt» og «NYT», ikke «nyt»."), ["«Nyt»", "«NYT»"]);
    }

    #[test]
    fn words_in_lower_case_meet_only_aliases_that_allow_it() {
        // Lower-case words are turned away by their first byte unless a
        // case-free alias, or a case-exact one written in lower case,
        // starts with it.
        let (_, m) = matcher("n,vendor,=netIP,\nt,vendor,~twoday,\nv,municipality,Vejen,\n");
        assert_eq!(
            found(&m, "netIP og NetIP, twoday og Twoday, vejen og Vejen"),
            ["netIP", "twoday", "Twoday", "Vejen"]
        );
    }

    proptest::proptest! {
        /// The neighbours of a match are read as the characters would be.
        #[test]
        fn word_chars_next_to_a_boundary_are_the_characters(parts in proptest::collection::vec(
            proptest::sample::select(vec!["a", "Z", "7", " ", "-", "æ", "Ø", "’", "\u{a0}", "٣", "ǅ", "'"]), 0..8
        )) {
            let text = parts.concat();
            for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
                proptest::prop_assert_eq!(word_char_before(&text, i), text[..i].chars().next_back().is_some_and(is_word_char));
                proptest::prop_assert_eq!(word_char_at(&text, i), text[i..].chars().next().is_some_and(is_word_char));
            }
            let capitalised = text.chars().find(|c| c.is_alphanumeric()).is_some_and(char::is_uppercase);
            proptest::prop_assert_eq!(starts_capitalised(&text), capitalised, "{:?}", text);
        }

        /// An address is a token that holds one of its forms anywhere.
        #[test]
        fn addresses_are_the_tokens_that_hold_a_form(parts in proptest::collection::vec(proptest::sample::select(vec![
            "www.", "www", ".", "://", ":", "/", "@", "dk", "com", "org", "net", "eu", "kl", "x", "æ", "-", ".dk/",
            ".com/", ".org/", ".net/", ".eu/", ".eu",
        ]), 0..10), pad in 0usize..70) {
            let token = "y".repeat(pad) + &parts.concat();
            let want = token.contains("://")
                || token.contains('@')
                || token.starts_with("www.")
                || [".dk/", ".com/", ".org/", ".net/", ".eu/"].iter().any(|t| token.contains(t));
            proptest::prop_assert_eq!(is_address(&token), want, "{:?}", token);
        }
    }

    proptest::proptest! {
        /// Eight bytes at a time find what a look at each byte finds.
        #[test]
        fn at_or_slash_by_the_word_is_by_the_byte(b in proptest::collection::vec(proptest::prop_oneof![
            proptest::sample::select(vec![b'@', b'/', b'?', b'.', 0x40 ^ 0x80, 0x2F ^ 0x80, 0, 0xFF, b'A']),
            proptest::num::u8::ANY,
        ], 0..40)) {
            proptest::prop_assert_eq!(has_at_or_slash(&b), b.iter().any(|&c| c == b'@' || c == b'/'), "{:?}", b);
        }

        /// The key of a word read from its text with one masked load is the
        /// key of the word alone, for words of any length anywhere in the
        /// text (the last ones too, where four bytes do not stand).
        #[test]
        fn a_key_read_in_the_text_is_the_key_of_the_word(
            buf in proptest::collection::vec(proptest::num::u8::ANY, 1..12),
            a in 0usize..12,
            b in 0usize..12,
        ) {
            let (start, end) = (a.min(b).min(buf.len() - 1), a.max(b).min(buf.len()));
            proptest::prop_assert_eq!(prefix_key_in(&buf, start, end), prefix_key(&buf[start..end]));
        }
    }

    #[test]
    fn addresses_short_and_long() {
        // Tokens under 64 bytes are looked through byte by byte, longer ones
        // with memchr: each form on both sides of that line.
        let long = |t: &str| format!("{t}{}", "x".repeat(70));
        for t in ["https://kl.dk", "navn@kmd.dk", "kmd.dk/om", "www.kl.dk"] {
            assert!(is_address(t), "{t}");
            assert!(is_address(&long(t)), "long {t}");
        }
        for t in ["KMD-kontrakterne,", "kl.", "Aarhus", "2024:", "og/eller"] {
            assert!(!is_address(t), "{t}");
            assert!(!is_address(&long(t)), "long {t}");
        }
    }

    #[test]
    fn offsets_survive_folding() {
        let (_, m) = matcher("aar,municipality,Aarhus Kommune,Århus\n");
        let text = "ÆØÅ i ÅRHUS og Århus";
        let mut buf = Vec::new();
        let mut out = Vec::new();
        m.candidates(text, &mut buf, &mut out);
        let spans: Vec<&str> = out.iter().map(|c| &text[c.start..c.end]).collect();
        assert_eq!(spans, ["ÅRHUS", "Århus"]);
    }
}
