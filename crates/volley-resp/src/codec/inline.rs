//! Splitting an inline request into arguments with Redis's quoting rules (`sdssplitargs`).

/// Splits an inline request line into arguments as Redis does, or `None` for unbalanced quotes.
///
/// Arguments are separated by spaces; `"..."` accepts the escapes `\n \r \t \b \a \\ \"` and
/// `\xHH`; `'...'` accepts `\'`; a closing quote must be followed by a space or the end.
///
/// ```
/// use volley_resp::codec::split_args;
/// assert_eq!(
///     split_args(br#"SET "a b" 'it\'s' "\x41\n""#),
///     Some(vec![b"SET".to_vec(), b"a b".to_vec(), b"it's".to_vec(), b"A\n".to_vec()])
/// );
/// assert_eq!(split_args(b"  "), Some(vec![]));
/// assert_eq!(split_args(br#"GET "k"#), None);
/// ```
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut at = 0;
    loop {
        while at < line.len() && is_space(line[at]) {
            at += 1;
        }
        if at == line.len() {
            return Some(args);
        }
        let (arg, next) = split_one(line, at)?;
        args.push(arg);
        at = next;
    }
}

/// One argument starting at `at`: its bytes and where scanning continues.
fn split_one(line: &[u8], mut at: usize) -> Option<(Vec<u8>, usize)> {
    let mut arg = Vec::new();
    let mut quote: Option<u8> = None;
    loop {
        let Some(&byte) = line.get(at) else {
            // The end of the line ends a bare word and unbalances a quoted one.
            return quote.is_none().then_some((arg, at));
        };
        match quote {
            Some(b'"') => match byte {
                b'\\' if line.get(at + 1) == Some(&b'x') && hex_pair(line, at + 2).is_some() => {
                    arg.push(hex_pair(line, at + 2)?);
                    at += 3;
                }
                b'\\' if at + 1 < line.len() => {
                    at += 1;
                    arg.push(match line[at] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                }
                b'"' => return closing_quote(line, at).map(|next| (arg, next)),
                other => arg.push(other),
            },
            Some(_) => match byte {
                b'\\' if line.get(at + 1) == Some(&b'\'') => {
                    at += 1;
                    arg.push(b'\'');
                }
                b'\'' => return closing_quote(line, at).map(|next| (arg, next)),
                other => arg.push(other),
            },
            None => match byte {
                b' ' | b'\n' | b'\r' | b'\t' | 0 => return Some((arg, at + 1)),
                b'"' | b'\'' => quote = Some(byte),
                other => arg.push(other),
            },
        }
        at += 1;
    }
}

/// A closing quote at `at` must be followed by a space or the end: where scanning continues.
fn closing_quote(line: &[u8], at: usize) -> Option<usize> {
    match line.get(at + 1) {
        Some(&next) if !is_space(next) => None,
        _ => Some(at + 1),
    }
}

/// The byte written as two hex digits at `at`, if they are.
fn hex_pair(line: &[u8], at: usize) -> Option<u8> {
    let high = (*line.get(at)? as char).to_digit(16)?;
    let low = (*line.get(at + 1)? as char).to_digit(16)?;
    Some((high * 16 + low) as u8)
}

/// C's `isspace`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn split(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|args| {
            args.into_iter()
                .map(|a| String::from_utf8(a).unwrap())
                .collect()
        })
    }

    #[test]
    fn bare_words_split_on_any_run_of_spaces() {
        assert_eq!(
            split(" set  k\tv "),
            Some(vec!["set".into(), "k".into(), "v".into()])
        );
    }

    #[test]
    fn quotes_group_and_escape() {
        assert_eq!(
            split(r#""a\"b" '\'c'"#),
            Some(vec!["a\"b".into(), "'c".into()])
        );
        assert_eq!(split(r#""\x4g""#), Some(vec!["x4g".into()]));
        assert_eq!(split(r#""""#), Some(vec!["".into()]));
    }

    #[test]
    fn unbalanced_or_glued_quotes_are_refused() {
        assert_eq!(split(r#""open"#), None);
        assert_eq!(split("'open"), None);
        assert_eq!(split(r#""a"b"#), None);
        assert_eq!(split(r#"'a'b"#), None);
    }
}
