//! Just enough of version ranges to answer one question: which release lines does a range
//! allow? npm's (`>=18.17 <23`, `^20.11 || ^22`), Python's (`>=3.10,<3.13`, `~=3.11`), Ruby's
//! and Elixir's (`~> 3.2`) and Composer's (`^8.2`) ranges all reduce to the same bounds.

type Version = (u64, u64, u64);

#[derive(Clone, Copy)]
struct Bound {
    v: Version,
    inclusive: bool,
}

/// True when some version with major `major` satisfies `range`. `None` when the range cannot
/// be read.
pub fn allows_major(range: &str, major: u64) -> Option<bool> {
    allows_window(range, (major, 0, 0), (major + 1, 0, 0))
}

/// True when some version of the line `major.minor` satisfies `range`.
pub fn allows_minor(range: &str, major: u64, minor: u64) -> Option<bool> {
    allows_window(range, (major, minor, 0), (major, minor + 1, 0))
}

/// The newest line in `lines` (newest first, as `"3.13"` or `"24"`) that `range` allows.
pub fn newest_allowed<'a>(range: &str, lines: &[&'a str]) -> Option<&'a str> {
    lines.iter().copied().find(|line| {
        let mut parts = line.split('.').filter_map(|p| p.parse::<u64>().ok());
        match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) => allows_minor(range, major, minor) == Some(true),
            (Some(major), None) => allows_major(range, major) == Some(true),
            _ => false,
        }
    })
}

fn allows_window(range: &str, from: Version, until: Version) -> Option<bool> {
    let range = range.replace(',', " ").replace("!=", " !").replace("==", "=");
    let mut any = false;
    for set in range.split("||") {
        if set_allows_window(set.trim(), from, until)? {
            any = true;
        }
    }
    Some(any)
}

fn parse_partial(s: &str) -> Option<(Vec<u64>, usize)> {
    let s = s.trim().trim_start_matches('v').trim_start_matches('=');
    if s.is_empty() || s == "*" || s == "x" || s == "X" {
        return Some((vec![], 0));
    }
    let mut parts = Vec::new();
    for p in s.split('.') {
        let p = p.split(['-', '+']).next().unwrap_or("");
        if p == "x" || p == "X" || p == "*" {
            break;
        }
        parts.push(p.parse::<u64>().ok()?);
        if parts.len() == 3 {
            break;
        }
    }
    let n = parts.len();
    Some((parts, n))
}

fn ver(parts: &[u64]) -> Version {
    (
        parts.first().copied().unwrap_or(0),
        parts.get(1).copied().unwrap_or(0),
        parts.get(2).copied().unwrap_or(0),
    )
}

fn bump(parts: &[u64], n: usize) -> Version {
    // The first version past a partial version with `n` given parts.
    let at = |i: usize| parts.get(i).copied().unwrap_or(0);
    match n.min(parts.len()) {
        0 => (u64::MAX, 0, 0),
        1 => (at(0).saturating_add(1), 0, 0),
        2 => (at(0), at(1).saturating_add(1), 0),
        _ => (at(0), at(1), at(2).saturating_add(1)),
    }
}

fn set_allows_window(set: &str, from: Version, until: Version) -> Option<bool> {
    let mut lo = Bound {
        v: from,
        inclusive: true,
    };
    let mut hi = Bound {
        v: until,
        inclusive: false,
    };
    let raise = |b: Bound, lo: &mut Bound| {
        if b.v > lo.v || (b.v == lo.v && !b.inclusive) {
            *lo = b;
        }
    };
    let lower = |b: Bound, hi: &mut Bound| {
        if b.v < hi.v || (b.v == hi.v && !b.inclusive) {
            *hi = b;
        }
    };
    // Hyphen ranges: "1.2 - 3"
    let tokens: Vec<&str> = set.split_whitespace().collect();
    if tokens.len() == 3 && tokens[1] == "-" {
        let (a, _) = parse_partial(tokens[0])?;
        let (b, bn) = parse_partial(tokens[2])?;
        raise(
            Bound {
                v: ver(&a),
                inclusive: true,
            },
            &mut lo,
        );
        lower(
            Bound {
                v: bump(&b, bn),
                inclusive: false,
            },
            &mut hi,
        );
        return Some(lo.v < hi.v || (lo.v == hi.v && lo.inclusive && hi.inclusive));
    }
    let mut i = 0;
    while i < tokens.len() {
        let mut tok = tokens[i].to_string();
        // Allow ">= 18" with a space after the operator.
        if matches!(
            tok.as_str(),
            ">=" | "<=" | ">" | "<" | "=" | "^" | "~" | "~>" | "~=" | "!"
        ) && i + 1 < tokens.len()
        {
            tok.push_str(tokens[i + 1]);
            i += 1;
        }
        i += 1;
        let (op, rest) = split_op(&tok);
        if op == "!" {
            // An exclusion never moves the bounds of a release line.
            continue;
        }
        let (p, n) = parse_partial(rest)?;
        match op {
            "~>" | "~=" => {
                // Pessimistic: `~> 3.2` allows 3.x from 3.2; `~> 3.2.1` allows 3.2.x from 3.2.1.
                raise(
                    Bound {
                        v: ver(&p),
                        inclusive: true,
                    },
                    &mut lo,
                );
                lower(
                    Bound {
                        v: bump(&p, n.saturating_sub(1).max(1)),
                        inclusive: false,
                    },
                    &mut hi,
                );
            }
            ">=" => raise(
                Bound {
                    v: ver(&p),
                    inclusive: true,
                },
                &mut lo,
            ),
            ">" => raise(
                Bound {
                    v: bump(&p, n.max(1)),
                    inclusive: true,
                },
                &mut lo,
            ),
            "<" => lower(
                Bound {
                    v: ver(&p),
                    inclusive: false,
                },
                &mut hi,
            ),
            "<=" => lower(
                Bound {
                    v: bump(&p, n.max(1)),
                    inclusive: false,
                },
                &mut hi,
            ),
            "^" => {
                raise(
                    Bound {
                        v: ver(&p),
                        inclusive: true,
                    },
                    &mut lo,
                );
                let first_nonzero = p.iter().position(|&x| x != 0).unwrap_or(n.saturating_sub(1));
                let upto = (first_nonzero + 1).min(n.max(1));
                lower(
                    Bound {
                        v: bump(&p, upto),
                        inclusive: false,
                    },
                    &mut hi,
                );
            }
            "~" => {
                raise(
                    Bound {
                        v: ver(&p),
                        inclusive: true,
                    },
                    &mut lo,
                );
                lower(
                    Bound {
                        v: bump(&p, n.clamp(1, 2)),
                        inclusive: false,
                    },
                    &mut hi,
                );
            }
            _ => {
                // Exact or partial ("20", "20.x", "20.11.1").
                raise(
                    Bound {
                        v: ver(&p),
                        inclusive: true,
                    },
                    &mut lo,
                );
                lower(
                    Bound {
                        v: bump(&p, n),
                        inclusive: false,
                    },
                    &mut hi,
                );
            }
        }
    }
    Some(lo.v < hi.v || (lo.v == hi.v && lo.inclusive && hi.inclusive))
}

fn split_op(tok: &str) -> (&str, &str) {
    for op in ["~>", "~=", ">=", "<=", ">", "<", "^", "~", "=", "!"] {
        if let Some(rest) = tok.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", tok)
}

#[cfg(test)]
mod tests {
    use super::allows_major;

    #[test]
    fn ranges_allow_the_right_majors() {
        let cases: &[(&str, u64, bool)] = &[
            (">=18.17", 24, true),
            (">=18.17", 16, false),
            ("^20.11", 20, true),
            ("^20.11", 22, false),
            ("~20.11.1", 20, true),
            ("20.x", 22, false),
            ("20", 20, true),
            (">=18 <21", 22, false),
            (">=18 <21", 20, true),
            ("^20 || ^22", 22, true),
            ("^20 || ^22", 24, false),
            ("18 - 20", 20, true),
            ("18 - 20", 22, false),
            (">= 20", 24, true),
            ("*", 24, true),
            (">20", 20, false),
            (">20.1", 20, true),
        ];
        for (range, major, want) in cases {
            assert_eq!(
                allows_major(range, *major),
                Some(*want),
                "range {range:?} and major {major}"
            );
        }
        assert_eq!(allows_major("banana", 20), None, "an unreadable range must not guess");
        // Found by the mutation test: operators on a wildcard used to index an empty version.
        for odd in ["~>*", ">*", "~=", "^*", "<=x", "~> 18446744073709551615"] {
            let _ = allows_major(odd, 20);
        }
    }

    #[test]
    fn other_ecosystems_ranges_pick_the_newest_line() {
        use super::newest_allowed;
        let py = ["3.14", "3.13", "3.12", "3.11", "3.10"];
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            (">=3.10,<3.13", &py, Some("3.12")),
            ("~=3.11", &py, Some("3.14")),
            ("~=3.11.2", &py, Some("3.11")),
            ("^3.11", &py, Some("3.14")),
            ("==3.12.*", &py, Some("3.12")),
            (">=3.9, !=3.14.0", &py, Some("3.14")),
            ("~> 3.2", &["3.4", "3.3", "3.2"], Some("3.4")),
            ("~> 3.2.1", &["3.4", "3.3", "3.2"], Some("3.2")),
            ("^8.2", &["8.4", "8.3", "8.2"], Some("8.4")),
            (">=3.20", &py, None),
        ];
        for (range, lines, want) in cases {
            assert_eq!(newest_allowed(range, lines), *want, "range {range:?}");
        }
    }
}
