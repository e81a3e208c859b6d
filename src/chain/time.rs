//! The time certificates are checked at.

use std::time::{SystemTime, UNIX_EPOCH};

/// When certificate validity periods are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VerifyTime {
    /// The system clock at verification time (the default).
    #[default]
    Now,
    /// A fixed time (e.g. when a message was received, or for expired test material).
    At(SystemTime),
    /// Validity periods are not checked at all: an explicit opt-out.
    AnyTime,
}

impl VerifyTime {
    /// A fixed time, in seconds since the Unix epoch.
    pub fn at_unix(secs: u64) -> Self {
        VerifyTime::At(UNIX_EPOCH + std::time::Duration::from_secs(secs))
    }

    /// The time as seconds since the Unix epoch; `None` for [`VerifyTime::AnyTime`].
    pub(crate) fn resolve(&self) -> Option<u64> {
        let t = match self {
            VerifyTime::Now => SystemTime::now(),
            VerifyTime::At(t) => *t,
            VerifyTime::AnyTime => return None,
        };
        // Times before 1970 are clamped to 0 (every certificate is then not yet valid).
        Some(
            t.duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        )
    }
}

impl std::str::FromStr for VerifyTime {
    type Err = crate::Error;

    /// Parses an RFC 3339 time (`2017-12-20T10:00:00Z`, `2017-12-20T18:00:00+08:00`, fractional
    /// seconds ignored) or a plain date (`2017-12-20`, midnight UTC).
    fn from_str(text: &str) -> crate::Result<Self> {
        parse_rfc3339(text.trim())
            .map(VerifyTime::at_unix)
            .ok_or_else(|| {
                crate::Error::malformed("time", format!("{text:?} is not an RFC 3339 time"))
            })
    }
}

/// Seconds since the epoch for an RFC 3339 time or a `YYYY-MM-DD` date, if well-formed and not
/// before 1970.
fn parse_rfc3339(text: &str) -> Option<u64> {
    let num = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (date, rest) = match text.find(['T', 't', ' ']) {
        Some(i) => (text.get(..i)?, Some(text.get(i + 1..)?)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, mo, d) = (
        num(parts.next()?)?,
        num(parts.next()?)?,
        num(parts.next()?)?,
    );
    if parts.next().is_some() || date.len() != 10 {
        return None;
    }
    let (mut h, mut mi, mut sec, mut offset) = (0u32, 0u32, 0u32, 0i64);
    if let Some(rest) = rest {
        let (clock, zone) = if let Some(stripped) = rest.strip_suffix(['Z', 'z']) {
            (stripped, None)
        } else {
            let i = rest.rfind(['+', '-'])?;
            (rest.get(..i)?, Some(rest.get(i..)?))
        };
        let clock = clock.split('.').next()?;
        let mut c = clock.split(':');
        h = num(c.next()?)?;
        mi = num(c.next()?)?;
        sec = num(c.next()?)?;
        if c.next().is_some() {
            return None;
        }
        if let Some(zone) = zone {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let mut z = zone.get(1..)?.split(':');
            let (zh, zm) = (num(z.next()?)?, num(z.next()?)?);
            if zh > 23 || zm > 59 {
                return None;
            }
            offset = sign * (i64::from(zh) * 3600 + i64::from(zm) * 60);
        }
    }
    let year = u16::try_from(y).ok()?;
    let dt = der::DateTime::new(
        year,
        u8::try_from(mo).ok()?,
        u8::try_from(d).ok()?,
        u8::try_from(h).ok()?,
        u8::try_from(mi).ok()?,
        u8::try_from(sec).ok()?,
    )
    .ok()?;
    let utc = i64::try_from(dt.unix_duration().as_secs())
        .ok()?
        .checked_sub(offset)?;
    u64::try_from(utc).ok()
}

impl From<SystemTime> for VerifyTime {
    fn from(t: SystemTime) -> Self {
        VerifyTime::At(t)
    }
}

impl From<x509_cert::time::Time> for VerifyTime {
    fn from(t: x509_cert::time::Time) -> Self {
        VerifyTime::At(t.to_system_time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_and_dates() {
        let at = |s: &str| s.parse::<VerifyTime>().ok().and_then(|t| t.resolve());
        assert_eq!(at("2017-12-20"), Some(1_513_728_000));
        assert_eq!(at("2017-12-20T00:00:00Z"), Some(1_513_728_000));
        assert_eq!(at("2017-12-20T08:00:00+08:00"), Some(1_513_728_000));
        assert_eq!(at("2017-12-19T19:00:00.123-05:00"), Some(1_513_728_000));
        for bad in [
            "",
            "2017-13-01",
            "2017-12-20T25:00:00Z",
            "2017-12-20T10:00Z",
            "yesterday",
            "2017-1-2",
            "1969-12-31T00:00:00Z",
            "2017-12-20T00:00:00+24:00",
        ] {
            assert!(bad.parse::<VerifyTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn resolves() {
        assert_eq!(
            VerifyTime::at_unix(1_513_728_000).resolve(),
            Some(1_513_728_000)
        );
        assert_eq!(VerifyTime::AnyTime.resolve(), None);
        assert!(VerifyTime::Now.resolve().is_some_and(|t| t > 1_700_000_000));
    }
}
