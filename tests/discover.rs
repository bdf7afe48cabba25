//! Discovery beyond the dictionary, as a Danish reader would mark it: people
//! (with the shipped people dictionary left out), companies with a legal form,
//! agencies, and what is not a person.

use kommunegraf::diag::Diagnostics;
use kommunegraf::dict::Dictionary;
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{Extractor, Located, Target};

/// The shipped dictionaries without the people.
fn dictionary_without_people() -> Dictionary {
    let mut diag = Diagnostics::default();
    let mut d = Dictionary::new();
    for (name, text) in kommunegraf::dict::EMBEDDED {
        if *name != "persons.csv" {
            d.add_csv(name, text.as_bytes(), &mut diag);
        }
    }
    d
}

fn found(ex: &mut Extractor, text: &str, kind: &str) -> Vec<String> {
    let mut out: Vec<Located> = Vec::new();
    ex.extract(text, &mut out);
    out.iter()
        .filter_map(|m| match &m.target {
            Target::Found(f) if f.kind() == kind => Some(f.label().to_string()),
            Target::Known(e) if ex.dict.entity(*e).kind == kind => Some(ex.dict.entity(*e).label.clone()),
            _ => None,
        })
        .collect()
}

fn check(kind: &str, table: &[(&str, &[&str])]) {
    let dict = dictionary_without_people();
    let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
    let mut failures = Vec::new();
    for (text, want) in table {
        let got = found(&mut ex, text, kind);
        if got != *want {
            failures.push(format!("{text}\n   want {want:?}\n   got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} wrong:\n{}", failures.len(), table.len(), failures.join("\n"));
}

#[test]
fn people_by_given_name_and_role_cues() {
    check(
        "person",
        &[
            // a Danish given name and a surname
            ("Det bekræfter Mette Kjærgaard Hansen over for avisen.", &["Mette Kjærgaard Hansen"]),
            ("Anne-Marie Dahl og Jens Otto Kromann deltog.", &["Anne-Marie Dahl", "Jens Otto Kromann"]),
            ("Mødet blev ledet af Michel van der Linden fra Holland.", &["Michel van der Linden"]),
            ("Billedet er taget af Povl D. Rasmussen.", &["Povl D. Rasmussen"]),
            // a no-break space joins a name as a space does; a hyphen after
            // a particle makes another word
            ("Det bekræfter Mette\u{a0}Kjærgaard Hansen.", &["Mette Kjærgaard Hansen"]),
            ("Mødet blev ledet af Michel van-Dam Linden.", &[]),
            // titles before and after
            ("Borgmester Michael Ziegler (K) er utilfreds.", &["Michael Ziegler"]),
            ("Finansminister Nicolai Wammen fremlagde forslaget.", &["Nicolai Wammen"]),
            ("Det oplyser Lars Møller, kommunaldirektør i Randers Kommune.", &["Lars Møller"]),
            ("Ifølge Birgit Sørensen, der er it-chef i Gribskov Kommune, går det godt.", &["Birgit Sørensen"]),
            // names of any origin through a cue
            ("\"Vi investerer i Danmark,\" siger Satya Nadella.", &["Satya Nadella"]),
            // the cue word right before the name, across spaces only
            ("Det siger\u{a0}Xyzzy Qwerty.", &["Xyzzy Qwerty"]),
            ("Det siger  Xyzzy Qwerty.", &["Xyzzy Qwerty"]),
            ("Det siger, Xyzzy Qwerty.", &[]),
            ("Sagen kommenteres af it-chef Xyzzy Qwerty.", &["Xyzzy Qwerty"]),
            ("Sagen kommenteres af it-chef\nXyzzy Qwerty.", &[]),
            ("Microsofts topchef Satya Nadella besøgte København.", &["Satya Nadella"]),
            // bylines, photo credits, a name before a quote
            ("Af Flemming Kjærsdam", &["Flemming Kjærsdam"]),
            ("Aftalen blev underskrevet i går. (Foto: PR foto / Jens Astrup)", &["Jens Astrup"]),
            ("Henning Strøkjær: ”Vi kigger på hele platformen”", &["Henning Strøkjær"]),
            // a genitive surname is not part of the name
            ("Jens Kjellerups forslag blev vedtaget.", &["Jens Kjellerup"]),
            // later short forms resolve to the full name
            ("Jens Kjellerup er formand. Kjellerup siger ja.", &["Jens Kjellerup", "Jens Kjellerup"]),
            // not persons
            ("Det skriver Helsingør Dagblad i dag.", &[]),
            ("Det siger Kommunernes Landsforening.", &[]),
            ("Mandag Morgen og Dagens Medicin skriver om sagen.", &[]),
            ("Læs mere i august. Juni Kommune findes ikke.", &[]),
            ("KMD Opus og Microsoft Azure er systemer.", &[]),
            ("Region Hovedstaden og Aarhus Universitet samarbejder.", &[]),
            ("Han arbejdede\nMorten\nHansen", &[]),
        ],
    );
}

#[test]
fn companies_with_a_legal_form_and_agencies() {
    check(
        "vendor",
        &[
            ("Kontrakten gik til Zangenberg Analytics ApS i går.", &["Zangenberg Analytics"]),
            ("Hos Fiktiv Data A/S er man glad.", &["Fiktiv Data"]),
            ("Leverandøren Nordlys Software GmbH og Bogø IT I/S bød.", &["Nordlys Software", "Bogø IT"]),
            ("Netcompany A/S vandt.", &["Netcompany"]),
            ("Der er ingen selskaber nævnt her, kun 12 A/S'er.", &[]),
        ],
    );
    check(
        "organization",
        &[
            ("Sagen ligger nu hos Søfartsstyrelsen og Naturklagenævnet.", &["Søfartsstyrelsen", "Naturklagenævnet"]),
            (
                "Forbrugerombudsmanden og Konkurrence- og Forbrugerstyrelsen er enige.",
                &["Forbrugerombudsmanden", "Konkurrence- og Forbrugerstyrelsen"],
            ),
            ("Ligestillingsministeriets svar kom i går.", &["Ligestillingsministeriet"]),
            ("Styrelsen svarede ikke, og ministeriet tav.", &[]),
            ("Morten Bødskov (S) siger ja.", &["Socialdemokratiet"]),
        ],
    );
}
