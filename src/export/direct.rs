//! A streamed table written past the page cache (`O_DIRECT`, Linux only),
//! two megabytes at a time.
//!
//! mentions.csv is larger than the corpus. Written through the page cache,
//! the kernel copies every byte once more and keeps the pages' books: 7% of
//! a 100 MB run's wall time went to writing it. With `O_DIRECT` the disk
//! reads each chunk from this buffer itself, and a thread that only waits
//! for the disk hands it over, so that the run goes on meanwhile: the whole
//! run takes ~2.5% less time (and CPU time) on 100 MB.
//!
//! A direct write pins the pages of its buffer for the disk, one by one
//! for small pages: each chunk is one huge page where the kernel gives one
//! ([`Chunk`]).
//!
//! Where the file system takes no direct writes (tmpfs), [`DirectTable::open`]
//! fails and the table is written as before; a direct write the
//! file system refuses later (`EINVAL`) goes, with the rest of the table,
//! through the page cache.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes written at a time: one huge page (2 MB on x86-64 and most
/// arm64 kernels), a multiple of every block size a direct write may need
/// to be aligned to.
const CHUNK: usize = 2 << 20;
/// The alignment of a chunk's buffer and of the file offsets it is written at.
const ALIGN: usize = 4096;
/// Chunks in use at most: one filling, two on their way to the disk.
const CHUNKS: usize = 3;

/// A buffer of [`CHUNK`] bytes starting at an [`ALIGN`]ed address: a
/// mapping of its own, aligned to its size and asked to be one huge page
/// (`MADV_HUGEPAGE`), or, where the mapping fails, part of a vector.
///
/// With 1 MB chunks of small pages the writer thread spent 12.4-14.1 ms of
/// CPU on the 114 MB of mentions.csv of the 100 MB bench; with 2 MB chunks
/// each one huge page, 4.7-4.9 ms (three runs each, `--threads 2`). With
/// two workers that CPU is taken from them: 12 interleaved runs, median
/// wall 335.0 -> 324.5 ms (and `--threads 1` 558.5 -> 547.5 ms in 10).
/// 2 MB chunks of small pages alone gained nothing (330.5 ms against 329.5).
struct Chunk {
    buf: Buffer,
}

enum Buffer {
    /// `CHUNK` bytes mapped for this chunk alone, unmapped when it is dropped.
    Mapped(NonNull<u8>),
    /// A vector and where in it the aligned `CHUNK` bytes start.
    Heap(Vec<u8>, usize),
}

// SAFETY: a mapped chunk is owned by one `Chunk` at a time (it is never
// copied or shared), so moving it to the writer thread is moving a `Vec`.
unsafe impl Send for Buffer {}

impl Chunk {
    fn new() -> Chunk {
        Chunk { buf: map_huge().map_or_else(heap_chunk, Buffer::Mapped) }
    }

    fn data(&self) -> &[u8] {
        match &self.buf {
            // SAFETY: the mapping holds `CHUNK` bytes, readable, zeroed
            // when made, and lives as long as `self`.
            Buffer::Mapped(p) => unsafe { std::slice::from_raw_parts(p.as_ptr(), CHUNK) },
            Buffer::Heap(bytes, start) => &bytes[*start..start + CHUNK],
        }
    }

    fn data_mut(&mut self) -> &mut [u8] {
        match &mut self.buf {
            // SAFETY: as in `data`, and `&mut self` makes the access unique.
            Buffer::Mapped(p) => unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), CHUNK) },
            Buffer::Heap(bytes, start) => &mut bytes[*start..*start + CHUNK],
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Buffer::Mapped(p) = self.buf {
            // SAFETY: `p` is the start of a mapping of `CHUNK` bytes made by
            // `map_huge` and used by nothing else once its chunk is dropped.
            unsafe { libc::munmap(p.as_ptr().cast(), CHUNK) };
        }
    }
}

/// A vector holding `CHUNK` bytes at an `ALIGN`ed address.
fn heap_chunk() -> Buffer {
    let bytes = vec![0; CHUNK + ALIGN];
    let start = bytes.as_ptr().align_offset(ALIGN).min(ALIGN);
    Buffer::Heap(bytes, start)
}

/// `CHUNK` zeroed bytes mapped at an address aligned to `CHUNK`, advised
/// to be backed by a huge page; `None` when the mapping fails. (The advice
/// is only advice: without transparent huge pages the chunk has small ones.)
fn map_huge() -> Option<NonNull<u8>> {
    // Twice the size, to cut an aligned chunk out of it.
    let len = 2 * CHUNK;
    // SAFETY: a new private anonymous mapping; no memory of the program is
    // touched.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return None;
    }
    let base = base.cast::<u8>();
    let head = base.align_offset(CHUNK).min(CHUNK);
    // SAFETY: `head <= CHUNK`, so the chunk and the parts cut off lie
    // within the `2 * CHUNK` bytes just mapped; the parts before and after
    // the chunk are unmapped (nothing points into them), and the chunk is
    // advised, which changes no byte of it.
    unsafe {
        let chunk = base.add(head);
        if head > 0 {
            libc::munmap(base.cast(), head);
        }
        let tail = len - head - CHUNK;
        if tail > 0 {
            libc::munmap(chunk.add(CHUNK).cast(), tail);
        }
        libc::madvise(chunk.cast(), CHUNK, libc::MADV_HUGEPAGE);
        NonNull::new(chunk)
    }
}

/// The thread that writes full chunks, and the chunks it gives back.
struct Writer {
    to_disk: SyncSender<(Chunk, u64)>,
    free: Receiver<Chunk>,
    handle: JoinHandle<io::Result<()>>,
}

/// A table file written in [`CHUNK`]s with direct writes. Its bytes are
/// those given to [`DirectTable::write_all`], in order, once
/// [`DirectTable::finish`] has written the last partial chunk.
pub struct DirectTable {
    /// The file opened as usual: the end of the table (less than a block)
    /// goes through it, and so does everything after a refused direct write.
    plain: File,
    /// The same file opened for direct writes, until the writer starts.
    direct: Option<File>,
    chunk: Chunk,
    /// Bytes of `chunk` filled.
    len: usize,
    /// Where `chunk` goes in the file.
    offset: u64,
    /// Chunks made so far (at most [`CHUNKS`]).
    made: usize,
    /// Started when the first chunk is full.
    writer: Option<Writer>,
}

impl DirectTable {
    /// The table at `path`, a new empty file that `plain` has open; `plain`
    /// back when the file cannot be opened for direct writes.
    pub fn open(path: &Path, plain: File) -> Result<DirectTable, File> {
        let Some(direct) = open_direct(path) else { return Err(plain) };
        Ok(DirectTable { plain, direct: Some(direct), chunk: Chunk::new(), len: 0, offset: 0, made: 1, writer: None })
    }

    pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = (CHUNK - self.len).min(bytes.len());
            self.chunk.data_mut()[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
            if self.len == CHUNK {
                self.send()?;
            }
        }
        Ok(())
    }

    /// Hand the full chunk to the writer and take an empty one.
    fn send(&mut self) -> io::Result<()> {
        let w = match &mut self.writer {
            Some(w) => w,
            started @ None => started.insert(start_writer(self.direct.take(), self.plain.try_clone()?)),
        };
        let next = match w.free.try_recv() {
            Ok(c) => c,
            Err(_) if self.made < CHUNKS => {
                self.made += 1;
                Chunk::new()
            }
            // Both chunks on their way: wait for the disk.
            Err(_) => match w.free.recv() {
                Ok(c) => c,
                Err(_) => return Err(self.stopped()),
            },
        };
        let full = std::mem::replace(&mut self.chunk, next);
        if w.to_disk.send((full, self.offset)).is_err() {
            return Err(self.stopped());
        }
        self.offset += CHUNK as u64;
        self.len = 0;
        Ok(())
    }

    /// The error that stopped the writer.
    fn stopped(&mut self) -> io::Error {
        match self.writer.take().map(|w| join(w.handle)) {
            Some(Err(e)) => e,
            _ => io::Error::other("the table's writer stopped"),
        }
    }

    /// Write what is left, once the chunks on their way are written; the
    /// file, to be synced.
    pub fn finish(mut self) -> io::Result<File> {
        let mut direct = self.direct.take();
        if let Some(w) = self.writer.take() {
            drop(w.to_disk);
            // The writer's file: it may have gone over to the page cache.
            direct = None;
            join(w.handle)?;
        }
        let data = &self.chunk.data()[..self.len];
        // Whole blocks directly (when the writer never started), the rest
        // through the page cache.
        let mut direct_bytes = 0;
        if let Some(d) = &direct {
            let blocks = self.len / ALIGN * ALIGN;
            if blocks > 0 && write_direct(d, &data[..blocks], self.offset)? == Written::Done {
                direct_bytes = blocks;
            }
        }
        self.plain.write_all_at(&data[direct_bytes..], self.offset + direct_bytes as u64)?;
        Ok(self.plain)
    }
}

fn join(handle: JoinHandle<io::Result<()>>) -> io::Result<()> {
    handle.join().unwrap_or_else(|_| Err(io::Error::other("the table's writer panicked")))
}

#[derive(Debug, PartialEq, Eq)]
enum Written {
    Done,
    /// The file system takes no direct write here: nothing was written.
    Refused,
}

fn write_direct(f: &File, data: &[u8], offset: u64) -> io::Result<Written> {
    match f.write_all_at(data, offset) {
        Ok(()) => Ok(Written::Done),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok(Written::Refused),
        Err(e) => Err(e),
    }
}

/// The thread writing chunks at their offsets, directly while the file
/// system takes it and through `plain` after.
fn start_writer(direct: Option<File>, plain: File) -> Writer {
    let (to_disk, chunks) = sync_channel::<(Chunk, u64)>(CHUNKS);
    let (give_back, free) = sync_channel::<Chunk>(CHUNKS);
    let handle = std::thread::spawn(move || {
        let mut direct = direct;
        for (chunk, offset) in chunks {
            let data = chunk.data();
            let written = match &direct {
                Some(d) => write_direct(d, data, offset)?,
                None => Written::Refused,
            };
            if written == Written::Refused {
                direct = None;
                plain.write_all_at(data, offset)?;
            }
            // The table may be finishing, with no chunk to take.
            let _ = give_back.try_send(chunk);
        }
        Ok(())
    });
    Writer { to_disk, free, handle }
}

fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).custom_flags(libc::O_DIRECT).open(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of every size around the chunk and block sizes, numbered so
    /// that a piece out of place shows.
    fn pieces() -> Vec<Vec<u8>> {
        let sizes = [0, 1, 7, ALIGN - 1, ALIGN, ALIGN + 1, CHUNK - 3, 5, CHUNK, 2 * CHUNK + 11, 300, CHUNK / 2, 9];
        sizes.iter().enumerate().map(|(k, &n)| (0..n).map(|i| (i * 31 + k * 7) as u8).collect()).collect()
    }

    fn write(mut t: DirectTable, pieces: &[Vec<u8>]) {
        for p in pieces {
            t.write_all(p).unwrap();
        }
        drop(t.finish().unwrap());
    }

    #[test]
    fn a_mapped_chunk_is_aligned_to_its_size_zeroed_and_writable() {
        for _ in 0..4 {
            let mut c = Chunk::new();
            // A huge page can back it only at an address that is a
            // multiple of its size.
            if let Buffer::Mapped(p) = c.buf {
                assert_eq!(p.as_ptr() as usize % CHUNK, 0);
            }
            assert_eq!(c.data().len(), CHUNK);
            assert!(c.data().iter().all(|&b| b == 0));
            let last = CHUNK - 1;
            c.data_mut()[0] = 1;
            c.data_mut()[last] = 2;
            assert_eq!((c.data()[0], c.data()[last]), (1, 2));
        }
    }

    #[test]
    fn a_table_holds_its_pieces_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let pieces = pieces();
        // Nothing, less than a block, blocks and a part of one (the
        // writer never started), and many chunks.
        for n in [0, 1, 3, 5, pieces.len()] {
            let path = dir.path().join(format!("t{n}.csv"));
            let plain = File::create(&path).unwrap();
            // Where the file system takes no direct writes, the table is
            // written as before (and this test has nothing to check).
            let Ok(t) = DirectTable::open(&path, plain) else { return };
            write(t, &pieces[..n]);
            let want: Vec<u8> = pieces[..n].concat();
            assert_eq!(std::fs::read(&path).unwrap(), want, "{n} pieces");
        }
    }

    #[test]
    fn a_table_refused_direct_writes_is_written_through_the_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let plain = File::create(&path).unwrap();
        // Direct writes refused from the start: as a file system that
        // opens for them and then turns them down.
        let t = DirectTable { plain, direct: None, chunk: Chunk::new(), len: 0, offset: 0, made: 1, writer: None };
        let pieces = pieces();
        write(t, &pieces);
        assert_eq!(std::fs::read(&path).unwrap(), pieces.concat());
    }
}
