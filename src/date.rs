//! Document dates: the JSONL `date` field, or else the first date written in
//! the text, in the forms Danish news pages use ("26. januar 2026",
//! "12.11.2025", "2025-11-12", RSS-style "date 2017-03").

use std::fmt;
use std::ops::Range;

use crate::BitSet;

/// A calendar date; `day` is `None` for month precision ("date 2017-03").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: Option<u8>,
}

impl Date {
    /// A date if the parts are a real calendar date between 1900 and 2199.
    pub fn new(year: u32, month: u32, day: Option<u32>) -> Option<Date> {
        if !(1900..2200).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if let Some(d) = day {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
            if d == 0 || d > days {
                return None;
            }
        }
        Some(Date { year: year as u16, month: month as u8, day: day.map(|d| d as u8) })
    }

    /// A full `YYYY-MM-DD` (the first of the month at month precision), as
    /// time axes such as GEXF's `xs:date` need.
    pub fn full(&self) -> String {
        Date { day: Some(self.day.unwrap_or(1)), ..*self }.iso().as_str().to_string()
    }

    /// Order key that puts a month-precision date at the start of its month.
    fn key(&self) -> (u16, u8, u8) {
        (self.year, self.month, self.day.unwrap_or(0))
    }

    /// The ISO 8601 bytes ([`Date`]'s `Display`), written by hand: every
    /// dated document's row has one, and `core::fmt` took ~500
    /// instructions a date.
    pub fn iso(&self) -> IsoDate {
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let y = self.year;
        let mut b = [digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), b'-', 0, 0, b'-', 0, 0];
        let m = u16::from(self.month);
        (b[5], b[6]) = (digit(m / 10), digit(m));
        let len = match self.day {
            Some(d) => {
                let d = u16::from(d);
                (b[8], b[9]) = (digit(d / 10), digit(d));
                10
            }
            None => 7,
        };
        IsoDate { bytes: b, len }
    }
}

/// A date as ISO 8601 text ([`Date::iso`]).
pub struct IsoDate {
    bytes: [u8; 10],
    len: usize,
}

impl IsoDate {
    pub fn as_str(&self) -> &str {
        // Digits and hyphens only.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// ISO 8601: `2025-11-12`, or `2017-03` at month precision.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iso().as_str())
    }
}

/// Earliest and latest of two optional dates.
pub fn min_max(a: (Option<Date>, Option<Date>), d: Option<Date>) -> (Option<Date>, Option<Date>) {
    let Some(d) = d else { return a };
    let lo = match a.0 {
        Some(x) if x.key() <= d.key() => x,
        _ => d,
    };
    let hi = match a.1 {
        Some(x) if x.key() >= d.key() => x,
        _ => d,
    };
    (Some(lo), Some(hi))
}

const MONTHS: &[(&str, u32)] = &[
    ("januar", 1),
    ("jan", 1),
    ("februar", 2),
    ("feb", 2),
    ("marts", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("maj", 5),
    ("juni", 6),
    ("jun", 6),
    ("juli", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("okt", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// The date forms as one regex: the definition [`date_at`] is held to by
/// the tests.
#[cfg(test)]
fn date_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let months = MONTHS.iter().map(|(m, _)| *m).collect::<Vec<_>>().join("|");
        // ASCII word boundaries and digits: with a Unicode `\b` the regex
        // crate cannot use its DFA on non-ASCII text and ran a backtracker
        // over every paragraph holding a year (9% of a whole run).
        crate::constant_regex(&format!(
            r"(?i)(?-u:\b)(?:(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{1,2}})-(?P<id>[0-9]{{1,2}})|(?P<nd>[0-9]{{1,2}})[.\-/](?P<nm>[0-9]{{1,2}})[.\-/](?P<ny>[0-9]{{4}})|(?P<wd>[0-9]{{1,2}})\.?\s+(?P<wm>{months})\.?\s+(?P<wy>[0-9]{{4}})|date\s+(?P<ry>[0-9]{{4}})-(?P<rm>[0-9]{{2}}))(?-u:\b)"
        ))
    })
}

/// The first valid date written in `text`, if any.
pub fn find_in_text(text: &str) -> Option<Date> {
    first_in_spans(text, std::iter::once(0..text.len()))
}

/// The first date of the first span of `text` that holds one (spans in
/// text order, not overlapping, on character boundaries): [`find_in_text`]
/// of each span in turn.
///
/// Most paragraphs hold no date, and the regex is the cost: every date form
/// has a four-digit year, so the regex runs only on a span holding four
/// digits whose surroundings fit a form (`year_fits`). The digits are found
/// in one pass over the whole text, which stops at the first date, rather
/// than in one pass per span.
pub fn first_in_spans(text: &str, spans: impl IntoIterator<Item = Range<usize>>) -> Option<Date> {
    let mut spans = spans.into_iter();
    let mut span = spans.next()?;
    for p in year_starts(text) {
        // The four digits must lie inside the span, as they would in a pass over the span alone.
        while span.end < p + 4 {
            span = spans.next()?;
        }
        if p < span.start {
            continue;
        }
        let s = &text[span.clone()];
        if year_fits(s, p - span.start) {
            // No date in the span starts before this year's: each date has
            // a year, and the years before did not fit.
            if let Some(d) = first_date_from(s, earliest_start(s, p - span.start)) {
                return Some(d);
            }
            span = spans.next()?; // no date in this one
        }
    }
    None
}

/// The offsets of every four ASCII digits in a row in `text`, in order
/// (overlapping: "20251" gives two), found 64 bytes at a time.
fn year_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    // Bit i of `fours`: bytes i-3..=i are digits (the three before the
    // block's first byte are the top bits of the previous block).
    let mut prev = 0u64;
    crate::chars::blocks(text.as_bytes()).flat_map(move |(base, m)| {
        let d = m.digit;
        let mut fours = d & (d << 1 | prev >> 63) & (d << 2 | prev >> 62) & (d << 3 | prev >> 61);
        prev = d;
        std::iter::from_fn(move || {
            if fours == 0 {
                return None;
            }
            let i = fours.trailing_zeros() as usize;
            fours &= fours - 1;
            // (In the first block, i >= 3: no digits stand before it.)
            Some(base + i - 3)
        })
    })
}

/// Whether four digits at `p` may be the year of a date: either followed
/// by `-` (`2025-11-12`, `date 2017-03`), or after `.`, `-` or `/`
/// (`12.11.2025`), or after a month name and spaces (`26. januar 2026`).
/// A necessary condition only (the regex decides).
fn year_fits(text: &str, p: usize) -> bool {
    let b = text.as_bytes();
    if b.get(p + 4) == Some(&b'-') {
        return true;
    }
    let Some(&prev) = p.checked_sub(1).map(|q| &b[q]) else { return false };
    if matches!(prev, b'.' | b'-' | b'/') {
        return true;
    }
    // A month name, an optional full stop, white space (the regex's `\s`).
    let mut q = space_start(text, p);
    if q == p {
        return false;
    }
    if q > 0 && b[q - 1] == b'.' {
        q -= 1;
    }
    // The month names are ASCII, and under `(?i)` only two characters
    // outside ASCII match an ASCII letter: the Kelvin sign (E2 84 AA) and
    // the long s (C5 BF). Where one may be part of the name, let it pass.
    let wide = &b[q.saturating_sub(12)..q];
    let before = &b[q.saturating_sub(9)..q];
    wide.iter().any(|&c| c == 0xE2 || c == 0xC5)
        || ends_like_a_month(before)
            && MONTHS.iter().any(|(m, _)| {
                before.len() >= m.len() && before[before.len() - m.len()..].eq_ignore_ascii_case(m.as_bytes())
            })
}

/// Whether `b` ends in the last two letters, in any case, of one of the
/// [`MONTHS`]: most words before four digits do not ("i 2025", "fra
/// 2019"), and a comparison with every month cost ~700 instructions a year.
fn ends_like_a_month(b: &[u8]) -> bool {
    const TAILS: BitSet<1024> = {
        let mut tails = BitSet::new();
        let mut i = 0;
        while i < MONTHS.len() {
            let m = MONTHS[i].0.as_bytes();
            tails.insert(tail_key(m[m.len() - 2], m[m.len() - 1]));
            i += 1;
        }
        tails
    };
    const fn tail_key(a: u8, b: u8) -> usize {
        (a.to_ascii_lowercase() as usize) << 8 | b.to_ascii_lowercase() as usize
    }
    matches!(*b, [.., x, y] if TAILS.contains(tail_key(x, y)))
}

/// Where a date whose year is the four digits at `p` of `text` may start,
/// at the earliest. Before its year a date has, from the year back: white
/// space (the regex's `\s`), then at most 28 bytes without white space (a
/// month name of nine letters, three bytes each under `(?i)` for the Kelvin
/// sign, and its full stop; or "date"; or "12.11."), then white space, then a
/// day and its full stop. (From the paragraph's start, the regex scanned up
/// to the year to find the date: most of the date's cost.)
fn earliest_start(text: &str, p: usize) -> usize {
    let word_end = space_start(text, p);
    let mut word_start = word_end;
    while word_start + 28 > word_end {
        match text[..word_start].chars().next_back() {
            Some(c) if !c.is_whitespace() => word_start -= c.len_utf8(),
            _ => break,
        }
    }
    crate::floor_char_boundary(text, space_start(text, word_start).saturating_sub("26.".len()))
}

/// The first valid date the date regex finds in `text`, searched from its
/// start: what the tests hold [`first_in_spans`] and [`date_at`] to.
#[cfg(test)]
fn first_date(text: &str) -> Option<Date> {
    // Find with the DFA first, then take the groups of each match alone.
    let re = date_re();
    for m in re.find_iter(text) {
        let Some(c) = re.captures_at(&text[..m.end()], m.start()) else { continue };
        let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let d = if let Some(y) = num("iy") {
            Date::new(y, num("im")?, num("id"))
        } else if let Some(y) = num("ny") {
            Date::new(y, num("nm")?, num("nd"))
        } else if let Some(y) = num("wy") {
            // `(?i)` also matched the long s, which has no ASCII lower case.
            let name = c.name("wm").map(|n| n.as_str().to_lowercase().replace('ſ', "s"));
            let month = MONTHS.iter().find(|(n, _)| Some(*n) == name.as_deref()).map(|(_, m)| *m);
            month.and_then(|m| Date::new(y, m, num("wd")))
        } else if let Some(y) = num("ry") {
            Date::new(y, num("rm")?, None)
        } else {
            None
        };
        if d.is_some() {
            return d;
        }
    }
    None
}

/// The first valid date written in `text` from byte `from` on (the text
/// before it decides whether a date may start at `from`, as for `\b`): the
/// first match of the date regex, by hand ([`date_at`]), and the next after
/// it while the one found is no calendar date. (The regex's captures cost
/// 9,000 instructions a search.)
fn first_date_from(text: &str, from: usize) -> Option<Date> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        // A match starts with a digit or the `d` of "date", at a word boundary.
        let starts = b[i].is_ascii_digit() || b[i] | 0x20 == b'd';
        if starts && (i == 0 || !is_word_byte(b[i - 1])) {
            if let Some((date, end)) = date_at(text, i) {
                if date.is_some() {
                    return date;
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    None
}

/// An ASCII letter, digit or `_`: a word byte for the regex's `(?-u:\b)`.
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Whether `(?-u:\b)` holds at `i` after a digit: no word byte follows.
fn ends_word(b: &[u8], i: usize) -> bool {
    b.get(i).is_none_or(|&c| !is_word_byte(c))
}

/// The number of ASCII digits at `i` of `b` (the whole run).
fn digits_at(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// The number made of the digits `b[i..i + n]`.
fn number(b: &[u8], i: usize, n: usize) -> u32 {
    b[i..i + n].iter().fold(0, |v, &c| v * 10 + u32::from(c - b'0'))
}

/// The start of the white space (the regex's `\s`, Unicode's White_Space)
/// that ends at `i`.
fn space_start(text: &str, mut i: usize) -> usize {
    while let Some(c) = text[..i].chars().next_back().filter(|c| c.is_whitespace()) {
        i -= c.len_utf8();
    }
    i
}

/// The end of the white space (the regex's `\s`, Unicode's White_Space) at `i`.
fn space_end(text: &str, mut i: usize) -> usize {
    while let Some(c) = text.get(i..).and_then(|r| r.chars().next()).filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

/// The end of month name `name` (ASCII, lower case) at `i` of `text` as
/// `(?i)` matches it: each letter in either case, and `k` and `s` also as
/// the Kelvin sign and the long s, which fold to them.
fn month_end(text: &str, name: &str, mut i: usize) -> Option<usize> {
    let b = text.as_bytes();
    for want in name.bytes() {
        let c = *b.get(i)?;
        if c.to_ascii_lowercase() == want {
            i += 1;
        } else if want == b'k' && b[i..].starts_with("\u{212A}".as_bytes()) {
            i += 3;
        } else if want == b's' && b[i..].starts_with("\u{17F}".as_bytes()) {
            i += 2;
        } else {
            return None;
        }
    }
    Some(i)
}

/// The date regex's match starting at `i`, where a word boundary stands and
/// a digit or a `d` begins (see [`first_date_from`]): the date it writes,
/// `None` when no calendar date, and where the match ends. The regex tries
/// its forms in order, `YYYY-MM-DD`, `DD.MM.YYYY`, `D. month YYYY` and
/// `date YYYY-MM`, and each repetition takes as much as it can; at one start
/// at most one form can match.
fn date_at(text: &str, i: usize) -> Option<(Option<Date>, usize)> {
    let b = text.as_bytes();
    let run = digits_at(b, i);
    // `[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\b`
    if run == 4 && b.get(i + 4) == Some(&b'-') {
        let m = digits_at(b, i + 5);
        if (1..=2).contains(&m) && b.get(i + 5 + m) == Some(&b'-') {
            let d_at = i + 6 + m;
            let d = digits_at(b, d_at);
            if (1..=2).contains(&d) && ends_word(b, d_at + d) {
                let date = Date::new(number(b, i, 4), number(b, i + 5, m), Some(number(b, d_at, d)));
                return Some((date, d_at + d));
            }
        }
    }
    if (1..=2).contains(&run) {
        // `[0-9]{1,2}[.\-/][0-9]{1,2}[.\-/][0-9]{4}\b`
        let sep = |k: usize| b.get(k).is_some_and(|c| matches!(c, b'.' | b'-' | b'/'));
        if sep(i + run) {
            let m_at = i + run + 1;
            let m = digits_at(b, m_at);
            if (1..=2).contains(&m) && sep(m_at + m) {
                let y_at = m_at + m + 1;
                if digits_at(b, y_at) == 4 && ends_word(b, y_at + 4) {
                    let date = Date::new(number(b, y_at, 4), number(b, m_at, m), Some(number(b, i, run)));
                    return Some((date, y_at + 4));
                }
            }
        }
        // `[0-9]{1,2}\.?\s+(month)\.?\s+[0-9]{4}\b`
        let after_day = i + run + usize::from(b.get(i + run) == Some(&b'.'));
        let name_at = space_end(text, after_day);
        if name_at > after_day {
            for &(name, month) in MONTHS {
                let Some(mut k) = month_end(text, name, name_at) else { continue };
                k += usize::from(b.get(k) == Some(&b'.'));
                let y_at = space_end(text, k);
                if y_at > k && digits_at(b, y_at) == 4 && ends_word(b, y_at + 4) {
                    let date = Date::new(number(b, y_at, 4), month, Some(number(b, i, run)));
                    return Some((date, y_at + 4));
                }
            }
        }
    }
    // `date\s+[0-9]{4}-[0-9]{2}\b`
    if b.get(i..i + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"date")) {
        let y_at = space_end(text, i + 4);
        if y_at > i + 4 && digits_at(b, y_at) == 4 && b.get(y_at + 4) == Some(&b'-') {
            let m_at = y_at + 5;
            if digits_at(b, m_at) >= 2 && ends_word(b, m_at + 2) {
                return Some((Date::new(number(b, y_at, 4), number(b, m_at, 2), None), m_at + 2));
            }
        }
    }
    None
}

/// A date field as given (JSONL `date`): ISO dates and date-times, or any of
/// the text forms.
pub fn parse_field(s: &str) -> Option<Date> {
    let s = s.trim();
    let iso = s.get(..10).filter(|p| p.as_bytes().get(4) == Some(&b'-'));
    if let Some(p) = iso {
        let parts: Vec<u32> = p.split('-').filter_map(|x| x.parse().ok()).collect();
        if let [y, m, d] = parts[..] {
            if let Some(date) = Date::new(y, m, Some(d)) {
                return Some(date);
            }
        }
    }
    if s.len() == 7 && s.as_bytes()[4] == b'-' {
        if let (Ok(y), Ok(m)) = (s[..4].parse(), s[5..].parse()) {
            return Date::new(y, m, None);
        }
    }
    find_in_text(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_date_forms() {
        let table = [
            ("Publiceret 26 januar 2026 kl. 10", Some("2026-01-26")),
            ("Den 2. juli 2025 blev aftalen underskrevet", Some("2025-07-02")),
            ("Opdateret 12-11-2025", Some("2025-11-12")),
            ("Opdateret 12.11.2025 08:00", Some("2025-11-12")),
            (" date 2017-03 Finans", Some("2017-03")),
            ("Dato: 31.02.2025 er ugyldig, men 1. marts 2025 er god", Some("2025-03-01")),
            ("Det koster 12.500 kr. og 2.000 timer", None),
            ("Ingen dato her, kun år 2025.", None),
        ];
        for (text, want) in table {
            assert_eq!(find_in_text(text).map(|d| d.to_string()).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn month_names_in_any_case_end_like_a_month() {
        for (m, _) in MONTHS {
            for w in [m.to_string(), m.to_uppercase(), format!("den {}{}", &m[..1].to_uppercase(), &m[1..])] {
                assert!(ends_like_a_month(w.as_bytes()), "{w}");
            }
        }
        for w in ["i", "fra", "siden", "hus", "år", "", "2024", "Marts."] {
            assert!(!ends_like_a_month(w.as_bytes()), "{w}");
        }
    }

    proptest::proptest! {
        /// The pre-check never turns away a text the regex finds a date in.
        #[test]
        fn the_pre_check_keeps_every_date(parts in proptest::collection::vec(proptest::sample::select(vec![
            "2026", "2025", "12", "1", "0", ".", "-", "/", " ", "  ", "\n", "\u{a0}", "\u{2003}", "jan", "Januar",
            "OKT", "okt.", "marts", "date", "x", "é", "ſep", "K", "ok", "t", "\u{212A}", "på", "\u{85}",
            "\u{202F}", "\u{3000}", "ſeptember", "aug", "u", "ſt", "«",
        ]), 0..14), pad in 0usize..130, filler in proptest::sample::select(vec![" ", "x", "1", "æ"])) {
            // The filler moves the parts across the 64-byte blocks of the check.
            let text = filler.repeat(pad) + &parts.concat();
            proptest::prop_assert_eq!(find_in_text(&text), first_date(&text), "{:?}", text);
        }
    }

    proptest::proptest! {
        /// The hand-written reader finds the date the regex finds, in any
        /// text: the forms, their parts and what may border them.
        #[test]
        fn the_reader_finds_what_the_regex_finds(parts in proptest::collection::vec(proptest::sample::select(vec![
            "2025", "2024", "20251", "12", "1", "123", "0", "31", "02", "29", ".", "-", "/", " ", "\u{a0}", "\u{3000}",
            "\n", "januar", "jan", "JAN.", "marts", "mar", "maj", "ſeptember", "o\u{212A}t", "okt", "nov.", "date",
            "DATE", "Date", "update", "_", "a", "x", "é", "2025-11-12", "12.11.2025", "5. maj 2025", "date 2017-03",
        ]), 0..12)) {
            let text = parts.concat();
            proptest::prop_assert_eq!(first_date_from(&text, 0), first_date(&text), "{:?}", text);
        }
    }

    proptest::proptest! {
        /// Spans are searched in order, each as if alone: the date of the
        /// first span the regex finds one in, and never one that straddles
        /// spans or lies between them.
        #[test]
        fn spans_are_searched_each_alone(parts in proptest::collection::vec((proptest::sample::select(vec![
            "2026", "2025", "12", "1", ".", "-", " ", "\n", "maj", "x", "é", "12.11.2025", "1. maj 2025",
            "2024-02-29", "date 2017-03", "31.02.2025",
        ]), 0u8..6), 0..16), pad in 0usize..70) {
            // Each part may end a span (1 in 3), and each span may be skipped
            // as furniture (1 in 2).
            let mut text = " ".repeat(pad);
            let (mut spans, mut from) = (Vec::new(), 0);
            for (part, cut) in &parts {
                text.push_str(part);
                if *cut < 2 {
                    if *cut == 0 {
                        spans.push(from..text.len());
                    }
                    from = text.len();
                }
            }
            spans.push(from..text.len());
            let want = spans.iter().find_map(|s| first_date(&text[s.clone()]));
            proptest::prop_assert_eq!(first_in_spans(&text, spans.iter().cloned()), want, "{:?} {:?}", text, spans);
        }
    }

    #[test]
    fn unicode_spaces_and_case_folds_before_the_year() {
        let table = [
            ("den 1. ſeptember 2025", "2025-09-01"),
            ("den 3. o\u{212A}t. 2024 kl. 9", "2024-10-03"),
            ("5. maj\u{a0}2025", "2025-05-05"),
            ("5. maj\u{2003}\u{3000}2025", "2025-05-05"),
            ("5.\u{202F}maj 2025", "2025-05-05"),
            ("på 2. jan 2024 i Århus", "2024-01-02"),
        ];
        for (text, want) in table {
            assert_eq!(find_in_text(text).map(|d| d.to_string()).as_deref(), Some(want), "{text:?}");
        }
        assert_eq!(find_in_text("Det skete på Ærø 2024 og i år"), None);
    }

    /// After a match that is no calendar date the search goes on after
    /// the match, as the regex's does, not inside it (where "2025-01-01"
    /// would be a date).
    #[test]
    fn the_search_goes_on_after_a_match_that_is_no_date() {
        let text = "31.02.2025-01-01 og 3.3.2024";
        assert_eq!(first_date(text).map(|d| d.to_string()).as_deref(), Some("2024-03-03"));
        assert_eq!(first_date_from(text, 0), first_date(text));
    }

    /// The search for a date starts a little before its year
    /// ([`earliest_start`]): far enough for every form, with a two-digit day
    /// and its full stop, wide spaces and wide letters before the year.
    #[test]
    fn a_date_is_found_from_just_before_its_year() {
        let forms = [
            ("26. januar 2026", "2026-01-26"),
            ("26.  januar.  2026", "2026-01-26"),
            ("14.\u{a0}ſeptember\u{2003}2025", "2025-09-14"),
            ("14. ſeptember. 2025", "2025-09-14"),
            ("03. o\u{212A}tober\u{3000}2024", "2024-10-03"),
            ("12.11.2025", "2025-11-12"),
            ("12/11-2025", "2025-11-12"),
            ("2024-02-29", "2024-02-29"),
            ("date\u{2003} 2017-03", "2017-03"),
        ];
        for (form, want) in forms {
            for before in ["", " ", "Mødet den ", "Læs også: 2025 var et år. Den ", "på Ærø, "] {
                let text = format!("{before}{form} kl. 10");
                assert_eq!(find_in_text(&text).map(|d| d.to_string()).as_deref(), Some(want), "{text:?}");
            }
        }
        // A year glued to a word is no date, however far back the search starts.
        assert_eq!(find_in_text("Projekt26. januar 2026"), None);
    }

    #[test]
    fn a_year_across_the_blocks_of_the_check() {
        for pad in 50..70 {
            for (form, want) in
                [("1. maj 2025", "2025-05-01"), ("12.11.2025", "2025-11-12"), ("2024-02-29", "2024-02-29")]
            {
                let text = " ".repeat(pad) + form;
                assert_eq!(find_in_text(&text).map(|d| d.to_string()).as_deref(), Some(want), "{text:?}");
            }
        }
    }

    /// What [`year_fits`] assumes of the regex's case-insensitive letters.
    #[test]
    fn only_the_kelvin_sign_and_long_s_match_ascii_letters() {
        let letters = crate::constant_regex("(?i)^[a-z]$");
        let wide: Vec<char> = ('\u{80}'..=char::MAX).filter(|c| letters.is_match(&c.to_string())).collect();
        assert_eq!(wide, ['\u{17F}', '\u{212A}']);
    }

    #[test]
    fn iso_dates_are_the_formatted_numbers() {
        for year in [1900, 1999, 2000, 2025, 2199] {
            for month in 1..=12 {
                let at_month = Date::new(year, month, None).unwrap();
                assert_eq!(at_month.to_string(), format!("{year:04}-{month:02}"));
                for day in 1..=28 {
                    let d = Date::new(year, month, Some(day)).unwrap();
                    assert_eq!(d.to_string(), format!("{year:04}-{month:02}-{day:02}"));
                }
            }
        }
    }

    #[test]
    fn fields_and_ranges() {
        assert_eq!(parse_field("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        assert_eq!(parse_field("2023-02-29"), None);
        assert_eq!(parse_field("2025-11-12T10:00:00Z").map(|d| d.to_string()).as_deref(), Some("2025-11-12"));
        assert_eq!(parse_field("2019-09").map(|d| d.full()).as_deref(), Some("2019-09-01"));
        let a = Date::new(2020, 5, Some(3));
        let b = Date::new(2019, 1, None);
        let (lo, hi) = min_max(min_max((None, None), a), b);
        assert_eq!((lo, hi), (b, a));
    }
}
