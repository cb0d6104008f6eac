//! The one postcard reader and writer of the crate, used by the claims, their extension block
//! and the revocation list payload alike.
//!
//! Fields are written one after another with postcard (varints for integers, length-prefixed
//! bytes for strings and byte strings, `0`/`1` tags for options), except fixed byte arrays and
//! single bytes, which postcard writes as they are: those are copied directly, without
//! instantiating postcard's generic code for each array type (code size on small targets).
//!
//! Errors are the codec's own: the caller knows what it was reading and turns them into its
//! own error type with the field's name.

use serde::{Deserialize, Serialize};

/// What went wrong while reading or writing one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodecError {
    /// The field named here is cut short or badly encoded.
    Truncated(&'static str),
    /// The output buffer has no room for the next field.
    Full,
}

/// Reads postcard-encoded fields one after another from a byte slice.
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader(bytes)
    }

    /// One postcard value.
    pub(crate) fn take<T: Deserialize<'a>>(
        &mut self,
        field: &'static str,
    ) -> Result<T, CodecError> {
        let (v, rest) =
            postcard::take_from_bytes(self.0).map_err(|_| CodecError::Truncated(field))?;
        self.0 = rest;
        Ok(v)
    }

    /// `N` raw bytes: how postcard writes a byte array, and a `u8` (`N = 1`).
    pub(crate) fn raw<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], CodecError> {
        let (v, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or(CodecError::Truncated(field))?;
        self.0 = rest;
        Ok(*v)
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.0
    }

    /// Whether every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes postcard-encoded fields one after another into a byte slice.
pub(crate) struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl<'o> Writer<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        Writer { out, len: 0 }
    }

    /// One postcard value.
    pub(crate) fn put<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), CodecError> {
        let rest = self.out.get_mut(self.len..).ok_or(CodecError::Full)?;
        self.len += postcard::to_slice(v, rest)
            .map_err(|_| CodecError::Full)?
            .len();
        Ok(())
    }

    /// Raw bytes, as postcard writes byte arrays and `u8`s (see [`Reader::raw`]).
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> Result<(), CodecError> {
        let end = self.len + bytes.len();
        self.out
            .get_mut(self.len..end)
            .ok_or(CodecError::Full)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_every_field_shape() {
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        w.raw(&[1, 2, 3]).unwrap();
        w.put(&300u32).unwrap();
        w.put(&-2i32).unwrap();
        w.put("ACME").unwrap();
        w.put(&Some(7u64)).unwrap();
        w.put(&None::<u64>).unwrap();
        let n = w.len();
        assert_eq!(
            &buf[..n],
            &[1, 2, 3, 0xac, 0x02, 0x03, 4, b'A', b'C', b'M', b'E', 1, 7, 0]
        );
        let mut r = Reader::new(&buf[..n]);
        assert_eq!(r.raw::<3>("a").unwrap(), [1, 2, 3]);
        assert_eq!(r.take::<u32>("b").unwrap(), 300);
        assert_eq!(r.take::<i32>("c").unwrap(), -2);
        assert_eq!(r.take::<&str>("d").unwrap(), "ACME");
        assert_eq!(r.take::<Option<u64>>("e").unwrap(), Some(7));
        assert_eq!(r.take::<Option<u64>>("f").unwrap(), None);
        assert!(r.is_empty());
        assert_eq!(r.take::<u8>("g"), Err(CodecError::Truncated("g")));
        assert_eq!(r.raw::<1>("h"), Err(CodecError::Truncated("h")));
    }

    #[test]
    fn a_full_buffer_is_reported_and_nothing_is_half_written() {
        let mut buf = [0u8; 2];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.raw(&[1, 2, 3]), Err(CodecError::Full));
        assert_eq!(w.put(&u32::MAX), Err(CodecError::Full));
        assert_eq!(w.len(), 0);
        w.put(&300u32).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w.put(&0u8), Err(CodecError::Full));
    }
}
