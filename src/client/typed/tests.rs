use super::*;
use crate::client::call::request_json;
use crate::client::values::TransStat;
use serde_json::{Map, Value};

#[test]
fn a_withdrawal_serialises_like_the_demo() {
    let request = WithdrawRequest::new(
        "6666000000002959",
        "201673233703",
        "20181026".parse().unwrap(),
        "0.39".parse().unwrap(),
        "65334",
        "02030000",
        "http://example.invalid/cb",
    )
    .fee_obj("02050200")
    .fee_acct_id("2744")
    .mer_priv("test_mer_priv");
    let json = request_json("6666000000002619", "202", &request).unwrap();
    let map: Map<String, Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(map["trans_amt"], "0.39");
    assert_eq!(map["order_date"], "20181026");
    assert_eq!(map["cmd_id"], "202");
    assert!(!map.contains_key("extension"));
    assert!(json.starts_with(r#"{"version":"10","cmd_id":"202","mer_cust_id":"6666000000002619""#));
}

#[test]
fn the_guide_query_answer_reads() {
    let text = r#"{"extension":"extension","trans_stat":"","cmd_id":"301","div_detail":"","resp_code":"301000","mer_priv":"mer_priv","trans_amt":"","trans_type":"01","order_date":"20160801","order_id":"600001","mer_cust_id":"6666000000024878","resp_desc":"查询成功"}"#;
    let answer: QueryAnswer = serde_json::from_str(text).unwrap();
    assert_eq!(answer.resp_code, "301000");
    assert_eq!(answer.trans_amt, None);
    assert_eq!(answer.order_date.unwrap().to_string(), "20160801");
    assert_eq!(answer.extra["mer_cust_id"], "6666000000024878");
    let paid: QueryAnswer =
        serde_json::from_str(r#"{"trans_amt":"12.30","trans_stat":"02000002"}"#).unwrap();
    assert_eq!(paid.trans_amt.unwrap().fen(), 1230);
    assert_eq!(paid.trans_stat, Some(TransStat::Success));
    assert_eq!(answer.trans_stat, None);
    let odd: QueryAnswer = serde_json::from_str(r#"{"trans_stat":"02000005"}"#).unwrap();
    assert_eq!(odd.trans_stat, Some(TransStat::Other("02000005".into())));
    assert_eq!(odd.trans_stat.unwrap().to_string(), "02000005");
}

#[test]
fn extra_parameters_are_sent() {
    let mut request = QueryRequest::new("1", "20240101".parse().unwrap(), "01");
    request.extra.insert("fee_flag".into(), "1".into());
    let json = request_json("M", "301", &request).unwrap();
    assert!(json.contains(r#""fee_flag":"1""#));
    let mut conflicting = request.clone();
    conflicting.extra.insert("cmd_id".into(), "302".into());
    assert!(request_json("M", "301", &conflicting).is_err());
}
