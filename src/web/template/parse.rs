//! Reading Tornado's template syntax into a tree of nodes.

use std::sync::Arc;

use super::error::ParseError;
use super::whitespace::{Whitespace, filter_whitespace};

/// How deeply `{% if %}`, `{% for %}`, `{% block %}`... may nest in one
/// template; deeper templates are a parse error rather than a risk to the
/// stack.
const MAX_NESTING: usize = 100;

/// One piece of a parsed template.
#[derive(Debug)]
pub(crate) enum Node {
    /// Literal text, already filtered for whitespace.
    Text(String),
    /// `{{ expr }}` (escaped) or `{% raw expr %}`.
    Expression {
        expr: String,
        line: usize,
        raw: bool,
    },
    /// `{% module expr %}`: `_tt_modules.expr`, unescaped.
    Module { expr: String, line: usize },
    /// `{% set statement %}`.
    Set { statement: String, line: usize },
    /// `{% break %}`.
    Break { line: usize },
    /// `{% continue %}`.
    Continue { line: usize },
    /// `{% if %}` with its `{% elif %}` branches and `{% else %}`.
    If {
        branches: Vec<Branch>,
        otherwise: Option<Vec<Node>>,
    },
    /// `{% for clause %}`; `otherwise` runs when no `{% break %}` ended the
    /// loop, as Python's `for`/`else`.
    For {
        clause: String,
        line: usize,
        body: Vec<Node>,
        otherwise: Option<Vec<Node>>,
    },
    /// `{% while condition %}`, with Python's `while`/`else`.
    While {
        condition: String,
        line: usize,
        body: Vec<Node>,
        otherwise: Option<Vec<Node>>,
    },
    /// `{% apply function %}...{% end %}`.
    Apply {
        function: String,
        line: usize,
        body: Vec<Node>,
    },
    /// `{% block name %}...{% end %}`.
    Block {
        name: String,
        line: usize,
        body: Arc<Vec<Node>>,
    },
    /// `{% include name %}`.
    Include { name: String, line: usize },
    /// `{% extends name %}`.
    Extends { name: String, line: usize },
}

/// One `{% if %}` or `{% elif %}` condition with its body.
#[derive(Debug)]
pub(crate) struct Branch {
    pub condition: String,
    pub line: usize,
    pub body: Vec<Node>,
}

/// A parsed template file.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub body: Vec<Node>,
    /// The last `{% autoescape %}` directive's setting, if any: it applies
    /// to the whole file, as in Tornado.
    pub autoescape: Option<Option<String>>,
}

/// Parses `text`, the source of the template `name`.
pub(crate) fn parse(
    name: &str,
    text: &str,
    whitespace: Whitespace,
) -> Result<ParsedFile, ParseError> {
    let mut parser = Parser {
        name,
        text,
        pos: 0,
        line: 1,
        whitespace,
        autoescape: None,
        depth: 0,
    };
    let (body, _) = parser.body(None, false)?;
    Ok(ParsedFile {
        body,
        autoescape: parser.autoescape,
    })
}

/// What ended a run of nodes.
enum Stop {
    Eof,
    End,
    Else,
    Elif { condition: String, line: usize },
}

/// One section of a block directive: its opening (or `elif`/`else`) and
/// the nodes up to the next section.
struct Section {
    kind: SectionKind,
    body: Vec<Node>,
}

enum SectionKind {
    Opening,
    Elif { condition: String, line: usize },
    Else,
}

struct Parser<'t> {
    name: &'t str,
    text: &'t str,
    pos: usize,
    line: usize,
    whitespace: Whitespace,
    autoescape: Option<Option<String>>,
    depth: usize,
}

impl<'t> Parser<'t> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(message, Some(self.name), self.line)
    }

    fn remaining(&self) -> usize {
        self.text.len() - self.pos
    }

    /// The byte at `offset` from the current position.
    fn byte(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    /// Where `needle` next occurs at or after `from`, relative to the
    /// current position.
    fn find(&self, needle: &str, from: usize) -> Option<usize> {
        let start = self.pos + from;
        memchr::memmem::find(&self.text.as_bytes()[start..], needle.as_bytes()).map(|i| i + from)
    }

    /// Takes `count` bytes (ending at an ASCII delimiter or the end of the
    /// text, so always on a character boundary).
    fn consume(&mut self, count: usize) -> &'t str {
        let taken = &self.text[self.pos..self.pos + count];
        self.line += memchr::memchr_iter(b'\n', taken.as_bytes()).count();
        self.pos += count;
        taken
    }

    fn push_text(&self, nodes: &mut Vec<Node>, text: &str) {
        let text = if text.contains("<pre>") {
            text.into()
        } else {
            filter_whitespace(self.whitespace, text)
        };
        if !text.is_empty() {
            nodes.push(Node::Text(text.into_owned()));
        }
    }

    /// The offset of the next directive's opening brace, if any: `{{`,
    /// `{%` or `{#`; of three or more braces in a row the last two count.
    fn next_directive(&self) -> Option<usize> {
        let mut from = 0;
        loop {
            let curly = self.find("{", from)?;
            let next = self.byte(curly + 1)?;
            if !matches!(next, b'{' | b'%' | b'#') {
                from = curly + 1;
                continue;
            }
            if next == b'{' && self.byte(curly + 2) == Some(b'{') {
                from = curly + 1;
                continue;
            }
            return Some(curly);
        }
    }

    /// Parses nodes up to the `{% end %}` (or `{% else %}`/`{% elif %}`)
    /// of the block `in_block`, or to the end of the text at top level.
    fn body(
        &mut self,
        in_block: Option<&str>,
        in_loop: bool,
    ) -> Result<(Vec<Node>, Stop), ParseError> {
        let mut nodes = Vec::new();
        loop {
            let Some(curly) = self.next_directive() else {
                if let Some(block) = in_block {
                    return Err(self.error(format!("Missing {{% end %}} block for {block}")));
                }
                let rest = self.consume(self.remaining());
                self.push_text(&mut nodes, rest);
                return Ok((nodes, Stop::Eof));
            };
            if curly > 0 {
                let text = self.consume(curly);
                self.push_text(&mut nodes, text);
            }
            let start_brace = self.consume(2);
            let line = self.line;

            // `{{!`, `{%!` and `{#!` stand for the braces themselves.
            if self.byte(0) == Some(b'!') {
                self.consume(1);
                nodes.push(Node::Text(start_brace.to_owned()));
                continue;
            }

            if start_brace == "{#" {
                let end = self
                    .find("#}", 0)
                    .ok_or_else(|| self.error("Missing end comment #}"))?;
                self.consume(end + 2);
                continue;
            }

            if start_brace == "{{" {
                let end = self
                    .find("}}", 0)
                    .ok_or_else(|| self.error("Missing end expression }}"))?;
                let contents = self.consume(end).trim();
                self.consume(2);
                if contents.is_empty() {
                    return Err(self.error("Empty expression"));
                }
                nodes.push(Node::Expression {
                    expr: contents.to_owned(),
                    line,
                    raw: false,
                });
                continue;
            }

            let end = self
                .find("%}", 0)
                .ok_or_else(|| self.error("Missing end block %}"))?;
            let contents = self.consume(end).trim();
            self.consume(2);
            if contents.is_empty() {
                return Err(self.error("Empty block tag ({% %})"));
            }
            let (operator, suffix) = match contents.split_once(' ') {
                Some((operator, suffix)) => (operator, suffix.trim()),
                None => (contents, ""),
            };

            match operator {
                "else" | "elif" => {
                    let allowed: &[&str] = if operator == "else" {
                        &["if", "for", "while"]
                    } else {
                        &["if"]
                    };
                    match in_block {
                        None => {
                            return Err(self
                                .error(format!("{operator} outside {} block", allowed.join("/"))));
                        }
                        Some(block) if !allowed.contains(&block) => {
                            return Err(self.error(format!(
                                "{operator} block cannot be attached to {block} block"
                            )));
                        }
                        Some(_) => {}
                    }
                    if operator == "else" {
                        return Ok((nodes, Stop::Else));
                    }
                    if suffix.is_empty() {
                        return Err(self.error("elif missing condition"));
                    }
                    return Ok((
                        nodes,
                        Stop::Elif {
                            condition: suffix.to_owned(),
                            line,
                        },
                    ));
                }
                "end" => {
                    if in_block.is_none() {
                        return Err(self.error("Extra {% end %} block"));
                    }
                    return Ok((nodes, Stop::End));
                }
                "try" | "except" | "finally" | "import" | "from" => {
                    return Err(self.error(format!(
                        "{{% {operator} %}} is a Python statement; not supported"
                    )));
                }
                "comment" => {}
                "extends" | "include" => {
                    let name = suffix.trim_matches('"').trim_matches('\'');
                    if name.is_empty() {
                        return Err(self.error(format!("{operator} missing file path")));
                    }
                    let name = name.to_owned();
                    nodes.push(if operator == "extends" {
                        Node::Extends { name, line }
                    } else {
                        Node::Include { name, line }
                    });
                }
                "set" => {
                    if suffix.is_empty() {
                        return Err(self.error("set missing statement"));
                    }
                    nodes.push(Node::Set {
                        statement: suffix.to_owned(),
                        line,
                    });
                }
                "autoescape" => {
                    self.autoescape = Some(match suffix {
                        "None" => None,
                        "" => return Err(self.error("autoescape missing function name")),
                        function => Some(function.to_owned()),
                    });
                }
                "whitespace" => {
                    self.whitespace = suffix.parse().map_err(|e| self.error(format!("{e}")))?;
                }
                "raw" | "module" => {
                    if suffix.is_empty() {
                        return Err(self.error(format!("{operator} missing expression")));
                    }
                    let expr = suffix.to_owned();
                    nodes.push(if operator == "raw" {
                        Node::Expression {
                            expr,
                            line,
                            raw: true,
                        }
                    } else {
                        Node::Module { expr, line }
                    });
                }
                "break" | "continue" => {
                    if !in_loop {
                        return Err(self.error(format!("{operator} outside for/while block")));
                    }
                    nodes.push(if operator == "break" {
                        Node::Break { line }
                    } else {
                        Node::Continue { line }
                    });
                }
                "apply" | "block" | "if" | "for" | "while" => {
                    if suffix.is_empty() {
                        let what = match operator {
                            "apply" => "method name",
                            "block" => "name",
                            _ => "expression",
                        };
                        return Err(self.error(format!("{operator} missing {what}")));
                    }
                    let body_in_loop = match operator {
                        "for" | "while" => true,
                        // An apply block's body is a function of its own.
                        "apply" => false,
                        _ => in_loop,
                    };
                    let sections = self.sections(operator, body_in_loop)?;
                    nodes.push(make_block(operator, suffix, line, sections));
                }
                _ => return Err(self.error(format!("unknown operator: '{operator}'"))),
            }
        }
    }

    /// Parses the sections of the block `operator` up to its `{% end %}`.
    fn sections(&mut self, operator: &str, in_loop: bool) -> Result<Vec<Section>, ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(self.error("blocks nested too deeply"));
        }
        self.depth += 1;
        let mut sections = Vec::new();
        let mut kind = SectionKind::Opening;
        loop {
            let (body, stop) = self.body(Some(operator), in_loop)?;
            let after_else = matches!(kind, SectionKind::Else);
            sections.push(Section { kind, body });
            kind = match stop {
                Stop::End | Stop::Eof => break,
                Stop::Elif { condition, line } => SectionKind::Elif { condition, line },
                Stop::Else => SectionKind::Else,
            };
            if after_else {
                return Err(self.error(format!("{operator} block has a section after its else")));
            }
        }
        self.depth -= 1;
        Ok(sections)
    }
}

/// The node for a block directive from its sections.
fn make_block(operator: &str, suffix: &str, line: usize, sections: Vec<Section>) -> Node {
    let suffix = suffix.to_owned();
    let mut body = Vec::new();
    let mut branches = Vec::new();
    let mut otherwise = None;
    for section in sections {
        match section.kind {
            SectionKind::Opening => body = section.body,
            SectionKind::Elif { condition, line } => branches.push(Branch {
                condition,
                line,
                body: section.body,
            }),
            SectionKind::Else => otherwise = Some(section.body),
        }
    }
    match operator {
        "if" => {
            branches.insert(
                0,
                Branch {
                    condition: suffix,
                    line,
                    body,
                },
            );
            Node::If {
                branches,
                otherwise,
            }
        }
        "for" => Node::For {
            clause: suffix,
            line,
            body,
            otherwise,
        },
        "while" => Node::While {
            condition: suffix,
            line,
            body,
            otherwise,
        },
        "apply" => Node::Apply {
            function: suffix,
            line,
            body,
        },
        _ => Node::Block {
            name: suffix,
            line,
            body: Arc::new(body),
        },
    }
}
