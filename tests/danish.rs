//! The Danish matching rules, each as real-style sentences against the shipped
//! dictionaries: what must be found (label, surface) and what must not.

use kommunegraf::Dictionary;
use kommunegraf::diag::Diagnostics;
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{Extractor, Located, Target};

fn label(ex: &Extractor, m: &Located) -> String {
    match &m.target {
        Target::Known(e) => ex.dict.entity(*e).label.clone(),
        Target::Found(f) => f.label().to_string(),
    }
}

fn found(ex: &mut Extractor, text: &str) -> Vec<(String, String)> {
    let mut out: Vec<Located> = Vec::new();
    ex.extract(text, &mut out);
    out.iter().map(|m| (label(ex, m), text[m.start..m.end].to_string())).collect()
}

#[test]
fn danish_case_table() {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
    let table: &[(&str, &[(&str, &str)])] = &[
        // genitive
        ("Odense Kommunes it-chef er tilfreds.", &[("Odense Kommune", "Odense Kommune")]),
        ("KMD's nye system og KMD’s aftale.", &[("KMD", "KMD"), ("KMD", "KMD")]),
        ("Microsofts sky og Googles annoncer.", &[("Microsoft", "Microsoft"), ("Google", "Google")]),
        ("Atos' kontrakt blev forlænget.", &[("Atos", "Atos")]),
        (
            "Konkurrencestyrelsens afgørelse kom i går.",
            &[("Konkurrence- og Forbrugerstyrelsen", "Konkurrencestyrelsen")],
        ),
        // hyphen compounds
        ("KMD-kontrakterne blev kritiseret under KL-udbuddet.", &[("KMD", "KMD"), ("KL", "KL")]),
        ("Kombit-formanden tog ordet.", &[("KOMBIT", "Kombit")]),
        ("OS2-fællesskabet og OS2’s medlemmer mødes.", &[("OS2", "OS2-fællesskabet"), ("OS2", "OS2")]),
        ("Randers-borgmesteren var utilfreds.", &[("Randers Kommune", "Randers")]),
        // acronyms that are also words
        ("Mødet starter kl. 8 på rådhuset.", &[]),
        ("Bordet er lavet af eg, og EG leverer systemet.", &[("EG", "EG")]),
        ("SKI's rammeaftale gælder ikke ski-ferien.", &[("SKI", "SKI")]),
        ("Det var KL, der kl. 10 indkaldte til møde.", &[("KL", "KL")]),
        // æøå folding, exact offsets
        ("ÆRØ KOMMUNE har valgt en ny leverandør.", &[("Ærø Kommune", "ÆRØ KOMMUNE")]),
        ("Borgerne i Helsingør kommune klager.", &[("Helsingør Kommune", "Helsingør kommune")]),
        ("Sagen i Ærø handler om penge.", &[("Ærø Kommune", "Ærø")]),
        // old spellings and separators
        ("It-afdelingen i Århus Kommune er ny.", &[("Aarhus Kommune", "Århus Kommune")]),
        (
            "Faaborg-Midtfyn, Faaborg/Midtfyn og Faaborg Midtfyn er samme sted.",
            &[
                ("Faaborg-Midtfyn Kommune", "Faaborg-Midtfyn"),
                ("Faaborg-Midtfyn Kommune", "Faaborg/Midtfyn"),
                ("Faaborg-Midtfyn Kommune", "Faaborg Midtfyn"),
            ],
        ),
        // town names that are words need municipal context
        ("Han var på vejen hjem, da Vejen Kommune ringede.", &[("Vejen Kommune", "Vejen Kommune")]),
        ("Hun skar en skive brød og lagde den i vejen.", &[]),
        ("Vejen er lukket i dag.", &[]),
        (
            "Borgmester i Skive, Peter Juel-Jensen, er tilfreds.",
            &[("Skive Kommune", "Skive"), ("Peter Juel-Jensen", "Peter Juel-Jensen")],
        ),
        ("Borgmester i Vejen Egon Fræhr svarer.", &[("Vejen Kommune", "Vejen"), ("Egon Fræhr", "Egon Fræhr")]),
        ("Han er borgmester i Randers.", &[("Randers Kommune", "Randers")]),
        (
            "Vejle og Greve Kommuner har valgt EG.",
            &[("Vejle Kommune", "Vejle"), ("Greve Kommune", "Greve"), ("EG", "EG")],
        ),
        (
            "Servicen dækker Nyborg, Assens og Odder.",
            &[("Nyborg Kommune", "Nyborg"), ("Assens Kommune", "Assens"), ("Odder Kommune", "Odder")],
        ),
        (
            "Det gælder Sorø, Køge, Horsens og Mariagerfjord Kommuner.",
            &[
                ("Sorø Kommune", "Sorø"),
                ("Køge Kommune", "Køge"),
                ("Horsens Kommune", "Horsens"),
                ("Mariagerfjord Kommune", "Mariagerfjord"),
            ],
        ),
        // a town name inside another name is not the municipality
        (
            "Forskere fra Aarhus Universitet og Københavns Universitet deltog.",
            &[("Aarhus Universitet", "Aarhus Universitet"), ("Københavns Universitet", "Københavns Universitet")],
        ),
        ("Det skriver Dagbladet Holstebro-Struer.", &[("Dagbladet Holstebro Struer", "Dagbladet Holstebro-Struer")]),
        (
            "Patienter på Aalborg Universitetshospital i Region Nordjylland venter.",
            &[
                ("Aalborg Universitetshospital", "Aalborg Universitetshospital"),
                ("Region Nordjylland", "Region Nordjylland"),
            ],
        ),
        ("Retten i Roskilde afsagde dom i sagen.", &[("Retten i Roskilde", "Retten i Roskilde")]),
        // a first name makes the town a surname
        ("Birgitte Nyborg er statsminister i serien.", &[("Birgitte Nyborg", "Birgitte Nyborg")]),
        ("Ringkøbing Fjord og Herning Folkeblad.", &[("Herning Folkeblad", "Herning Folkeblad")]),
        // places that are only locations
        ("Datacentret ligger i Skejby ved Århus.", &[]),
        ("Byen ligger nordvest for København.", &[]),
        ("Adressen er København V, hvor de bor.", &[]),
        // people, parties, links
        (
            "Morten Bødskov (S) siger, at Datatilsynet har ret.",
            &[("Morten Bødskov", "Morten Bødskov"), ("Socialdemokratiet", "(S)"), ("Datatilsynet", "Datatilsynet")],
        ),
        (
            "Michael Aastrup Jensen er borgmester i Randers.",
            &[("Michael Aastrup-Jensen", "Michael Aastrup Jensen"), ("Randers Kommune", "Randers")],
        ),
        ("Læs programmet på https://itchefer.dk/node/1 i dag.", &[]),
        ("netIP's teknikere og Netip A/S.", &[("Netip", "netIP"), ("Netip", "Netip A/S")]),
        ("Nye EU-krav, men EU's regler gælder.", &[("EU", "EU")]),
    ];
    let mut failures = Vec::new();
    for (text, want) in table {
        let got = found(&mut ex, text);
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        if got != want {
            failures.push(format!("{text}\n   want {want:?}\n   got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} sentences wrong:\n{}", failures.len(), table.len(), failures.join("\n"));
}
