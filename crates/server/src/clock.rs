//! Time, passed in: domain code asks the clock it is given, never the system directly,
//! so that expiry and retention are testable without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

/// Unix time in milliseconds, the unit the database stores.
pub type Millis = i64;

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const DAY: Millis = 24 * 60 * MINUTE;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        jiff::Timestamp::now().as_millisecond()
    }
}

/// A clock that moves only when told (tests).
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        Self(AtomicI64::new(start))
    }

    /// Starts at the real time, so that timestamps look current.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    pub fn advance(&self, by: Millis) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// RFC 3339 in UTC with whole seconds (`2026-11-22T10:00:00Z`), as the spec shows.
pub fn rfc3339(at: Millis) -> String {
    jiff::Timestamp::from_second(at.div_euclid(SECOND))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string()
}

/// The UTC calendar day of `at`, as the vision crate's `Date` ("today" of an evaluation).
pub fn utc_date(at: Millis) -> kyc_vision::Date {
    let ts = jiff::Timestamp::from_millisecond(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let date = ts.to_zoned(jiff::tz::TimeZone::UTC).date();
    let year = u16::try_from(date.year()).unwrap_or(1970);
    let month = u8::try_from(date.month()).unwrap_or(1);
    let day = u8::try_from(date.day()).unwrap_or(1);
    kyc_vision::Date::new(year, month, day)
        .or_else(|| kyc_vision::Date::new(1970, 1, 1))
        .unwrap_or_else(epoch_date)
}

#[allow(clippy::unwrap_used)] // a literal valid date: cannot fail
fn epoch_date() -> kyc_vision::Date {
    kyc_vision::Date::parse_iso("1970-01-01").unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_whole_seconds_in_utc() {
        assert_eq!(rfc3339(1_795_341_600_999), "2026-11-22T10:00:00Z");
        assert_eq!(utc_date(1_795_341_600_999).to_string(), "2026-11-22");
    }
}
