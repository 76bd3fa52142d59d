//! Numbers written as Redis 7.0 writes them, in one place: doubles in replies (`%.17g`), doubles
//! stored as strings (`d2string`), and the human form of `INCRBYFLOAT` results.

/// A double as Redis 7.0 replies with it (`addReplyDouble`): C's `%.17g`, so `0.1 + 0.2` is
/// `0.30000000000000004` and `0.3` is `0.29999999999999999`; infinities are `inf`/`-inf` and
/// NaN is `nan`.
///
/// ```
/// use volley_resp::codec::format_double;
/// assert_eq!(format_double(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(format_double(0.3), "0.29999999999999999");
/// assert_eq!(format_double(1.5), "1.5");
/// assert_eq!(format_double(-0.0), "-0");
/// assert_eq!(format_double(1e300), "1.0000000000000001e+300");
/// assert_eq!(format_double(f64::NEG_INFINITY), "-inf");
/// ```
pub fn format_double(value: f64) -> String {
    if let Some(special) = special(value) {
        return special.to_string();
    }
    format_g17(value)
}

/// A double as Redis 7.0 stores it in a string (`d2string`): integers up to 2^52 without a
/// fraction (`3`, `-0`), anything else as [`format_double`].
///
/// ```
/// use volley_resp::codec::double_to_string;
/// assert_eq!(double_to_string(3.0), "3");
/// assert_eq!(double_to_string(-0.0), "-0");
/// assert_eq!(double_to_string(2.5), "2.5");
/// assert_eq!(double_to_string(1e20), "1e+20");
/// ```
pub fn double_to_string(value: f64) -> String {
    if let Some(special) = special(value) {
        return special.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    const LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52
    if value > -LIMIT && value < LIMIT && value == value.trunc() {
        return (value as i64).to_string();
    }
    format_g17(value)
}

/// A double in the plain decimal form `INCRBYFLOAT` and `HINCRBYFLOAT` reply with (Redis's
/// `LD_STR_HUMAN`): no exponent, no trailing zeros, `-0` written `0`. Volley computes in `f64`
/// where Redis uses `long double`, so this prints the shortest decimal that reads back as the
/// same `f64` (`10.5 + 0.1` is `10.6`, as Redis prints it).
///
/// ```
/// use volley_resp::codec::format_human;
/// assert_eq!(format_human(10.5 + 0.1), "10.6");
/// assert_eq!(format_human(3.0), "3");
/// assert_eq!(format_human(-0.0), "0");
/// assert_eq!(format_human(5.0e3), "5000");
/// assert_eq!(format_human(f64::INFINITY), "inf");
/// ```
pub fn format_human(value: f64) -> String {
    if let Some(special) = special(value) {
        return special.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    // Rust's `Display` for floats is the shortest round-trip form and never uses an exponent.
    format!("{value}")
}

/// `inf`, `-inf` and `nan`, as glibc prints them.
fn special(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some(if value.is_sign_negative() {
            "-nan"
        } else {
            "nan"
        })
    } else if value.is_infinite() {
        Some(if value > 0.0 { "inf" } else { "-inf" })
    } else {
        None
    }
}

/// C's `%.17g` for a finite double: 17 significant digits, fixed notation when the decimal
/// exponent is in -4..17, scientific otherwise, trailing zeros removed.
fn format_g17(value: f64) -> String {
    const PRECISION: i32 = 17;
    // The exponent C uses is the one of the value rounded to 17 significant digits.
    let scientific = format!("{:.*e}", (PRECISION - 1) as usize, value);
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("Rust's {:e} output has an exponent");
    let exponent: i32 = exponent
        .parse()
        .expect("Rust's {:e} exponent is an integer");
    if (-4..PRECISION).contains(&exponent) {
        let decimals = (PRECISION - 1 - exponent) as usize;
        let mut fixed = format!("{value:.decimals$}");
        trim_fraction(&mut fixed);
        fixed
    } else {
        let mut mantissa = mantissa.to_string();
        trim_fraction(&mut mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Removes trailing zeros after a decimal point, and the point if nothing is left after it.
fn trim_fraction(text: &mut String) {
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g17_matches_c_printf() {
        // Expected values are glibc's printf("%.17g").
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (1.0, "1"),
            (-2.0, "-2"),
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (100.0, "100"),
            (123456789.0, "123456789"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1e-300, "1e-300"),
            (1e300, "1.0000000000000001e+300"),
            (123.456, "123.456"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (-1.25, "-1.25"),
            (3.0e-5, "3.0000000000000001e-05"),
            (99999999999999999.0, "1e+17"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_double(*value), *expected, "{value:e}");
        }
        assert_eq!(format_double(f64::NAN), "nan");
    }

    #[test]
    fn d2string_writes_small_integers_plainly() {
        assert_eq!(double_to_string(4503599627370495.0), "4503599627370495");
        assert_eq!(double_to_string(4503599627370496.0), "4503599627370496");
        assert_eq!(double_to_string(-7.0), "-7");
        assert_eq!(double_to_string(0.5), "0.5");
        assert_eq!(double_to_string(f64::INFINITY), "inf");
    }
}
