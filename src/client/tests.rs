use super::*;

#[test]
fn endpoints() {
    assert_eq!(Endpoint::Test.request_url().unwrap().as_str(), TEST_URL);
    assert_eq!(
        Endpoint::Test.upload_url().unwrap().as_str(),
        "https://apptrade.testpnr.com/api/fileMerchantRequest"
    );
    assert_eq!(
        Endpoint::Production.request_url().unwrap().as_str(),
        PRODUCTION_URL
    );
    let custom = Endpoint::Custom(Url::parse("http://127.0.0.1:9/x/merchantRequest").unwrap());
    assert_eq!(
        custom.upload_url().unwrap().as_str(),
        "http://127.0.0.1:9/x/fileMerchantRequest"
    );
}

#[test]
fn excerpts_are_bounded_on_char_boundaries() {
    assert_eq!(excerpt(b"short"), "short");
    let long = "汇".repeat(400); // 1200 bytes
    let e = excerpt(long.as_bytes());
    assert!(e.len() <= EXCERPT_BYTES && e.len() >= EXCERPT_BYTES - 3);
    assert!(e.chars().all(|c| c == '汇'));
    let binary = vec![0xffu8; 2000];
    assert!(excerpt(&binary).len() <= EXCERPT_BYTES);
    // Escapes count against the bound and are never cut.
    let escapes = excerpt(&[0x1b; 600]);
    assert!(escapes.len() <= EXCERPT_BYTES && escapes.ends_with("\\u{1b}"));
}

#[test]
fn network_text_is_escaped() {
    assert_eq!(
        escape("ok\r\n2026-01-01 INFO order paid OK\u{1b}[2J\0\u{7f}\u{85}\t"),
        "ok\\r\\n2026-01-01 INFO order paid OK\\u{1b}[2J\\u{0}\\u{7f}\\u{85}\\t"
    );
    assert_eq!(escape("a\u{2028}b\u{202e}c"), "a\\u{2028}b\\u{202e}c");
    assert_eq!(escape("汇付 \\n \"q\""), "汇付 \\n \"q\"");
    assert_eq!(
        excerpt(b"HTTP/1.1 200\r\nX: \x1b[31m"),
        "HTTP/1.1 200\\r\\nX: \\u{1b}[31m"
    );
}
