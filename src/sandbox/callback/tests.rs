use super::*;

#[test]
fn the_acknowledgement_is_matched_whole() {
    let ack = b"RECV_ORD_ID_CBsub";
    for body in [
        &b"RECV_ORD_ID_CBsub"[..],
        b"RECV_ORD_ID_CBsub\n",
        b"<html><body>RECV_ORD_ID_CBsub</body></html>",
        b"ok RECV_ORD_ID_CBsub, thanks",
        b"RECV_ORD_ID_CBsub999 RECV_ORD_ID_CBsub",
    ] {
        assert!(acknowledges(body, ack), "{}", String::from_utf8_lossy(body));
    }
    for body in [
        &b"RECV_ORD_ID_CBsub999"[..],
        b"RECV_ORD_ID_CBsubX",
        b"RECV_ORD_ID_CBsub-2",
        b"RECV_ORD_ID_CBsub_2",
        b"RECV_ORD_ID_CBsub.2",
        b"RECV_ORD_ID_CBsu",
        b"",
    ] {
        assert!(
            !acknowledges(body, ack),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn only_loopback_destinations_by_default() {
    for url in [
        "http://127.0.0.1:8080/notify",
        "http://127.1.2.3/notify",
        "http://localhost:9/n",
        "https://LOCALHOST/n",
        "http://[::1]:80/n",
    ] {
        assert_eq!(check_destination(url, false), Ok(()), "{url}");
    }
    for url in [
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://example.com/",
        "http://localhost.example.com/",
        "http://0x0a000001/",
    ] {
        assert!(check_destination(url, false).is_err(), "{url}");
        assert_eq!(check_destination(url, true), Ok(()), "{url}");
    }
    for url in [
        "http://user:pw@127.0.0.1/",
        "http://user@localhost/",
        "http://:pw@10.0.0.1/",
    ] {
        let (shown, why) = check_destination(url, true).unwrap_err();
        assert!(why.contains("user information"), "{url}: {why}");
        assert!(!shown.contains('@'), "{shown}");
    }
    assert!(check_destination("http://", true).is_err());
}

#[test]
fn the_default_policy_is_huifus() {
    let p = CallbackPolicy::default();
    assert_eq!(p.timeout, Duration::from_secs(5));
    assert_eq!(p.retries, 3);
}
