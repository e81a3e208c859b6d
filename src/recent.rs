//! A small cache of values decoded from exact bytes: the type of a verifier's decoded-key and
//! certificate caches (each cache belongs to its owner; none is process-wide).
//!
//! A value is kept under the exact bytes it was decoded from, so a hit is what decoding those
//! bytes again would give. At most `max_entries` are kept, each key at most `max_bytes` long;
//! the cache is emptied when full (Huifu's traffic uses one or two keys and certificates, so a
//! least-recently-used order would buy nothing). Callers keep only values that decoded.

use std::sync::{Mutex, PoisonError};

/// Values by the exact bytes they were decoded from.
pub(crate) struct Recent<V> {
    entries: Mutex<Vec<(Vec<u8>, V)>>,
    max_entries: usize,
    max_bytes: usize,
}

impl<V: Clone> Recent<V> {
    /// An empty cache.
    pub(crate) fn new(max_entries: usize, max_bytes: usize) -> Self {
        Recent {
            entries: Mutex::new(Vec::new()),
            max_entries,
            max_bytes,
        }
    }

    /// The value kept for exactly `key`, if any.
    pub(crate) fn get(&self, key: &[u8]) -> Option<V> {
        if key.len() > self.max_bytes {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        Self::find(&entries, key)
    }

    /// Keeps `value` for `key` and returns what is kept: a value another caller kept meanwhile
    /// for the same bytes wins, so every caller shares one. Keys over `max_bytes` are not kept.
    pub(crate) fn put(&self, key: &[u8], value: V) -> V {
        if key.len() > self.max_bytes {
            return value;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = Self::find(&entries, key) {
            return kept;
        }
        if entries.len() >= self.max_entries {
            entries.clear();
        }
        entries.push((key.to_vec(), value.clone()));
        value
    }

    /// How many values are kept.
    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn find(entries: &[(Vec<u8>, V)], key: &[u8]) -> Option<V> {
        entries
            .iter()
            .find(|(k, _)| k.as_slice() == key)
            .map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_values_by_exact_bytes() {
        let cache = Recent::new(4, 8);
        assert_eq!(cache.get(b"a"), None);
        assert_eq!(cache.put(b"a", 1), 1);
        assert_eq!(cache.get(b"a"), Some(1));
        assert_eq!(cache.get(b"a\0"), None);
        // The first value kept for the same bytes is the one every caller gets.
        assert_eq!(cache.put(b"a", 2), 1);
    }

    #[test]
    fn is_emptied_when_full_and_skips_long_keys() {
        let cache = Recent::new(2, 3);
        cache.put(b"a", 1);
        cache.put(b"b", 2);
        cache.put(b"c", 3);
        assert_eq!((cache.get(b"a"), cache.get(b"b")), (None, None));
        assert_eq!(cache.get(b"c"), Some(3));
        assert_eq!(cache.put(b"long", 4), 4);
        assert_eq!(cache.get(b"long"), None);
    }
}
