//! The boundary between C and Rust: the panic guard, argument checks,
//! handle ownership, and the one convention for strings going out.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::licentia_status::{self, *};

/// What a function body returns: a value, or the status to hand to C.
pub(crate) type Outcome<T = ()> = Result<T, licentia_status>;

/// Runs `body` inside the panic boundary: a panic becomes `LICENTIA_PANIC`,
/// never an unwind into C.
pub(crate) fn guard(body: impl FnOnce() -> Outcome) -> licentia_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => LICENTIA_OK,
        Ok(Err(status)) => status,
        Err(_) => LICENTIA_PANIC,
    }
}

/// [`guard`] for functions that return a plain value: `fallback` on a panic
/// or an invalid argument.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> Outcome<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(_)) | Err(_) => fallback,
    }
}

/// A C type that C only ever sees behind a pointer, owned by Rust as a `Box`
/// of [`Handle::Rust`]. The free functions are generic over this trait, so a
/// handle can only be freed as the type it was given out as.
pub(crate) trait Handle: Sized {
    /// What the handle points to on the Rust side.
    type Rust;

    /// Gives `value` to C.
    fn into_raw(value: Self::Rust) -> *mut Self {
        Box::into_raw(Box::new(value)).cast()
    }

    /// Borrows a handle C passed in.
    ///
    /// # Safety
    /// `ptr` is NULL or came from [`Handle::into_raw`] of this type and was not freed.
    unsafe fn arg<'a>(ptr: *const Self) -> Outcome<&'a Self::Rust> {
        // SAFETY: non-NULL pointers of this type are live boxes of `Rust` (caller's contract).
        unsafe { ptr.cast::<Self::Rust>().as_ref() }.ok_or(LICENTIA_NULL_ARGUMENT)
    }

    /// Borrows a handle C may pass as NULL (meaning "none").
    ///
    /// # Safety
    /// As [`Handle::arg`].
    unsafe fn opt_arg<'a>(ptr: *const Self) -> Option<&'a Self::Rust> {
        // SAFETY: as in `arg`.
        unsafe { ptr.cast::<Self::Rust>().as_ref() }
    }

    /// Borrows a handle C passed in, mutably.
    ///
    /// # Safety
    /// As [`Handle::arg`], and no other reference to it is live.
    unsafe fn arg_mut<'a>(ptr: *mut Self) -> Outcome<&'a mut Self::Rust> {
        // SAFETY: as in `arg`; exclusivity is the caller's contract.
        unsafe { ptr.cast::<Self::Rust>().as_mut() }.ok_or(LICENTIA_NULL_ARGUMENT)
    }

    /// Takes the handle back from C: C must not use it again.
    ///
    /// # Safety
    /// `ptr` is NULL or came from [`Handle::into_raw`] of this type and was not freed.
    unsafe fn take(ptr: *mut Self) -> Outcome<Self::Rust> {
        if ptr.is_null() {
            return Err(LICENTIA_NULL_ARGUMENT);
        }
        // SAFETY: the caller's contract; the box was made by `into_raw`.
        Ok(*unsafe { Box::from_raw(ptr.cast::<Self::Rust>()) })
    }

    /// Takes the handle back from C and drops it inside the panic boundary
    /// (a `Drop` may panic too); NULL is a no-op. The body of every `_free`.
    ///
    /// # Safety
    /// As [`Handle::take`].
    unsafe fn free(ptr: *mut Self) {
        guard(|| {
            // SAFETY: forwarded contract; NULL gives an error, dropped here.
            drop(unsafe { Self::take(ptr) });
            Ok(())
        });
    }

    /// The body of an accessor returning a plain value: `read` of the
    /// handle, or `fallback` when `ptr` is NULL (or on a panic).
    ///
    /// # Safety
    /// As [`Handle::arg`].
    unsafe fn get_or<T>(ptr: *const Self, fallback: T, read: impl FnOnce(&Self::Rust) -> T) -> T {
        // SAFETY: forwarded contract.
        guard_value(fallback, || Ok(read(unsafe { Self::arg(ptr) }?)))
    }

    /// The body of an accessor that fills a caller's struct: `read` of the
    /// handle written to `*out`, only on success.
    ///
    /// # Safety
    /// As [`Handle::arg`]; `out` is NULL or valid for a write.
    unsafe fn read_into<T>(
        ptr: *const Self,
        out: *mut T,
        read: impl FnOnce(&Self::Rust) -> Outcome<T>,
    ) -> licentia_status {
        guard(|| {
            // SAFETY: forwarded contract.
            let (value, out) = unsafe { (Self::arg(ptr)?, Out::new(out)?) };
            out.set(read(value)?);
            Ok(())
        })
    }

    /// The body of an accessor giving a string out through the caller's
    /// buffer ([`StrOut`]): the buffer is checked first, then the handle,
    /// then `read` runs.
    ///
    /// # Safety
    /// As [`Handle::arg`] and [`StrOut::new`].
    unsafe fn read_str<'a, S: AsRef<str>>(
        ptr: *const Self,
        buf: *mut c_char,
        buf_len: usize,
        out_len: *mut usize,
        read: impl FnOnce(&'a Self::Rust) -> Outcome<S>,
    ) -> licentia_status
    where
        Self::Rust: 'a,
    {
        guard(|| {
            // SAFETY: forwarded contract.
            let out = unsafe { StrOut::new(buf, buf_len, out_len) }?;
            // SAFETY: forwarded contract.
            let value = unsafe { Self::arg(ptr) }?;
            out.write(read(value)?.as_ref())
        })
    }

    /// The body of a function that reads this handle and gives a new handle
    /// of type `O` out: the checks in argument order, then `make`.
    ///
    /// # Safety
    /// As [`Handle::arg`]; `out` is NULL or valid for a write.
    unsafe fn give<O: Handle>(
        ptr: *const Self,
        out: *mut *mut O,
        make: impl FnOnce(&Self::Rust) -> Outcome<O::Rust>,
    ) -> licentia_status {
        guard(|| {
            // SAFETY: forwarded contract.
            let (value, out) = unsafe { (Self::arg(ptr)?, Out::new(out)?) };
            out.give(make(value)?);
            Ok(())
        })
    }

    /// The body of a function that reads this handle and a string and gives
    /// a new handle of type `O` out: the checks in argument order, then `make`.
    ///
    /// # Safety
    /// As [`Handle::arg`] and [`Handle::new_from_str`].
    unsafe fn give_from_str<O: Handle>(
        ptr: *const Self,
        text: *const c_char,
        out: *mut *mut O,
        make: impl FnOnce(&Self::Rust, &str) -> Outcome<O::Rust>,
    ) -> licentia_status {
        guard(|| {
            // SAFETY: forwarded contract.
            let (value, text, out) = unsafe { (Self::arg(ptr)?, str_arg(text)?, Out::new(out)?) };
            out.give(make(value, text)?);
            Ok(())
        })
    }

    /// The body of a constructor from one string argument: `make` of the
    /// string, given to C through `*out`.
    ///
    /// # Safety
    /// `text` is NULL or a NUL-terminated string; `out` is NULL or valid for
    /// a write.
    unsafe fn new_from_str(
        text: *const c_char,
        out: *mut *mut Self,
        make: impl FnOnce(&str) -> Outcome<Self::Rust>,
    ) -> licentia_status {
        guard(|| {
            // SAFETY: forwarded contract.
            let (text, out) = unsafe { (str_arg(text)?, Out::new(out)?) };
            out.give(make(text)?);
            Ok(())
        })
    }
}

/// The place an out-parameter points to, checked for NULL before any work is
/// done, so nothing is allocated for a caller who cannot receive it.
pub(crate) struct Out<'a, T>(&'a mut T);

impl<'a, T> Out<'a, T> {
    /// # Safety
    /// `ptr` is NULL or valid for a write of `T`.
    pub(crate) unsafe fn new(ptr: *mut T) -> Outcome<Out<'a, T>> {
        // SAFETY: the caller's contract.
        unsafe { ptr.as_mut() }
            .map(Out)
            .ok_or(LICENTIA_NULL_ARGUMENT)
    }

    /// Writes the value: called only once the call has succeeded.
    pub(crate) fn set(self, value: T) {
        *self.0 = value;
    }
}

impl<'a, H: Handle> Out<'a, *mut H> {
    /// Gives `value` to C through the out-parameter.
    pub(crate) fn give(self, value: H::Rust) {
        self.set(H::into_raw(value));
    }
}

/// Reads a required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char) -> Outcome<&'a str> {
    if ptr.is_null() {
        return Err(LICENTIA_NULL_ARGUMENT);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| LICENTIA_INVALID_UTF8)
}

/// Reads an optional string argument: NULL means absent.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char) -> Outcome<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(ptr) }.map(Some)
    }
}

/// Refuses a byte length no object can have: Rust slices (and C objects)
/// are at most `isize::MAX` bytes, so a larger one is a caller's bug (a
/// negative length cast to `size_t`), never a buffer.
pub(crate) fn length_arg(len: usize) -> Outcome<usize> {
    if isize::try_from(len).is_ok() {
        Ok(len)
    } else {
        Err(LICENTIA_INVALID_ARGUMENT)
    }
}

/// Reads `len` bytes; NULL is allowed only when `len` is 0, and `len` must
/// not exceed `isize::MAX`.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize) -> Outcome<&'a [u8]> {
    match (ptr.is_null(), length_arg(len)?) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(LICENTIA_NULL_ARGUMENT),
        // SAFETY: the caller's contract.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts(ptr, len) }),
    }
}

/// Item `index` of a list C walks by index: `LICENTIA_NOT_FOUND` past the
/// last one, the convention of every `_at`-style accessor.
pub(crate) fn nth<T>(items: &[T], index: usize) -> Outcome<&T> {
    items.get(index).ok_or(LICENTIA_NOT_FOUND)
}

/// A caller's buffer for a string going out — the one convention for
/// strings out:
///
/// - on success `buf` holds the text and a NUL, and `*out_len` its length
///   without the NUL;
/// - when `buf_len < length + 1`, nothing is written to `buf`, `*out_len` is
///   the length needed (without the NUL) and the status is
///   `LICENTIA_BUFFER_TOO_SMALL`;
/// - `buf` may be NULL only when `buf_len` is 0 (asking for the length);
/// - `buf_len` over `isize::MAX` is `LICENTIA_INVALID_ARGUMENT`.
///
/// Made before any work, so a NULL argument is reported before anything else.
pub(crate) struct StrOut<'a> {
    buf: *mut c_char,
    buf_len: usize,
    out_len: Out<'a, usize>,
}

impl<'a> StrOut<'a> {
    /// Checks the buffer arguments.
    ///
    /// # Safety
    /// `buf` is NULL or valid for writes of `buf_len` bytes until the
    /// returned value is used; `out_len` is NULL or valid for a write.
    pub(crate) unsafe fn new(
        buf: *mut c_char,
        buf_len: usize,
        out_len: *mut usize,
    ) -> Outcome<StrOut<'a>> {
        // SAFETY: forwarded contract.
        let out_len = unsafe { Out::new(out_len) }?;
        if buf.is_null() && buf_len != 0 {
            return Err(LICENTIA_NULL_ARGUMENT);
        }
        length_arg(buf_len)?;
        Ok(StrOut {
            buf,
            buf_len,
            out_len,
        })
    }

    /// Writes `text`, or answers the length needed.
    pub(crate) fn write(self, text: &str) -> Outcome {
        if self.buf_len <= text.len() {
            self.out_len.set(text.len());
            return Err(LICENTIA_BUFFER_TOO_SMALL);
        }
        // SAFETY: `buf` is valid for `buf_len` > `text.len()` bytes (checked
        // here; validity is `new`'s contract).
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), self.buf.cast::<u8>(), text.len());
            *self.buf.add(text.len()) = 0;
        }
        self.out_len.set(text.len());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status() {
        assert_eq!(guard(|| panic!("boom")), LICENTIA_PANIC);
        assert_eq!(guard_value(7, || panic!("boom")), 7);
        assert_eq!(guard(|| Err(LICENTIA_NOT_FOUND)), LICENTIA_NOT_FOUND);
        assert_eq!(guard_value(7, || Err(LICENTIA_NOT_FOUND)), 7);
        assert_eq!(guard_value(7, || Ok(8)), 8);
    }

    #[test]
    fn strings_out_follow_the_one_convention() {
        let mut buf = [b'x' as c_char; 8];
        let mut len = 99;
        // SAFETY: `buf` holds 8 bytes (at least `buf_len`), `len` is a valid place.
        let write_str = |text: &str, buf: *mut c_char, buf_len: usize, out_len: *mut usize| unsafe {
            StrOut::new(buf, buf_len, out_len)?.write(text)
        };
        // SAFETY: `buf` holds 8 bytes, `len` is a valid place.
        unsafe {
            assert_eq!(
                write_str("abc", std::ptr::null_mut(), 0, &mut len),
                Err(LICENTIA_BUFFER_TOO_SMALL)
            );
            assert_eq!(len, 3);
            len = 99;
            assert_eq!(
                write_str("abc", buf.as_mut_ptr(), 3, &mut len),
                Err(LICENTIA_BUFFER_TOO_SMALL)
            );
            assert_eq!(
                (len, buf[0]),
                (3, b'x' as c_char),
                "a short buffer is left alone"
            );
            assert_eq!(write_str("abc", buf.as_mut_ptr(), 4, &mut len), Ok(()));
            assert_eq!(CStr::from_ptr(buf.as_ptr()).to_str(), Ok("abc"));
            assert_eq!(
                write_str("abc", std::ptr::null_mut(), 4, &mut len),
                Err(LICENTIA_NULL_ARGUMENT)
            );
            assert_eq!(
                write_str("abc", buf.as_mut_ptr(), 4, std::ptr::null_mut()),
                Err(LICENTIA_NULL_ARGUMENT)
            );
        }
    }

    #[test]
    fn string_arguments_are_checked() {
        // SAFETY: NULL and NUL-terminated literals.
        unsafe {
            assert_eq!(str_arg(std::ptr::null()), Err(LICENTIA_NULL_ARGUMENT));
            assert_eq!(str_arg(c"ok".as_ptr()), Ok("ok"));
            assert_eq!(str_arg(c"\xff".as_ptr()), Err(LICENTIA_INVALID_UTF8));
            assert_eq!(opt_str_arg(std::ptr::null()), Ok(None));
            assert_eq!(bytes_arg(std::ptr::null(), 0), Ok(&[][..]));
            assert_eq!(bytes_arg(std::ptr::null(), 1), Err(LICENTIA_NULL_ARGUMENT));
            let byte = 0u8;
            let too_long = isize::MAX as usize + 1;
            assert_eq!(bytes_arg(&byte, too_long), Err(LICENTIA_INVALID_ARGUMENT));
            assert_eq!(bytes_arg(&byte, usize::MAX), Err(LICENTIA_INVALID_ARGUMENT));
        }
    }
}
