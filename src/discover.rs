//! Entities no dictionary lists: people, companies and public agencies found
//! by the rules a Danish reader would state.
//!
//! People:
//! - two to four capitalised name tokens whose first is a Danish given name
//!   (`dictionaries/first_names.txt`): "Jens Otto Kromann", "Anne-Marie Dahl",
//!   "Michel van der Linden", "Povl D. Rasmussen";
//! - a name of any origin introduced by a role cue: a title before it
//!   ("borgmester Egon Fræhr", "it-chef Anders Bjært Sørensen") or after it
//!   ("Lars Møller, kommunaldirektør", "X, der er it-chef i Y"), a speech verb
//!   ("siger X", "fortæller X"), a byline ("Af X"), a photo credit ("Foto: X")
//!   or "X:" before a quote.
//!
//! Companies: capitalised words before a legal form ("Netip A/S", "Zangenberg
//! Analytics ApS", "… I/S", "… GmbH") are vendors, labelled without the legal
//! form. Agencies: one word ending in -ministeriet, -styrelsen, -tilsynet or
//! -nævnet is an organization.
//!
//! Within a document, a later surname ("Kjellerup") or a shorter form ("Jørgen
//! Kristensen") of a person named before resolves to the full name.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use crate::chars::{Classifier, LOWER, UPPER};
use crate::dict::{WordSet, word_list};
use crate::fold::{fold_byte, with_lowercase};
use crate::matcher::prefix_key;
use crate::timing::{Stage, Stopwatch};
use crate::words::{self, Token, Tokens, scan};
use crate::{BitSet, FastMap, StringPool};

/// The given-name list shipped in the binary.
pub const GIVEN_NAMES: &str = include_str!("../dictionaries/first_names.txt");
/// The surname list shipped in the binary.
pub const SURNAMES: &str = include_str!("../dictionaries/surnames.txt");

/// Why a discovered entity was accepted, for debugging and `mentions.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    GivenName,
    RoleCue,
    ShortName,
    LegalForm,
    AgencySuffix,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::GivenName => "given-name",
            Rule::RoleCue => "role-cue",
            Rule::ShortName => "short-name",
            Rule::LegalForm => "legal-form",
            Rule::AgencySuffix => "agency-suffix",
        }
    }
}

/// An entity occurrence found without a dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: &'static str,
    /// Canonical label (the full name; the company name without legal form).
    pub label: String,
    pub start: usize,
    pub end: usize,
    pub rule: Rule,
}

/// A byte span already claimed by a dictionary mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub start: usize,
    pub end: usize,
    /// Whether the dictionary entity is a person (for short-name resolution).
    pub person: bool,
}

/// Words that are capitalised but never part of a person's name.
const NOT_NAME_TOKENS: &[&str] = &[
    "Kommune",
    "Kommunes",
    "Kommuner",
    "Region",
    "Regions",
    "Universitet",
    "Universitets",
    "A/S",
    "ApS",
    "Danmark",
    "Danmarks",
    "Danske",
    "Dansk",
    "Styrelsen",
    "Ministeriet",
    "Foto",
    "Af",
    "Og",
    "I",
    "Det",
    "Den",
    "De",
    "Der",
    "Men",
    "Hun",
    "Han",
    "Vi",
    "Jeg",
    "Du",
    "Som",
    "For",
    "Med",
    "Til",
    "Fra",
    "På",
    "Om",
    "Når",
    "Hvis",
    "Da",
    "Nu",
    "Her",
    "Så",
    "Også",
    "Efter",
    "Ved",
    "Hos",
    "Mod",
    "Under",
    "Over",
    "Alle",
    "Læs",
    "Nyhed",
    "Nyheder",
    "Januar",
    "Februar",
    "Marts",
    "April",
    "Maj",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "December",
    "Mandag",
    "Tirsdag",
    "Onsdag",
    "Torsdag",
    "Fredag",
    "Lørdag",
    "Søndag",
    "It",
    "IT",
    "EU",
    "Event",
    "Navnenyt",
    "Artikel",
    "Computerworld",
    "Version2",
    "PR",
    "Copyright",
    "Ritzau",
    "Scanpix",
    "Colourbox",
    "Shutterstock",
    "Getty",
    "Images",
    "Privatfoto",
    "Arkivfoto",
    "Pressefoto",
    "Kilde",
    "Grafik",
    "Illustration",
];

/// [`NOT_NAME_TOKENS`] as a set, asked of every capitalised word after
/// another (some 600,000 times on the 100 MB bench corpus, four in five not
/// listed): a bit per shape of a listed word (its first four bytes and its
/// length, [`crate::matcher::prefix_key`]) turns away nearly every other word
/// before it is hashed.
struct NotName {
    shapes: Box<BitSet<512>>,
    words: WordSet<'static>,
}

static NOT_NAME: LazyLock<NotName> = LazyLock::new(|| {
    let mut shapes = Box::new(BitSet::new());
    for w in NOT_NAME_TOKENS {
        shapes.insert(prefix_key(w.as_bytes()));
    }
    NotName { shapes, words: NOT_NAME_TOKENS.iter().copied().collect() }
});

fn not_name(w: &str) -> bool {
    let n = &*NOT_NAME;
    n.shapes.contains(prefix_key(w.as_bytes())) && n.words.contains(w)
}

/// Whether `w` is a lower-case word that stands between given name and
/// surname ("van der", "af", "de"). Asked of every word after a capitalised
/// one: a `match` on the bytes, not a walk through a list.
fn is_particle(w: &str) -> bool {
    is_particle_bytes(w.as_bytes())
}

/// [`is_particle`] of a word's bytes (no slicing of the text on character
/// boundaries for the many lower-case words after a capitalised one).
fn is_particle_bytes(w: &[u8]) -> bool {
    matches!(
        w,
        b"af"
            | b"de"
            | b"van"
            | b"von"
            | b"der"
            | b"den"
            | b"la"
            | b"le"
            | b"du"
            | b"da"
            | b"di"
            | b"del"
            | b"ten"
            | b"ter"
    )
}

/// Titles and roles, matched as the end of a word (`it-chef`,
/// `digitaliseringschef`, `beskæftigelsesminister`).
const ROLE_ENDINGS: &[&str] = &[
    "chef",
    "chefen",
    "direktør",
    "direktøren",
    "ordfører",
    "ordføreren",
    "minister",
    "ministeren",
    "formand",
    "formanden",
    "leder",
    "lederen",
    "rådgiver",
    "konsulent",
    "redaktør",
    "journalist",
    "fotograf",
    "analytiker",
    "professor",
    "lektor",
    "borgmester",
    "borgmesteren",
    "rådmand",
    "rådmanden",
    "forsker",
    "ekspert",
    "advokat",
    "partner",
    "stifter",
    "ejer",
    "medlem",
    "politiker",
    "sekretær",
    "specialist",
    "arkitekt",
    "koordinator",
    "ceo",
    "cto",
    "cio",
    "cfo",
];

/// Verbs that introduce the speaker: "siger X", "fortæller X".
const SPEECH_VERBS: &[&str] = &[
    "siger",
    "sagde",
    "fortæller",
    "fortalte",
    "mener",
    "mente",
    "forklarer",
    "forklarede",
    "understreger",
    "tilføjer",
    "tilføjede",
    "vurderer",
    "påpeger",
    "svarer",
    "svarede",
    "uddyber",
    "konstaterer",
    "oplyser",
    "erkender",
    "skriver",
    "skrev",
    "udtaler",
    "udtalte",
    "supplerer",
    "fastslår",
    "præciserer",
    "medgiver",
    "indrømmer",
    "advarer",
];

/// [`ROLE_ENDINGS`] by their last two bytes, with a bit per pair of bytes
/// that ends one: most words are answered by one bit, and the rest compare
/// with the few endings of their pair.
struct RoleTails {
    bits: Box<BitSet<1024>>,
    by_tail: FastMap<[u8; 2], Vec<&'static [u8]>>,
}

impl RoleTails {
    fn index(tail: [u8; 2]) -> usize {
        usize::from(tail[0]) << 8 | usize::from(tail[1])
    }

    fn may_end(&self, tail: [u8; 2]) -> bool {
        self.bits.contains(Self::index(tail))
    }
}

static ROLE_TAILS: LazyLock<RoleTails> = LazyLock::new(|| {
    let mut t = RoleTails { bits: Box::new(BitSet::new()), by_tail: FastMap::default() };
    for r in ROLE_ENDINGS {
        let b = r.as_bytes();
        let tail = [b[b.len() - 2], b[b.len() - 1]];
        t.bits.insert(RoleTails::index(tail));
        t.by_tail.entry(tail).or_default().push(b);
    }
    t
});

/// Whether the lower-cased `word` ends with a role (`It-chef`,
/// `BORGMESTER`). Words of ASCII and Latin-1 letters, as good as all, are
/// folded a byte at a time where compared ([`crate::fold`]: there the fold
/// is the lower case, byte for byte), not copied; others are lower-cased.
fn ends_with_role(word: &str) -> bool {
    let w = word.as_bytes();
    if w.iter().any(|&b| b >= 0xC4) {
        // (Characters beyond Latin-1, whose lower case may differ in
        // length: `to_lowercase`.)
        return with_lowercase(word, |w| match *w {
            [.., a, b] => ROLE_TAILS.by_tail.get(&[a, b]).is_some_and(|rs| rs.iter().any(|r| w.ends_with(r))),
            _ => false,
        });
    }
    let n = w.len();
    if n < 2 {
        return false;
    }
    let folded = |i: usize| fold_byte(if i == 0 { 0 } else { w[i - 1] }, w[i]);
    let tail = [folded(n - 2), folded(n - 1)];
    if !ROLE_TAILS.may_end(tail) {
        return false;
    }
    ROLE_TAILS.by_tail[&tail]
        .iter()
        .any(|r| r.len() <= n && (n - r.len()..n - 2).all(|i| folded(i) == r[i + r.len() - n]))
}

fn is_speech_verb(word: &str) -> bool {
    with_lowercase(word, |w| SPEECH_VERBS.iter().any(|v| w == v.as_bytes()))
}

/// Build the word sets, patterns and automaton now (see
/// [`crate::pipeline::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&NOT_NAME);
    LazyLock::force(&ROLE_TAILS);
    photo_credit_re();
    coordinated_before_re();
}

fn photo_credit_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| crate::constant_regex(r"(?:^|[\s(])Foto:[ \u{a0}]*(?:[^/\n()]{0,30}/[ \u{a0}]*)?$"))
}

/// Legal forms that make a company name; each must follow a space, so each
/// starts a capitalised name token (all open with an ASCII capital) and is
/// looked for only there. A longer form before a shorter one it begins with
/// ("Ltd." before "Ltd").
const LEGAL_FORMS: &[&str] =
    &["A/S", "ApS", "I/S", "P/S", "K/S", "AB", "GmbH", "Ltd.", "Ltd", "Inc.", "Inc", "Oy", "AS", "IVS", "SE"];

/// The length of the longest legal form that `rest` opens with, or 0.
/// Asked of every capitalised word after a space: a bit for the first two
/// bytes of each form turns away nearly every word before any is compared.
fn legal_form_at(rest: &[u8]) -> usize {
    const HEADS: BitSet<1024> = {
        let mut heads = BitSet::new();
        let mut i = 0;
        while i < LEGAL_FORMS.len() {
            let f = LEGAL_FORMS[i].as_bytes();
            heads.insert((f[0] as usize) << 8 | f[1] as usize);
            i += 1;
        }
        heads
    };
    let [a, b, ..] = *rest else { return 0 };
    if !HEADS.contains(usize::from(a) << 8 | usize::from(b)) {
        return 0;
    }
    LEGAL_FORMS.iter().map(|f| f.as_bytes()).find(|f| rest.starts_with(f)).map_or(0, <[u8]>::len)
}

/// The company name that ends a slice (the words before a legal form): a
/// word that opens with a capital or a digit, then up to four words, each
/// "&", "og", "of", "and", a capitalised word or a number. Read by
/// [`company_name_start`], which runs it only for text beyond ASCII and
/// Latin-1 letters.
const COMPANY_BEFORE: &str =
    r"(?:\p{Lu}|\d)[\p{L}\d’'.\-]*(?:[ \u{a0}]+(?:&|og|of|and|\p{Lu}[\p{L}\d’'.\-]*|\d+)){0,4}$";

fn company_before_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| crate::constant_regex(COMPANY_BEFORE))
}

/// What [`COMPANY_BEFORE`] asks of a character: white space between words
/// (a space or a no-break space), a capital, a digit, another character a
/// word may hold (a letter, `'`, `’`, `.`, `-`), or any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameChar {
    Gap,
    Upper,
    Digit,
    Letter,
    Other,
}

/// The character of `b` that ends at `i`, and its length in bytes, for
/// ASCII, Latin-1 (`C2 A0` and `C3 xx`) and `’`: `None` for any other
/// character, whose general category is not known here.
#[inline]
fn name_char_before(b: &[u8], i: usize) -> Option<(NameChar, usize)> {
    let c = b[i - 1];
    if c < 0x80 {
        let kind = match c {
            b' ' => NameChar::Gap,
            b'A'..=b'Z' => NameChar::Upper,
            b'0'..=b'9' => NameChar::Digit,
            b'a'..=b'z' | b'\'' | b'.' | b'-' => NameChar::Letter,
            _ => NameChar::Other,
        };
        return Some((kind, 1));
    }
    let tail = |n: usize| i.checked_sub(n).map_or(&[][..], |k| &b[k..i]);
    match (tail(2), tail(3)) {
        ([0xC2, 0xA0], _) => Some((NameChar::Gap, 2)),
        // `×` and `÷` are symbols; `À`-`Þ` capitals, `ß`-`ÿ` small letters.
        ([0xC3, 0x97 | 0xB7], _) => Some((NameChar::Other, 2)),
        ([0xC3, 0x80..=0x9E], _) => Some((NameChar::Upper, 2)),
        ([0xC3, 0x9F..=0xBF], _) => Some((NameChar::Letter, 2)),
        (_, [0xE2, 0x80, 0x99]) => Some((NameChar::Letter, 3)),
        _ => None,
    }
}

/// Where the company name that ends `head` starts, as [`COMPANY_BEFORE`]
/// finds it (`None` when it finds none). Read backwards from the end, a
/// word at a time, for text of ASCII and Latin-1 letters: the regex, whose
/// search of `head` took a third of the instructions spent on companies and
/// agencies (callgrind, bench corpus), runs only for other text.
fn company_name_start(head: &str) -> Option<usize> {
    match scan_company_name(head.as_bytes()) {
        Some(found) => found,
        None => company_before_re().find(head).map(|m| m.start()),
    }
}

/// [`company_name_start`] read backwards; `None` (outer) when a character
/// it reads is not one [`name_char_before`] knows.
fn scan_company_name(b: &[u8]) -> Option<Option<usize>> {
    let mut end = b.len();
    let mut found = None;
    // The last word, then up to four before it, while each word after the
    // one looked at may follow the name's first word.
    for words_after in 0..=4 {
        // The word ending at `end`: back to white space or the start.
        let (mut i, mut first) = (end, None);
        // Where the name may start in this word: the leftmost capital or
        // digit from which only word characters follow.
        let (mut opening, mut all_word, mut all_digits) = (None, true, true);
        while i > 0 {
            let (kind, len) = name_char_before(b, i)?;
            if kind == NameChar::Gap {
                break;
            }
            i -= len;
            all_word &= kind != NameChar::Other;
            all_digits &= kind == NameChar::Digit;
            if all_word && matches!(kind, NameChar::Upper | NameChar::Digit) {
                opening = Some(i);
            }
            first = Some(kind);
        }
        let word = &b[i..end];
        if opening.is_some() {
            found = opening;
        }
        // A word after the first: "&", "og", "of", "and", a capitalised word or a number.
        let may_follow = matches!(word, b"&" | b"og" | b"of" | b"and")
            || first.is_some() && all_word && (first == Some(NameChar::Upper) || all_digits);
        if words_after == 4 || !may_follow {
            break;
        }
        // The white space before the word.
        let mut j = i;
        while j > 0 {
            let (kind, len) = name_char_before(b, j)?;
            if kind != NameChar::Gap {
                break;
            }
            j -= len;
        }
        if j == i {
            break;
        }
        end = j;
    }
    Some(found)
}

/// The first part of a coordinated agency name ending a slice
/// ("Konkurrence- og ", "Klima-, Energi- og ").
fn coordinated_before_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| crate::constant_regex(r"\p{Lu}\p{L}*-,?[ \u{a0}]+(?:\p{L}+-,?[ \u{a0}]+)*og[ \u{a0}]+$"))
}

const AGENCY_SUFFIXES: &[&str] = &["ministeriet", "styrelsen", "tilsynet", "nævnet"];

/// Whether a word may end in one of [`AGENCY_SUFFIXES`], alone or before a
/// genitive `s`, by its last byte and then its last eight (one load,
/// compared with each suffix's last eight): asked of every capitalised word
/// before anything is sliced or compared. Of the 1.87 million capitalised
/// tokens of the 100 MB bench corpus 17,000 pass; a test of the last three
/// bytes let every surname in "-sen" pass for "styrelsen" (75,000), to be
/// turned away in [`Discoverer::agency`] (14,909 calls there cost 10.1
/// million instructions on the first 20 MB). A name of an agency
/// has three letters or more before its suffix, so a word of fewer than eight
/// bytes has none.
fn may_end_in_agency_suffix(w: &[u8]) -> bool {
    /// Each suffix's last eight bytes as a little-endian number (the last
    /// byte of the word is the highest), and the mask of those it has (all
    /// but the lowest for a suffix of seven bytes).
    const TAILS: [(u64, u64); AGENCY_SUFFIXES.len()] = {
        let mut tails = [(0, 0); AGENCY_SUFFIXES.len()];
        let mut i = 0;
        while i < tails.len() {
            let s = AGENCY_SUFFIXES[i].as_bytes();
            let (mut bits, mut mask) = (0u64, 0u64);
            let mut k = 0;
            while k < 8 && k < s.len() {
                bits |= (s[s.len() - 1 - k] as u64) << (56 - 8 * k);
                mask |= 0xFF << (56 - 8 * k);
                k += 1;
            }
            tails[i] = (bits, mask);
            i += 1;
        }
        tails
    };
    // Most words end in none of the suffixes' last bytes (nor in `s`).
    const LAST: [bool; 256] = {
        let mut last = [false; 256];
        last[b's' as usize] = true;
        let mut i = 0;
        while i < AGENCY_SUFFIXES.len() {
            let s = AGENCY_SUFFIXES[i].as_bytes();
            last[s[s.len() - 1] as usize] = true;
            i += 1;
        }
        last
    };
    let ends = |end: usize| {
        let x = end
            .checked_sub(8)
            .and_then(|s| w.get(s..end))
            .map_or(0, |b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]));
        TAILS.iter().any(|&(bits, mask)| x & mask == bits)
    };
    let n = w.len();
    n >= 8 && LAST[usize::from(w[n - 1])] && (ends(n) || w[n - 1] == b's' && ends(n - 1))
}

/// The start of the line holding `pos`, looking back at most 200 bytes (a
/// cue or a name never reaches further, and a 100 MB line must stay linear).
fn line_start(text: &str, pos: usize) -> usize {
    let from = crate::floor_char_boundary(text, pos.saturating_sub(200));
    text[from..pos].rfind('\n').map_or(from, |p| from + p + 1)
}

/// `s` with each run of whitespace as one space, trimmed (a label).
pub(crate) fn single_spaced(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_single_spaced(s, &mut out);
    out
}

/// Appends `words` joined by single spaces to `out`.
fn push_joined(words: &[&str], out: &mut String) {
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// Appends [`single_spaced`]`(s)` to `out`.
fn push_single_spaced(s: &str, out: &mut String) {
    // Most names are already so ("Jens Hansen"): copied whole when no byte
    // may start white space other than a lone inner ASCII space (the lead
    // bytes of Unicode's other white space are 09-0D, C2, E1, E2 and E3).
    let b = s.as_bytes();
    let plain = b.first().is_some_and(|&c| c != b' ')
        && b.last().is_some_and(|&c| c != b' ')
        && !b.iter().any(|&c| matches!(c, 0x09..=0x0D | 0xC2 | 0xE1..=0xE3))
        && !b.windows(2).any(|w| w == b"  ");
    if plain {
        out.push_str(s);
        return;
    }
    let from = out.len();
    for w in s.split_whitespace() {
        if out.len() > from {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// The first span of the sorted list `taken` that ends after `s`: the only
/// one that can overlap or hold a span starting at `s`.
fn first_ending_after(taken: &[Taken], s: usize) -> Option<&Taken> {
    taken.get(taken.partition_point(|t| t.end <= s))
}

/// Whether `s..e` overlaps a span of the sorted list `taken`.
fn overlaps(taken: &[Taken], s: usize, e: usize) -> bool {
    first_ending_after(taken, s).is_some_and(|t| t.start < e)
}

/// Whether one mention of `taken` (sorted, not overlapping) holds all of `s..e`.
fn inside(taken: &[Taken], s: usize, e: usize) -> bool {
    first_ending_after(taken, s).is_some_and(|t| t.start <= s && e <= t.end)
}

/// Finds people, companies and agencies that no dictionary lists.
pub struct Discoverer {
    given: WordSet<'static>,
    surnames: WordSet<'static>,
}

/// The tokens of a candidate name ([`Discoverer::people`]): at most seven.
struct RunTokens {
    buf: [Token; 7],
    len: usize,
}

/// The particle ("van", "de", [`is_particle`]) that is the whole token
/// starting at `at`, if one is.
fn particle_at(text: &str, at: usize) -> Option<Token> {
    let b = text.as_bytes();
    // Most words after a name are no particle: told by the first letter.
    if !matches!(b.get(at), Some(b'a' | b'd' | b'l' | b't' | b'v')) {
        return None;
    }
    let n = b[at..].iter().take(4).take_while(|c| c.is_ascii_lowercase()).count();
    if !(2..=3).contains(&n) || !is_particle_bytes(&b[at..at + n]) {
        return None;
    }
    (words::token_end(text, at, at + n) == at + n).then(|| Token::new(at, at + n))
}

/// A candidate name trimmed to its name tokens ([`Discoverer::name_span`]).
struct NameSpan {
    start: usize,
    end: usize,
    /// Whether its first word is a listed given name (looked up while
    /// trimming, and not again).
    given: bool,
}

/// The lists discovery fills for each document, kept by the caller (one per
/// worker) so that their allocations serve the next document: each is
/// taken emptied ([`take_empty`]) and put back at the end, and those that
/// borrow the text go back empty.
#[derive(Default)]
pub struct Scratch {
    labels: String,
    found: Vec<(usize, std::ops::Range<usize>)>,
    spans: Vec<(usize, std::ops::Range<usize>)>,
    words: Vec<&'static str>,
    people: Vec<(usize, &'static [&'static str])>,
    by_words: Vec<&'static [&'static str]>,
    openings: Vec<(&'static str, usize)>,
    by_first_last: Vec<((&'static str, &'static str), &'static [&'static str])>,
    by_last: Vec<(u64, &'static str, usize, &'static [&'static str])>,
    claimed: Vec<(usize, usize)>,
    /// The labels of the last document's finds, for the next one's.
    spare_labels: StringPool,
}

impl Scratch {
    /// `name` with single spaces, in a buffer of an earlier document.
    fn label(&mut self, name: &str) -> String {
        let mut s = self.spare_labels.take();
        push_single_spaced(name, &mut s);
        s
    }

    /// `words` joined by single spaces, in a buffer of an earlier document.
    fn joined(&mut self, words: &[&str]) -> String {
        let mut s = self.spare_labels.take();
        push_joined(words, &mut s);
        s
    }

    /// Empty `found`, keeping its labels for the next document's.
    fn take_labels(&mut self, found: &mut Vec<Found>) {
        self.spare_labels.give(found.drain(..).map(|f| f.label));
    }
}

/// `v` emptied, as a list of another type of the same size and alignment in
/// the same allocation: how a list of words borrowed from one document
/// outlives it, empty, to be filled from the next. (The standard library
/// collects a `Vec`'s own iterator in place; where it did not, this would
/// allocate, and be no less correct.)
fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().map(|_| -> U { unreachable!("the list is empty") }).collect()
}

/// The list in `slot`, emptied, as a list of the element type the caller
/// fills (see [`recycle`]).
fn take_empty<T, U>(slot: &mut Vec<T>) -> Vec<U> {
    recycle(std::mem::take(slot))
}

/// A few words on the stack, more on the heap: the words of a candidate
/// name or a discovered one (at most seven) without an allocation.
struct FewWords<'a> {
    buf: [&'a str; 8],
    len: usize,
    heap: Vec<&'a str>,
}

impl<'a> FewWords<'a> {
    #[inline(always)]
    fn new(mut words: impl Iterator<Item = &'a str>) -> Self {
        let mut w = FewWords { buf: [""; 8], len: 0, heap: Vec::new() };
        for (slot, word) in w.buf.iter_mut().zip(&mut words) {
            *slot = word;
            w.len += 1;
        }
        if let Some(ninth) = words.next() {
            w.heap.extend_from_slice(&w.buf);
            w.heap.push(ninth);
            w.heap.extend(words);
            w.len = w.heap.len();
        }
        w
    }
}

impl<'a> std::ops::Deref for FewWords<'a> {
    type Target = [&'a str];
    #[inline]
    fn deref(&self) -> &[&'a str] {
        if self.heap.is_empty() { &self.buf[..self.len] } else { &self.heap }
    }
}

fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn is_initial(w: &str) -> bool {
    let mut c = w.chars();
    matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
}

/// Name tokens other than the first: capitalised, not a known non-name word,
/// not all capitals (acronyms such as KMD or OS2), at least two letters.
///
/// Read by the bytes for words of ASCII and Latin-1 letters (`C3 xx`), as
/// good as all: asked of every capitalised word after one, decoding the
/// characters cost ~200 instructions a word. Other words are read as
/// characters ([`is_name_token_chars`]).
fn is_name_token(w: &str) -> bool {
    let b = w.as_bytes();
    let k = Classifier::new(w);
    let rest = match *b {
        [c, ref rest @ ..] if c.is_ascii_uppercase() => rest,
        [0xC3, d, ref rest @ ..] if k.c3(d) & UPPER != 0 => rest,
        // Not capitalised (an ASCII character, or a Latin-1 one that is no capital).
        [c, ..] if c < 0x80 || c == 0xC3 => return false,
        _ => return is_name_token_chars(w),
    };
    if rest == b"." {
        return true; // an initial
    }
    let mut lower = false;
    let mut i = 0;
    while let Some(&c) = rest.get(i) {
        match c {
            b'0'..=b'9' => return false,
            b'a'..=b'z' => lower = true,
            0xC3 => {
                lower |= rest.get(i + 1).is_some_and(|&d| k.c3(d) & LOWER != 0);
                i += 1;
            }
            0x80.. => return is_name_token_chars(w),
            _ => {}
        }
        i += 1;
    }
    !rest.is_empty() && lower && !not_name(w)
}

/// [`is_name_token`] by the characters.
fn is_name_token_chars(w: &str) -> bool {
    if is_initial(w) {
        return true;
    }
    let mut chars = w.chars();
    if !chars.next().is_some_and(char::is_uppercase) {
        return false;
    }
    // The rest in one pass: at least one character, a lower-case one, no digit.
    let (mut more, mut lower) = (false, false);
    for c in chars {
        if c.is_ascii_digit() {
            return false;
        }
        more = true;
        lower |= c.is_lowercase();
    }
    more && lower && !not_name(w)
}

impl Discoverer {
    pub fn embedded() -> Self {
        Discoverer { given: word_list(GIVEN_NAMES), surnames: word_list(SURNAMES) }
    }

    /// Whether `w` is a listed given name (each part, for "Anne-Marie").
    pub fn is_given_name(&self, w: &str) -> bool {
        self.given.contains(w) || (w.contains('-') && w.split('-').all(|p| self.given.contains(p)))
    }

    /// Discover entities in the article body of `text`: `body(offset)` says
    /// whether an offset is outside furniture; `taken` are the dictionary
    /// mentions, sorted, which discovery never overlaps. Results are sorted.
    pub fn discover(&self, text: &str, body: &dyn Fn(usize) -> bool, taken: &[Taken], out: &mut Vec<Found>) {
        let mut toks = Tokens::default();
        scan(text, |_| {}, Some(&mut toks));
        self.discover_in(text, &toks, body, taken, out, &mut Scratch::default(), &mut Stopwatch::off());
    }

    /// [`Discoverer::discover`] given the capitalised name tokens of `text`
    /// ([`crate::words::scan`]), with lists to reuse. Every rule starts at a
    /// capitalised token, so a text of 4 GiB or more, which gets no tokens
    /// ([`crate::words::Token`]), has nothing discovered in it. Each of the
    /// three passes ends a lap of `laps` ([`Stage::People`],
    /// [`Stage::Organisations`], [`Stage::ShortNames`]).
    #[allow(clippy::too_many_arguments)]
    pub fn discover_in(
        &self,
        text: &str,
        toks: &Tokens,
        body: &dyn Fn(usize) -> bool,
        taken: &[Taken],
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
        laps: &mut Stopwatch,
    ) {
        scratch.take_labels(out);
        let free = |s: usize, e: usize| body(s) && !overlaps(taken, s, e);
        self.people(text, toks, taken, &free, out, scratch);
        laps.lap(Stage::People);
        self.organisations(text, toks, &free, out, scratch);
        laps.lap(Stage::Organisations);
        out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        // Overlaps: keep the first (longest at a position).
        let mut last_end = 0;
        out.retain(|f| {
            let keep = f.start >= last_end;
            if keep {
                last_end = f.end;
            }
            keep
        });
        self.short_names(text, toks, &free, taken, out, scratch);
        laps.lap(Stage::ShortNames);
    }

    /// Trim a candidate name span to its name tokens, or `None` if fewer
    /// than two tokens remain. `toks` is a run of `people`: a capitalised
    /// token, then name tokens and particles. (The label is made by the
    /// caller, once the name is kept: most candidates are not.)
    fn name_span(&self, text: &str, toks: &[Token]) -> Option<NameSpan> {
        let start = toks.first()?.start();
        // Candidates are at most seven tokens (see `people`): their words on the stack.
        let words = FewWords::new(toks.iter().map(|t| &text[t.start()..t.end()]));
        let words: &[&str] = &words;
        // Leading words that are not the name: titles ("Borgmester Michael
        // Ziegler"), acronyms ("BNB Morten Felding"), and capitalised words
        // before a given name ("Open Source Henrik Bojsen").
        // A listed given name is never such a word, though some end like a
        // role ("Sejer", "Rocio"); most candidates open with one, so it is
        // asked first.
        let (mut skip, mut given) = (0, false);
        while skip < words.len() {
            let w = words[skip];
            if self.is_given_name(w) {
                given = skip == 0;
                break;
            }
            let acronym = !w.chars().any(char::is_lowercase);
            if ends_with_role(w) || acronym || not_name(w) || !is_cap(w) {
                skip += 1;
                continue;
            }
            let rest = words.get(skip + 1..words.len().saturating_sub(1)).unwrap_or(&[]);
            match rest.iter().position(|x| self.is_given_name(x)) {
                Some(k) => skip += k + 1,
                None => break,
            }
        }
        if skip > 0 {
            return if skip < toks.len() { self.name_span(text, &toks[skip..]) } else { None };
        }
        // The loop above stopped at the first word: a listed given name
        // (capitalised and no known non-name, see the test of the lists) or
        // a word it found to be so.
        if words.is_empty() {
            return None;
        }
        debug_assert!(is_cap(words[0]) && !not_name(words[0]));
        // Every token after the first is a name token or a particle (the
        // caller's run is made of them): the name takes up to six.
        debug_assert!(words[1..].iter().all(|w| is_name_token(w) || is_particle(w)));
        let mut n = words.len().min(6);
        // Never end on a particle or an initial.
        while n > 1 && (is_particle(words[n - 1]) || is_initial(words[n - 1])) {
            n -= 1;
        }
        let caps = words[..n].iter().filter(|w| !is_particle(w)).count();
        if !(2..=4).contains(&caps) {
            return None;
        }
        let mut e = toks[n - 1].end();
        // A genitive surname: "Jens Kjellerups" when "Kjellerup" is a surname.
        let last = words[n - 1];
        if let Some(stem) = last.strip_suffix('s') {
            if self.surnames.contains(stem) && !self.surnames.contains(last) {
                e -= 1;
            }
        }
        Some(NameSpan { start, end: e, given })
    }

    /// A name found only through a role cue, without a listed given name,
    /// must end in a listed surname or at least not read as an institution
    /// ("skriver Helsingør Dagblad", "siger Kommunernes Landsforening").
    fn plausible_cued_name(&self, name: &str) -> bool {
        let mut words = name.split_whitespace();
        let Some(first) = words.next() else { return false };
        let last = words.next_back().unwrap_or(first);
        if self.is_given_name(first) || self.surnames.contains(last) {
            return true;
        }
        const INSTITUTION_ENDINGS: &[&str] = &[
            "blad",
            "bladet",
            "service",
            "udvalg",
            "udvalget",
            "forening",
            "foreningen",
            "styrelse",
            "selskab",
            "center",
            "centret",
            "råd",
            "rådet",
            "institut",
            "gruppe",
            "gruppen",
            "fond",
            "fonden",
            "tidende",
            "avis",
            "avisen",
            "net",
            "bank",
            "kommune",
            "region",
            "universitet",
            "hospital",
            "system",
            "platform",
            "portal",
            "partiet",
            "magasin",
            "nyt",
            "posten",
            "radio",
            "tv",
        ];
        let lower = last.to_lowercase();
        !first.ends_with('s') && !INSTITUTION_ENDINGS.iter().any(|e| lower.ends_with(e))
    }

    /// Whether a role cue stands right before the word at `start`: a title
    /// or speech verb ("borgmester", "siger"), a byline "Af" opening its
    /// line, or a photo credit ("Foto:", "(Foto: PR foto /").
    fn cue_before(&self, text: &str, start: usize) -> bool {
        let line_start = line_start(text, start);
        // The word before on the line, when only spaces (or no-break spaces)
        // stand between.
        let b = text.as_bytes();
        let mut gap = start;
        while gap > line_start {
            match b[..gap] {
                [.., b' '] => gap -= 1,
                [.., 0xC2, 0xA0] => gap -= 2,
                _ => break,
            }
        }
        if let Some(prev) = (gap < start).then(|| words::token_ending_at(text, gap)).flatten() {
            let word = &text[prev.start()..prev.end()];
            // What stands before the word on its line: nothing known when the
            // word starts before the 200 bytes `line_start` looks back.
            let before_word = text.get(line_start..prev.start());
            if ends_with_role(word) || is_speech_verb(word) {
                return true;
            }
            if word == "Af" && before_word.is_some_and(|b| b.trim().is_empty()) {
                return true;
            }
            if with_lowercase(word, |w| w == b"fra") && before_word.is_some_and(|b| b.trim_end().ends_with("lyder det"))
            {
                return true;
            }
        }
        let from = crate::floor_char_boundary(text, start.saturating_sub(50).max(line_start));
        // The literal first: the regex runs only where a credit can be.
        let window = &text[from..start];
        static FOTO: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("Foto:"));
        FOTO.find(window.as_bytes()).is_some() && photo_credit_re().is_match(window)
    }

    /// Whether a role cue follows a name ending at `end`: ", kommunaldirektør",
    /// ", der er it-chef", a party letter "(S)", or ":" before a quote.
    fn cue_after(&self, text: &str, end: usize) -> bool {
        let rest = &text[end..];
        if let Some(r) = rest.strip_prefix(':') {
            return r.trim_start_matches([' ', '\u{a0}']).starts_with(['”', '“', '"', '»']);
        }
        if let Some(r) = rest.strip_prefix(" (") {
            // One to three capitals (four bytes at most each), then ')'.
            let Some(close) = r.as_bytes().iter().take(13).position(|&b| b == b')') else { return false };
            let inner = &r[..close];
            return (1..=3).contains(&inner.chars().count()) && inner.chars().all(char::is_uppercase);
        }
        if let Some(r) = rest.strip_prefix(", ") {
            let clause = &r[..r.find(['.', ',', ';', '\n', '(', ')']).unwrap_or(r.len()).min(r.len())];
            return clause.split_whitespace().take(5).any(ends_with_role);
        }
        false
    }

    fn people(
        &self,
        text: &str,
        toks: &Tokens,
        taken: &[Taken],
        free: &dyn Fn(usize, usize) -> bool,
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
    ) {
        let b = text.as_bytes();
        let mut next = 0;
        // One list for every run (filled anew each time).
        let mut run = RunTokens { buf: [Token::new(0, 0); 7], len: 0 };
        while let Some(&first) = toks.get(next) {
            // A run of capitalised words joined by single spaces, read from
            // the text after each capitalised token (the next capitalised
            // one is the next in `toks`, any other is read for a particle).
            (run.buf[0], run.len) = (first, 1);
            // The words of the run that are no particle (the first is capitalised).
            let mut names = 1;
            // The last capitalised token of the run, in `toks`.
            let mut last_cap = next;
            while run.len < 7 {
                let end = run.buf[run.len - 1].end();
                // One space or one no-break space (`C2 A0`) after the token.
                let at = match (b.get(end), b.get(end + 1)) {
                    (Some(b' '), _) => end + 1,
                    (Some(0xC2), Some(0xA0)) => end + 2,
                    _ => break,
                };
                let token = match toks.get(last_cap + 1) {
                    Some(&t) if t.start() == at => {
                        if !is_name_token(&text[t.start()..t.end()]) {
                            break;
                        }
                        names += 1;
                        last_cap += 1;
                        t
                    }
                    _ => match particle_at(text, at) {
                        Some(t) => t,
                        None => break,
                    },
                };
                run.buf[run.len] = token;
                run.len += 1;
            }
            let run = &run.buf[..run.len];
            // A name has two words besides its particles ("I den", "Hvis du"
            // and "Ledelse af" have not), and is never inside a dictionary
            // mention ("Odense Kommune"): other runs need no closer look.
            let end = run[run.len() - 1].end();
            if names >= 2 && !inside(taken, first.start(), end) {
                // A name in furniture or overlapping a dictionary mention is
                // dropped before its cues are looked for.
                if let Some(span) = self.name_span(text, run).filter(|n| free(n.start, n.end)) {
                    let (s, e) = (span.start, span.end);
                    // The cue stands before the name, not before the words
                    // trimmed off it ("Af", "Borgmester").
                    let name = &text[s..e];
                    let rule = if span.given {
                        Some(Rule::GivenName)
                    } else if (self.cue_before(text, s) || self.cue_after(text, end)) && self.plausible_cued_name(name)
                    {
                        Some(Rule::RoleCue)
                    } else {
                        None
                    };
                    if let Some(rule) = rule {
                        out.push(Found { kind: "person", label: scratch.label(name), start: s, end: e, rule });
                    }
                }
            }
            next = last_cap + 1;
        }
    }

    fn organisations(
        &self,
        text: &str,
        toks: &Tokens,
        free: &dyn Fn(usize, usize) -> bool,
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
    ) {
        // A name never reaches back past the previous company's legal form.
        let mut last_form_end = 0;
        // Both kinds start at a capitalised token: one pass over them. (The
        // finds are put in text order by `discover_in`; a company and an
        // agency never share both ends, so their order here is not seen.)
        for &t in toks.iter() {
            // A legal form after a space ends a company's name.
            let form = t.start().checked_sub(1).filter(|&p| text.as_bytes()[p] == b' ').and_then(|space| {
                let len = legal_form_at(&text.as_bytes()[t.start()..]);
                (len > 0).then_some((space, t.start() + len))
            });
            if let Some((space, form_end)) = form {
                self.company(text, space, form_end, &mut last_form_end, free, out, scratch);
            }
            // An agency's name is capitalised (checked first: it is cheap).
            if may_end_in_agency_suffix(&text.as_bytes()[t.start()..t.end()]) {
                self.agency(text, t, free, out, scratch);
            }
        }
    }

    /// The company whose name ends before the legal form `space + 1..form_end`.
    #[allow(clippy::too_many_arguments)]
    fn company(
        &self,
        text: &str,
        space: usize,
        form_end: usize,
        last_form_end: &mut usize,
        free: &dyn Fn(usize, usize) -> bool,
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
    ) {
        let after = &text[form_end..];
        // "12 A/S'er" is a plural noun; "ASE" is not "AS".
        if after.starts_with(['\'', '’']) || after.chars().next().is_some_and(char::is_alphanumeric) {
            return;
        }
        let line_start = line_start(text, space);
        let from = crate::floor_char_boundary(text, space.saturating_sub(80).max(line_start).max(*last_form_end));
        *last_form_end = form_end;
        let Some(name_start) = company_name_start(&text[from..space]).map(|s| from + s) else { return };
        let name_end = space;
        // Drop leading words that open sentences ("Hos Netip A/S") and a
        // sentence-initial noun in the definite form ("Leverandøren Nordlys Software A/S").
        let mut start = name_start;
        let name = &text[name_start..name_end];
        let words = name.split(' ').count();
        for (k, w) in name.split(' ').enumerate() {
            let head = text[..start].trim_end();
            let sentence_start = head.is_empty() || head.ends_with(['.', '!', '?', ':', '\n', '"', '”']);
            let definite_noun = sentence_start
                && k + 1 < words
                && ["en", "et", "erne", "ene"].iter().any(|s| w.ends_with(s) && w.chars().count() > 4);
            if not_name(w) || !is_cap(w) && !w.starts_with(|c: char| c.is_ascii_digit()) || definite_noun {
                start += w.len() + 1;
            } else {
                break;
            }
        }
        if start >= name_end || !text[start..name_end].chars().any(char::is_alphabetic) {
            return;
        }
        if free(start, form_end) {
            let label = scratch.label(&text[start..name_end]);
            out.push(Found { kind: "vendor", label, start, end: form_end, rule: Rule::LegalForm });
        }
    }

    /// The agency named by the capitalised token `t`, whose last bytes may
    /// end in one of [`AGENCY_SUFFIXES`].
    fn agency(
        &self,
        text: &str,
        t: Token,
        free: &dyn Fn(usize, usize) -> bool,
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
    ) {
        let w = &text[t.start()..t.end()];
        // The suffix before a genitive `s`, else at the end (by the bytes:
        // most words asked are surnames in "-sen" that end in no suffix).
        let suffix_of = |b: &[u8]| AGENCY_SUFFIXES.iter().find(|x| b.ends_with(x.as_bytes()));
        let b = w.as_bytes();
        let genitive = b.strip_suffix(b"s").and_then(|s| suffix_of(s).map(|x| (s.len(), x)));
        let Some((stem_len, suffix)) = genitive.or_else(|| suffix_of(b).map(|x| (b.len(), x))) else { return };
        let stem = &w[..stem_len];
        let prefix = &stem[..stem.len() - suffix.len()];
        if prefix.chars().count() < 3 || !is_cap(prefix) || !prefix.chars().skip(1).all(char::is_lowercase) {
            return;
        }
        let from = crate::floor_char_boundary(text, t.start().saturating_sub(80));
        // The regex ends in "og" and a space: check that first.
        let window = &text[from..t.start()];
        let spaced = window.trim_end_matches([' ', '\u{a0}']);
        let start = if spaced.len() < window.len() && spaced.ends_with("og") {
            coordinated_before_re().find(window).map_or(t.start(), |m| from + m.start())
        } else {
            t.start()
        };
        let end = t.start() + stem.len();
        if free(start, end) {
            let label = scratch.label(&text[start..end]);
            out.push(Found { kind: "organization", label, start, end, rule: Rule::AgencySuffix });
        }
    }

    /// Resolve shorter forms of people named earlier in the document: a
    /// discovered name whose words are a prefix or first-and-last subset of a
    /// longer name takes that name's label, and a lone surname (also in the
    /// genitive) after the full name becomes a mention of it.
    fn short_names(
        &self,
        text: &str,
        toks: &Tokens,
        free: &dyn Fn(usize, usize) -> bool,
        taken: &[Taken],
        out: &mut Vec<Found>,
        scratch: &mut Scratch,
    ) {
        // Every person named in the document, dictionary and discovered: where
        // they are first named and their words, as slices of one list (the
        // discovered labels are copied once, as `out` changes below).
        let persons = || out.iter().filter(|f| f.kind == "person");
        let n = taken.iter().filter(|t| t.person).count() + persons().count();
        if n == 0 {
            return; // no full name to resolve against (and `out` is in order)
        }
        // The lists below come from `scratch` and go back to it at the end
        // (emptied): a worker's documents share their allocations.
        let mut labels = std::mem::take(&mut scratch.labels);
        labels.clear();
        let mut found: Vec<(usize, std::ops::Range<usize>)> = take_empty(&mut scratch.found);
        for f in persons() {
            let from = labels.len();
            labels.push_str(&f.label);
            found.push((f.start, from..labels.len()));
        }
        let mut all_words: Vec<&str> = take_empty(&mut scratch.words);
        let mut spans: Vec<(usize, std::ops::Range<usize>)> = take_empty(&mut scratch.spans);
        for t in taken.iter().filter(|t| t.person) {
            let from = all_words.len();
            all_words.extend(text[t.start..t.end].split_whitespace());
            spans.push((t.start, from..all_words.len()));
        }
        let any_found = !found.is_empty();
        for (start, r) in found.drain(..) {
            let from = all_words.len();
            all_words.extend(labels[r].split(' '));
            spans.push((start, from..all_words.len()));
        }
        let mut people: Vec<(usize, &[&str])> = take_empty(&mut scratch.people);
        people.extend(spans.drain(..).map(|(s, r)| (s, &all_words[r])));
        // The longer forms are only looked up for discovered names, and only
        // when two forms open with one word and differ in length (a longer
        // form does both): in most documents none do, and the lists for the
        // lookup are not built.
        let mut openings: Vec<(&str, usize)> = take_empty(&mut scratch.openings);
        if any_found {
            openings.extend(people.iter().filter_map(|(_, w)| Some((*w.first()?, w.len()))));
            openings.sort_unstable();
        }
        let absorb = openings.windows(2).any(|p| p[0].0 == p[1].0 && p[0].1 != p[1].1);
        // Sorted lists searched by key: a few allocations a document (maps of
        // lists took one a person), and n log n however many people share a
        // first name or a surname.
        // The distinct forms: in word order (a form's longer forms follow it),
        // and by (first word, last word).
        let mut by_words: Vec<&[&str]> = take_empty(&mut scratch.by_words);
        let mut by_first_last: Vec<((&str, &str), &[&str])> = take_empty(&mut scratch.by_first_last);
        // (surname's hash, surname, where the form is first named, words): one
        // entry per form. (The hash first: a search compares integers, and
        // strings only where the hash is the surname's.)
        let hash = |w: &str| std::hash::BuildHasher::hash_one(&foldhash::fast::FixedState::default(), w);
        let mut by_last: Vec<(u64, &str, usize, &[&str])> = take_empty(&mut scratch.by_last);
        for &(start, words) in &people {
            if words.len() < 2 {
                continue;
            }
            let (first, last) = (words[0], words[words.len() - 1]);
            if absorb {
                by_words.push(words);
                by_first_last.push(((first, last), words));
            }
            by_last.push((hash(last), last, start, words));
        }
        by_words.sort_unstable();
        by_words.dedup();
        by_first_last.sort_unstable();
        by_first_last.dedup();
        // Each form where it is first named, then in order of that.
        by_last.sort_unstable_by(|a, b| (a.0, a.1, a.3, a.2).cmp(&(b.0, b.1, b.3, b.2)));
        by_last.dedup_by(|later, kept| later.1 == kept.1 && later.3 == kept.3);
        by_last.sort_unstable();
        fn forms<'x, 'w>(
            list: &'x [((&'w str, &'w str), &'w [&'w str])],
            key: (&str, &str),
        ) -> &'x [((&'w str, &'w str), &'w [&'w str])] {
            let lo = list.partition_point(|e| e.0 < key);
            &list[lo..lo + list[lo..].partition_point(|e| e.0 == key)]
        }
        // Longer forms absorb shorter ones ("Jørgen Kristensen" → "Jørgen Kristensen Rasch"),
        // when exactly one longer form fits.
        for f in out.iter_mut().filter(|f| absorb && f.kind == "person") {
            let (longer, several) = {
                let words = FewWords::new(f.label.split(' '));
                let (n, words) = (words.len(), &*words);
                let [first, second, ..] = *words else { continue };
                // The forms that begin with this one's words stand right
                // after it in word order: found by a search, not a walk
                // through every form with the same first two words (which
                // was quadratic in a document naming many "Jens Peter ...").
                let lo = by_words.partition_point(|w| *w < words);
                let prefix_of =
                    by_words[lo..].iter().copied().take_while(|w| w.starts_with(words)).filter(|w| w.len() > n);
                let first_last = forms(&by_first_last, (first, second)).iter().map(|e| e.1).filter(|_| n == 2);
                let mut all = prefix_of.chain(first_last.filter(|w| w.len() > 2));
                let one = all.next();
                (one, one.is_some_and(|o| all.any(|w| w != o)))
            };
            if let (Some(one), false) = (longer, several) {
                // Into the label's own buffer (the longer form does not borrow it).
                f.label.clear();
                push_joined(one, &mut f.label);
                f.rule = Rule::ShortName;
            }
        }
        // Lone surnames after the full name, when only one person fits.
        let mut claimed: Vec<(usize, usize)> = take_empty(&mut scratch.claimed);
        claimed.extend(out.iter().map(|f| (f.start, f.end)));
        let is_claimed = |s: usize, e: usize| {
            let i = claimed.partition_point(|c| c.1 <= s);
            claimed.get(i).is_some_and(|c| c.0 < e)
        };
        // A surname's first byte and length (capped at 63), to pass over
        // most tokens without hashing them.
        let mut surname_shapes = [0u64; 256];
        for (_, k, _, _) in &by_last {
            if let Some(&b) = k.as_bytes().first() {
                surname_shapes[b as usize] |= 1 << k.len().min(63);
            }
        }
        let may_be_surname = |first: u8, len: usize| surname_shapes[usize::from(first)] >> len.min(63) & 1 != 0;
        for &t in toks.iter() {
            // By the token's first byte and length, before it is sliced.
            let (first, len) = (text.as_bytes()[t.start()], t.end() - t.start());
            if !(may_be_surname(first, len) || may_be_surname(first, len - 1)) {
                continue;
            }
            // Most that pass are the surnames of the full names themselves,
            // found or in the dictionary: passed over by their place before
            // the word is sliced and looked up (a span holding the token's
            // start holds it whatever its end).
            if is_claimed(t.start(), t.start() + 1) || !free(t.start(), t.start() + 1) {
                continue;
            }
            let w = &text[t.start()..t.end()];
            if w.chars().nth(2).is_none() {
                continue;
            }
            let stem = w.strip_suffix('s').filter(|s| !self.surnames.contains(w) && s.len() > 2);
            // People with this surname named before the token (sorted by first mention).
            let before = |key: Option<&str>| -> &[(u64, &str, usize, &[&str])] {
                let Some(k) = key else { return &[] };
                let h = hash(k);
                let lo = by_last.partition_point(|e| (e.0, e.1) < (h, k));
                &by_last[lo..lo + by_last[lo..].partition_point(|e| e.0 == h && e.1 == k && e.2 < t.start())]
            };
            let (plain, genitive_list) = (before(Some(w)), before(stem));
            let (one, genitive) = match (plain, genitive_list) {
                ([(_, _, _, one)], []) => (*one, false),
                ([], [(_, _, _, one)]) => (*one, true),
                _ => continue,
            };
            let end = if genitive { t.end() - 1 } else { t.end() };
            if !free(t.start(), end) || is_claimed(t.start(), end) {
                continue;
            }
            let label = scratch.joined(one);
            out.push(Found { kind: "person", label, start: t.start(), end, rule: Rule::ShortName });
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        // Back to the scratch (the lists of words borrowed the text: empty).
        scratch.claimed = claimed;
        scratch.by_last = recycle(by_last);
        scratch.by_first_last = recycle(by_first_last);
        scratch.by_words = recycle(by_words);
        scratch.people = recycle(people);
        scratch.openings = recycle(openings);
        scratch.words = recycle(all_words);
        (scratch.spans, scratch.found, scratch.labels) = (spans, found, labels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_bytes_keep_every_word_with_an_agency_suffix() {
        for suffix in AGENCY_SUFFIXES {
            for w in [format!("Data{suffix}"), format!("Data{suffix}s")] {
                assert!(may_end_in_agency_suffix(w.as_bytes()), "{w}");
            }
        }
        // Surnames that end like a suffix ("-sen", "-elsen") do not pass,
        // nor a word that differs from one in the eighth byte from the end.
        for w in ["Kommune", "KMD", "Data", "Datas", "s", "", "Hansen", "Nielsens", "Mikkelsen", "Bjørnet", "Abyrelsen"]
        {
            assert!(!may_end_in_agency_suffix(w.as_bytes()), "{w}");
        }
    }

    proptest::proptest! {
        /// The form found at a word is the one a leftmost-longest search
        /// of the forms finds there, on any text.
        #[test]
        fn a_legal_form_is_the_longest_that_opens_the_word(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(LEGAL_FORMS.to_vec()),
                proptest::sample::select(vec![
                    "A", "/", "S", "p", "B", "I", "P", "K", "G", "m", "H", "L", "t", "d", ".", "n", "c", "O", "y", "V",
                    "E", "s", " ", "-", "'", "Æ",
                ]),
            ],
            0..6,
        )) {
            let rest = parts.concat();
            let longest = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .start_kind(aho_corasick::StartKind::Anchored)
                .build(LEGAL_FORMS)
                .unwrap();
            let input = aho_corasick::Input::new(&rest).anchored(aho_corasick::Anchored::Yes);
            let want = longest.find(input).map_or(0, |m| m.len());
            proptest::prop_assert_eq!(legal_form_at(rest.as_bytes()), want, "{:?}", rest);
        }

        /// A company name starts where the pattern finds it, whether read
        /// backwards (ASCII and Latin-1) or by the regex (other text).
        #[test]
        fn a_company_name_starts_where_the_pattern_finds_it(words in proptest::collection::vec((
            proptest::sample::select(vec![
                "Netip", "Data", "IT", "og", "of", "and", "&", "12", "x", "Æble", "ørsted", "ÆØ", "ß", "’s", "A'", ".",
                "-B", "b,C", "×", "9÷", "ª", "Ω", "–", "“X", "٣", "ǅ", "é", "", "a", "9", "xYz", "D.", "Ø-9",
            ]),
            proptest::sample::select(vec![" ", " ", " ", "  ", "\u{a0}", " \u{a0}", "\t", "\n", ""]),
        ), 0..9)) {
            // Words and what stands between them, the last word last.
            let head: String = words.iter().enumerate().map(|(k, (w, gap))| {
                if k + 1 == words.len() { w.to_string() } else { format!("{w}{gap}") }
            }).collect();
            let want = company_before_re().find(&head).map(|m| m.start());
            if let Some(read) = scan_company_name(head.as_bytes()) {
                proptest::prop_assert_eq!(read, want, "read backwards: {:?}", head);
            }
            proptest::prop_assert_eq!(company_name_start(&head), want, "{:?}", head);
        }
    }

    #[test]
    fn a_company_name_has_at_most_five_words() {
        // (the text before the legal form, where the name starts)
        for (head, start) in [
            ("hos Netip Data IT og Data 12", Some(10)),
            ("Netip Data IT og Data", Some(0)),
            ("hos Aarhus Data\u{a0}and 2", Some(4)),
            ("hos netip", None),
            ("Netip  ", None),
        ] {
            assert_eq!(company_name_start(head), start, "{head}");
            assert_eq!(company_before_re().find(head).map(|m| m.start()), start, "{head}");
        }
    }

    #[test]
    fn company_names_of_latin_and_other_letters() {
        for (text, want) in [
            ("Kontrakten gik til Ærø Data ApS i går.", "Ærø Data"),
            ("Kontrakten gik til Ωmega Data A/S i går.", "Ωmega Data"),
            ("Hos Bogø IT & Co ApS bød.", "Bogø IT & Co"),
        ] {
            let mut out = Vec::new();
            Discoverer::embedded().discover(text, &|_| true, &[], &mut out);
            let labels: Vec<&str> = out.iter().filter(|f| f.kind == "vendor").map(|f| f.label.as_str()).collect();
            assert_eq!(labels, [want], "{text}");
        }
    }

    #[test]
    fn a_span_is_inside_a_mention_only_when_one_holds_all_of_it() {
        let t = |start, end| Taken { start, end, person: false };
        let taken = [t(10, 24), t(30, 40)];
        for (s, e, want) in [
            (10, 24, true),
            (12, 20, true),
            (30, 40, true),
            (8, 20, false),
            (20, 26, false),
            (24, 30, false),
            (22, 32, false),
            (0, 5, false),
            (41, 50, false),
        ] {
            assert_eq!(inside(&taken, s, e), want, "{s}..{e}");
        }
        assert!(!inside(&[], 0, 1));
    }

    #[test]
    fn a_party_letter_after_a_name_is_one_to_three_capitals_in_brackets() {
        let d = Discoverer::embedded();
        let name = "Ulla Xyzæ";
        for (after, want) in [
            (" (S) siger", true),
            (" (SF)", true),
            (" (RV), formand", true),
            (" (ÆØÅ)", true),
            (" (Å)", true),
            (" (ABCD)", false),
            (" (ÆØÅÆ)", false),
            (" (s)", false),
            (" (Sf)", false),
            (" ()", false),
            (" (S", false),
            (" (S og V)", false),
            ("(S)", false),
        ] {
            let text = format!("{name}{after}");
            assert_eq!(d.cue_after(&text, name.len()), want, "{text:?}");
        }
    }

    #[test]
    fn labels_are_single_spaced() {
        for (s, want) in [
            ("Jens Hansen", "Jens Hansen"),
            ("Jens  Hansen", "Jens Hansen"),
            (" Jens Hansen", "Jens Hansen"),
            ("Jens Hansen ", "Jens Hansen"),
            ("Jens\u{a0}Hansen", "Jens Hansen"),
            ("Jens\u{2009}Hansen", "Jens Hansen"),
            ("Jens\u{3000}Hansen", "Jens Hansen"),
            ("Jens\tHansen", "Jens Hansen"),
            ("Jens\u{b}Hansen", "Jens Hansen"),
            ("Søren Ærø-Ålund", "Søren Ærø-Ålund"),
        ] {
            assert_eq!(single_spaced(s), want, "{s:?}");
        }
    }

    proptest::proptest! {
        /// The copy taken when a label needs no change is the label spaced
        /// word by word.
        #[test]
        fn single_spaced_is_the_words_joined_by_one_space(parts in proptest::collection::vec(proptest::sample::select(vec![
            // Mostly the pieces of names that need no change, so that the
            // copy is taken often, and near misses of them.
            "Jens", "Hansen", "Ærø", "-", "Jens", "Hansen", "Ærø", "-", " ", " ", " ", " ", "  ",
            "\t", "\n", "\u{a0}", "\u{85}", "\u{2009}", "\u{3000}", "\u{1680}", "\u{b}", "«", "”",
        ]), 0..8)) {
            let s: String = parts.concat();
            let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(single_spaced(&s), want, "{:?}", s);
        }
    }

    proptest::proptest! {
        /// A role ends the word's lower case, whatever the word is made of.
        #[test]
        fn ends_with_role_is_the_lower_case_ending(parts in proptest::collection::vec(proptest::sample::select(vec![
            "chef", "CHEF", "Chef", "direktør", "DIREKTØR", "ØR", "ør", "r", "R", "er", "ER", "ministeren", "e", "n",
            "formand", "ceo", "CEO", "It-", "Ø", "ø", "Å", "æ", "\u{212a}", "İ", "Σ", "ẞ", "x", "-", "xxxxxxxxxxxxxxxx",
            "hef", "HEF", "irektør", "EO", "DIRE", "TØR",
        ]), 0..5)) {
            let w: String = parts.concat();
            let lower = w.to_lowercase();
            let want = ROLE_ENDINGS.iter().any(|r| lower.ends_with(r));
            proptest::prop_assert_eq!(ends_with_role(&w), want, "{:?}", w);
        }
    }

    proptest::proptest! {
        /// A name token is told by its bytes as by its characters.
        #[test]
        fn name_tokens_by_the_bytes_are_those_by_the_characters(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "A", "Z", "a", "z", "Jens", "Hansen", "KMD", "Ø", "ø", "Æ", "æ", "ß", "ÿ", "À", "Þ", "×", "÷", "µ",
                "ª", "0", "9", "2", ".", "-", "'", "’", "Ǆ", "ǅ", "Σ", "σ", "Kommune", "Og", "\u{a0}",
            ]),
            0..5,
        )) {
            let w: String = parts.concat();
            proptest::prop_assert_eq!(is_name_token(&w), is_name_token_chars(&w), "{:?}", w);
        }
    }

    #[test]
    fn name_tokens_by_the_bytes_agree_on_every_latin_character() {
        for c in ('\u{0}'..='\u{2ff}').chain(['’', 'Ǆ', 'ǅ', 'Σ', '\u{212a}']) {
            for w in [format!("{c}a"), format!("A{c}"), format!("A{c}a"), format!("{c}."), c.to_string()] {
                assert_eq!(is_name_token(&w), is_name_token_chars(&w), "{w:?}");
            }
        }
    }

    #[test]
    fn role_endings_are_found_in_any_case_and_only_at_the_end() {
        for r in ROLE_ENDINGS {
            for w in [r.to_string(), format!("IT-{}", r.to_uppercase()), format!("Digitaliserings{r}")] {
                assert!(ends_with_role(&w), "{w}");
            }
            assert!(!ends_with_role(&format!("{r}x")), "{r}x");
        }
        for w in ["", "r", "er", "Kommunen", "ordet", "ØKONOMI", "Borgmesterens", "Xhef", "Birektør"] {
            assert!(!ends_with_role(w), "{w}");
        }
        // The Kelvin sign lower-cases to `k`: read by `to_lowercase`, not folded.
        assert!(ends_with_role("DIRE\u{212a}TØR"));
    }

    fn people(text: &str) -> Vec<String> {
        let d = Discoverer::embedded();
        let mut out = Vec::new();
        d.discover(text, &|_| true, &[], &mut out);
        out.iter().filter(|f| f.kind == "person").map(|f| f.label.clone()).collect()
    }

    #[test]
    fn a_given_name_that_ends_like_a_role_opens_a_name() {
        assert_eq!(
            people(
                "Det oplyser Sejer Hansen fra firmaet. Borgmester Rocio Jensen er enig, \
                 og Ignacio Petersen siger det samme."
            ),
            ["Sejer Hansen", "Rocio Jensen", "Ignacio Petersen"]
        );
    }

    #[test]
    fn listed_given_names_are_capitalised_words_that_are_no_known_non_name() {
        let d = Discoverer::embedded();
        for w in GIVEN_NAMES.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            assert!(d.is_given_name(w), "{w}");
            assert!(is_cap(w) && w.chars().any(char::is_lowercase) && !not_name(w), "{w}");
        }
    }

    #[test]
    fn few_words_keep_any_number_in_order() {
        for n in [0, 1, 7, 8, 9, 12] {
            let words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
            let few = FewWords::new(words.iter().map(String::as_str));
            assert_eq!(&*few, words.iter().map(String::as_str).collect::<Vec<_>>(), "{n} words");
        }
    }

    #[test]
    fn short_names_resolve_to_the_full_name() {
        assert_eq!(
            people("Jens Kjellerup er formand. Senere siger Kjellerup, at Kjellerups plan holder."),
            ["Jens Kjellerup", "Jens Kjellerup", "Jens Kjellerup"]
        );
        assert_eq!(
            people("Jørgen Kristensen Rasch tiltrådte i går. Jørgen Kristensen glæder sig."),
            ["Jørgen Kristensen Rasch", "Jørgen Kristensen Rasch"]
        );
        // One person named in full twice is still one person.
        assert_eq!(
            people("Jens Kjellerup er formand. Jens Kjellerup siger ja. Senere siger Kjellerup nej."),
            ["Jens Kjellerup", "Jens Kjellerup", "Jens Kjellerup"]
        );
        // Two people share the surname: a lone "Hansen" is left alone.
        assert_eq!(people("Ole Hansen og Eva Hansen mødtes. Hansen sagde nej."), ["Ole Hansen", "Eva Hansen"]);
        // Among many forms that share the first two words, a short form takes
        // the one longer form that begins with all its words; with two
        // longer ones ("Jens Peter Lund ...") it is left alone.
        assert_eq!(
            people(
                "Jens Peter Aagaard siger nej. Jens Peter Bach Holm mener ja. Jens Peter Bach svarer. \
                 Jens Peter Lund Mortensen tøver. Jens Peter Lund Berg venter. Jens Peter Lund ser på. \
                 Jens Peter Zahle slutter."
            ),
            [
                "Jens Peter Aagaard",
                "Jens Peter Bach Holm",
                "Jens Peter Bach Holm",
                "Jens Peter Lund Mortensen",
                "Jens Peter Lund Berg",
                "Jens Peter Lund",
                "Jens Peter Zahle"
            ]
        );
    }

    #[test]
    fn a_particle_is_a_whole_token() {
        fn at(text: &str) -> Option<&str> {
            particle_at(text, 0).map(|t| &text[t.start()..t.end()])
        }
        assert_eq!(at("van Dam"), Some("van"));
        assert_eq!(at("der"), Some("der"));
        assert_eq!(at("de. Jensen"), Some("de"));
        for text in ["van-Dam", "de’s", "deé", "vanx", "v", "Van", "og"] {
            assert_eq!(at(text), None, "{text}");
        }
        // Every particle passes the look at its first letter.
        let letters = || b'a'..=b'z';
        for w in letters()
            .flat_map(|a| letters().map(move |b| vec![a, b]))
            .chain(letters().flat_map(|a| letters().flat_map(move |b| letters().map(move |c| vec![a, b, c]))))
        {
            let w = String::from_utf8(w).unwrap();
            assert_eq!(at(&w).is_some(), is_particle(&w), "{w}");
        }
    }

    #[test]
    fn a_byline_cue_is_read_within_the_line_it_can_see() {
        // "Af" opening a line cues a name no given-name list knows.
        assert_eq!(people("Indledning.\nAf Xyzzy Qwerty\nBrødtekst."), ["Xyzzy Qwerty"]);
        assert_eq!(people("Det lyder det fra Xyzzy Qwerty i dag."), ["Xyzzy Qwerty"]);
        // With the cue word more than 200 bytes back, what stands before it
        // on its line is unknown: no cue, and no panic (the look-back used to
        // be sliced from its end to the word's start).
        for cue in ["Af", "fra"] {
            let text = format!("Indledning.\n{cue}{}Xyzzy Qwerty skriver.", " ".repeat(199));
            assert!(people(&text).is_empty(), "{cue}");
        }
        // A speech verb is a cue across spaces as far back as the line is seen.
        assert_eq!(people(&format!("Det siger{}Xyzzy Qwerty.", " ".repeat(150))), ["Xyzzy Qwerty"]);
        assert!(people(&format!("Det siger{}Xyzzy Qwerty.", " ".repeat(250))).is_empty());
    }
}
