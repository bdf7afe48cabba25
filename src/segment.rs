//! Paragraphs and sentences, as byte spans of the original text.
//!
//! Every non-empty line is a paragraph: scraped articles separate paragraphs
//! by blank lines and list items by single newlines, and both are windows for
//! co-mention. Sentences end at `.`, `!`, `?` before a capital, a digit or a
//! quote, except after the Danish abbreviations that usually precede more text
//! (`kr.`, `mio.`, `bl.a.`, `kl. 8` ...) and after initials (`Povl D. Rasmussen`).

/// A half-open byte range `start..end` of the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A sentence and the paragraph it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub paragraph: u32,
}

/// The paragraphs and sentences of one document, in text order.
#[derive(Debug, Clone, Default)]
pub struct Segments {
    pub paragraphs: Vec<Span>,
    pub sentences: Vec<Sentence>,
    /// The [`marks_of`] bytes of the line being split (a buffer kept between documents).
    marks: Vec<usize>,
}

/// Abbreviations after which a full stop does not end the sentence (lower case,
/// inner dots kept).
const ABBREVIATIONS: &[&str] = &[
    "kr", "mio", "mia", "f.eks", "fx", "bl.a", "pr", "kl", "ca", "nr", "jf", "jvf", "dvs", "evt", "inkl", "ekskl",
    "osv", "mht", "ift", "hhv", "vedr", "tlf", "stk", "ang", "etc", "m.fl", "m.m", "o.l", "bl", "eks", "dr", "hr",
    "prof", "adm", "dir", "cand", "mag", "tidl", "ifm", "iflg", "pga", "p.g.a", "gl", "ndr", "sdr", "vs", "jan", "feb",
    "apr", "aug", "sep", "sept", "okt", "nov", "dec", "mr", "mrs", "ms", "mv", "m.v", "t.o.m", "f.o.m", "o.a", "a/s",
    "aps",
];

impl Segments {
    /// Split `text`, replacing the previous contents (buffers are reused).
    ///
    /// One pass over the text, 64 bytes at a time, finds every byte that
    /// ends a line or may end a sentence ([`marks_of`]); a line's marks are
    /// kept until its end, where it becomes a paragraph and its sentences
    /// are split. (A search for the next line end and then for each next
    /// terminator cost a memchr set-up each: 7.7 instructions a byte.)
    pub fn split(&mut self, text: &str) {
        self.paragraphs.clear();
        self.sentences.clear();
        let b = text.as_bytes();
        let mut marks = std::mem::take(&mut self.marks);
        marks.clear();
        let mut line_start = 0;
        // Lines end at LF, CRLF or a lone CR (old Mac files); the LF of a CRLF
        // ends an empty line, skipped like any blank line.
        // (The zero bytes that pad the last block are no mark.)
        for (base, mut m) in crate::chars::blocks_of(b, marks_of) {
            while m != 0 {
                let i = base + m.trailing_zeros() as usize;
                m &= m - 1;
                if matches!(b[i], b'\n' | b'\r') {
                    self.line(text, line_start, i, &marks);
                    line_start = i + 1;
                    marks.clear();
                } else {
                    marks.push(i);
                }
            }
        }
        self.line(text, line_start, b.len(), &marks);
        self.marks = marks;
    }

    /// The line `start..end` (without its line end), and the marks in it.
    fn line(&mut self, text: &str, start: usize, end: usize, marks: &[usize]) {
        let Some(span) = trimmed_span(&text[start..end], start) else { return };
        let p = self.paragraphs.len() as u32;
        self.paragraphs.push(span);
        split_sentences(text, span, p, marks, &mut self.sentences);
    }

    /// The index of the sentence holding byte `offset` (the nearest before it
    /// when the offset lies between sentences).
    pub fn sentence_at(&self, offset: usize) -> usize {
        self.sentences.partition_point(|s| s.span.start <= offset).saturating_sub(1)
    }
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | '«' | ')' | ']')
}

fn starts_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '”' | '»' | '«' | '\'' | '–' | '-' | '(')
}

/// The word before byte `dot` (letters, digits, inner dots and slashes).
///
/// Read by the bytes while they are ASCII (the word before nearly every
/// full stop); from the first other byte on, by the characters.
fn word_before(text: &str, dot: usize) -> &str {
    let b = text.as_bytes();
    let mut k = dot;
    while let Some(&x) = k.checked_sub(1).and_then(|p| b.get(p)) {
        if x >= 0x80 {
            break;
        }
        if !(x.is_ascii_alphanumeric() || x == b'.' || x == b'/') {
            return &text[k..dot];
        }
        k -= 1;
    }
    let head = &text[..k];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.' || c == '/'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..dot]
}

/// Whether six ASCII letters or digits stand right before byte `i`: the
/// word before is then no abbreviation (the longest, "p.g.a", has five
/// bytes) and no initials (its last part has more than one letter), and
/// need not be read. Most full stops end such a word ("kommunen.").
fn long_word_before(b: &[u8], i: usize) -> bool {
    i >= 6 && b[i - 6..i].iter().all(u8::is_ascii_alphanumeric)
}

/// An ASCII word of at most five bytes (the longest of [`ABBREVIATIONS`],
/// "p.g.a"), lower-cased, as one number: its bytes and its length.
fn abbreviation_key(word: &[u8]) -> Option<u64> {
    if word.len() > 5 {
        return None;
    }
    let mut key = word.len() as u64;
    for &b in word {
        key = key << 8 | u64::from(b.to_ascii_lowercase());
    }
    Some(key)
}

/// Whether an ASCII word is one of [`ABBREVIATIONS`], in any case: a search
/// in their sorted keys (asked of nearly every full stop before a capital;
/// a walk through the list cost more than the rest of the sentence split).
fn is_listed_ascii(word: &[u8]) -> bool {
    static KEYS: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
        let mut keys: Vec<u64> = ABBREVIATIONS.iter().filter_map(|a| abbreviation_key(a.as_bytes())).collect();
        keys.sort_unstable();
        keys
    });
    abbreviation_key(word).is_some_and(|k| KEYS.binary_search(&k).is_ok())
}

fn is_abbreviation(word: &str) -> bool {
    let listed = if word.is_ascii() {
        is_listed_ascii(word.as_bytes())
    } else {
        // The abbreviations are ASCII, and the Kelvin sign is the only
        // character outside ASCII whose lower case is ASCII ("\u{212A}r" is
        // "kr"): other words need no lower-casing ("år." ends many sentences).
        // Its first byte, E2, is looked for first: a search for the whole
        // character cost ~240 instructions a word.
        word.as_bytes().contains(&0xE2)
            && word.contains('\u{212A}')
            && ABBREVIATIONS.contains(&word.to_lowercase().as_str())
    };
    if listed {
        return true;
    }
    // Initials: "D." in "Povl D. Rasmussen", "A.P." in "A.P. Møller".
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
        || (word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1))
}

/// Bit `i` set when byte `i` of `bytes` ends a line (`\n`, `\r`) or may end
/// a sentence: `.`, `!`, `?`, or `E2`, the first byte of `…` (and of other
/// punctuation: quotes, dashes, which the caller passes over).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn marks_of(bytes: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut m = 0u64;
    for k in 0..4 {
        // SAFETY: SSE2 is part of the x86-64 baseline, and the load reads
        // bytes 16k..16k+16 of a 64-byte array (an unaligned load is allowed).
        let bits = unsafe {
            let x = _mm_loadu_si128(bytes.as_ptr().add(16 * k).cast::<__m128i>());
            let eq = |c: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8));
            let stops = _mm_or_si128(_mm_or_si128(eq(b'.'), eq(b'!')), _mm_or_si128(eq(b'?'), eq(0xE2)));
            _mm_movemask_epi8(_mm_or_si128(stops, _mm_or_si128(eq(b'\n'), eq(b'\r')))) as u16
        };
        m |= u64::from(bits) << (16 * k);
    }
    m
}

/// See [`marks_of`]: byte by byte where SSE2 is not at hand.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn marks_of(bytes: &[u8; 64]) -> u64 {
    marks_of_bytewise(bytes)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn marks_of_bytewise(bytes: &[u8; 64]) -> u64 {
    let mut m = 0;
    for (i, b) in bytes.iter().enumerate() {
        m |= u64::from(matches!(b, b'.' | b'!' | b'?' | 0xE2 | b'\n' | b'\r')) << i;
    }
    m
}

/// The sentences of the paragraph `para`, given the offsets in `text` of
/// the [`marks_of`] bytes of its line, in order.
fn split_sentences(text: &str, para: Span, paragraph: u32, marks: &[usize], out: &mut Vec<Sentence>) {
    let s = &text[para.start..para.end];
    let b = s.as_bytes();
    let mut sent_start = 0;
    let mut from = 0;
    for &at in marks {
        // Marks before `from` were taken with the terminator before them;
        // those outside the paragraph are white space (`E2 80 A8` ...).
        let Some(i) = at.checked_sub(para.start).filter(|&i| i >= from && i < b.len()) else { continue };
        let c = match b[i] {
            0xE2 if b[i + 1..].starts_with(&[0x80, 0xA6]) => '…',
            0xE2 => continue,
            x => char::from(x),
        };
        // Include repeated terminators and closing quotes/brackets.
        let mut end = i + c.len_utf8();
        loop {
            match b.get(end) {
                Some(b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']') => end += 1,
                Some(&x) if x >= 0x80 => match s[end..].chars().next() {
                    Some(d) if is_closer(d) => end += d.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        from = end;
        let rest = &s[end..];
        let after_space = trim_start_spaces(rest);
        let next = match after_space.as_bytes().first() {
            None => break,
            Some(&x) if x < 0x80 => char::from(x),
            Some(_) => after_space.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER),
        };
        let split = if after_space.len() < rest.len() {
            starts_sentence(next)
        } else {
            // Run-together paragraphs ("it-systemer.I forliget").
            next.is_uppercase() && c == '.' && s[..i].chars().next_back().is_some_and(char::is_lowercase)
        };
        if !split {
            continue;
        }
        if c == '.' && end == i + 1 && !long_word_before(b, i) && is_abbreviation(word_before(s, i)) {
            continue;
        }
        push_trimmed(para.start, s, sent_start, end, paragraph, out);
        sent_start = end;
    }
    push_trimmed(para.start, s, sent_start, s.len(), paragraph, out);
}

/// `s` without the white space it starts with ([`str::trim_start`]), read
/// by the bytes when spaces and then a visible ASCII character open it (as
/// after nearly every full stop): decoding characters cost ~22 instructions
/// a mark.
fn trim_start_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    let lead = b.iter().take_while(|&&c| c == b' ').count();
    match b.get(lead) {
        Some(c) if c.is_ascii_graphic() => &s[lead..],
        _ => s.trim_start(),
    }
}

fn push_trimmed(base: usize, s: &str, a: usize, b: usize, paragraph: u32, out: &mut Vec<Sentence>) {
    if let Some(span) = trimmed_span(&s[a..b], base + a) {
        out.push(Sentence { span, paragraph });
    }
}

/// The span of `piece` without its surrounding white space, `piece` standing
/// at byte `at` of the text; `None` when nothing is left.
fn trimmed_span(piece: &str, at: usize) -> Option<Span> {
    // Mostly the spaces after the sentence before and a visible ASCII
    // character at the end: read by the bytes, without the Unicode trims.
    let t = trim_start_spaces(piece);
    let start = at + piece.len() - t.len();
    let t = if t.as_bytes().last().is_some_and(u8::is_ascii_graphic) { t } else { t.trim_end() };
    (!t.is_empty()).then_some(Span { start, end: start + t.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first, char-by-char implementation: the byte-level one must agree.
    fn reference(text: &str) -> Segments {
        fn sentences(text: &str, para: Span, paragraph: u32, out: &mut Vec<Sentence>) {
            let s = &text[para.start..para.end];
            let mut sent_start = 0;
            let mut iter = s.char_indices().peekable();
            while let Some((i, c)) = iter.next() {
                if !matches!(c, '.' | '!' | '?' | '…') {
                    continue;
                }
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = iter.peek() {
                    if matches!(d, '.' | '!' | '?') || is_closer(d) {
                        end = j + d.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                let rest = &s[end..];
                let after_space = rest.trim_start();
                let Some(next) = after_space.chars().next() else { break };
                let spaced = after_space.len() < rest.len();
                let prev = s[..i].chars().next_back();
                let split = if spaced {
                    starts_sentence(next)
                } else {
                    next.is_uppercase() && prev.is_some_and(char::is_lowercase) && c == '.'
                };
                if !split
                    || c == '.' && end == i + 1 && {
                        let w = word_before(s, i);
                        ABBREVIATIONS.contains(&w.to_lowercase().as_str()) || {
                            let mut chars = w.chars();
                            matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
                                || (w.contains('.') && w.split('.').all(|p| p.chars().count() <= 1))
                        }
                    }
                {
                    continue;
                }
                push_trimmed(para.start, s, sent_start, end, paragraph, out);
                sent_start = end;
            }
            push_trimmed(para.start, s, sent_start, s.len(), paragraph, out);
        }
        let mut seg = Segments::default();
        let mut pos = 0;
        for line in text.split_inclusive(['\n', '\r']) {
            let start = pos;
            pos += line.len();
            let body = line.trim_end_matches(['\n', '\r']);
            let lead = body.len() - body.trim_start().len();
            let trimmed = body.trim();
            if trimmed.is_empty() {
                continue;
            }
            let span = Span { start: start + lead, end: start + lead + trimmed.len() };
            let p = seg.paragraphs.len() as u32;
            seg.paragraphs.push(span);
            sentences(text, span, p, &mut seg.sentences);
        }
        seg
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_reference(parts in proptest::collection::vec(proptest::prop_oneof![
            proptest::sample::select(vec![".", "!", "?", "…", "...", " ", "\u{a0}", "\n", "\r", "\r\n", "\"", "”", "»", ")",
                "kr", "bl.a", "D", "Kl", "KR", "\u{212a}r", "Det", "det", "I", "2025", "æ", "Ø", "–", "(", "a/s",
                "kommunen", "A.P", "p.g.a", "m.fl", "xy", "ekskl", "Inkl",
                "\u{2028}", "\u{2003}", "\u{202f}"]).prop_map(str::to_string),
            any::<char>().prop_map(|c| c.to_string()),
        ], 0..40), pad in 0usize..140, filler in proptest::sample::select(vec![" ", "x", "æ", ".", "\n", "\u{2028}"])) {
            // The filler moves the parts across the 64-byte blocks of the marks.
            let text = filler.repeat(pad) + &parts.concat();
            let mut seg = Segments::default();
            seg.split(&text);
            let want = reference(&text);
            proptest::prop_assert_eq!(&seg.paragraphs, &want.paragraphs);
            proptest::prop_assert_eq!(&seg.sentences, &want.sentences);
        }
    }

    proptest::proptest! {
        #[test]
        fn marks_agree_with_the_bytewise_definition(bytes in proptest::collection::vec(proptest::prop_oneof![
            proptest::sample::select(vec![b'.', b'!', b'?', b'\n', b'\r', 0xE2, 0x80, 0xA6, b' ', b'a']),
            proptest::num::u8::ANY,
        ], 64)) {
            let block: [u8; 64] = bytes.try_into().unwrap();
            proptest::prop_assert_eq!(marks_of(&block), marks_of_bytewise(&block));
        }
    }

    fn sentences(text: &str) -> Vec<&str> {
        let mut seg = Segments::default();
        seg.split(text);
        seg.sentences.iter().map(|s| &text[s.span.start..s.span.end]).collect()
    }

    #[test]
    fn danish_sentences() {
        let table: &[(&str, &[&str])] = &[
            ("Det koster 5 mio. kr. om året. Det er dyrt.", &["Det koster 5 mio. kr. om året.", "Det er dyrt."]),
            ("Mødet er kl. 8 i morgen. KL deltager.", &["Mødet er kl. 8 i morgen.", "KL deltager."]),
            (
                "Aftalen blev indgået 26. januar 2026. Den gælder.",
                &["Aftalen blev indgået 26. januar 2026.", "Den gælder."],
            ),
            (
                "Systemer som bl.a. KMD Opus og f.eks. Nova. Det var alt.",
                &["Systemer som bl.a. KMD Opus og f.eks. Nova.", "Det var alt."],
            ),
            ("Foto: Povl D. Rasmussen. Han smiler.", &["Foto: Povl D. Rasmussen.", "Han smiler."]),
            ("\"Det er godt,\" siger hun. \"Ja!\" Slut.", &["\"Det er godt,\" siger hun.", "\"Ja!\"", "Slut."]),
            ("it-systemer.I forliget står der noget.", &["it-systemer.", "I forliget står der noget."]),
            ("Se nyteknik.se for mere. Tak.", &["Se nyteknik.se for mere.", "Tak."]),
            ("Hvad nu? Det ved ingen.", &["Hvad nu?", "Det ved ingen."]),
            ("Udbuddet i 2025. Det sker igen.", &["Udbuddet i 2025.", "Det sker igen."]),
            // Five letters can be an abbreviation, six cannot.
            ("Prisen er 100 kr. ekskl. Moms og fragt.", &["Prisen er 100 kr. ekskl. Moms og fragt."]),
            ("Det er aftalt. Moms og fragt.", &["Det er aftalt.", "Moms og fragt."]),
            // "a/s" is listed: the word before a full stop keeps its slash.
            ("Prisen er 5 kr. pr. a/s. Det er fast.", &["Prisen er 5 kr. pr. a/s. Det er fast."]),
        ];
        for (text, want) in table {
            assert_eq!(sentences(text), *want, "{text}");
        }
    }

    #[test]
    fn listed_abbreviations_are_found_in_any_case_and_no_other_word() {
        for a in ABBREVIATIONS {
            assert!(abbreviation_key(a.as_bytes()).is_some(), "{a} is longer than a key holds");
            for w in [a.to_string(), a.to_uppercase(), format!("{}{}", a[..1].to_uppercase(), &a[1..])] {
                assert!(is_listed_ascii(w.as_bytes()), "{w}");
            }
        }
        for w in ["", "k", "krr", "r", "mi", "miox", "kr.", "bl.a.", "aps.", "år", "Det", "2025", "a/", "mv.", "m.f"] {
            assert_eq!(is_listed_ascii(w.as_bytes()), ABBREVIATIONS.contains(&w.to_lowercase().as_str()), "{w:?}");
        }
    }

    /// What `is_abbreviation` assumes of lower case outside ASCII.
    #[test]
    fn only_the_kelvin_sign_lowercases_into_ascii() {
        let into_ascii: Vec<char> = ('\u{80}'..=char::MAX).filter(|c| c.to_lowercase().all(|l| l.is_ascii())).collect();
        assert_eq!(into_ascii, ['\u{212A}']);
    }

    #[test]
    fn an_abbreviation_written_with_the_kelvin_sign_ends_no_sentence() {
        for (text, n) in [("Det koster 5 \u{212A}r. Mere følger.", 1), ("Det koster 5 år. Mere følger.", 2)] {
            let mut seg = Segments::default();
            seg.split(text);
            assert_eq!(seg.sentences.len(), n, "{text}");
        }
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "Et.\r\nTo.\rTre.\n\r\nFire.";
        let mut seg = Segments::default();
        seg.split(text);
        let paras: Vec<&str> = seg.paragraphs.iter().map(|p| &text[p.start..p.end]).collect();
        assert_eq!(paras, ["Et.", "To.", "Tre.", "Fire."]);
    }

    #[test]
    fn paragraphs_are_lines_with_exact_offsets() {
        let text = "Overskrift\n\n  Første afsnit. To.\r\nAndet\n";
        let mut seg = Segments::default();
        seg.split(text);
        let paras: Vec<&str> = seg.paragraphs.iter().map(|p| &text[p.start..p.end]).collect();
        assert_eq!(paras, ["Overskrift", "Første afsnit. To.", "Andet"]);
        assert_eq!(seg.sentences.len(), 4);
        assert_eq!(seg.sentences[2].paragraph, 1);
        let at = text.find("To").unwrap();
        assert_eq!(seg.sentence_at(at), 2);
    }
}
