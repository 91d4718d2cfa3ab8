//! The template of a log line: Tornado's `fmt` with `{name}` placeholders
//! in place of Python's `%(name)s`.

use super::LogError;

/// One piece of a parsed line template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// Literal text.
    Text(String),
    /// `{color}`: the level's colour code, when colour is on.
    Color,
    /// `{end_color}`: the reset code, when colour is on.
    EndColor,
    /// `{level}`: the level's first letter (`T`, `D`, `I`, `W`, `E`).
    Level,
    /// `{levelname}`: the level's full name (`WARNING` for warnings).
    LevelName,
    /// `{asctime}`: the time, formatted with the date format.
    AscTime,
    /// `{module}`: the emitting module's name.
    Module,
    /// `{lineno}`: the emitting line.
    LineNo,
    /// `{target}`: the `tracing` target (the logger's name).
    Target,
    /// `{message}`: the message and its extra fields.
    Message,
}

/// A parsed line template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LineFormat {
    pieces: Vec<Piece>,
}

impl LineFormat {
    /// Parses a template. `{{` and `}}` stand for literal braces.
    pub(super) fn parse(template: &str) -> Result<LineFormat, LogError> {
        let invalid = |reason: String| LogError::InvalidFormat {
            format: template.to_owned(),
            reason,
        };
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.as_str().starts_with('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.as_str().starts_with('}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(invalid("unmatched '}' (write '}}' for a brace)".into())),
                '{' => {
                    let rest = chars.as_str();
                    let end = rest
                        .find('}')
                        .ok_or_else(|| invalid("unclosed '{' (write '{{' for a brace)".into()))?;
                    let piece = placeholder(&rest[..end]).ok_or_else(|| {
                        invalid(format!("unknown placeholder {{{}}}", &rest[..end]))
                    })?;
                    chars = rest[end + 1..].chars();
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(piece);
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(LineFormat { pieces })
    }

    /// The pieces in order.
    pub(super) fn pieces(&self) -> &[Piece] {
        &self.pieces
    }
}

impl Default for LineFormat {
    /// Tornado's line, as [`LogFormatter::DEFAULT_FORMAT`](super::LogFormatter::DEFAULT_FORMAT).
    fn default() -> Self {
        let text = |s: &str| Piece::Text(s.to_owned());
        LineFormat {
            pieces: vec![
                Piece::Color,
                text("["),
                Piece::Level,
                text(" "),
                Piece::AscTime,
                text(" "),
                Piece::Module,
                text(":"),
                Piece::LineNo,
                text("]"),
                Piece::EndColor,
                text(" "),
                Piece::Message,
            ],
        }
    }
}

fn placeholder(name: &str) -> Option<Piece> {
    Some(match name {
        "color" => Piece::Color,
        "end_color" => Piece::EndColor,
        "level" => Piece::Level,
        "levelname" => Piece::LevelName,
        "asctime" => Piece::AscTime,
        "module" => Piece::Module,
        "lineno" => Piece::LineNo,
        "target" => Piece::Target,
        "message" => Piece::Message,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_placeholders_and_text() {
        let f = LineFormat::parse("<{level}> {{{message}}}").unwrap();
        assert_eq!(
            f.pieces(),
            [
                Piece::Text("<".into()),
                Piece::Level,
                Piece::Text("> {".into()),
                Piece::Message,
                Piece::Text("}".into()),
            ]
        );
    }

    #[test]
    fn default_is_the_documented_default_format() {
        let parsed = LineFormat::parse(super::super::LogFormatter::DEFAULT_FORMAT).unwrap();
        assert_eq!(parsed, LineFormat::default());
    }

    #[test]
    fn rejects_unknown_and_unbalanced_placeholders() {
        for bad in ["{nope}", "{message", "message}", "{}"] {
            assert!(
                matches!(LineFormat::parse(bad), Err(LogError::InvalidFormat { ref format, .. }) if format == bad),
                "{bad:?}"
            );
        }
    }
}
