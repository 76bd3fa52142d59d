//! Redis's glob patterns (`KEYS`, `SCAN MATCH`, `PSUBSCRIBE`, `CONFIG GET`): `*`, `?`,
//! `[abc]`, `[^abc]`, `[a-z]` and `\x`, matched in time proportional to the product of the
//! lengths whatever the pattern (no exponential backtracking).

/// Whether `text` matches `pattern`, ignoring ASCII case when `nocase`.
///
/// ```
/// use volley_resp::server::glob_match;
/// assert!(glob_match(b"h?llo", b"hello", false));
/// assert!(glob_match(b"h*o", b"heeeello", false));
/// assert!(glob_match(b"h[ae]llo", b"hallo", false));
/// assert!(!glob_match(b"h[^e]llo", b"hello", false));
/// assert!(glob_match(b"h[a-b]llo", b"hbllo", false));
/// assert!(glob_match(b"MAX*", b"maxmemory", true));
/// assert!(glob_match(b"a\\*", b"a*", false));
/// ```
pub fn glob_match(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    // Redis gives up past 1000 nested `*`: such a pattern matches nothing.
    if inner_stars(pattern) > MAX_NESTED_STARS {
        return false;
    }
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            // Consecutive stars are one star.
            while p < pattern.len() && pattern[p] == b'*' {
                p += 1;
            }
            if p == pattern.len() {
                return true;
            }
            star = Some((p, t));
            continue;
        }
        if p < pattern.len() {
            if let Some(next) = match_one(pattern, p, text[t], nocase) {
                p = next;
                t += 1;
                continue;
            }
        }
        match star {
            Some((after_star, from)) => {
                p = after_star;
                t = from + 1;
                star = Some((after_star, from + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// How deep Redis lets `*` nest: a pattern with more `*` runs followed by something else
/// matches nothing.
const MAX_NESTED_STARS: usize = 1000;

/// The runs of `*` with more pattern after them (escaped stars and stars in classes aside).
fn inner_stars(pattern: &[u8]) -> usize {
    let (mut runs, mut i, mut in_run) = (0, 0, false);
    while i < pattern.len() {
        match pattern[i] {
            b'*' => {
                if !in_run {
                    runs += 1;
                }
                in_run = true;
                i += 1;
                continue;
            }
            b'\\' => i += 2,
            b'[' => {
                i += 1;
                while i < pattern.len() && pattern[i] != b']' {
                    i += if pattern[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ => i += 1,
        }
        in_run = false;
    }
    // A final run of stars matches the rest without nesting further.
    if in_run {
        runs -= 1;
    }
    runs
}

/// Matches the single-character element of `pattern` at `p` against `byte`: the pattern
/// position after that element when it matches.
fn match_one(pattern: &[u8], p: usize, byte: u8, nocase: bool) -> Option<usize> {
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    match pattern[p] {
        b'?' => Some(p + 1),
        b'\\' if p + 1 < pattern.len() => eq(pattern[p + 1], byte).then_some(p + 2),
        b'[' => {
            let mut i = p + 1;
            let negate = pattern.get(i) == Some(&b'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            loop {
                match pattern.get(i) {
                    // An unclosed class ends with the pattern, as in Redis.
                    None => {
                        i = pattern.len();
                        break;
                    }
                    Some(b']') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < pattern.len() => {
                        matched |= eq(pattern[i + 1], byte);
                        i += 2;
                    }
                    Some(&low) if pattern.get(i + 1) == Some(&b'-') && i + 2 < pattern.len() => {
                        let high = pattern[i + 2];
                        let (low, high) = if low <= high {
                            (low, high)
                        } else {
                            (high, low)
                        };
                        let folded = [byte, byte.to_ascii_lowercase(), byte.to_ascii_uppercase()];
                        matched |= if nocase {
                            folded.iter().any(|b| (low..=high).contains(b))
                        } else {
                            (low..=high).contains(&byte)
                        };
                        i += 3;
                    }
                    Some(&c) => {
                        matched |= eq(c, byte);
                        i += 1;
                    }
                }
            }
            (matched != negate).then_some(i)
        }
        c => eq(c, byte).then_some(p + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn patterns_match_like_redis() {
        let yes: &[(&str, &str)] = &[
            ("*", ""),
            ("*", "anything"),
            ("a*b*c", "aXXbYYc"),
            ("a*b*c", "abc"),
            ("*llo", "hello"),
            ("h??lo", "hello"),
            ("[a-c]x", "bx"),
            ("[c-a]x", "bx"),
            ("[^a]x", "bx"),
            ("\\?", "?"),
            ("**a", "a"),
        ];
        for (pattern, text) in yes {
            assert!(
                glob_match(pattern.as_bytes(), text.as_bytes(), false),
                "{pattern} {text}"
            );
        }
        let no: &[(&str, &str)] = &[
            ("a", ""),
            ("a*b", "aXXc"),
            ("?", ""),
            ("[^b]x", "bx"),
            ("\\?", "x"),
            ("hello", "HELLO"),
            ("a[", "a"),
            ("a[", "ab"),
        ];
        for (pattern, text) in no {
            assert!(
                !glob_match(pattern.as_bytes(), text.as_bytes(), false),
                "{pattern} {text}"
            );
        }
        assert!(glob_match(b"HELLO", b"hello", true));
        assert!(glob_match(b"[A-C]", b"b", true));
    }

    #[test]
    fn more_than_a_thousand_nested_stars_match_nothing() {
        let text = "a".repeat(5000);
        let deep = "*?".repeat(1001);
        assert!(!glob_match(deep.as_bytes(), text.as_bytes(), false));
        let shallow = "*?".repeat(1000);
        assert!(glob_match(shallow.as_bytes(), text.as_bytes(), false));
        let escaped = "\\*a".repeat(2000);
        assert!(glob_match(
            escaped.as_bytes(),
            "*a".repeat(2000).as_bytes(),
            false
        ));
    }

    #[test]
    fn a_pathological_pattern_stays_fast() {
        let pattern = "a*".repeat(50) + "b";
        let text = "a".repeat(10_000);
        assert!(!glob_match(pattern.as_bytes(), text.as_bytes(), false));
    }
}
