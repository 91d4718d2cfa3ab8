//! [`Utf8Validator`]: UTF-8 checked piece by piece, for text messages that
//! arrive in fragments and partial reads.

use super::ProtocolError;

/// Validates UTF-8 fed in pieces split anywhere, even inside a character.
///
/// A piece is refused as soon as its bytes cannot begin valid UTF-8,
/// whatever follows; a character cut at the end of a piece is kept (at
/// most three bytes) and completed by the next. [`finish`] refuses a text
/// that ends inside a character.
///
/// ```
/// use supercell::websocket::Utf8Validator;
///
/// let mut validator = Utf8Validator::new();
/// let euro = "€".as_bytes(); // three bytes
/// validator.feed(&euro[..1]).unwrap();
/// validator.feed(&euro[1..]).unwrap();
/// validator.finish().unwrap();
///
/// let mut validator = Utf8Validator::new();
/// assert!(validator.feed(b"ok \xe2\x28").is_err()); // 0x28 cannot continue 0xe2
/// ```
///
/// [`finish`]: Utf8Validator::finish
#[derive(Clone, Debug, Default)]
pub struct Utf8Validator {
    /// The start of a character cut at the end of the last piece.
    pending: [u8; 4],
    /// How many bytes of `pending` are held (0 to 3).
    pending_len: u8,
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub const fn new() -> Utf8Validator {
        Utf8Validator {
            pending: [0; 4],
            pending_len: 0,
        }
    }

    /// Checks the next piece of the text.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::InvalidUtf8`] once the text so far cannot be the
    /// start of valid UTF-8. The validator should not be fed after that.
    pub fn feed(&mut self, mut piece: &[u8]) -> Result<(), ProtocolError> {
        if self.pending_len > 0 {
            let held = usize::from(self.pending_len);
            let width = sequence_width(self.pending[0]);
            let take = (width - held).min(piece.len());
            self.pending[held..held + take].copy_from_slice(&piece[..take]);
            piece = &piece[take..];
            let have = held + take;
            match simdutf8::compat::from_utf8(&self.pending[..have]) {
                Ok(_) => self.pending_len = 0,
                Err(error) if error.error_len().is_some() => {
                    return Err(ProtocolError::InvalidUtf8);
                }
                Err(_) => {
                    // Still cut short: the piece was used up.
                    self.pending_len = have as u8;
                    return Ok(());
                }
            }
        }
        match simdutf8::compat::from_utf8(piece) {
            Ok(_) => Ok(()),
            Err(error) if error.error_len().is_some() => Err(ProtocolError::InvalidUtf8),
            Err(error) => {
                let cut = &piece[error.valid_up_to()..];
                self.pending[..cut.len()].copy_from_slice(cut);
                self.pending_len = cut.len() as u8;
                Ok(())
            }
        }
    }

    /// Whether the text so far ends inside a character.
    pub const fn is_mid_character(&self) -> bool {
        self.pending_len > 0
    }

    /// Ends the text, and readies the validator for a new one.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::InvalidUtf8`] if the text ends inside a character.
    pub fn finish(&mut self) -> Result<(), ProtocolError> {
        let cut = self.is_mid_character();
        self.pending_len = 0;
        if cut {
            Err(ProtocolError::InvalidUtf8)
        } else {
            Ok(())
        }
    }
}

/// The length of the character a leading byte starts. Only called on a
/// byte the validator accepted as the start of a cut character, so 2 to 4.
const fn sequence_width(lead: u8) -> usize {
    match lead {
        0xf0.. => 4,
        0xe0.. => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Feeds `text` in the pieces `cuts` makes, then finishes.
    fn validate_in_pieces(text: &[u8], cuts: &[usize]) -> Result<(), ProtocolError> {
        let mut validator = Utf8Validator::new();
        let mut start = 0;
        for &cut in cuts.iter().chain([&text.len()]) {
            let cut = cut.clamp(start, text.len());
            validator.feed(&text[start..cut])?;
            start = cut;
        }
        validator.finish()
    }

    #[test]
    fn every_split_of_valid_text_is_accepted() {
        let text = "aé€𝄞z\u{10ffff}\u{7ff}\u{800}".as_bytes();
        for i in 0..=text.len() {
            for j in i..=text.len() {
                assert_eq!(validate_in_pieces(text, &[i, j]), Ok(()), "{i} {j}");
            }
        }
        let mut validator = Utf8Validator::new();
        for byte in text {
            validator.feed(std::slice::from_ref(byte)).unwrap();
        }
        validator.finish().unwrap();
    }

    #[test]
    fn invalid_sequences_fail_as_soon_as_certain() {
        // Each of these is refused on the byte that makes it invalid, fed
        // one byte at a time.
        for (bytes, fails_at) in [
            (&b"\xff"[..], 0),
            (b"a\x80", 1),
            (b"\xc0\x80", 0),         // overlong two-byte form
            (b"\xe0\x80\x80", 1),     // overlong three-byte form
            (b"\xed\xa0\x80", 1),     // surrogate
            (b"\xf4\x90\x80\x80", 1), // above U+10FFFF
            (b"\xf5", 0),
            (b"\xe2\x82\x28", 2),
            (b"\xf0\x9d\x84\x41", 3),
        ] {
            let mut validator = Utf8Validator::new();
            let failed = bytes
                .iter()
                .position(|byte| validator.feed(std::slice::from_ref(byte)).is_err());
            assert_eq!(failed, Some(fails_at), "{bytes:x?}");
        }
    }

    #[test]
    fn a_text_ending_inside_a_character_fails_at_the_end() {
        let mut validator = Utf8Validator::new();
        validator.feed(b"ok \xf0\x9d\x84").unwrap();
        assert!(validator.is_mid_character());
        assert_eq!(validator.finish(), Err(ProtocolError::InvalidUtf8));
        // Finished: ready for another text.
        assert!(!validator.is_mid_character());
        validator.feed(b"fine").unwrap();
        validator.finish().unwrap();
    }

    #[test]
    fn empty_pieces_change_nothing() {
        let mut validator = Utf8Validator::new();
        validator.feed(b"\xe2").unwrap();
        validator.feed(b"").unwrap();
        validator.feed(b"\x82").unwrap();
        validator.feed(b"").unwrap();
        validator.feed(b"\xac").unwrap();
        validator.finish().unwrap();
    }

    proptest! {
        #[test]
        fn pieces_agree_with_whole_validation(
            bytes in prop::collection::vec(prop_oneof![any::<u8>(), 0x80u8..0xc0, 0xc2u8..0xf5], 0..64),
            cuts in prop::collection::vec(0usize..64, 0..6),
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            let whole = std::str::from_utf8(&bytes).is_ok();
            prop_assert_eq!(validate_in_pieces(&bytes, &cuts).is_ok(), whole);
        }

        #[test]
        fn valid_text_in_pieces(text in ".{0,40}", cuts in prop::collection::vec(0usize..200, 0..6)) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert_eq!(validate_in_pieces(text.as_bytes(), &cuts), Ok(()));
        }
    }
}
