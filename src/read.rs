//! Bounded reading of text files: the one reader behind every file of text
//! licentia loads (license documents, key files, the command line's inputs).

use std::io::Read;
use std::path::Path;

use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Result};

/// Reads the UTF-8 text file at `path`, refusing one larger than `limit`
/// bytes.
///
/// At most `limit + 1` bytes are read, so a huge file, or one with no end
/// such as `/dev/zero` or a pipe, is refused without being loaded. Errors:
/// [`Error::TooLarge`] naming `what` (such as `"license file"`), and
/// [`Error::Io`] naming the path, for a file that cannot be opened or read
/// or is not UTF-8.
///
/// The buffer is sized from the file's length and wiped when the read fails
/// or is refused, so a secret (a private key) leaves no copy behind in
/// memory; wrap the text returned in [`Zeroizing`] to wipe it too.
///
/// ```
/// use licentia::format::{read_text_file, MAX_TEXT_LEN};
/// use licentia::Error;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("license.lic");
/// std::fs::write(&path, "lic.AAAA").unwrap();
/// assert_eq!(read_text_file(&path, "license file", MAX_TEXT_LEN)?, "lic.AAAA");
/// assert_eq!(
///     read_text_file(&path, "license file", 4),
///     Err(Error::TooLarge { what: "license file", limit: 4 })
/// );
/// let missing = read_text_file(dir.path().join("nope.lic"), "license file", 4).unwrap_err();
/// assert!(missing.to_string().contains("nope.lic"));
/// # Ok::<(), licentia::Error>(())
/// ```
pub fn read_text_file(path: impl AsRef<Path>, what: &'static str, limit: usize) -> Result<String> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| io(&name, e))?;
    // Sized to the file, so reading a regular file never reallocates (and
    // leaves no stray copy of a secret); a pipe or device reports 0 and
    // grows as it is read.
    let size = file.metadata().map_or(0, |meta| meta.len());
    let capacity = usize::try_from(size).map_or(limit, |size| size.min(limit.saturating_add(1)));
    read_into(file, &name, what, limit, capacity)
}

/// Reads UTF-8 text from `reader` (standard input, a socket...) as
/// [`read_text_file`] reads a file; `name` stands for the path in I/O
/// errors.
///
/// ```
/// use licentia::format::read_text;
/// let endless = std::io::repeat(b'A');
/// assert!(read_text(endless, "standard input", "document", 1024).is_err());
/// assert_eq!(read_text(&b"lic.AAAA"[..], "standard input", "document", 1024).unwrap(), "lic.AAAA");
/// ```
pub fn read_text(
    reader: impl Read,
    name: &str,
    what: &'static str,
    limit: usize,
) -> Result<String> {
    read_into(reader, name, what, limit, 0)
}

fn read_into(
    reader: impl Read,
    name: &str,
    what: &'static str,
    limit: usize,
    capacity: usize,
) -> Result<String> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    let bound = u64::try_from(limit).map_or(u64::MAX, |limit| limit.saturating_add(1));
    reader
        .take(bound)
        .read_to_end(&mut bytes)
        .map_err(|e| io(name, e))?;
    if bytes.len() > limit {
        return Err(Error::TooLarge { what, limit });
    }
    // The text takes the buffer over: no copy is made.
    String::from_utf8(core::mem::take(&mut *bytes)).map_err(|e| {
        e.into_bytes().zeroize();
        Error::Io(format!("{name}: not UTF-8 text"))
    })
}

fn io(name: &str, e: std::io::Error) -> Error {
    Error::Io(format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the bytes read through it.
    struct Counting<R> {
        inner: R,
        read: usize,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n;
            Ok(n)
        }
    }

    #[test]
    fn the_limit_is_inclusive_and_nothing_past_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc");
        std::fs::write(&path, "abcd").unwrap();
        assert_eq!(read_text_file(&path, "document", 4).unwrap(), "abcd");
        assert_eq!(
            read_text_file(&path, "document", 3),
            Err(Error::TooLarge {
                what: "document",
                limit: 3
            })
        );
        let mut endless = Counting {
            inner: std::io::repeat(b'a'),
            read: 0,
        };
        assert_eq!(
            read_text(&mut endless, "standard input", "document", 100),
            Err(Error::TooLarge {
                what: "document",
                limit: 100
            })
        );
        assert_eq!(endless.read, 101);
    }

    #[test]
    fn io_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.lic");
        let Err(Error::Io(message)) = read_text_file(&missing, "document", 10) else {
            panic!("a missing file is an I/O error");
        };
        assert!(message.starts_with(&format!("{}: ", missing.display())));
        let binary = dir.path().join("binary.lic");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert_eq!(
            read_text_file(&binary, "document", 10),
            Err(Error::Io(format!("{}: not UTF-8 text", binary.display())))
        );
        assert_eq!(
            read_text(&[0xff][..], "standard input", "document", 10),
            Err(Error::Io("standard input: not UTF-8 text".into()))
        );
    }
}
