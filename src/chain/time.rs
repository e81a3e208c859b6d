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
    fn resolves() {
        assert_eq!(
            VerifyTime::at_unix(1_513_728_000).resolve(),
            Some(1_513_728_000)
        );
        assert_eq!(VerifyTime::AnyTime.resolve(), None);
        assert!(VerifyTime::Now.resolve().is_some_and(|t| t > 1_700_000_000));
    }
}
