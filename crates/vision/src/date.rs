//! Calendar dates without a clock or time zone: MRZ dates are plain days, and the
//! library only ever compares them with a "today" its caller supplies.

use std::fmt;

/// A valid Gregorian calendar day between the years 1 and 9999.
///
/// Fields are private so that every `Date` in the program is a real day: the field
/// order (year, month, day) makes the derived `Ord` chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Leap years of the proleptic Gregorian calendar.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` of `year`; 0 for a month outside 1–12.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The day, or `None` when it does not exist (30 February, month 13, year 0…).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Reads exactly `YYYY-MM-DD` (the form `Display` writes), nothing looser.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let year = digits(bytes.get(0..4)?)?;
        let month = digits(bytes.get(5..7)?)?;
        let day = digits(bytes.get(8..10)?)?;
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Whole years from `self` to `later`: the age on `later` of someone born on
    /// `self`. Negative when `later` comes first. Someone born on 29 February gains a
    /// year on 1 March in common years, the rule most civil codes use.
    pub fn whole_years_until(self, later: Date) -> i32 {
        if later < self {
            return -later.whole_years_until(self);
        }
        let mut years = i32::from(later.year) - i32::from(self.year);
        if (later.month, later.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// The same day `years` later (or earlier, when negative); 29 February becomes
    /// 28 February in a common year, so that "valid for N years" never overshoots.
    /// `None` outside the years 1–9999.
    pub fn add_years(self, years: i32) -> Option<Date> {
        let year = u16::try_from(i32::from(self.year).checked_add(years)?).ok()?;
        let day = self.day.min(days_in_month(year, self.month));
        Date::new(year, self.month, day)
    }
}

/// A run of ASCII digits as a number; `None` for anything else.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Serialized as the ISO string the spec's JSON shows (`"1974-08-12"`).
#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn calendar_validation() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2023, 4, 31).is_none());
        assert!(Date::new(2023, 12, 31).is_some());
        assert!(Date::new(2023, 13, 1).is_none());
        assert!(Date::new(2023, 0, 1).is_none());
        assert!(Date::new(2023, 1, 0).is_none());
        assert!(Date::new(0, 1, 1).is_none());
        assert!(Date::new(10000, 1, 1).is_none());
        assert!(Date::new(9999, 12, 31).is_some());
    }

    #[test]
    fn iso_round_trip() {
        let date = d(1974, 8, 12);
        assert_eq!(date.to_string(), "1974-08-12");
        assert_eq!(Date::parse_iso("1974-08-12"), Some(date));
        assert_eq!(d(7, 1, 2).to_string(), "0007-01-02");
        assert_eq!((date.year(), date.month(), date.day()), (1974, 8, 12));
    }

    #[test]
    fn iso_rejects_near_misses() {
        for text in [
            "1974-8-12",
            "1974-08-1",
            "1974/08/12",
            "1974-08-12 ",
            "+974-08-12",
            "1974-02-30",
            "0000-01-01",
            "",
            "1974-08-1é",
            "abcd-ef-gh",
        ] {
            assert_eq!(Date::parse_iso(text), None, "{text}");
        }
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(d(1974, 8, 12) < d(1974, 8, 13));
        assert!(d(1974, 8, 31) < d(1974, 9, 1));
        assert!(d(1974, 12, 31) < d(1975, 1, 1));
    }

    #[test]
    fn whole_years() {
        let birth = d(1974, 8, 12);
        assert_eq!(birth.whole_years_until(d(2024, 8, 11)), 49);
        assert_eq!(birth.whole_years_until(d(2024, 8, 12)), 50);
        assert_eq!(birth.whole_years_until(birth), 0);
        assert_eq!(d(2024, 8, 12).whole_years_until(birth), -50);
        let leapling = d(2004, 2, 29);
        assert_eq!(leapling.whole_years_until(d(2022, 2, 28)), 17);
        assert_eq!(leapling.whole_years_until(d(2022, 3, 1)), 18);
        assert_eq!(leapling.whole_years_until(d(2024, 2, 29)), 20);
    }

    #[test]
    fn adding_years() {
        assert_eq!(d(2014, 4, 15).add_years(10), Some(d(2024, 4, 15)));
        assert_eq!(d(2024, 2, 29).add_years(1), Some(d(2025, 2, 28)));
        assert_eq!(d(2024, 2, 29).add_years(4), Some(d(2028, 2, 29)));
        assert_eq!(d(2024, 2, 29).add_years(-24), Some(d(2000, 2, 29)));
        assert_eq!(d(9999, 1, 1).add_years(1), None);
        assert_eq!(d(1, 1, 1).add_years(-1), None);
        assert_eq!(d(1, 1, 1).add_years(i32::MAX), None);
    }
}
