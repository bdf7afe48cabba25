//! Dictionaries: the entities to look for and every way they are written.
//!
//! A dictionary is a CSV file with the header `id,type,name,aliases` and any
//! further columns, which are kept as entity attributes. `name` is the canonical
//! label and is always an alias too; `aliases` are separated by `;`.
//!
//! Each alias may start with flags that say how it may match:
//!
//! | flag | meaning |
//! |------|---------|
//! | `=`  | case-exact: the text must be written exactly so (`=Nine`) |
//! | `~`  | case-free: any case (`~version2`) |
//! | `^`  | a bare place name: capitalised, not part of a larger proper name |
//! | `?`  | an ambiguous place name (Vejen, Skive...): only in municipal context |
//! | `!`  | not as the first part of a hyphen compound (`!EU`: not in `EU-krav`) |
//!
//! Without a case flag, an alias with no lower-case letter (`KL`, `OS2`, `SKI`) is
//! case-exact, one whose first letter or digit is a capital must have a capital
//! there in the text (the rest of it folds; `«Nyt»` counts by its `N`), and one
//! written in lower case matches in any case.
//! Hyphens between two words also match as a space or a slash, and slashes as a
//! hyphen or space, so `Faaborg-Midtfyn` covers `Faaborg/Midtfyn` and `Faaborg Midtfyn`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::FastMap;
use crate::diag::Diagnostics;
use crate::fold::fold;

/// The dictionaries shipped inside the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("municipalities.csv", include_str!("../dictionaries/municipalities.csv")),
    ("regions.csv", include_str!("../dictionaries/regions.csv")),
    ("vendors.csv", include_str!("../dictionaries/vendors.csv")),
    ("organizations.csv", include_str!("../dictionaries/organizations.csv")),
    ("persons.csv", include_str!("../dictionaries/persons.csv")),
];

/// Index of an entity in [`Dictionary::entities`].
pub type EntityIdx = u32;

/// One thing to be found: a municipality, a vendor, a person...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    /// Free text; the shipped types are municipality, region, person, vendor, organization.
    pub kind: String,
    pub label: String,
    /// Extra dictionary columns, by index into [`Dictionary::attr_names`].
    pub attrs: Vec<(usize, String)>,
    /// Where it was defined (`file:line`), for warnings.
    pub origin: String,
    pub source: Source,
}

/// Where an entity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Dictionary,
    /// Found in the text by [`crate::discover`].
    Discovered,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Dictionary => "dictionary",
            Source::Discovered => "discovered",
        }
    }
}

/// A set of words (see [`crate::FastSet`]).
pub type WordSet<'a> = crate::FastSet<&'a str>;

/// The words of a word-list file: one a line, `#` lines and blank lines
/// skipped (first_names.txt, surnames.txt, common_words.txt).
pub fn word_list(text: &str) -> WordSet<'_> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// The id a discovered entity gets: `KIND-slug(label)`.
pub fn discovered_id(kind: &str, label: &str) -> String {
    let mut id = String::with_capacity(kind.len() + 1 + label.len() + 4);
    push_discovered_id(kind, label, &mut id);
    id
}

/// Appends [`discovered_id`]`(kind, label)` to `out`.
pub(crate) fn push_discovered_id(kind: &str, label: &str, out: &mut String) {
    out.push_str(kind);
    out.push('-');
    slug_into(label, out);
}

/// An id part from a name: lower case ASCII, `æøå` spelt out, other runs of
/// characters as one hyphen. Stable across runs, so discovered ids are too.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    slug_into(name, &mut out);
    out
}

/// Appends [`slug`]`(name)` to `out`.
fn slug_into(name: &str, out: &mut String) {
    let base = out.len();
    let dash = |out: &mut String| {
        if out.len() > base && !out.ends_with('-') {
            out.push('-');
        }
    };
    for c in name.chars() {
        if c.is_ascii() {
            // Most names are ASCII: no lower-casing iterator for them.
            let l = c.to_ascii_lowercase();
            if l.is_ascii_alphanumeric() {
                out.push(l)
            } else {
                dash(out)
            }
            continue;
        }
        for c in c.to_lowercase() {
            let s: &str = match c {
                'æ' => "ae",
                'ø' => "oe",
                'å' => "aa",
                'ä' => "a",
                'ö' => "o",
                'ü' => "u",
                'é' | 'è' | 'ê' => "e",
                'á' | 'à' => "a",
                c if c.is_ascii_alphanumeric() => {
                    out.push(c);
                    continue;
                }
                _ => "-",
            };
            if s == "-" { dash(out) } else { out.push_str(s) }
        }
    }
    while out.len() > base && out.ends_with('-') {
        out.pop();
    }
    if out.len() == base {
        out.push('x');
    }
}

/// How the letter case of the text must agree with an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Byte for byte as written in the dictionary.
    Exact,
    /// The first letter must be upper case; the rest folds.
    Capitalised,
    /// Any case.
    Free,
}

/// What context an alias needs around it before it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextRule {
    /// None beyond word boundaries.
    Plain,
    /// A bare place name: not part of a larger proper name (see `resolve`).
    Place,
    /// A place name that is also a common word: needs a municipal cue.
    Municipal,
}

/// One way of writing an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub entity: EntityIdx,
    /// The alias as written (flags removed).
    pub text: String,
    pub case: CaseRule,
    pub context: ContextRule,
    /// May the alias start a hyphen compound (`KMD-kontrakter`)?
    pub compounds: bool,
}

/// All loaded entities and their aliases, ready to build a matcher from.
#[derive(Debug, Default, Clone)]
pub struct Dictionary {
    pub entities: Vec<Entity>,
    pub aliases: Vec<Alias>,
    /// Names of the extra columns, in the order first seen.
    pub attr_names: Vec<String>,
    ids: FastMap<String, EntityIdx>,
    /// alias key (folded text, or `=text` for case-exact ones) -> index into `aliases`
    folded: FastMap<String, usize>,
}

/// Parse the flags at the start of an alias. Returns `None` for an alias that is
/// empty once the flags are gone.
pub fn parse_alias(raw: &str) -> Option<ParsedAlias> {
    let mut case = None;
    let mut context = ContextRule::Plain;
    let mut compounds = true;
    let mut rest = raw.trim();
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            Some('=') => case = Some(CaseRule::Exact),
            Some('~') => case = Some(CaseRule::Free),
            Some('^') => context = ContextRule::Place,
            Some('?') => context = ContextRule::Municipal,
            Some('!') => compounds = false,
            _ => break,
        }
        rest = chars.as_str();
    }
    let text = rest.trim();
    if text.is_empty() {
        return None;
    }
    let case = case.unwrap_or_else(|| default_case(text));
    Some(ParsedAlias { text: text.to_string(), case, context, compounds })
}

/// An alias with its flags read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAlias {
    pub text: String,
    pub case: CaseRule,
    pub context: ContextRule,
    pub compounds: bool,
}

/// Whether the first letter or digit of `text` is a capital: what makes an
/// alias capitalised, and what a text must then have ("«Nyt»" by its `N`).
pub fn starts_capitalised(text: &str) -> bool {
    // Most texts asked open with an ASCII letter: told by the byte.
    match text.as_bytes().first() {
        Some(&b) if b.is_ascii_alphanumeric() => b.is_ascii_uppercase(),
        _ => text.chars().find(|c| c.is_alphanumeric()).is_some_and(char::is_uppercase),
    }
}

/// The case rule an alias gets when it has no flag (see the module docs).
pub fn default_case(text: &str) -> CaseRule {
    let has_lower = text.chars().any(char::is_lowercase);
    let has_upper = text.chars().any(char::is_uppercase);
    if has_upper && !has_lower {
        CaseRule::Exact
    } else if starts_capitalised(text) {
        CaseRule::Capitalised
    } else {
        CaseRule::Free
    }
}

/// The spellings an alias also matches: word-joining hyphens and slashes swapped
/// for each other and for a space.
pub fn separator_variants(text: &str) -> Vec<String> {
    // Most aliases have neither (every dictionary row passes here at start-up).
    if memchr::memchr2(b'-', b'/', text.as_bytes()).is_none() {
        return vec![text.to_string()];
    }
    let chars: Vec<char> = text.chars().collect();
    let joins: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| {
            (chars[i] == '-' || chars[i] == '/') && chars[i - 1].is_alphanumeric() && chars[i + 1].is_alphanumeric()
        })
        .collect();
    let mut out = vec![text.to_string()];
    if joins.is_empty() {
        return out;
    }
    for sep in ['-', '/', ' '] {
        let mut v = chars.clone();
        for &i in &joins {
            v[i] = sep;
        }
        let s: String = v.into_iter().collect();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

impl Dictionary {
    pub fn new() -> Self {
        Self::default()
    }

    /// The shipped dictionaries.
    pub fn embedded(diag: &mut Diagnostics) -> Self {
        let mut d = Self::new();
        for (name, text) in EMBEDDED {
            d.add_csv(&format!("<embedded>/{name}"), text.as_bytes(), diag);
        }
        d
    }

    /// Add a file, or every `.csv` file below a directory (sorted, recursive).
    pub fn add_path(&mut self, path: &Path, diag: &mut Diagnostics) {
        let files = if path.is_dir() {
            let mut v = Vec::new();
            collect_csv(path, &mut v, diag);
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            match fs::read(&f) {
                Ok(bytes) => self.add_csv(&f.display().to_string(), &bytes, diag),
                Err(e) => diag.error(f.display().to_string(), format!("cannot read dictionary: {e}")),
            }
        }
    }

    /// Add the rows of one dictionary CSV. Bad rows are reported and skipped.
    pub fn add_csv(&mut self, name: &str, bytes: &[u8], diag: &mut Diagnostics) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header: Vec<String> = match rdr.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                diag.error(format!("{name}:1"), format!("cannot read the header: {e}"));
                return;
            }
        };
        let col = |n: &str| header.iter().position(|h| h == n);
        let (Some(c_id), Some(c_type), Some(c_name)) = (col("id"), col("type"), col("name")) else {
            diag.error(
                format!("{name}:1"),
                format!("header must have the columns id,type,name[,aliases]; found {}", header.join(",")),
            );
            return;
        };
        let c_alias = col("aliases");
        let attr_cols: Vec<(usize, usize)> = header
            .iter()
            .enumerate()
            .filter(|(i, _)| ![Some(c_id), Some(c_type), Some(c_name), c_alias].contains(&Some(*i)))
            .filter(|(_, h)| !h.is_empty())
            .map(|(i, h)| (i, self.attr_index(h)))
            .collect();
        for rec in rdr.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    diag.error(format!("{name}:{line}"), format!("unreadable row skipped: {e}"));
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            let loc = format!("{name}:{line}");
            if rec.len() != header.len() {
                diag.error(&loc, format!("row has {} fields, the header {}; skipped", rec.len(), header.len()));
                continue;
            }
            let id = rec[c_id].trim();
            let name = rec[c_name].trim();
            // A name may carry alias flags (`~&co`): they rule how it
            // matches, and are no part of the label.
            let label = parse_alias(name).map(|a| a.text).unwrap_or_default();
            let kind = rec[c_type].trim().to_lowercase();
            if id.is_empty() || label.is_empty() || kind.is_empty() {
                diag.error(&loc, "row lacks an id, type or name; skipped");
                continue;
            }
            if let Some(&prev) = self.ids.get(id) {
                let origin = &self.entities[prev as usize].origin;
                diag.error(&loc, format!("duplicate id {id:?} (first defined at {origin}); skipped"));
                continue;
            }
            // Explicit aliases first, so that one with flags (`!EU`) wins over
            // the plain label it repeats.
            let mut raw_aliases = Vec::new();
            if let Some(c) = c_alias {
                let field = &rec[c];
                if !field.trim().is_empty() {
                    for (k, a) in field.split(';').enumerate() {
                        if parse_alias(a).is_none() {
                            diag.error(&loc, format!("alias {} of {id:?} is empty; ignored", k + 1));
                            continue;
                        }
                        raw_aliases.push(a.to_string());
                    }
                }
            }
            raw_aliases.push(name.to_string());
            let idx = self.entities.len() as EntityIdx;
            let attrs = attr_cols
                .iter()
                .filter(|(c, _)| !rec[*c].trim().is_empty())
                .map(|(c, a)| (*a, rec[*c].trim().to_string()))
                .collect();
            self.entities.push(Entity {
                id: id.to_string(),
                kind,
                label,
                attrs,
                origin: loc.clone(),
                source: Source::Dictionary,
            });
            self.ids.insert(id.to_string(), idx);
            for raw in raw_aliases {
                self.add_alias(idx, &raw, &loc, diag);
            }
        }
    }

    fn attr_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.attr_names.iter().position(|n| n == name) {
            return i;
        }
        self.attr_names.push(name.to_string());
        self.attr_names.len() - 1
    }

    fn add_alias(&mut self, entity: EntityIdx, raw: &str, loc: &str, diag: &mut Diagnostics) {
        let Some(ParsedAlias { text, case, context, compounds }) = parse_alias(raw) else { return };
        if !text.chars().any(char::is_alphanumeric) {
            diag.error(loc, format!("alias {text:?} has no letter or digit; ignored"));
            return;
        }
        if text.chars().count() == 1 && case != CaseRule::Exact {
            diag.warn(loc, format!("one-letter alias {text:?} matches too much; ignored (write ={text} to keep it)"));
            return;
        }
        for variant in separator_variants(&text) {
            let key = match case {
                CaseRule::Exact => format!("={variant}"),
                _ => fold(&variant),
            };
            if let Some(&prev) = self.folded.get(&key) {
                let other = self.aliases[prev].entity;
                if other == entity && case == CaseRule::Free {
                    // `Version2;~version2`: the looser spelling widens the alias.
                    self.aliases[prev].case = CaseRule::Free;
                } else if other != entity {
                    let (a, b) = (&self.entities[other as usize], &self.entities[entity as usize]);
                    diag.warn(
                        loc,
                        format!(
                            "alias {variant:?} is shared by {:?} ({}) and {:?}; kept for {:?}",
                            a.id, a.origin, b.id, a.id
                        ),
                    );
                }
                continue;
            }
            self.folded.insert(key, self.aliases.len());
            self.aliases.push(Alias { entity, text: variant, case, context, compounds });
        }
    }

    /// The entity for a discovered name: `KIND-slug(label)`, an existing entity
    /// if one has that id (so a name the dictionary lists keeps its entry).
    pub fn intern(&mut self, kind: &str, label: &str) -> EntityIdx {
        self.intern_id(&discovered_id(kind, label), kind, label)
    }

    /// [`Dictionary::intern`] when the id is already known.
    pub fn intern_id(&mut self, id: &str, kind: &str, label: &str) -> EntityIdx {
        if let Some(&idx) = self.ids.get(id) {
            return idx;
        }
        let idx = self.entities.len() as EntityIdx;
        let id = id.to_string();
        self.entities.push(Entity {
            id: id.clone(),
            kind: kind.to_string(),
            label: label.to_string(),
            attrs: Vec::new(),
            origin: "discovered".into(),
            source: Source::Discovered,
        });
        self.ids.insert(id, idx);
        idx
    }

    /// The entity an id names, if any.
    pub fn by_id(&self, id: &str) -> Option<EntityIdx> {
        self.ids.get(id).copied()
    }

    pub fn entity(&self, idx: EntityIdx) -> &Entity {
        &self.entities[idx as usize]
    }

    pub fn attr(&self, idx: EntityIdx, name: &str) -> Option<&str> {
        let a = self.attr_names.iter().position(|n| n == name)?;
        self.entity(idx).attrs.iter().find(|(i, _)| *i == a).map(|(_, v)| v.as_str())
    }
}

fn collect_csv(dir: &Path, out: &mut Vec<PathBuf>, diag: &mut Diagnostics) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diag.error(dir.display().to_string(), format!("cannot list directory: {e}"));
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_csv(&p, out, diag);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mentions.csv writes the source names without passing them through
    /// the CSV escaping: they must need none.
    #[test]
    fn source_names_are_written_as_they_are() {
        for source in [Source::Dictionary, Source::Discovered] {
            let mut out = Vec::new();
            crate::export::escape_field(source.name().as_bytes(), &mut out);
            assert_eq!(out, source.name().as_bytes());
        }
    }

    fn load(text: &str) -> (Dictionary, Diagnostics) {
        let mut diag = Diagnostics::default();
        let mut d = Dictionary::new();
        d.add_csv("t.csv", text.as_bytes(), &mut diag);
        (d, diag)
    }

    #[test]
    fn alias_flags_and_default_case() {
        let p = |s: &str| parse_alias(s).map(|a| (a.text, a.case, a.context, a.compounds));
        use CaseRule::*;
        use ContextRule::*;
        assert_eq!(p("KL"), Some(("KL".into(), Exact, Plain, true)));
        assert_eq!(p("Kombit"), Some(("Kombit".into(), Capitalised, Plain, true)));
        assert_eq!(p("version2"), Some(("version2".into(), Free, Plain, true)));
        assert_eq!(p("=Nine"), Some(("Nine".into(), Exact, Plain, true)));
        assert_eq!(p("?Vejen"), Some(("Vejen".into(), Capitalised, Municipal, true)));
        assert_eq!(p("^~Odense"), Some(("Odense".into(), Free, Place, true)));
        assert_eq!(p("!EU"), Some(("EU".into(), Exact, Plain, false)));
        assert_eq!(p(" = "), None);
    }

    #[test]
    fn a_looser_spelling_widens_the_alias() {
        let (d, diag) = load("id,type,name,aliases\nv2,organization,Version2,~version2\n");
        assert!(diag.is_empty(), "{diag:?}");
        assert_eq!(d.aliases.len(), 1);
        assert_eq!(d.aliases[0].case, CaseRule::Free);
    }

    #[test]
    fn flags_on_a_name_rule_its_matching_but_stay_out_of_its_label() {
        let (d, diag) = load("id,type,name,aliases\nco,vendor,~&co,\nfm,organization,!=FM,\nx,vendor,=,\n");
        assert_eq!(d.entities.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(), ["&co", "FM"]);
        let co = d.aliases.iter().find(|a| a.text == "&co").unwrap();
        assert_eq!(co.case, CaseRule::Free);
        let fm = d.aliases.iter().find(|a| a.text == "FM").unwrap();
        assert_eq!((fm.case, fm.compounds), (CaseRule::Exact, false));
        let text: Vec<String> = diag.items.iter().map(ToString::to_string).collect();
        assert!(text.len() == 1 && text[0].contains("t.csv:4") && text[0].contains("lacks"), "{text:?}");
    }

    #[test]
    fn slugs_are_stable_ascii() {
        assert_eq!(slug("Jørgen Kristensen Rasch"), "joergen-kristensen-rasch");
        assert_eq!(slug("Ærø Kommune"), "aeroe-kommune");
        assert_eq!(slug("  O'Brien & Co. "), "o-brien-co");
    }

    #[test]
    fn discovered_names_get_stable_ids_and_reuse_dictionary_entries() {
        let (mut d, _) = load("id,type,name,aliases\nperson-jens-hansen,person,Jens Hansen,\n");
        assert_eq!(d.intern("person", "Jens Hansen"), 0);
        let a = d.intern("person", "Eva Berg");
        assert_eq!(d.intern("person", "Eva Berg"), a);
        assert_eq!(d.entity(a).id, "person-eva-berg");
        assert_eq!(d.entity(a).source, Source::Discovered);
    }

    #[test]
    fn separators_expand() {
        let v = separator_variants("Faaborg-Midtfyn");
        assert_eq!(v, vec!["Faaborg-Midtfyn", "Faaborg/Midtfyn", "Faaborg Midtfyn"]);
        assert_eq!(separator_variants("IT- og Telestyrelsen"), vec!["IT- og Telestyrelsen"]);
    }

    #[test]
    fn bad_rows_are_reported_with_line_and_skipped() {
        let (d, diag) = load(
            "id,type,name,aliases,code\n\
             a,vendor,Alpha,Alfa;,1\n\
             ,vendor,NoId,,\n\
             a,vendor,Again,,\n\
             b,vendor,Beta,Alfa,\n\
             c,vendor,,x,\n",
        );
        assert_eq!(d.entities.len(), 2);
        let text: Vec<String> = diag.items.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|m| m.contains("t.csv:2") && m.contains("empty")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("t.csv:3") && m.contains("lacks")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("t.csv:4") && m.contains("duplicate id")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("t.csv:5") && m.contains("\"a\"") && m.contains("\"b\"")), "{text:?}");
        assert!(text.iter().any(|m| m.contains("t.csv:6")), "{text:?}");
        assert_eq!(d.attr(0, "code"), Some("1"));
    }

    #[test]
    fn missing_columns_is_an_error_naming_the_file() {
        let (d, diag) = load("id,name\nx,y\n");
        assert!(d.entities.is_empty());
        assert!(diag.items[0].to_string().contains("t.csv:1"));
    }

    #[test]
    fn embedded_dictionaries_load_cleanly() {
        let mut diag = Diagnostics::default();
        let d = Dictionary::embedded(&mut diag);
        let errors: Vec<_> = diag.items.iter().filter(|x| x.severity == crate::diag::Severity::Error).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let count = |k: &str| d.entities.iter().filter(|e| e.kind == k).count();
        assert_eq!(count("municipality"), 98);
        assert_eq!(count("region"), 5);
        assert!(count("vendor") >= 150, "{} vendors", count("vendor"));
        assert!(count("organization") >= 150, "{} organizations", count("organization"));
    }
}
