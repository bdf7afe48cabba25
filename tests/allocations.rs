//! Matching a document allocates nothing once a worker's buffers have grown
//! to the size of the documents it sees: the hot path of a run reuses them
//! from one document to the next (issue #5). Counted by a global allocator
//! that counts the allocations of the thread that asks.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use kommunegraf::Dictionary;
use kommunegraf::diag::Diagnostics;
use kommunegraf::furniture::Furniture;
use kommunegraf::pipeline::{Extractor, Located, intern};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// count is a thread-local `Cell` with a const initialiser, which never
// allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Articles of the kind the tool reads: municipalities in several forms,
/// vendors, an organisation, a region, hyphen compounds, genitives,
/// furniture-like lines and words that are not entities.
fn documents() -> Vec<String> {
    let paragraphs = [
        "Odense Kommune har skrevet kontrakt med KMD om et nyt ESDH-system, og KMD's konkurrenter klager.",
        "It-chefen i Aarhus Kommune siger, at KL-udbuddet var for stort. Netcompany og EG bød også.",
        "Region Syddanmark og Faaborg-Midtfyn Kommune deler et datacenter. Kl. 8 mødes de på vejen.",
        "Læs også: Microsofts nye aftale med Københavns Kommune",
        "Datatilsynet har kritiseret Vejen Kommunes brug af KOMBIT-systemer i 2024.",
        "Borgmesteren i Århus sagde ingenting til KMD-kontrakterne eller til Medialogic.",
        "Det siger Jens Kjærgaard Ulvsø, der er it-chef i Odense Kommune. Ulvsø vil have et nyt udbud.",
        "Leverandøren Nordlys Software A/S og Hvidbjerg Data ApS har klaget til Konkurrencestyrelsen.",
        "Mette Søgaard Hvilsom (S) mener, at Hvilsoms forslag og Ulvsøs plan hænger sammen.",
    ];
    (0..24)
        .map(|i| {
            let mut doc = String::new();
            for k in 0..(3 + i % 4) {
                doc.push_str(paragraphs[(i + k) % paragraphs.len()]);
                doc.push_str("\n\n");
            }
            doc
        })
        .collect()
}

#[test]
fn matching_allocates_nothing_once_the_buffers_have_grown() {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    // Without furniture markers: they are the user's regexes, and the regex
    // crate allocates an error when its lazy DFA gives up on a Unicode word
    // boundary next to a non-ASCII letter (0.26 times a document on the
    // bench corpus, where a marker's literal prefix matches a paragraph).
    let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
    // The dictionary job alone: discovery makes the labels of the names it
    // finds, which are the document's own.
    ex.discoverer = None;
    let docs = documents();
    let mut out: Vec<Located> = Vec::new();
    let mut mentions = 0;
    for doc in &docs {
        ex.extract(doc, &mut out);
        mentions += out.len();
    }
    // The documents name entities, so the count below is of real work.
    assert!(mentions > 3 * docs.len(), "{mentions} mentions");
    let before = allocations();
    for doc in &docs {
        ex.extract(doc, &mut out);
    }
    assert_eq!(allocations() - before, 0, "allocations while matching {} documents again", docs.len());
}

#[test]
fn discovery_allocates_nothing_once_the_names_have_been_merged() {
    let mut diag = Diagnostics::default();
    let dict = Dictionary::embedded(&mut diag);
    let mut registry = dict.clone();
    let mut ex = Extractor::new(&dict, Furniture::none()).unwrap();
    let docs = documents();
    let mut out: Vec<Located> = Vec::new();
    // The names' buffers go back to the extractor after the merge, as in a run.
    let mut buffers = Vec::new();
    let mut pass = |ex: &mut Extractor, registry: &mut Dictionary| {
        let mut found = 0;
        for doc in &docs {
            ex.reuse_name_buffers(&mut buffers);
            ex.extract(doc, &mut out);
            found += ex.found().len();
            intern(registry, &mut out, &mut buffers);
        }
        found
    };
    let found = pass(&mut ex, &mut registry);
    // People, companies and short names are found: discovery ran.
    assert!(found > docs.len(), "{found} names found");
    let before = allocations();
    pass(&mut ex, &mut registry);
    assert_eq!(allocations() - before, 0, "allocations while finding the names of {} documents again", docs.len());
}
