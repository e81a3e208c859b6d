use super::*;

fn assert_send_sync<T: Send + Sync + Clone>() {}

#[test]
fn verifier_is_send_sync() {
    assert_send_sync::<Verifier>();
}

const ATTR: &[u8] = include_bytes!("../../vectors/p7/huifu-attr.p7b");

#[test]
fn unsorted_signed_attributes_still_verify() {
    let p = parse::parse(ATTR).unwrap();
    let der = p.signer_infos[0].signed_attributes.clone().unwrap().der;
    let at = ATTR
        .windows(der.len() - 1)
        .position(|w| w == &der[1..])
        .unwrap()
        - 1;
    let set = crate::asn1::Reader::new(&der).next().unwrap();
    let offset = der.len() - set.value.len();
    let mut elements = Vec::new();
    let mut r = set.children();
    while !r.is_empty() {
        elements.push(r.next().unwrap().raw.to_vec());
    }
    assert!(elements.len() >= 3);
    elements.reverse();
    let reordered: Vec<u8> = elements.concat();
    let mut msg = ATTR.to_vec();
    msg[at + offset..at + offset + reordered.len()].copy_from_slice(&reordered);
    let reparsed = parse::parse(&msg).unwrap();
    assert!(
        reparsed.signer_infos[0]
            .signed_attributes
            .as_ref()
            .unwrap()
            .der_sorted
            .is_some()
    );
    let v = Verifier::builder().no_chain().build().unwrap();
    assert!(v.verify(&msg).is_ok());
}

#[test]
fn the_path_cache_serves_the_same_signer_and_still_needs_its_intermediates() {
    let file = |n: &str| std::fs::read(format!("vectors/{n}")).unwrap();
    let mut root = TrustStore::new();
    root.add_der(&file("chain/root.cer")).unwrap();
    let chained = file("p7/huifu-chain.p7b"); // carries the OCA
    let bare = file("p7/huifu-noattr.p7b"); // signer certificate only
    for cached in [true, false] {
        let v = Verifier::builder()
            .trust(root.clone())
            .time(VerifyTime::at_unix(1_893_456_000))
            .chain_cache(cached)
            .build()
            .unwrap();
        let first = v.verify(&chained).unwrap();
        let again = v.clone().verify(&chained).unwrap();
        assert_eq!(first.chain.len(), 3);
        assert_eq!(first.chain, again.chain);
        let entries = v.config.path_cache.as_ref().map(PathCache::len);
        assert_eq!(entries, cached.then_some(1));
        // The same signer without the intermediate: still unknown issuer.
        assert!(matches!(
            v.verify(&bare),
            Err(Error::Chain(crate::ChainError::UnknownIssuer { .. }))
        ));
        // Expired at a later time, cache or not.
        let later = Verifier::builder()
            .trust(root.clone())
            .time(VerifyTime::at_unix(2_524_608_000))
            .chain_cache(cached)
            .build()
            .unwrap();
        assert!(later.verify(&chained).is_err());
    }
}

#[test]
fn every_engine_verifies_alike() {
    let file = |n: &str| std::fs::read(format!("vectors/{n}")).unwrap();
    let mut root = TrustStore::new();
    root.add_der(&file("chain/root.cer")).unwrap();
    let chained = file("p7/huifu-chain.p7b");
    let mut tampered = chained.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1; // the last byte of the signature
    for engine in [
        Engine::Auto,
        Engine::Portable,
        Engine::Ifma,
        Engine::RsaCrate,
    ] {
        let built = Verifier::builder()
            .trust(root.clone())
            .time(VerifyTime::at_unix(1_893_456_000))
            .chain_cache(false)
            .engine(engine)
            .build();
        let v = match built {
            Ok(v) => v,
            Err(Error::EngineUnavailable(e)) => {
                assert!(e == Engine::Ifma.name() && !crate::engine::ifma_available());
                continue;
            }
            Err(e) => panic!("{engine}: {e}"),
        };
        assert_eq!(v.verify(&chained).unwrap().chain.len(), 3, "{engine}");
        assert!(
            matches!(v.verify(&tampered), Err(Error::SignatureMismatch)),
            "{engine}"
        );
    }
}

#[test]
fn builder_needs_trust_or_no_chain() {
    assert!(matches!(
        Verifier::builder().build(),
        Err(Error::NoTrustAnchors)
    ));
    assert!(matches!(
        Verifier::builder().trust(TrustStore::new()).build(),
        Err(Error::NoTrustAnchors)
    ));
    assert!(Verifier::builder().no_chain().build().is_ok());
}
