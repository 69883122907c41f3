//! Time as every layer stores and shows it: Unix milliseconds, printed as RFC 3339 in UTC.
//! A leaf: it imports nothing of this crate.

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// A stored time as RFC 3339 in UTC with milliseconds, e.g. `2026-11-24T06:23:30.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok().and_then(|t| t.format(&format).ok()).unwrap_or_default()
}

/// Parses RFC 3339 into stored milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_through_rfc3339() {
        assert_eq!(rfc3339(1_719_814_489_123), "2024-07-01T06:14:49.123Z");
        assert_eq!(parse_rfc3339("2024-07-01T06:14:49.123Z"), Some(1_719_814_489_123));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
