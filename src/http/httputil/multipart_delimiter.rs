//! [`Delimiter`]: the search for `--boundary` in a body that arrives in
//! pieces.

use memchr::memmem::Finder;

/// Where [`Delimiter::scan`] stopped.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Scan {
    /// A delimiter at `at` followed by CRLF, or by `--` if it is the
    /// `last`.
    Framing { at: usize, last: bool },
    /// The bytes from here on may begin a delimiter that the bytes after
    /// the window would tell: a proper prefix of `--boundary`, or all of it
    /// with fewer than two bytes after it. The window's length when there
    /// are none.
    Open(usize),
}

/// `--boundary`, found with [`memchr::memmem`]; after a delimiter that
/// does not frame a part, and at the end of the bytes received so far,
/// with the Knuth–Morris–Pratt table of its borders, so that the work
/// stays linear in the window whatever the boundary (one that overlaps
/// itself, such as `a--a--a`, included).
pub(super) struct Delimiter {
    finder: Finder<'static>,
    /// `borders[i]`: the length of the longest proper prefix of
    /// `needle[..=i]` that is also its suffix.
    borders: Vec<usize>,
}

impl Delimiter {
    /// The search for `needle`, which is not empty.
    pub(super) fn new(needle: &[u8]) -> Delimiter {
        let mut borders = vec![0; needle.len()];
        let mut border = 0;
        for i in 1..needle.len() {
            while border > 0 && needle[i] != needle[border] {
                border = borders[border - 1];
            }
            if needle[i] == needle[border] {
                border += 1;
            }
            borders[i] = border;
        }
        Delimiter {
            finder: Finder::new(needle).into_owned(),
            borders,
        }
    }

    /// The length of `--boundary`.
    pub(super) fn len(&self) -> usize {
        self.borders.len()
    }

    /// The first delimiter in `window[from..]` followed by CRLF or `--`
    /// (the framing of a part: a delimiter followed by anything else is
    /// content), or where the window stops telling.
    pub(super) fn scan(&self, window: &[u8], mut from: usize) -> Scan {
        let n = self.len();
        loop {
            let Some(found) = window.get(from..).and_then(|w| self.finder.find(w)) else {
                let tail = &window[from.min(window.len())..];
                return Scan::Open(window.len() - self.partial_at_end(tail));
            };
            let mut at = from + found;
            // A delimiter at `at` and any that overlap it: each one that
            // does not frame a part leaves its longest border matched.
            loop {
                match window.get(at + n..at + n + 2) {
                    None => return Scan::Open(at),
                    Some(b"\r\n") => return Scan::Framing { at, last: false },
                    Some(b"--") => return Scan::Framing { at, last: true },
                    Some(_) => {}
                }
                let (end, matched) = self.extend(window, at + n, self.borders[n - 1]);
                match matched {
                    0 => {
                        from = end;
                        break;
                    }
                    _ if matched == n => at = end - n,
                    _ => return Scan::Open(end - matched),
                }
            }
        }
    }

    /// Runs the automaton over `window[start..]` from `matched` bytes of
    /// the delimiter matched, until it matches all of it, none of it, or
    /// the window ends: where it stopped, and how many bytes it matched.
    fn extend(&self, window: &[u8], start: usize, mut matched: usize) -> (usize, usize) {
        let needle = self.finder.needle();
        let mut at = start;
        while matched > 0 && matched < needle.len() && at < window.len() {
            matched = self.advance(matched, window[at]);
            at += 1;
        }
        (at, matched)
    }

    /// The automaton's state after `byte`, from `matched` bytes matched
    /// (fewer than all).
    fn advance(&self, mut matched: usize, byte: u8) -> usize {
        let needle = self.finder.needle();
        while matched > 0 && needle[matched] != byte {
            matched = self.borders[matched - 1];
        }
        if needle[matched] == byte {
            matched += 1;
        }
        matched
    }

    /// The length of the longest proper prefix of `--boundary` that
    /// `haystack` ends with: where in `haystack` a delimiter may begin that
    /// the next bytes complete. Reads at most the last `len() - 1` bytes.
    fn partial_at_end(&self, haystack: &[u8]) -> usize {
        let needle = self.finder.needle();
        let tail = &haystack[haystack.len().saturating_sub(needle.len() - 1)..];
        // The tail is shorter than the needle, so the automaton never
        // matches all of it.
        tail.iter()
            .fold(0, |matched, &byte| self.advance(matched, byte))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest proper prefix of `needle` that `haystack` ends with,
    /// by trying every length.
    fn partial_by_hand(needle: &[u8], haystack: &[u8]) -> usize {
        (0..needle.len().min(haystack.len() + 1))
            .rev()
            .find(|&n| haystack.ends_with(&needle[..n]))
            .unwrap_or(0)
    }

    #[test]
    fn partial_at_end_agrees_with_trying_every_length() {
        let needles: [&[u8]; 4] = [b"--ab", b"--a--a--b", b"-----", b"--x-"];
        let haystacks: [&[u8]; 9] = [
            b"",
            b"-",
            b"--",
            b"x--a",
            b"--a--a--",
            b"--a--a--a--a",
            b"----",
            b"abc--x",
            b"--x--x",
        ];
        for needle in needles {
            let delimiter = Delimiter::new(needle);
            for haystack in haystacks {
                assert_eq!(
                    delimiter.partial_at_end(haystack),
                    partial_by_hand(needle, haystack),
                    "{needle:?} at the end of {haystack:?}"
                );
            }
        }
    }

    /// What [`Delimiter::scan`] gives, by trying every offset.
    fn scan_by_hand(needle: &[u8], window: &[u8], from: usize) -> Scan {
        let n = needle.len();
        for at in from..=window.len() {
            let rest = &window[at..];
            if rest.len() < n {
                if needle.starts_with(rest) {
                    return Scan::Open(at);
                }
                continue;
            }
            if rest.starts_with(needle) {
                match rest.get(n..n + 2) {
                    None => return Scan::Open(at),
                    Some(b"\r\n") => return Scan::Framing { at, last: false },
                    Some(b"--") => return Scan::Framing { at, last: true },
                    Some(_) => {}
                }
            }
        }
        unreachable!("the empty end of the window is a prefix")
    }

    #[test]
    fn scan_agrees_with_trying_every_offset() {
        // Every window of up to 9 bytes over the bytes that matter, for
        // needles with and without borders.
        let alphabet = b"-a\r\n";
        for needle in [b"--a".as_slice(), b"--a-", b"--a--a", b"---", b"--a-a--"] {
            let delimiter = Delimiter::new(needle);
            for len in 0..=9u32 {
                for code in 0..alphabet.len().pow(len) {
                    let window: Vec<u8> = (0..len)
                        .map(|i| alphabet[code / alphabet.len().pow(i) % alphabet.len()])
                        .collect();
                    for from in [0, 1] {
                        assert_eq!(
                            delimiter.scan(&window, from),
                            scan_by_hand(needle, &window, from.min(window.len())),
                            "{needle:?} in {window:?} from {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn borders() {
        assert_eq!(
            Delimiter::new(b"--a--a--b").borders,
            [0, 1, 0, 1, 2, 3, 4, 5, 0]
        );
        assert_eq!(Delimiter::new(b"---").borders, [0, 1, 2]);
    }
}
