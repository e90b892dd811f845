//! Improve a person's own Terraform in place: what it lacks is added under a `# Slipway:`
//! comment that says why, and nothing of theirs changes.
//!
//! The file is edited with `hcl-edit`, which keeps every comment, blank line and alignment as
//! written. Only additions that apply in place are made; none forces a resource to be
//! replaced (encryption on an existing database or volume would: it is left to the checks):
//!
//! - an S3 backend gets `use_lockfile = true` (S3's own lock; the DynamoDB table is
//!   deprecated) and `encrypt = true`;
//! - a `required_providers` entry without a version gets the major the dated knowledge table
//!   pins (`~> 6.0` for AWS);
//! - the AWS provider gets `default_tags`, so every resource says it is managed by Terraform;
//! - an RDS instance gets backups (7 days, with point-in-time recovery), deletion protection,
//!   and its automated backups kept when it is deleted; an Aurora cluster gets deletion
//!   protection.
//!
//! The result must parse, and every block and attribute of the original must be in it with the
//! same value, or the file is left as it was. A second run changes nothing.

use hcl_edit::expr::{Expression, ObjectKey, ObjectValue, ObjectValueTerminator};
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::{Decorate, Decorated, Ident};

/// The providers whose major the knowledge table pins, by source.
fn pinned(source: &str) -> Option<&'static str> {
    match source.to_ascii_lowercase().as_str() {
        "hashicorp/aws" => Some(crate::knowledge::AWS_PROVIDER),
        "hashicorp/google" | "hashicorp/google-beta" => Some(crate::knowledge::GOOGLE_PROVIDER),
        "hashicorp/azurerm" => Some(crate::knowledge::AZURERM_PROVIDER),
        "hashicorp/random" => Some(crate::knowledge::RANDOM_PROVIDER),
        _ => None,
    }
}

fn indent_of(block_depth: usize) -> String {
    "  ".repeat(block_depth)
}

/// Appends `key = value` to `body` under a `# Slipway:` comment, indented for `depth`.
fn add(body: &mut Body, depth: usize, key: &str, value: Expression, why: &str) {
    let pad = indent_of(depth);
    let mut a = Attribute::new(Decorated::new(Ident::new(key)), value);
    a.decor_mut().set_prefix(format!("{pad}# Slipway: {why}\n{pad}"));
    a.decor_mut().set_suffix("");
    body.push(a);
}

fn string(s: &str) -> Expression {
    Expression::from(s)
}

fn labels(block: &Block) -> Vec<String> {
    block.labels.iter().map(|l| l.as_str().to_string()).collect()
}

/// The edited text and what was added, or `None` when nothing is missing (or the file cannot
/// be edited safely).
pub fn improve_terraform(text: &str) -> Option<(String, Vec<String>)> {
    let mut body: Body = text.parse().ok()?;
    let mut notes = Vec::new();
    for mut s in body.iter_mut() {
        let Some(block) = s.as_block_mut() else {
            continue;
        };
        let l = labels(block);
        match (block.ident.as_str(), l.first().map(String::as_str)) {
            ("terraform", _) => terraform_block(block, &mut notes),
            ("provider", Some("aws")) if !block.body.has_blocks("default_tags") => {
                // Parsed from its text, so it is laid out as terraform fmt lays it out.
                let snippet: Body = "\n  default_tags {\n    # Slipway: every resource says what manages it\n    tags = {\n      ManagedBy = \"terraform\"\n    }\n  }\n"
                    .parse()
                    .expect("the default_tags block parses");
                if let Some(b) = snippet.into_blocks().next() {
                    block.body.push(b);
                    notes.push("the AWS provider tags every resource as managed by Terraform".into());
                }
            }
            // A read replica's backups and protection follow its source.
            ("resource", Some("aws_db_instance")) if !block.body.has_attribute("replicate_source_db") => {
                let name = l.get(1).cloned().unwrap_or_default();
                if !block.body.has_attribute("backup_retention_period") {
                    add(
                        &mut block.body,
                        1,
                        "backup_retention_period",
                        Expression::from(7),
                        "daily backups kept 7 days, with point-in-time recovery over them, rather than whatever the API defaults to",
                    );
                    notes.push(format!("aws_db_instance.{name} keeps 7 days of backups"));
                }
                if !block.body.has_attribute("deletion_protection") {
                    add(
                        &mut block.body,
                        1,
                        "deletion_protection",
                        Expression::from(true),
                        "a destroy or a replacement must be meant: a person turns this off first",
                    );
                    notes.push(format!("aws_db_instance.{name} is protected from deletion"));
                }
                if !block.body.has_attribute("delete_automated_backups") {
                    add(
                        &mut block.body,
                        1,
                        "delete_automated_backups",
                        Expression::from(false),
                        "the backups outlive the instance (the provider deletes them with it by default)",
                    );
                    notes.push(format!("aws_db_instance.{name} keeps its backups when deleted"));
                }
            }
            ("resource", Some("aws_rds_cluster")) if !block.body.has_attribute("deletion_protection") => {
                add(
                    &mut block.body,
                    1,
                    "deletion_protection",
                    Expression::from(true),
                    "a destroy or a replacement must be meant: a person turns this off first",
                );
                notes.push(format!(
                    "aws_rds_cluster.{} is protected from deletion",
                    l.get(1).cloned().unwrap_or_default()
                ));
            }
            _ => {}
        }
    }
    if notes.is_empty() {
        return None;
    }
    let out = body.to_string();
    // Nothing of theirs may change: every block and attribute they wrote is still there, with
    // the same value.
    let before: hcl::Body = hcl::from_str(text).ok()?;
    let after: hcl::Body = hcl::from_str(&out).ok()?;
    if !contains(&before, &after) {
        return None;
    }
    Some((out, notes))
}

fn terraform_block(block: &mut Block, notes: &mut Vec<String>) {
    for mut s in block.body.iter_mut() {
        let Some(inner) = s.as_block_mut() else {
            continue;
        };
        match (inner.ident.as_str(), labels(inner).first().map(String::as_str)) {
            ("backend", Some("s3")) => {
                if !inner.body.has_attribute("use_lockfile") {
                    let why = if inner.body.has_attribute("dynamodb_table") {
                        "S3's own lock file; the DynamoDB lock table is deprecated: remove dynamodb_table once every run has this"
                    } else {
                        "S3's own lock file, so two runs never write the state at once"
                    };
                    add(&mut inner.body, 2, "use_lockfile", Expression::from(true), why);
                    notes.push("the S3 backend locks the state with its own lock file".into());
                }
                if !inner.body.has_attribute("encrypt") {
                    add(
                        &mut inner.body,
                        2,
                        "encrypt",
                        Expression::from(true),
                        "the state holds every resource's attributes: encrypted at rest",
                    );
                    notes.push("the S3 backend encrypts the state".into());
                }
            }
            ("required_providers", _) => {
                for mut attr in inner.body.attributes_mut() {
                    let key = attr.key.as_str().to_string();
                    let Some(obj) = attr.value_mut().as_object_mut() else {
                        continue;
                    };
                    let version = ObjectKey::from(Ident::new("version"));
                    if obj.contains_key(&version) {
                        continue;
                    }
                    let source = obj
                        .get(&ObjectKey::from(Ident::new("source")))
                        .and_then(|v| v.expr().as_str().map(str::to_string));
                    let Some(pin) = source.as_deref().and_then(pinned) else {
                        continue;
                    };
                    let multiline = obj
                        .iter()
                        .any(|(_, v)| v.terminator() == ObjectValueTerminator::Newline);
                    let mut value = ObjectValue::new(string(pin));
                    let mut k = ObjectKey::from(Ident::new("version"));
                    if multiline {
                        value.set_terminator(ObjectValueTerminator::Newline);
                        k.decor_mut().set_prefix(
                            "      # Slipway: the major the provider was written for; a new major changes resources\n      ",
                        );
                    } else {
                        // `{ source = "x" }` becomes `{ source = "x", version = "~> 1.0" }`: the
                        // space before the brace moves after the new value.
                        let Some(last) = obj.iter_mut().last().map(|(_, v)| v) else {
                            continue;
                        };
                        let space = last.expr().decor().suffix().map(|r| r.to_string()).unwrap_or_default();
                        last.expr_mut().decor_mut().set_suffix("");
                        last.set_terminator(ObjectValueTerminator::Comma);
                        value.set_terminator(ObjectValueTerminator::None);
                        value.expr_mut().decor_mut().set_suffix(space);
                        k.decor_mut().set_prefix(" ");
                    }
                    obj.insert(k, value);
                    notes.push(format!("the {key} provider is pinned to {pin}"));
                }
            }
            _ => {}
        }
    }
}

/// True when every structure of `before` is in `after` with the same value; blocks match by
/// identifier and labels, in order.
fn contains(before: &hcl::Body, after: &hcl::Body) -> bool {
    let mut used = vec![false; after.0.len()];
    before.0.iter().all(|s| match s {
        hcl::Structure::Attribute(a) => after
            .attributes()
            .any(|b| b.key == a.key && expr_contains(&a.expr, &b.expr)),
        hcl::Structure::Block(a) => {
            let found = after.0.iter().enumerate().find(|(i, s)| {
                !used[*i]
                    && matches!(s, hcl::Structure::Block(b) if b.identifier == a.identifier && b.labels == a.labels && contains(&a.body, &b.body))
            });
            match found {
                Some((i, _)) => {
                    used[i] = true;
                    true
                }
                None => false,
            }
        }
    })
}

/// True when `after` is `before`, or both are objects and every key of `before` is in `after`
/// with a value that contains its own.
fn expr_contains(before: &hcl::Expression, after: &hcl::Expression) -> bool {
    match (before, after) {
        (hcl::Expression::Object(a), hcl::Expression::Object(b)) => {
            a.iter().all(|(k, v)| b.get(k).is_some_and(|w| expr_contains(v, w)))
        }
        _ => before == after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEIRS: &str = r#"# Our production database. Ask #infra before changing.
terraform {
  required_version = ">= 1.5"

  backend "s3" {
    bucket         = "acme-state"
    key            = "shop/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "acme-locks" # the old lock table
  }

  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    random = { source = "hashicorp/random" }
    acme = {
      source = "acme/acme"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "main" {
  identifier     = "shop"
  engine         = "postgres"
  instance_class = "db.t4g.micro" # small on purpose
  storage_encrypted = false
}

resource "aws_db_instance" "replica" {
  replicate_source_db = aws_db_instance.main.identifier
  instance_class      = "db.t4g.micro"
  deletion_protection = false
}
"#;

    #[test]
    fn what_is_missing_is_added_under_comments_and_nothing_of_theirs_changes() {
        let (out, notes) = improve_terraform(THEIRS).expect("there is something to add");
        // Theirs, as written: comments, blank lines, their alignment, their values.
        for line in THEIRS.lines().filter(|l| !l.contains("hashicorp/random")) {
            assert!(out.contains(line), "{line:?} is kept:\n{out}");
        }
        for want in [
            "    # Slipway: S3's own lock file; the DynamoDB lock table is deprecated: remove dynamodb_table once every run has this\n    use_lockfile = true\n",
            "    # Slipway: the state holds every resource's attributes: encrypted at rest\n    encrypt = true\n",
            "      source = \"hashicorp/aws\"\n      # Slipway: the major the provider was written for; a new major changes resources\n      version = \"~> 6.0\"\n",
            "random = { source = \"hashicorp/random\", version = \"~> 3.7\" }",
            "  default_tags {\n    # Slipway: every resource says what manages it\n    tags = {\n      ManagedBy = \"terraform\"\n    }\n  }\n",
            "  # Slipway: daily backups kept 7 days, with point-in-time recovery over them, rather than whatever the API defaults to\n  backup_retention_period = 7\n",
            "  deletion_protection = true\n",
            "  delete_automated_backups = false\n",
        ] {
            assert!(out.contains(want), "{want:?} in:\n{out}");
        }
        // Only in place: no replacement-forcing change (their unencrypted storage stays as
        // they wrote it; the checks say so), a replica's backups and their explicit false stay.
        assert!(out.contains("storage_encrypted = false"));
        assert_eq!(out.matches("backup_retention_period").count(), 1, "not on the replica");
        assert!(out.contains("deletion_protection = false"), "their own choice stays");
        assert!(
            !out.contains("acme/acme\"\n      # Slipway"),
            "providers it knows no major of are left"
        );
        assert_eq!(
            out.matches("delete_automated_backups").count(),
            1,
            "a replica's follow its source"
        );
        assert_eq!(notes.len(), 8, "{notes:?}");
        // It parses, and a second run finds nothing to add.
        hcl::from_str::<hcl::Body>(&out).unwrap();
        assert_eq!(improve_terraform(&out), None);
    }

    #[test]
    fn files_that_need_nothing_or_do_not_parse_are_left() {
        assert_eq!(improve_terraform("variable \"x\" {\n  type = string\n}\n"), None);
        assert_eq!(improve_terraform("resource \"aws_db_instance\" \"x\" {\n"), None);
    }
}
