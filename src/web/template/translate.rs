//! Turning parsed templates into one minijinja template.
//!
//! As Tornado generates one Python function per template, a template is
//! translated into one minijinja source: `{% extends %}` is resolved by
//! writing the root ancestor with each `{% block %}` taken from the most
//! derived template that defines it, and `{% include %}` by writing the
//! included template's nodes in place, so included templates see the
//! includer's variables.
//!
//! Every expression and directive that can fail at run time starts a new
//! line of the translated source (inside its tag, so no text is added to
//! the output), and a line map records for each translated line the
//! template, line and chain of includes it came from.

use std::collections::HashMap;
use std::sync::Arc;

use super::error::{Location, ParseError, TemplateError};
use super::parse::Node;

/// How many nodes one translated template may hold, includes and blocks
/// written out; bigger templates (nested includes can multiply) are an
/// error instead of exhausting memory.
const MAX_NODES: usize = 1_000_000;

/// A parsed template with the settings its nodes are written with.
#[derive(Debug)]
pub(crate) struct Source {
    /// The template's name.
    pub name: String,
    /// The autoescape function's name, or `None` for no escaping.
    pub autoescape: Option<String>,
    /// The parsed nodes.
    pub body: Vec<Node>,
}

/// Where a line of translated source came from.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub location: Location,
    /// The directive or expression there, as written (e.g. `{{ x }}`).
    pub directive: Option<String>,
    /// The include and block directives leading there, innermost first.
    pub via: Vec<Location>,
}

/// A translated template.
#[derive(Debug)]
pub(crate) struct Translation {
    /// The minijinja source.
    pub code: String,
    /// For each line of `code`, its index in `origins`.
    pub lines: Vec<u32>,
    pub origins: Vec<Origin>,
}

impl Translation {
    /// The origin of `line` (counted from 1) of the translated source.
    pub fn origin(&self, line: usize) -> Option<&Origin> {
        let index = *self.lines.get(line.checked_sub(1)?)?;
        self.origins.get(index as usize)
    }
}

/// Loads the template `name` included (or extended) from `parent` at
/// `line`.
pub(crate) type IncludeFn<'a> =
    dyn FnMut(&str, &Source, usize) -> Result<Arc<Source>, TemplateError> + 'a;

/// A named block's body with the template that defined it.
type NamedBlock = (Arc<Source>, Arc<Vec<Node>>);

/// Translates the template whose ancestors (itself first, its root last)
/// are `ancestors`.
pub(crate) fn translate(
    ancestors: &[Arc<Source>],
    include: &mut IncludeFn<'_>,
) -> Result<Translation, TemplateError> {
    let Some(root) = ancestors.last() else {
        return Err(ParseError::new("no template to translate", None, 0).into());
    };
    let mut writer = Writer {
        include,
        named_blocks: HashMap::new(),
        current: Arc::clone(root),
        via: Vec::new(),
        code: String::new(),
        lines: vec![0],
        origins: vec![Origin {
            location: Location {
                name: root.name.clone(),
                line: 0,
            },
            directive: None,
            via: Vec::new(),
        }],
        loops: Vec::new(),
        counter: 0,
        budget: MAX_NODES,
    };
    for ancestor in ancestors.iter().rev() {
        writer.find_named_blocks(ancestor, &ancestor.body)?;
    }
    writer.write_body(&root.body)?;
    Ok(Translation {
        code: writer.code,
        lines: writer.lines,
        origins: writer.origins,
    })
}

struct Writer<'a, 'b> {
    include: &'a mut IncludeFn<'b>,
    named_blocks: HashMap<String, NamedBlock>,
    /// The template whose nodes are being written.
    current: Arc<Source>,
    /// The include and block directives being written, outermost first.
    via: Vec<(Arc<Source>, usize)>,
    code: String,
    lines: Vec<u32>,
    origins: Vec<Origin>,
    /// For each loop being written, the variable recording a `break` when
    /// the loop has an `else`.
    loops: Vec<Option<String>>,
    /// Numbers the writer's own variables.
    counter: usize,
    /// How many more nodes may be written.
    budget: usize,
}

impl Writer<'_, '_> {
    fn too_large(&self) -> TemplateError {
        ParseError::new(
            "template too large once its includes and blocks are written out",
            Some(&self.current.name),
            0,
        )
        .into()
    }

    fn spend(&mut self) -> Result<(), TemplateError> {
        self.budget = self.budget.checked_sub(1).ok_or_else(|| self.too_large())?;
        Ok(())
    }

    /// Records Tornado's `find_named_blocks`: each block's most derived
    /// definition, looking into included templates.
    fn find_named_blocks(
        &mut self,
        source: &Arc<Source>,
        nodes: &[Node],
    ) -> Result<(), TemplateError> {
        for node in nodes {
            self.spend()?;
            match node {
                Node::Block { name, body, .. } => {
                    self.named_blocks
                        .insert(name.clone(), (Arc::clone(source), Arc::clone(body)));
                    self.find_named_blocks(source, body)?;
                }
                Node::Include { name, line } => {
                    let included = (self.include)(name, source, *line)?;
                    self.find_named_blocks(&included, &included.body)?;
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    for branch in branches {
                        self.find_named_blocks(source, &branch.body)?;
                    }
                    if let Some(body) = otherwise {
                        self.find_named_blocks(source, body)?;
                    }
                }
                Node::For {
                    body, otherwise, ..
                }
                | Node::While {
                    body, otherwise, ..
                } => {
                    self.find_named_blocks(source, body)?;
                    if let Some(body) = otherwise {
                        self.find_named_blocks(source, body)?;
                    }
                }
                Node::Apply { body, .. } => self.find_named_blocks(source, body)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Starts a new translated line coming from `directive` at `line` of
    /// the current template.
    fn new_line(&mut self, line: usize, directive: String) {
        let origin = Origin {
            location: Location {
                name: self.current.name.clone(),
                line,
            },
            directive: Some(directive),
            via: self
                .via
                .iter()
                .rev()
                .map(|(source, line)| Location {
                    name: source.name.clone(),
                    line: *line,
                })
                .collect(),
        };
        let same = self
            .origins
            .last()
            .is_some_and(|last| last.location == origin.location && last.via == origin.via);
        if !same {
            self.origins.push(origin);
        }
        self.code.push('\n');
        self.lines.push((self.origins.len() - 1) as u32);
    }

    /// Writes template code (expressions included), keeping the line map
    /// in step with its newlines.
    fn code(&mut self, text: &str) {
        let origin = *self.lines.last().unwrap_or(&0);
        for _ in text.matches('\n') {
            self.lines.push(origin);
        }
        self.code.push_str(text);
    }

    /// Opens a tag (`{{` or `{%`) whose contents start a line coming from
    /// `directive` at `line`.
    fn open(&mut self, tag: &str, line: usize, directive: String) {
        self.code.push_str(tag);
        self.new_line(line, directive);
    }

    fn write_body(&mut self, nodes: &[Node]) -> Result<(), TemplateError> {
        for node in nodes {
            self.spend()?;
            self.write_node(node)?;
        }
        Ok(())
    }

    fn write_node(&mut self, node: &Node) -> Result<(), TemplateError> {
        match node {
            Node::Text(text) => {
                if text.contains('{') {
                    self.code.push_str("{{ ");
                    self.code.push_str(&string_literal(text));
                    self.code.push_str(" }}");
                } else {
                    self.code(text);
                }
            }
            Node::Expression { expr, line, raw } => {
                let directive = if *raw {
                    format!("{{% raw {expr} %}}")
                } else {
                    format!("{{{{ {expr} }}}}")
                };
                self.open("{{", *line, directive);
                let escape = if *raw {
                    None
                } else {
                    self.current.autoescape.clone()
                };
                match escape {
                    Some(function) => {
                        self.code(&function);
                        self.code("(_tt_string(");
                        self.code(expr);
                        self.code(")) }}");
                    }
                    None => {
                        self.code("_tt_string(");
                        self.code(expr);
                        self.code(") }}");
                    }
                }
            }
            Node::Module { expr, line } => {
                self.open("{{", *line, format!("{{% module {expr} %}}"));
                self.code("_tt_string(_tt_modules.");
                self.code(expr);
                self.code(") }}");
            }
            Node::Set { statement, line } => {
                self.open("{%", *line, format!("{{% set {statement} %}}"));
                if let Some(equals) = assignment(statement) {
                    self.code("set ");
                    self.code(&statement[..equals]);
                    self.code("= _tt_defined((");
                    self.code(&statement[equals + 1..]);
                    self.code(")) %}");
                } else {
                    self.code("set _tt_discard = (");
                    self.code(statement);
                    self.code(") %}");
                }
            }
            Node::Break { line } => {
                if let Some(Some(flag)) = self.loops.last().cloned() {
                    self.open("{%", *line, "{% break %}".to_owned());
                    self.code(&format!("set {flag}.broke = true %}}"));
                }
                self.open("{%", *line, "{% break %}".to_owned());
                self.code("break %}");
            }
            Node::Continue { line } => {
                self.open("{%", *line, "{% continue %}".to_owned());
                self.code("continue %}");
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (i, branch) in branches.iter().enumerate() {
                    let keyword = if i == 0 { "if" } else { "elif" };
                    self.open(
                        "{%",
                        branch.line,
                        format!("{{% {keyword} {} %}}", branch.condition),
                    );
                    self.code(keyword);
                    self.code(" ");
                    self.code(&branch.condition);
                    self.code(" %}");
                    self.write_body(&branch.body)?;
                }
                if let Some(body) = otherwise {
                    self.code("{% else %}");
                    self.write_body(body)?;
                }
                self.code("{% endif %}");
            }
            Node::For {
                clause,
                line,
                body,
                otherwise,
            } => {
                let directive = format!("{{% for {clause} %}}");
                let flag = self.loop_flag(otherwise.is_some(), *line, &directive);
                self.open("{%", *line, directive);
                self.code("for ");
                self.code(clause);
                self.code(" %}");
                self.write_loop_body(flag.clone(), body)?;
                self.code("{% endfor %}");
                self.write_loop_else(flag, otherwise)?;
            }
            Node::While {
                condition,
                line,
                body,
                otherwise,
            } => {
                let directive = format!("{{% while {condition} %}}");
                let flag = self.loop_flag(otherwise.is_some(), *line, &directive);
                self.code("{% for _tt_step in _tt_forever() %}");
                self.open("{%", *line, directive);
                self.code("if not (");
                self.code(condition);
                self.code(") %}{% break %}{% endif %}");
                self.write_loop_body(flag.clone(), body)?;
                self.code("{% endfor %}");
                self.write_loop_else(flag, otherwise)?;
            }
            Node::Apply {
                function,
                line,
                body,
            } => {
                let captured = format!("_tt_apply{}", self.counter);
                self.counter += 1;
                self.code(&format!("{{% set {captured} %}}"));
                // The body is a function of its own in Tornado: no loop
                // around it can be left from inside.
                let outer_loops = std::mem::take(&mut self.loops);
                let written = self.write_body(body);
                self.loops = outer_loops;
                written?;
                self.code("{% endset %}");
                self.open("{{", *line, format!("{{% apply {function} %}}"));
                self.code("_tt_string(");
                self.code(function);
                self.code(&format!("({captured})) }}}}"));
            }
            Node::Block { name, line, body } => {
                let (owner, body) = self
                    .named_blocks
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| (Arc::clone(&self.current), Arc::clone(body)));
                self.write_in(owner, *line, &body)?;
            }
            Node::Include { name, line } => {
                let current = Arc::clone(&self.current);
                let included = (self.include)(name, &current, *line)?;
                self.write_in(Arc::clone(&included), *line, &included.body)?;
            }
            Node::Extends { .. } => {}
        }
        Ok(())
    }

    /// Writes `nodes` of the template `owner`, brought in by a directive at
    /// `line` of the current template.
    fn write_in(
        &mut self,
        owner: Arc<Source>,
        line: usize,
        nodes: &[Node],
    ) -> Result<(), TemplateError> {
        let outer = std::mem::replace(&mut self.current, owner);
        self.via.push((outer, line));
        let written = self.write_body(nodes);
        if let Some((outer, _)) = self.via.pop() {
            self.current = outer;
        }
        written
    }

    /// For a loop with an `else`, declares the variable its `break`s set.
    fn loop_flag(&mut self, has_else: bool, line: usize, directive: &str) -> Option<String> {
        if !has_else {
            return None;
        }
        let flag = format!("_tt_loop{}", self.counter);
        self.counter += 1;
        self.open("{%", line, directive.to_owned());
        self.code(&format!("set {flag} = _tt_namespace(broke=false) %}}"));
        Some(flag)
    }

    fn write_loop_body(
        &mut self,
        flag: Option<String>,
        body: &[Node],
    ) -> Result<(), TemplateError> {
        self.loops.push(flag);
        let written = self.write_body(body);
        self.loops.pop();
        written
    }

    /// A loop's `else`, written when no `break` left the loop.
    fn write_loop_else(
        &mut self,
        flag: Option<String>,
        otherwise: &Option<Vec<Node>>,
    ) -> Result<(), TemplateError> {
        if let (Some(flag), Some(body)) = (flag, otherwise) {
            self.code(&format!("{{% if not {flag}.broke %}}"));
            self.write_body(body)?;
            self.code("{% endif %}");
        }
        Ok(())
    }
}

/// `text` as a template string literal.
fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where the `=` of a `{% set %}` statement that assigns is (the first `=`
/// outside brackets and strings that is no comparison); a statement without
/// one is an expression evaluated for its effect, as a Python statement can
/// be.
fn assignment(statement: &str) -> Option<usize> {
    let bytes = statement.as_bytes();
    let mut depth = 0usize;
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'=' if depth == 0 => {
                    let prev = i.checked_sub(1).map(|p| bytes[p]);
                    let next = bytes.get(i + 1).copied();
                    let comparison =
                        next == Some(b'=') || matches!(prev, Some(b'=' | b'!' | b'<' | b'>'));
                    if !comparison {
                        return Some(i);
                    }
                    i += 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments() {
        assert_eq!(assignment("x = 1"), Some(2));
        assert_eq!(assignment("a, b = 1, 2"), Some(5));
        assert_eq!(assignment("x = y == z"), Some(2));
        assert_eq!(assignment("items.append(1)"), None);
        assert_eq!(assignment("f(a=1)"), None);
        assert_eq!(assignment("x == 1"), None);
        assert_eq!(assignment("x <= 1 or y != 2 or z >= 3"), None);
        assert_eq!(assignment("'a = b'"), None);
    }

    #[test]
    fn literals() {
        assert_eq!(
            string_literal("a\"b\\c\nd\u{1}"),
            "\"a\\\"b\\\\c\\nd\\u0001\""
        );
    }
}
