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
    pub fn split(&mut self, text: &str) {
        self.paragraphs.clear();
        self.sentences.clear();
        let b = text.as_bytes();
        let mut pos = 0;
        // Lines end at LF, CRLF or a lone CR (old Mac files); the LF of a CRLF
        // is an empty piece, skipped like any blank line.
        while pos < b.len() {
            let start = pos;
            let end = memchr::memchr2(b'\n', b'\r', &b[pos..]).map_or(b.len(), |k| pos + k);
            pos = (end + 1).min(b.len());
            let Some(span) = trimmed_span(&text[start..end], start) else { continue };
            let p = self.paragraphs.len() as u32;
            self.paragraphs.push(span);
            split_sentences(text, span, p, &mut self.sentences);
        }
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
fn word_before(text: &str, dot: usize) -> &str {
    let head = &text[..dot];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.' || c == '/'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &head[start..]
}

fn is_abbreviation(word: &str) -> bool {
    let listed = if word.is_ascii() {
        // The longest listed abbreviation has five bytes ("p.g.a").
        word.len() <= 5 && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
    } else {
        // The abbreviations are ASCII, and the Kelvin sign is the only
        // character outside ASCII whose lower case is ASCII ("\u{212A}r" is
        // "kr"): other words need no lower-casing ("år." ends many sentences).
        word.contains('\u{212A}') && ABBREVIATIONS.contains(&word.to_lowercase().as_str())
    };
    if listed {
        return true;
    }
    // Initials: "D." in "Povl D. Rasmussen", "A.P." in "A.P. Møller".
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
        || (word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1))
}

/// The next `…` (`E2 80 A6`) in `b`, by its first byte: paragraphs are short,
/// and a substring searcher costs more to start than this takes.
fn find_ellipsis(b: &[u8]) -> Option<usize> {
    memchr::memchr_iter(0xE2, b).find(|&i| b[i + 1..].starts_with(&[0x80, 0xA6]))
}

/// The next sentence terminator (`.`, `!`, `?`, `…`) in `s` at or after
/// `from`: its offset and character. `ellipsis` caches the next `…`.
fn next_terminator(s: &str, from: usize, ellipsis: &mut Option<usize>) -> Option<(usize, char)> {
    let b = s.as_bytes();
    if ellipsis.is_some_and(|e| e < from) {
        *ellipsis = find_ellipsis(&b[from..]).map(|k| from + k);
    }
    let ascii = memchr::memchr3(b'.', b'!', b'?', &b[from..]).map(|k| from + k);
    match (ascii, *ellipsis) {
        (Some(a), Some(e)) if e < a => Some((e, '…')),
        (Some(a), _) => Some((a, b[a] as char)),
        (None, Some(e)) => Some((e, '…')),
        (None, None) => None,
    }
}

fn split_sentences(text: &str, para: Span, paragraph: u32, out: &mut Vec<Sentence>) {
    let s = &text[para.start..para.end];
    let mut sent_start = 0;
    let mut ellipsis = find_ellipsis(s.as_bytes());
    let mut from = 0;
    while let Some((i, c)) = next_terminator(s, from, &mut ellipsis) {
        // Include repeated terminators and closing quotes/brackets.
        let mut end = i + c.len_utf8();
        while let Some(d) = s[end..].chars().next().filter(|&d| matches!(d, '.' | '!' | '?') || is_closer(d)) {
            end += d.len_utf8();
        }
        from = end;
        let rest = &s[end..];
        let after_space = rest.trim_start();
        let Some(next) = after_space.chars().next() else { break };
        let spaced = after_space.len() < rest.len();
        let prev = s[..i].chars().next_back();
        let split = if spaced {
            starts_sentence(next)
        } else {
            // Run-together paragraphs ("it-systemer.I forliget").
            next.is_uppercase() && prev.is_some_and(char::is_lowercase) && c == '.'
        };
        if !split {
            continue;
        }
        if c == '.' && end == i + 1 && is_abbreviation(word_before(s, i)) {
            continue;
        }
        push_trimmed(para.start, s, sent_start, end, paragraph, out);
        sent_start = end;
    }
    push_trimmed(para.start, s, sent_start, s.len(), paragraph, out);
}

fn push_trimmed(base: usize, s: &str, a: usize, b: usize, paragraph: u32, out: &mut Vec<Sentence>) {
    if let Some(span) = trimmed_span(&s[a..b], base + a) {
        out.push(Sentence { span, paragraph });
    }
}

/// The span of `piece` without its surrounding white space, `piece` standing
/// at byte `at` of the text; `None` when nothing is left.
fn trimmed_span(piece: &str, at: usize) -> Option<Span> {
    // Mostly a visible ASCII character at both ends: nothing to trim.
    if let (Some(a), Some(z)) = (piece.as_bytes().first(), piece.as_bytes().last()) {
        if a.is_ascii_graphic() && z.is_ascii_graphic() {
            return Some(Span { start: at, end: at + piece.len() });
        }
    }
    let t = piece.trim_start();
    let start = at + piece.len() - t.len();
    let t = t.trim_end();
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
                "kr", "bl.a", "D", "Kl", "KR", "\u{212a}r", "Det", "det", "I", "2025", "æ", "Ø", "–", "(", "a/s"]).prop_map(str::to_string),
            any::<char>().prop_map(|c| c.to_string()),
        ], 0..40)) {
            let text = parts.concat();
            let mut seg = Segments::default();
            seg.split(&text);
            let want = reference(&text);
            proptest::prop_assert_eq!(&seg.paragraphs, &want.paragraphs);
            proptest::prop_assert_eq!(&seg.sentences, &want.sentences);
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
        ];
        for (text, want) in table {
            assert_eq!(sentences(text), *want, "{text}");
        }
    }

    /// What `is_abbreviation` assumes of lower case outside ASCII.
    #[test]
    fn only_the_kelvin_sign_lowercases_into_ascii() {
        let into_ascii: Vec<char> = ('\u{80}'..=char::MAX).filter(|c| c.to_lowercase().all(|l| l.is_ascii())).collect();
        assert_eq!(into_ascii, ['\u{212A}']);
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
