//! ISO-8601 UTC timestamps with milliseconds (`2023-12-18T15:49:42.493Z`), without a
//! date crate: the access log's format, and the one Spring and ASP.NET dialects render;
//! and [`unix_now`], the whole seconds JWT claims and the state store count in.

use std::time::SystemTime;

/// Unix seconds now (0 before 1970: a clock that wrong fails every `exp` anyway).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// ISO-8601 UTC with milliseconds and `Z` (`2023-12-18T15:49:42.493Z`), as Spring and
/// Jackson render `Instant`s.
pub fn iso8601_millis(time: SystemTime) -> String {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let millis = since.subsec_millis();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm), so no date crate is needed for two timestamp formats.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iso_timestamps() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_702_914_582_493);
        assert_eq!(iso8601_millis(t), "2023-12-18T15:49:42.493Z");
        assert_eq!(
            iso8601_millis(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000Z"
        );
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(iso8601_millis(leap), "2000-02-29T00:00:00.000Z");
    }
}
