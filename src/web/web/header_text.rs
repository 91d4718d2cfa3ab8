//! [`HeaderText`]: what a response header's value may be given as.

use std::borrow::Cow;
use std::time::SystemTime;

use crate::httputil::format_timestamp;

/// A value [`Context::set_header`](super::Context::set_header) and
/// [`add_header`](super::Context::add_header) accept, as Tornado's accept
/// text, numbers and dates: text as it is (no copy before the header's
/// own), formatted text (`format_args!`), a number in decimal, a time as
/// an HTTP date.
pub trait HeaderText {
    /// The value as text.
    fn header_text(&self) -> Cow<'_, str>;
}

impl HeaderText for str {
    fn header_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl HeaderText for String {
    fn header_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<T: HeaderText + ?Sized> HeaderText for &T {
    fn header_text(&self) -> Cow<'_, str> {
        (**self).header_text()
    }
}

impl HeaderText for std::fmt::Arguments<'_> {
    fn header_text(&self) -> Cow<'_, str> {
        match self.as_str() {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(self.to_string()),
        }
    }
}

impl HeaderText for SystemTime {
    fn header_text(&self) -> Cow<'_, str> {
        Cow::Owned(format_timestamp(*self))
    }
}

macro_rules! number_header_text {
    ($($number:ty),*) => {$(
        impl HeaderText for $number {
            fn header_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}

number_header_text!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);
