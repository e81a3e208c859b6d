use super::*;
use serde_json::json;

/// The outcomes a caller matches on: success, accepted (guide: 218002), failed (guide:
/// 218003), and unknown for everything else, a timeout (218098) and the guide's example
/// 218748 included.
#[test]
fn answer_outcomes_follow_the_guide() {
    use AnswerOutcome::*;
    for (cmd, code, outcome) in [
        ("218", "218000", Succeeded),
        ("218", "218002", Accepted),
        ("218", "218003", Failed),
        ("218", "218098", Unknown),
        ("218", "218748", Unknown),
        ("202", "202002", Accepted),
        ("202", "202003", Unknown),
        ("301", "301000", Succeeded),
        ("218", "202000", Unknown),
        ("218", "000000", Unknown),
        ("218", "21800a", Unknown),
        ("218", "", Unknown),
    ] {
        assert_eq!(AnswerOutcome::of(cmd, code), outcome, "{cmd} {code}");
    }
}

/// A value with a JSON-conflicting character is refused before signing, naming the field.
#[test]
fn forbidden_characters_are_refused_before_signing() {
    match request_json("M", "218", &json!({"goods_desc": "tea, green"})) {
        Err(Error::ForbiddenCharacter { field, character }) => {
            assert_eq!((field.as_str(), character), ("goods_desc", ','));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        request_json(
            "M",
            "218",
            &json!({"bg_ret_url": "https://m.example/cb", "dev_info_json": "{\"a\":1}"})
        )
        .is_ok()
    );
}

/// A field that does not read keeps the verified answer in the error.
#[test]
fn a_verified_answer_is_never_lost() {
    let mut json = Map::new();
    json.insert("resp_code".into(), json!("301000"));
    json.insert("order_date".into(), json!("2026-01-01"));
    json.insert("trans_amt".into(), json!("7.0"));
    let text = serde_json::to_string(&json).unwrap();
    let answer = Answer::new(json, text, "CV".into(), 200, "301");
    match answer.parse::<crate::client::QueryAnswer>() {
        Err(Error::AnswerFields {
            json, check_value, ..
        }) => {
            assert_eq!(check_value, "CV");
            assert_eq!(json["trans_amt"], "7.0");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn fills_and_orders_the_three_fields() {
    let json = request_json(
        "6666000000002619",
        "202",
        &json!({"trans_amt": "0.39", "order_id": "1", "skip": null}),
    )
    .unwrap();
    assert_eq!(
        json,
        r#"{"version":"10","cmd_id":"202","mer_cust_id":"6666000000002619","order_id":"1","trans_amt":"0.39"}"#
    );
}

#[test]
fn agreeing_fields_pass_and_contradicting_ones_are_refused() {
    let ok = request_json(
        "M",
        "301",
        &json!({"version": "10", "cmd_id": "301", "mer_cust_id": "M"}),
    );
    assert!(ok.is_ok());
    for (field, params) in [
        ("version", json!({"version": "11"})),
        ("version", json!({"version": 10})),
        ("cmd_id", json!({"cmd_id": "302"})),
        ("mer_cust_id", json!({"mer_cust_id": "other"})),
    ] {
        match request_json("M", "301", &params) {
            Err(Error::ParamConflict { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{params}: {other:?}"),
        }
    }
}

#[test]
fn values_are_escaped_by_a_real_serialiser() {
    // A JSON-text field may hold anything; the serialiser escapes it.
    let json = request_json("M", "101", &json!({"dev_info_json": "张\"三\",}{:\n"})).unwrap();
    let back: Map<String, Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(back["dev_info_json"], "张\"三\",}{:\n");
    // Any other field may not (guide lines 12–13).
    assert!(matches!(
        request_json("M", "101", &json!({"user_name": "张\"三\""})),
        Err(Error::ForbiddenCharacter { .. })
    ));
}

#[test]
fn non_objects_are_refused() {
    assert!(matches!(
        request_json("M", "301", &json!([1, 2])),
        Err(Error::InvalidParams(_))
    ));
    assert!(matches!(
        request_json("M", "301", "text"),
        Err(Error::InvalidParams(_))
    ));
    assert!(matches!(
        request_json("M", "3&01", &json!({})),
        Err(Error::InvalidParams(_))
    ));
    assert!(request_json("M", "301", &()).is_ok());
}

#[test]
fn success_codes() {
    let a = Answer::new(
        serde_json::from_str(r#"{"resp_code":"301000","resp_desc":"ok"}"#).unwrap(),
        String::new(),
        String::new(),
        200,
        "301",
    );
    assert!(a.is_success());
    let b = Answer::new(
        serde_json::from_str(r#"{"resp_code":"218002"}"#).unwrap(),
        String::new(),
        String::new(),
        200,
        "218",
    );
    assert!(!b.is_success());
    assert_eq!(b.resp_desc, "");
}
