//! The one HCL writer: Terraform files built as `hcl-rs` values and written in the form
//! `terraform fmt` keeps.
//!
//! Generators build [`hcl::Block`]s (values go in as values, so `hcl-rs` escapes quotes,
//! backslashes and Terraform's `${` markers; references and function calls are parsed from
//! their Terraform text by [`expr`], which refuses text that is not an expression). `hcl-rs`
//! formats them with two-space indents; [`align`] then lines up the `=` of consecutive
//! one-line attributes the way HCL's own formatter (`hclwrite`, behind `terraform fmt`) does,
//! so the output passes `terraform fmt -check` as written. Comments go above top-level blocks,
//! which is all `hcl-rs` lets a value carry.

use hcl::format::Format;
use hcl::{Block, Body, Expression};

/// A Terraform file: comment lines at the top, then top-level blocks, each with the comment
/// lines above it.
#[derive(Debug, Clone, Default)]
pub struct HclFile {
    /// The comment lines at the top (without `# `).
    pub header: Vec<String>,
    /// The blocks, each with the comment lines above it.
    pub blocks: Vec<(Vec<String>, Block)>,
}

impl HclFile {
    /// A file whose first lines say `header`.
    pub fn new(header: impl AsRef<str>) -> Self {
        HclFile {
            header: header.as_ref().lines().map(str::to_string).collect(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block with no comment.
    pub fn block(&mut self, block: Block) -> &mut Self {
        self.blocks.push((Vec::new(), block));
        self
    }

    /// Adds a block under a comment.
    pub fn commented(&mut self, note: impl AsRef<str>, block: Block) -> &mut Self {
        self.blocks
            .push((note.as_ref().lines().map(str::to_string).collect(), block));
        self
    }

    /// The file's text, in `terraform fmt` form.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            out.push_str(&comment(line));
        }
        for (note, block) in &self.blocks {
            if !out.is_empty() {
                out.push('\n');
            }
            for line in note {
                out.push_str(&comment(line));
            }
            out.push_str(&format_body(&Body::builder().add_block(block.clone()).build()));
        }
        out
    }
}

fn comment(line: &str) -> String {
    if line.is_empty() {
        "#\n".to_string()
    } else {
        format!("# {line}\n")
    }
}

/// A Terraform expression from its text: a reference (`aws_vpc.main.id`), a call, a template,
/// a conditional. The texts are the generators' own; one that does not parse is a bug, named
/// in the panic.
pub fn expr(text: &str) -> Expression {
    text.parse()
        .unwrap_or_else(|e| panic!("not an HCL expression: {text:?}: {e}"))
}

/// `body` formatted by `hcl-rs` (lists on one line, identifier keys where they can be), then
/// aligned as `terraform fmt` aligns it.
pub fn format_body(body: &Body) -> String {
    let mut f = hcl::format::Formatter::builder()
        .compact_arrays(true)
        .prefer_ident_keys(true)
        .build_vec();
    body.format(&mut f).expect("an hcl value formats");
    let text = String::from_utf8(f.into_inner()).expect("hcl-rs writes UTF-8");
    align(&empty_blocks(&text))
}

/// An empty block as `terraform fmt` writes it, `auto {}`: `hcl-rs` leaves the indent it
/// would have used for the body between the braces.
fn empty_blocks(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            match body.strip_suffix('}').map(str::trim_end) {
                Some(open) if open.ends_with('{') && !open.trim_start().starts_with('{') && body.ends_with(" }") => {
                    format!("{}}}{end}", open)
                }
                _ => line.to_string(),
            }
        })
        .collect()
}

/// Lines up the `=` of each run of consecutive attribute lines, as `hclwrite` does: a line is
/// an attribute line when it has an `=` after its first token whose right-hand side closes
/// every bracket it opens (so `tags = {` is not one, and ends a run, as do blank lines,
/// blocks and closing brackets). Each `=` in a run moves to one column past the longest key.
pub fn align(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 64);
    let mut run: Vec<(String, String)> = Vec::new();
    let flush = |run: &mut Vec<(String, String)>, out: &mut String| {
        let width = run.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (key, rest) in run.drain(..) {
            out.push_str(&key);
            out.push_str(&" ".repeat(width - key.chars().count() + 1));
            out.push_str(&rest);
        }
    };
    for line in lines {
        match split_assignment(line) {
            Some((key, rest)) => run.push((key, rest)),
            None => {
                flush(&mut run, &mut out);
                out.push_str(line);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `line` as (indent and key, `= value` and the newline) when it is a one-line attribute.
fn split_assignment(line: &str) -> Option<(String, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut in_string = false;
    let mut escaped = false;
    let mut depth = 0i32;
    let mut eq = None;
    let mut seen_token = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                seen_token = true;
            }
            '#' if eq.is_none() => return None,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '=' if eq.is_none() => {
                let prev = if i > 0 { chars[i - 1] } else { ' ' };
                let next = chars.get(i + 1).copied().unwrap_or(' ');
                if depth != 0 || !seen_token || matches!(prev, '=' | '!' | '<' | '>') || matches!(next, '=' | '>') {
                    return None;
                }
                eq = Some(i);
                depth = 0;
            }
            c if !c.is_whitespace() => seen_token = true,
            _ => {}
        }
    }
    let eq = eq?;
    if depth != 0 || in_string {
        return None;
    }
    let key: String = chars[..eq].iter().collect::<String>().trim_end().to_string();
    let rest: String = chars[eq..].iter().collect();
    Some((key, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_attributes_align_and_brackets_break_the_run() {
        let text = "resource \"aws_vpc\" \"main\" {\n  cidr_block = var.vpc_cidr\n  enable_dns_support = true\n  tags = {\n    Name = \"x\"\n    Environment = \"prod\"\n  }\n  id = 1\n}\n";
        assert_eq!(
            align(text),
            "resource \"aws_vpc\" \"main\" {\n  cidr_block         = var.vpc_cidr\n  enable_dns_support = true\n  tags = {\n    Name        = \"x\"\n    Environment = \"prod\"\n  }\n  id = 1\n}\n"
        );
    }

    #[test]
    fn an_equals_sign_in_a_string_or_a_comparison_is_not_an_assignment() {
        let text = "  a = \"x = y\"\n  bb = var.x == 1 ? \"=\" : \"b\"\n  c = [for s in var.l : s if s != \"=\"]\n";
        assert_eq!(
            align(text),
            "  a  = \"x = y\"\n  bb = var.x == 1 ? \"=\" : \"b\"\n  c  = [for s in var.l : s if s != \"=\"]\n"
        );
        assert_eq!(
            split_assignment("  condition = var.a >= 1\n").map(|(k, _)| k),
            Some("  condition".into())
        );
        assert_eq!(split_assignment("  x = {\n"), None);
        assert_eq!(split_assignment("# a = b\n"), None);
    }

    #[test]
    fn an_empty_block_is_written_as_terraform_fmt_writes_it() {
        let block = Block::builder("replication")
            .add_block(Block::builder("auto").build())
            .add_attribute(("tags", hcl::Expression::Object(hcl::Object::new())))
            .build();
        let text = format_body(&Body::builder().add_block(block).build());
        assert!(text.contains("\n  auto {}\n"), "{text}");
        assert!(text.contains("tags = {}"), "{text}");
        assert_eq!(
            empty_blocks("  x = { a = 1 }\n  y {    }\n"),
            "  x = { a = 1 }\n  y {}\n"
        );
    }

    #[test]
    fn values_are_escaped_and_references_parsed() {
        let mut f = HclFile::new("Written by Slipway.");
        f.commented(
            "The network.",
            Block::builder("resource")
                .add_label("aws_vpc")
                .add_label("main")
                .add_attribute(("cidr_block", expr("var.vpc_cidr")))
                .add_attribute(("name", "a \"quoted\" ${not_interpolated}"))
                .add_attribute(("tags", expr("merge(local.tags, { Name = \"${var.name}-vpc\" })")))
                .build(),
        );
        let text = f.render();
        assert_eq!(
            text,
            "# Written by Slipway.\n\n# The network.\nresource \"aws_vpc\" \"main\" {\n  cidr_block = var.vpc_cidr\n  name       = \"a \\\"quoted\\\" $${not_interpolated}\"\n  tags       = merge(local.tags, { Name = \"${var.name}-vpc\" })\n}\n"
        );
        // What the writer wrote reads back as the same value, and writes the same text.
        let back: Body = text.parse().unwrap();
        assert_eq!(format_body(&back), text.split_once("# The network.\n").unwrap().1);
    }

    #[test]
    #[should_panic(expected = "not an HCL expression")]
    fn a_broken_expression_is_a_bug_named_in_the_panic() {
        expr("var.x +");
    }
}
