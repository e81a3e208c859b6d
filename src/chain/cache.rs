//! A small cache of validated paths, so that a verifier that sees the same signer certificate again
//! (Huifu signs every answer with one certificate) skips the certificate signature checks.
//!
//! The cache belongs to one [`Verifier`](crate::verify::Verifier) (and its clones), whose trust
//! anchors and SHA-1 policy never change, so a path that validated once stays valid except for:
//!
//! - time: on every hit the signer's and the intermediates' validity periods are checked again at
//!   this verification's time, exactly as [`verify_path`] does (anchors are trusted as given, the
//!   signer is checked even when it is itself an anchor);
//! - the intermediates on hand: a hit is used only if every intermediate of the cached path is
//!   among this verification's candidates (the message's certificates and the verifier's extra
//!   certificates), so a message is never accepted through a certificate it did not bring.
//!
//! Anything else is a miss: the full [`verify_path`] runs and its result (a success) replaces the
//! entry. Failures are never cached. Keys are the signer certificate's exact DER; at most
//! [`MAX_ENTRIES`] paths are kept (the cache is emptied when full).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::ParsedCertificate;
use super::path::{PathOptions, check_validity, verify_path};
use crate::Result;

/// The most paths one cache holds.
pub const MAX_ENTRIES: usize = 64;

/// Validated paths keyed by the signer certificate's DER.
pub(crate) struct PathCache {
    paths: Mutex<HashMap<Vec<u8>, Arc<Vec<ParsedCertificate>>>>,
    max_entries: usize,
}

impl Default for PathCache {
    fn default() -> Self {
        PathCache::with_max_entries(MAX_ENTRIES)
    }
}

impl fmt::Debug for PathCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PathCache")
            .field("entries", &self.len())
            .finish()
    }
}

impl PathCache {
    /// An empty cache holding at most `max_entries` paths (at least one).
    pub(crate) fn with_max_entries(max_entries: usize) -> Self {
        PathCache {
            paths: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(1),
        }
    }

    /// [`verify_path`], answered from the cache when a cached path still holds.
    pub(crate) fn verify_path(
        &self,
        leaf: &ParsedCertificate,
        opts: &PathOptions<'_>,
    ) -> Result<Vec<ParsedCertificate>> {
        let cached = self
            .paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(leaf.der())
            .cloned();
        if let Some(path) = cached
            && still_holds(&path, opts)
        {
            return Ok(path.as_ref().clone());
        }
        let path = verify_path(leaf, opts)?;
        let mut paths = self.paths.lock().unwrap_or_else(PoisonError::into_inner);
        if paths.len() >= self.max_entries && !paths.contains_key(leaf.der()) {
            paths.clear();
        }
        paths.insert(leaf.der().to_vec(), Arc::new(path.clone()));
        Ok(path)
    }

    /// How many paths are cached.
    pub(crate) fn len(&self) -> usize {
        self.paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The time and intermediate conditions under which a cached path (signer first, anchor last) is
/// the answer [`verify_path`] would give.
fn still_holds(path: &[ParsedCertificate], opts: &PathOptions<'_>) -> bool {
    let Some((leaf, rest)) = path.split_first() else {
        return false;
    };
    if check_validity(leaf, opts.time).is_err() {
        return false;
    }
    // rest = intermediates…, anchor (empty when the signer is itself an anchor).
    let intermediates = match rest.split_last() {
        Some((_anchor, intermediates)) => intermediates,
        None => &[],
    };
    intermediates.iter().all(|cert| {
        check_validity(cert, opts.time).is_ok()
            && opts.intermediates.iter().any(|c| c.der() == cert.der())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ChainError, Error};

    fn cert(name: &str) -> ParsedCertificate {
        let path = format!("vectors/chain/{name}.cer");
        ParsedCertificate::from_der(&std::fs::read(path).unwrap()).unwrap()
    }

    const T2030: u64 = 1_893_456_000;
    const T2050: u64 = 2_524_608_000;

    fn opts<'a>(
        time: u64,
        anchors: &'a [ParsedCertificate],
        inters: &'a [&'a ParsedCertificate],
    ) -> PathOptions<'a> {
        PathOptions {
            time: Some(time),
            allow_sha1: false,
            anchors,
            intermediates: inters,
            limits: Box::leak(Box::default()),
            keys: crate::rsa_key::KeySource::Decode(crate::engine::Engine::Auto),
        }
    }

    #[test]
    fn a_hit_gives_the_same_path() {
        let cache = PathCache::default();
        let anchors = vec![cert("root")];
        let oca = cert("oca");
        let inters = vec![&oca];
        let leaf = cert("huifu");
        let first = cache
            .verify_path(&leaf, &opts(T2030, &anchors, &inters))
            .unwrap();
        assert_eq!(cache.len(), 1);
        let second = cache
            .verify_path(&leaf, &opts(T2030, &anchors, &inters))
            .unwrap();
        let ders = |p: &[ParsedCertificate]| p.iter().map(|c| c.der().to_vec()).collect::<Vec<_>>();
        assert_eq!(ders(&first), ders(&second));
        assert_eq!(first.len(), 3);
    }

    #[test]
    fn a_hit_needs_the_intermediates_again() {
        let cache = PathCache::default();
        let anchors = vec![cert("root")];
        let oca = cert("oca");
        let leaf = cert("huifu");
        cache
            .verify_path(&leaf, &opts(T2030, &anchors, &[&oca]))
            .unwrap();
        match cache.verify_path(&leaf, &opts(T2030, &anchors, &[])) {
            Err(Error::Chain(ChainError::UnknownIssuer { .. })) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_hit_checks_the_time_again() {
        let cache = PathCache::default();
        let anchors = vec![cert("root")];
        let oca = cert("oca");
        let leaf = cert("huifu");
        cache
            .verify_path(&leaf, &opts(T2030, &anchors, &[&oca]))
            .unwrap();
        assert!(matches!(
            cache.verify_path(&leaf, &opts(T2050, &anchors, &[&oca])),
            Err(Error::Chain(ChainError::Expired { .. }))
        ));
        // A signer that is itself an anchor is still checked for validity.
        let cache = PathCache::default();
        let self_anchored = vec![cert("huifu")];
        cache
            .verify_path(&leaf, &opts(T2030, &self_anchored, &[]))
            .unwrap();
        assert!(
            cache
                .verify_path(&leaf, &opts(T2050, &self_anchored, &[]))
                .is_err()
        );
    }

    #[test]
    fn failures_are_not_cached_and_the_size_is_bounded() {
        let cache = PathCache::default();
        let anchors = vec![cert("root")];
        let oca = cert("oca");
        assert!(
            cache
                .verify_path(&cert("wrongku"), &opts(T2030, &anchors, &[&oca]))
                .is_err()
        );
        assert_eq!(cache.len(), 0);
        for name in ["huifu", "merchant", "merchant1024", "merchant3072"] {
            cache
                .verify_path(&cert(name), &opts(T2030, &anchors, &[&oca]))
                .unwrap();
        }
        assert_eq!(cache.len(), 4);
        let small = PathCache::with_max_entries(2);
        for (i, name) in ["huifu", "merchant", "merchant1024"].iter().enumerate() {
            small
                .verify_path(&cert(name), &opts(T2030, &anchors, &[&oca]))
                .unwrap();
            assert_eq!(small.len(), [1, 2, 1][i]);
        }
    }
}
