//! Whitespace modes for the text between template directives.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// How the text of a template (not the output of its expressions) treats
/// whitespace, as Tornado's `whitespace` modes (`{% whitespace mode %}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Whitespace {
    /// Keep all whitespace (`all`).
    All,
    /// Collapse each run of whitespace to one character: a newline if the
    /// run held one, else a space (`single`).
    Single,
    /// Collapse each run of whitespace, newlines included, to one space
    /// (`oneline`).
    Oneline,
}

impl Whitespace {
    /// Tornado's default for a template of this name: `single` for `.html`
    /// and `.js` files, `all` for anything else.
    pub fn for_name(name: &str) -> Whitespace {
        if name.ends_with(".html") || name.ends_with(".js") {
            Whitespace::Single
        } else {
            Whitespace::All
        }
    }

    /// The mode's name as written in templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Whitespace::All => "all",
            Whitespace::Single => "single",
            Whitespace::Oneline => "oneline",
        }
    }
}

impl fmt::Display for Whitespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whitespace mode name that is not `all`, `single` or `oneline`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid whitespace mode {0}")]
pub struct InvalidWhitespace(pub String);

impl FromStr for Whitespace {
    type Err = InvalidWhitespace;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(Whitespace::All),
            "single" => Ok(Whitespace::Single),
            "oneline" => Ok(Whitespace::Oneline),
            other => Err(InvalidWhitespace(other.to_owned())),
        }
    }
}

/// Whitespace as Python's `str.isspace` counts it (which adds the
/// separators `\x1C`-`\x1F` to Unicode's white space).
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `text` with its whitespace transformed according to `mode`, as
/// Tornado's `filter_whitespace`.
///
/// ```
/// use supercell::template::{Whitespace, filter_whitespace};
///
/// assert_eq!(filter_whitespace(Whitespace::Single, "a \t b\n\n  c"), "a b\nc");
/// assert_eq!(filter_whitespace(Whitespace::Oneline, "a \n\n b"), "a b");
/// assert_eq!(filter_whitespace(Whitespace::All, "a \n b"), "a \n b");
/// ```
pub fn filter_whitespace(mode: Whitespace, text: &str) -> Cow<'_, str> {
    if mode == Whitespace::All || !text.contains(is_space) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(is_space) {
        out.push_str(&rest[..start]);
        let run_len = rest[start..]
            .find(|c: char| !is_space(c))
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + run_len];
        match mode {
            Whitespace::Oneline => out.push(' '),
            _ if run.contains('\n') => out.push('\n'),
            _ => {
                // Runs of tabs and spaces become one space; any other
                // whitespace in the run stays.
                let mut in_blanks = false;
                for c in run.chars() {
                    if c == ' ' || c == '\t' {
                        if !in_blanks {
                            out.push(' ');
                        }
                        in_blanks = true;
                    } else {
                        out.push(c);
                        in_blanks = false;
                    }
                }
            }
        }
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}
