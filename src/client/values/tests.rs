use super::*;

/// Guide lines 12–13: no brackets, commas, double quotes or colons in values; JSON-text
/// fields exempt; colons allowed in URL fields (the guide's own bg_ret_url example).
#[test]
fn json_conflicting_characters_are_found() {
    for (field, value, found) in [
        ("goods_desc", "coffee", None),
        ("goods_desc", "汇付 咖啡 100% 好", None),
        ("goods_desc", "coffee, large", Some(',')),
        ("goods_desc", "say \"hi\"", Some('"')),
        ("goods_desc", "a:b", Some(':')),
        ("mer_priv", "(x)", Some('(')),
        ("mer_priv", "[x]", Some('[')),
        ("mer_priv", "{x}", Some('{')),
        ("bg_ret_url", "http://mertest.chinapnr.com/npay", None),
        ("bg_ret_url", "http://h/a,b", Some(',')),
        ("bg_ret_url", "http://[::1]:8080/cb", None),
        ("goods_desc", "[x]", Some('[')),
        ("dev_info_json", r#"{"a":"b","c":[1]}"#, None),
        ("div_detail", r#"[{"divCustId":"1","divAmt":"1.00"}]"#, None),
    ] {
        assert_eq!(forbidden_character(field, value), found, "{field}={value}");
    }
}

/// Amounts from Huifu read leniently; requests stay strict.
#[test]
fn answer_amounts_read_leniently() {
    #[derive(serde::Deserialize)]
    struct A {
        #[serde(default, deserialize_with = "lenient_amount")]
        a: Option<Amount>,
    }
    let read = |j: &str| serde_json::from_str::<A>(j).map(|a| a.a.map(Amount::fen));
    for (json, fen) in [
        (r#"{"a":"7"}"#, Some(700)),
        (r#"{"a":"7.0"}"#, Some(700)),
        (r#"{"a":"7.00"}"#, Some(700)),
        (r#"{"a":"0.39"}"#, Some(39)),
        (r#"{"a":7.5}"#, Some(750)),
        (r#"{"a":12}"#, Some(1200)),
        (r#"{"a":""}"#, None),
        (r#"{"a":null}"#, None),
        (r#"{}"#, None),
    ] {
        assert_eq!(read(json).unwrap(), fen, "{json}");
    }
    for bad in [
        r#"{"a":"7.001"}"#,
        r#"{"a":"-1.00"}"#,
        r#"{"a":"x"}"#,
        r#"{"a":[]}"#,
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
    assert!("7".parse::<Amount>().is_err());
}

#[test]
fn amounts_round_trip_with_two_decimals() {
    for (text, fen) in [
        ("1200.00", 120_000),
        ("0.39", 39),
        ("359.14", 35_914),
        ("0.00", 0),
    ] {
        let a: Amount = text.parse().unwrap();
        assert_eq!(a.fen(), fen);
        assert_eq!(a.to_string(), text);
    }
    assert_eq!(Amount::from_yuan(12).unwrap().to_string(), "12.00");
    assert_eq!(
        Amount::from_fen(u64::MAX).to_string(),
        "184467440737095516.15"
    );
}

#[test]
fn amounts_refuse_everything_else() {
    for bad in [
        "1200",
        "1200.0",
        "1200.000",
        ".50",
        "-1.00",
        "+1.00",
        "1e3.00",
        " 1.00",
        "1.00 ",
        "1,00",
        "",
        ".",
        "1.",
        "1.a0",
        "99999999999999999999.00",
        "１.00",
    ] {
        assert!(bad.parse::<Amount>().is_err(), "{bad:?} must be refused");
    }
}

#[test]
fn amounts_serialise_as_strings() {
    let a = Amount::from_fen(120_000);
    assert_eq!(serde_json::to_string(&a).unwrap(), "\"1200.00\"");
    let back: Amount = serde_json::from_str("\"0.39\"").unwrap();
    assert_eq!(back.fen(), 39);
    assert!(serde_json::from_str::<Amount>("0.39").is_err());
    assert!(serde_json::from_str::<Amount>("\"0.3\"").is_err());
}

#[test]
fn dates_are_real_calendar_days() {
    for good in ["20140802", "20240229", "20000229", "19991231", "20260101"] {
        assert_eq!(good.parse::<OrderDate>().unwrap().to_string(), good);
    }
    for bad in [
        "20230229",
        "19000229",
        "20240230",
        "20240431",
        "20241301",
        "20240001",
        "20240100",
        "2024011",
        "202401011",
        "2024-1-01",
        "abcdefgh",
        "",
        "00000101",
        "２０２４０１０１",
    ] {
        assert!(bad.parse::<OrderDate>().is_err(), "{bad:?} must be refused");
    }
    let d: OrderDate = serde_json::from_str("\"20160801\"").unwrap();
    assert_eq!(serde_json::to_string(&d).unwrap(), "\"20160801\"");
}

#[test]
fn civil_from_days() {
    assert_eq!(OrderDate::from_unix_days(0).to_string(), "19700101");
    assert_eq!(OrderDate::from_unix_days(19_782).to_string(), "20240229");
    assert_eq!(OrderDate::from_unix_days(20_454).to_string(), "20260101");
    let today = OrderDate::today_china();
    assert!(today.year() >= 2024);
}

#[test]
fn order_keys_come_from_json() {
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        r#"{"mer_cust_id":"6666000000024878","order_id":"600001","order_date":"20160801"}"#,
    )
    .unwrap();
    let key = OrderKey::from_json(&json).unwrap();
    assert_eq!(key.order_id, "600001");
    assert_eq!(key.order_date.to_string(), "20160801");
    let mut missing = json.clone();
    missing.remove("order_id");
    assert!(OrderKey::from_json(&missing).is_err());
}
