//! Strings into C buffers: the one helper every other module uses (it imports nothing of the
//! crate, so it sits at the bottom).

use std::ffi::c_char;

/// Copies `s` into `dst` as a NUL-terminated string, cut at a character boundary if it does not
/// fit. Returns the bytes written, NUL excluded.
pub(crate) fn copy_c_str(dst: &mut [c_char], s: &str) -> usize {
    let Some(room) = dst.len().checked_sub(1) else {
        return 0;
    };
    let mut n = s.len().min(room);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    for (d, b) in dst
        .iter_mut()
        .zip(s.as_bytes().get(..n).unwrap_or_default())
    {
        *d = *b as c_char;
    }
    if let Some(nul) = dst.get_mut(n) {
        *nul = 0;
    }
    n
}
