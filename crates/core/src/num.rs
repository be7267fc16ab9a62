//! Exact fixed-point numbers with two decimals: [`Money`] (öre) and [`Qty`]
//! (hundredths of an hour, a day or a count).
//!
//! Rule (docs/pengar.md): amounts are stored and summed as integer öre, never
//! as floating point. Rounding happens only when a value is displayed in a
//! coarser unit (kr, tkr, mnkr) and is *half away from zero*.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// Why a text could not be read as a number with at most two decimals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumError {
    Empty,
    NotANumber,
    TooManyDecimals,
    /// An amount beyond [`MAX_AMOUNT_ORE`] (or beyond i64 for other numbers).
    TooLarge,
    /// A quantity beyond [`MAX_QTY_HUNDREDTHS`].
    QtyTooLarge,
}

/// The largest amount any one value may have, in öre: 1 000 000 000 000 kr
/// (10^12 kr, docs/regler.md "Gränser för belopp"). Far above any municipal
/// budget and far below where sums in i64 öre could overflow; every import,
/// model price, forecast, effect and register amount is checked against it.
pub const MAX_AMOUNT_ORE: i64 = 100_000_000_000_000;

/// The largest magnitude a report may sum to, in öre: 10^15 kr. A report
/// whose inputs add up (in absolute value) beyond this is refused with a
/// Swedish message instead of being computed, so no sum in it can overflow.
pub const MAX_TOTAL_ORE: i64 = 100_000_000_000_000_000;

/// The largest quantity (hours, days, points, places) of one value, in
/// hundredths: 10 000 000.
pub const MAX_QTY_HUNDREDTHS: i64 = 1_000_000_000;

/// The Swedish message for a report whose sums would exceed [`MAX_TOTAL_ORE`].
pub fn total_too_large(what: &str) -> String {
    format!(
        "Beloppen i {what} är för stora för att summeras säkert: summan av beloppen överstiger \
         1 000 000 000 000 000 kr. Något belopp i underlaget är orimligt stort (gränsen per belopp \
         är 1 000 000 000 000 kr); rätta eller ångra importen som lade in det (se `resurs import list`)."
    )
}

/// Adds the magnitudes of `values` with checked arithmetic; `None` when the
/// total exceeds [`MAX_TOTAL_ORE`].
pub fn checked_magnitude(values: impl IntoIterator<Item = i64>) -> Option<i64> {
    let mut total: i64 = 0;
    for v in values {
        total = total.checked_add(v.checked_abs()?)?;
        if total > MAX_TOTAL_ORE {
            return None;
        }
    }
    Some(total)
}

impl NumError {
    /// Swedish description of what was expected, for import messages.
    pub fn expected(&self) -> &'static str {
        match self {
            NumError::Empty => "ett tal (fältet är tomt)",
            NumError::NotANumber => "ett tal, t.ex. 1 234,50",
            NumError::TooManyDecimals => "högst två decimaler",
            NumError::TooLarge => "ett belopp mellan -1 000 000 000 000 och 1 000 000 000 000 kr",
            NumError::QtyTooLarge => "ett tal mellan -10 000 000 och 10 000 000",
        }
    }
}

/// Reads a Swedish-formatted number into hundredths.
///
/// Accepts an optional sign (`-`, `+` or the typographic minus `−`), digits
/// grouped with spaces or no-break spaces, and a decimal comma. A decimal
/// point is accepted when there is no comma (exports from English systems).
pub fn parse_hundredths(s: &str) -> Result<i64, NumError> {
    parse_fixed(s, 2)
}

/// Reads a Swedish-formatted number scaled by `10^decimals` (at most that
/// many significant decimals), e.g. `0,615` with 4 decimals → 6150.
pub fn parse_fixed(s: &str, decimals: u32) -> Result<i64, NumError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NumError::Empty);
    }
    let (neg, rest) = if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('\u{2212}') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else {
        (false, s)
    };
    let has_comma = rest.contains(',');
    let mut int: i64 = 0;
    let mut frac: i64 = 0;
    let mut frac_digits = 0u32;
    let mut in_frac = false;
    let mut any_digit = false;
    let mut last_was_sep = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => {
                any_digit = true;
                last_was_sep = false;
                let d = (c as u8 - b'0') as i64;
                if in_frac {
                    frac_digits += 1;
                    if frac_digits > decimals {
                        if d != 0 {
                            return Err(NumError::TooManyDecimals);
                        }
                        continue;
                    }
                    frac = frac * 10 + d;
                } else {
                    int = int
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(d))
                        .ok_or(NumError::TooLarge)?;
                }
            }
            ',' if !in_frac => {
                if !any_digit && last_was_sep {
                    return Err(NumError::NotANumber);
                }
                in_frac = true;
            }
            '.' if !in_frac && !has_comma => in_frac = true,
            ' ' | '\u{a0}' | '\u{202f}' if !in_frac && any_digit => last_was_sep = true,
            _ => return Err(NumError::NotANumber),
        }
    }
    if !any_digit || last_was_sep {
        return Err(NumError::NotANumber);
    }
    let frac_digits = frac_digits.min(decimals);
    for _ in frac_digits..decimals {
        frac *= 10;
    }
    let v = int
        .checked_mul(10i64.pow(decimals))
        .and_then(|v| v.checked_add(frac))
        .ok_or(NumError::TooLarge)?;
    Ok(if neg { -v } else { v })
}

/// Writes hundredths with a space as thousands separator and a decimal comma.
pub fn format_hundredths(v: i64, decimals: u32) -> String {
    let neg = v < 0;
    let a = v.unsigned_abs();
    let (int, frac) = match decimals {
        0 => (div_round(a, 100), 0),
        1 => (div_round(a, 10) / 10, div_round(a, 10) % 10),
        _ => (a / 100, a % 100),
    };
    let mut s = group_thousands(int);
    match decimals {
        0 => {}
        1 => s.push_str(&format!(",{frac}")),
        _ => s.push_str(&format!(",{frac:02}")),
    }
    if neg && (int != 0 || frac != 0) {
        s.insert(0, '-');
    }
    s
}

/// Half-away-from-zero division of an unsigned magnitude.
fn div_round(a: u64, d: u64) -> u64 {
    (a + d / 2) / d
}

/// `1234567` → `1 234 567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// An exact amount of Swedish kronor, held as integer öre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_ore(ore: i64) -> Money {
        Money(ore)
    }
    pub const fn from_kr(kr: i64) -> Money {
        Money(kr * 100)
    }
    pub const fn ore(self) -> i64 {
        self.0
    }
    /// Parses a Swedish amount such as `-1 234,50`.
    /// Amounts beyond [`MAX_AMOUNT_ORE`] are [`NumError::TooLarge`].
    pub fn parse_sv(s: &str) -> Result<Money, NumError> {
        let ore = parse_hundredths(s)?;
        Money::bounded(ore).ok_or(NumError::TooLarge)
    }
    /// `ore` when it is within [`MAX_AMOUNT_ORE`] either way.
    pub fn bounded(ore: i64) -> Option<Money> {
        (ore.checked_abs()? <= MAX_AMOUNT_ORE).then_some(Money(ore))
    }
    /// The amount that stands for an overflow in [`Add`], [`Sub`], [`Sum`]
    /// and [`Money::times_qty`]: sticky (anything added to it stays it), so
    /// a sum that overflowed once is never a wrapped value; reports check
    /// [`Money::is_overflow`] (or their total against [`MAX_TOTAL_ORE`]).
    pub const OVERFLOW: Money = Money(i64::MIN);
    /// Whether this amount is [`Money::OVERFLOW`] or beyond [`MAX_TOTAL_ORE`].
    pub fn is_overflow(self) -> bool {
        self.0 == i64::MIN || self.0.abs() > MAX_TOTAL_ORE
    }
    fn op(a: Money, b: Money, f: fn(i64, i64) -> Option<i64>) -> Money {
        if a == Money::OVERFLOW || b == Money::OVERFLOW {
            return Money::OVERFLOW;
        }
        f(a.0, b.0).filter(|&v| v != i64::MIN).map_or(Money::OVERFLOW, Money)
    }
    /// Whole kronor, rounded half away from zero.
    pub fn round_kr(self) -> i64 {
        round_div(self.0, 100)
    }
    /// Thousands of kronor (tkr), rounded half away from zero.
    pub fn round_tkr(self) -> i64 {
        round_div(self.0, 100_000)
    }
    /// `1 234,50 kr`
    pub fn fmt_kr(self) -> String {
        format!("{} kr", format_hundredths(self.0, 2))
    }
    /// `1 059 tkr`
    pub fn fmt_tkr(self) -> String {
        let t = self.round_tkr();
        let s = group_thousands(t.unsigned_abs());
        if t < 0 {
            format!("-{s} tkr")
        } else {
            format!("{s} tkr")
        }
    }
    /// `27,6 mnkr`
    pub fn fmt_mnkr(self) -> String {
        // tenths of a million kronor = 10 000 000 öre
        let tenths = round_div(self.0, 10_000_000);
        format!("{} mnkr", format_hundredths(tenths * 10, 1))
    }
    pub fn checked_add(self, o: Money) -> Option<Money> {
        Some(Money::op(self, o, i64::checked_add)).filter(|m| *m != Money::OVERFLOW)
    }
    /// Amount × quantity (quantity in hundredths), rounded to whole öre half
    /// away from zero; [`Money::OVERFLOW`] when it does not fit.
    pub fn times_qty(self, q: Qty) -> Money {
        if self == Money::OVERFLOW {
            return Money::OVERFLOW;
        }
        Money(round_div_i128(self.0 as i128 * q.0 as i128, 100))
    }
}

/// Integer division rounding half away from zero.
pub fn round_div(n: i64, d: i64) -> i64 {
    round_div_i128(n as i128, d as i128)
}

/// Rounded quotient; a quotient beyond i64 saturates to `i64::MIN` (which
/// is [`Money::OVERFLOW`] where the caller is an amount).
fn round_div_i128(n: i128, d: i128) -> i64 {
    let q = n / d;
    let r = n % d;
    let adj = if (r.abs() * 2) >= d.abs() {
        if (n < 0) ^ (d < 0) {
            -1
        } else {
            1
        }
    } else {
        0
    };
    i64::try_from(q + adj).unwrap_or(i64::MIN)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0, 2))
    }
}

// Checked arithmetic: an overflow gives the sticky [`Money::OVERFLOW`],
// never a wrapped value and never a panic.
impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money::op(self, o, i64::checked_add)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money::op(self, o, i64::checked_sub)
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        // OVERFLOW (i64::MIN) has no negation and stays itself.
        self.0.checked_neg().map_or(Money::OVERFLOW, Money)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        *self = *self + o
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        *self = *self - o
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(it: I) -> Money {
        it.fold(Money::ZERO, |a, b| a + b)
    }
}

/// An exact quantity with two decimals: hours, days, points or places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Qty(i64);

impl Qty {
    pub const ZERO: Qty = Qty(0);
    pub const fn from_hundredths(h: i64) -> Qty {
        Qty(h)
    }
    pub const fn whole(n: i64) -> Qty {
        Qty(n * 100)
    }
    pub const fn hundredths(self) -> i64 {
        self.0
    }
    /// Minutes as hours with two decimals, rounded half away from zero.
    pub fn from_minutes(min: i64) -> Qty {
        Qty(round_div(min * 100, 60))
    }
    /// Quantities beyond [`MAX_QTY_HUNDREDTHS`] are [`NumError::QtyTooLarge`].
    pub fn parse_sv(s: &str) -> Result<Qty, NumError> {
        let h = parse_hundredths(s).map_err(|e| match e {
            NumError::TooLarge => NumError::QtyTooLarge,
            e => e,
        })?;
        if h.checked_abs().is_none_or(|a| a > MAX_QTY_HUNDREDTHS) {
            return Err(NumError::QtyTooLarge);
        }
        Ok(Qty(h))
    }
    /// With a fixed number of decimals (0–2), rounded half away from zero.
    pub fn fmt_fixed(self, decimals: u32) -> String {
        format_hundredths(self.0, decimals)
    }
    /// `12,5` style, trailing zero decimals removed.
    pub fn fmt_sv(self) -> String {
        let s = format_hundredths(self.0, 2);
        match s.strip_suffix(",00") {
            Some(t) => t.to_string(),
            None => s.strip_suffix('0').map(str::to_string).unwrap_or(s),
        }
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fmt_sv())
    }
}
impl Add for Qty {
    type Output = Qty;
    /// Saturating: quantities are bounded on import, so only absurd stored
    /// data reaches the bounds, and then never as a wrapped value.
    fn add(self, o: Qty) -> Qty {
        Qty(self.0.saturating_add(o.0))
    }
}
impl Sum for Qty {
    fn sum<I: Iterator<Item = Qty>>(it: I) -> Qty {
        it.fold(Qty::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_swedish_amounts() {
        let cases: &[(&str, Result<i64, NumError>, &str)] = &[
            ("1 234,50", Ok(123_450), "space thousands, decimal comma"),
            ("1\u{a0}234,5", Ok(123_450), "no-break space from Excel"),
            ("-723", Ok(-72_300), "negative whole kronor"),
            ("\u{2212}12,05", Ok(-1_205), "typographic minus"),
            ("866.25", Ok(86_625), "decimal point when there is no comma"),
            ("0,1", Ok(10), "one decimal"),
            ("12,340", Ok(1_234), "trailing zero beyond öre is harmless"),
            ("12,345", Err(NumError::TooManyDecimals), "a third significant decimal"),
            ("12 kr", Err(NumError::NotANumber), "unit text"),
            ("1.234,50", Err(NumError::NotANumber), "point as thousands separator"),
            ("", Err(NumError::Empty), "empty"),
            ("abc", Err(NumError::NotANumber), "letters"),
            ("1 ", Ok(100), "trailing space trimmed"),
        ];
        for (input, want, why) in cases {
            assert_eq!(&parse_hundredths(input), want, "{why}: {input:?}");
        }
        assert_eq!(parse_fixed("0,615", 4), Ok(6_150));
        assert_eq!(parse_fixed("40,15", 4), Ok(401_500));
        assert_eq!(parse_fixed("0,61234", 4), Err(NumError::TooManyDecimals));
    }

    #[test]
    fn displays_in_swedish_units() {
        assert_eq!(Money::from_kr(1_059_000).fmt_tkr(), "1 059 tkr");
        assert_eq!(Money::from_kr(27_600_000).fmt_mnkr(), "27,6 mnkr");
        assert_eq!(Money::from_ore(123_450).fmt_kr(), "1 234,50 kr");
        assert_eq!(Money::from_ore(-50).to_string(), "-0,50");
        assert_eq!(Money::from_kr(-1_500).fmt_tkr(), "-2 tkr");
        assert_eq!(Money::from_kr(1_499).fmt_tkr(), "1 tkr");
        assert_eq!(Money::from_kr(0).fmt_mnkr(), "0,0 mnkr");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        let cases = [
            (25, 10, 3),
            (-25, 10, -3),
            (249, 100, 2),
            (-150, 100, -2),
            (149, 100, 1),
        ];
        for (n, d, want) in cases {
            assert_eq!(round_div(n, d), want, "{n}/{d}");
        }
        // 7,5 h at 412,37 kr/h = 3 092,775 kr → 3 092,78 kr
        let m = Money::from_ore(41_237).times_qty(Qty::from_hundredths(750));
        assert_eq!(m, Money::from_ore(309_278));
    }

    #[test]
    fn amounts_beyond_the_limit_are_refused_and_sums_never_wrap() {
        // (input, result) at and around the documented limit of 10^12 kr.
        let cases: &[(&str, Result<i64, NumError>)] = &[
            ("1 000 000 000 000", Ok(MAX_AMOUNT_ORE)),
            ("-1 000 000 000 000", Ok(-MAX_AMOUNT_ORE)),
            ("1 000 000 000 000,01", Err(NumError::TooLarge)),
            ("-1 000 000 000 000,01", Err(NumError::TooLarge)),
            ("92233720368547758,07", Err(NumError::TooLarge)),
            ("99999999999999999999", Err(NumError::TooLarge)),
        ];
        for (input, want) in cases {
            assert_eq!(&Money::parse_sv(input).map(Money::ore), want, "{input}");
        }
        assert_eq!(Qty::parse_sv("10 000 000"), Ok(Qty::whole(10_000_000)));
        assert_eq!(Qty::parse_sv("10 000 000,01"), Err(NumError::QtyTooLarge));
        // Overflow is sticky, in every operation, never a wrap or a panic.
        let big = Money::from_ore(i64::MAX - 1);
        let cases: &[(Money, &str)] = &[
            (big + big, "add"),
            (-big - big, "sub"),
            (big + big - big, "sticky after add"),
            (-(big + big), "neg of overflow"),
            ([big, big, Money::from_ore(-5)].into_iter().sum(), "sum"),
            (big.times_qty(Qty::whole(2)), "times_qty"),
            (-Money::OVERFLOW, "neg"),
        ];
        for (m, why) in cases {
            assert_eq!(*m, Money::OVERFLOW, "{why}");
            assert!(m.is_overflow(), "{why}");
        }
        let mut m = big;
        m += big;
        assert!(m.is_overflow());
        assert_eq!(big.checked_add(big), None);
        assert!(Money::from_ore(MAX_TOTAL_ORE + 1).is_overflow());
        assert!(!Money::from_ore(MAX_TOTAL_ORE).is_overflow());
        assert_eq!(checked_magnitude([MAX_TOTAL_ORE, 0]), Some(MAX_TOTAL_ORE));
        assert_eq!(checked_magnitude([MAX_TOTAL_ORE, -1]), None);
        assert_eq!(checked_magnitude([i64::MIN]), None);
    }

    #[test]
    fn sums_are_exact() {
        // 0,10 added ten times is exactly 1,00 (a float would not be).
        let total: Money = std::iter::repeat_n(Money::from_ore(10), 10).sum();
        assert_eq!(total, Money::from_kr(1));
        assert_eq!(Qty::from_minutes(90), Qty::from_hundredths(150));
        assert_eq!(Qty::from_minutes(20).fmt_sv(), "0,33");
        assert_eq!(Qty::whole(12).fmt_sv(), "12");
        assert_eq!(Qty::from_hundredths(1250).fmt_sv(), "12,5");
        assert_eq!(Qty::from_hundredths(200).fmt_fixed(1), "2,0");
        assert_eq!(Qty::from_hundredths(7_345_678).fmt_fixed(1), "73 456,8");
    }
}
