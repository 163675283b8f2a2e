//! UTC timestamps truncated to microseconds, and the injectable [`Clock`].
//!
//! PostgreSQL `TIMESTAMP` keeps microseconds while SQLite keeps whatever text it is given, so
//! every timestamp is truncated to microseconds when it is made: a value read back from either
//! backend equals the value written.

use std::fmt;
use std::sync::Mutex;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A point in time, in UTC, with microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(PrimitiveDateTime);

impl Timestamp {
    /// Truncates to microseconds and normalises to UTC.
    pub fn from_offset(at: OffsetDateTime) -> Timestamp {
        let utc = at.to_offset(UtcOffset::UTC);
        let micros = utc.microsecond();
        let truncated = utc.replace_nanosecond(micros * 1_000).unwrap_or(utc);
        Timestamp(PrimitiveDateTime::new(truncated.date(), truncated.time()))
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix(seconds: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Timestamp::from_offset)
    }

    /// The value as stored in the database (naive UTC).
    pub fn as_primitive(self) -> PrimitiveDateTime {
        self.0
    }

    /// The value as an offset date-time in UTC.
    pub fn as_offset(self) -> OffsetDateTime {
        self.0.assume_utc()
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.as_offset().unix_timestamp()
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        (self.as_offset().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Microseconds since the Unix epoch (the keyset value of cursors).
    pub fn unix_micros(self) -> i64 {
        (self.as_offset().unix_timestamp_nanos() / 1_000) as i64
    }

    /// From microseconds since the Unix epoch.
    pub fn from_unix_micros(micros: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).ok().map(Timestamp::from_offset)
    }

    /// RFC 3339 with a `Z` offset, e.g. `2021-04-22T14:34:28.601088Z`.
    pub fn rfc3339(self) -> String {
        self.as_offset().format(&Rfc3339).unwrap_or_default()
    }

    /// Axual's local date-time: ISO-8601 without an offset, as Java's `ISO_LOCAL_DATE_TIME`
    /// prints it: the fraction only as long as it needs to be (`2021-04-22T14:34:28.601088`,
    /// `2038-05-24T10:34:14` for a certificate's whole-second expiry).
    pub fn local_iso(self) -> String {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]");
        let full = self.0.format(&format).unwrap_or_default();
        full.trim_end_matches('0').trim_end_matches('.').to_owned()
    }

    /// The HTTP date of `Last-Modified` (RFC 7231 IMF-fixdate), e.g. `Thu, 07 Jun 2018 23:16:23 GMT`.
    pub fn http_date(self) -> String {
        let format =
            format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");
        self.0.format(&format).unwrap_or_default()
    }

    /// Parses an RFC 3339 / RFC 2822 value (used by tests and by clients sending dates).
    pub fn parse(value: &str) -> Option<Timestamp> {
        OffsetDateTime::parse(value, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(value, &Rfc2822))
            .ok()
            .map(Timestamp::from_offset)
    }

    /// This timestamp moved by `delta`.
    pub fn plus(self, delta: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(delta))
    }
}

impl From<PrimitiveDateTime> for Timestamp {
    fn from(value: PrimitiveDateTime) -> Self {
        Timestamp::from_offset(value.assume_utc())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// Where "now" comes from. Services hold one, so tests can fix or advance time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    fn now(&self) -> Timestamp {
        Timestamp::from_offset(OffsetDateTime::now_utc())
    }
}

/// A clock that stands still until it is told to move (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// Moves the clock forward by `delta`.
    pub fn advance(&self, delta: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = now.plus(delta);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let at = Timestamp::from_offset(datetime!(2021-04-22 14:34:28.601088999 UTC));
        assert_eq!(at.local_iso(), "2021-04-22T14:34:28.601088");
        let whole = Timestamp::from_unix(2_158_655_654).unwrap();
        assert_eq!(whole.local_iso(), "2038-05-28T10:34:14", "no fraction for whole seconds");
        let tenths = Timestamp::from_unix_micros(1_619_102_068_500_000).unwrap();
        assert!(tenths.local_iso().ends_with(":28.5"), "{}", tenths.local_iso());
        assert_eq!(at.rfc3339(), "2021-04-22T14:34:28.601088Z");
        assert_eq!(Timestamp::from_unix_micros(at.unix_micros()), Some(at));
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let at = Timestamp::from_offset(datetime!(2018-06-08 01:16:23 +2));
        assert_eq!(at.http_date(), "Thu, 07 Jun 2018 23:16:23 GMT");
        assert_eq!(at.unix_millis() % 1000, 0);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_offset(datetime!(2026-01-01 0:00 UTC)));
        let before = clock.now();
        clock.advance(Duration::seconds(90));
        assert_eq!(clock.now().unix() - before.unix(), 90);
    }
}
