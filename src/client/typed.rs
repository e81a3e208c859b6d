//! Typed calls for 301 (transaction status query), 218 (APP pay), 202 (withdrawal) and 205
//! (refund). Every other `cmd_id` goes through [`Client::call`].
//!
//! Field names follow the seed developer guide and its demos (protocol.md section 8); the guide
//! does not print every table, so each request and answer also carries `extra`: any other
//! parameter is sent from it, and any other answer field lands in it.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::Client;
use super::call::Answer;
use super::mobile::PayType;
use super::values::{Amount, OrderDate, lenient_amount};
use crate::Result;

/// A typed answer together with the verified raw answer it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The typed fields.
    pub data: T,
    /// The verified answer (JSON, codes, check_value).
    pub answer: Answer,
}

/// An empty string or an absent field reads as `None` (the API sends `""` for unknown values).
fn empty_as_none<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// cmd 301, transaction status query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// The order id of the transaction queried.
    pub order_id: String,
    /// The order date of the transaction queried.
    pub order_date: OrderDate,
    /// The transaction type queried (e.g. `01`; see the guide's trans_type list).
    pub trans_type: String,
    /// Merchant-defined, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mer_priv: Option<String>,
    /// Extension field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Any other parameter.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl QueryRequest {
    /// A query for the order (`order_id`, `order_date`) of type `trans_type`.
    pub fn new(
        order_id: impl Into<String>,
        order_date: OrderDate,
        trans_type: impl Into<String>,
    ) -> Self {
        QueryRequest {
            order_id: order_id.into(),
            order_date,
            trans_type: trans_type.into(),
            mer_priv: None,
            extension: None,
            extra: Map::new(),
        }
    }
}

/// The answer to 301.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAnswer {
    /// `301000` on success.
    #[serde(default)]
    pub resp_code: String,
    /// The code's description.
    #[serde(default)]
    pub resp_desc: String,
    /// The order id queried.
    #[serde(default)]
    pub order_id: String,
    /// The order date queried.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub order_date: Option<OrderDate>,
    /// The transaction type.
    #[serde(default)]
    pub trans_type: String,
    /// `02000002` success, `02000003` failure, `02000009` refunded (empty when unknown).
    #[serde(default)]
    pub trans_stat: String,
    /// The transaction amount (absent or empty when unknown).
    #[serde(default, deserialize_with = "lenient_amount")]
    pub trans_amt: Option<Amount>,
    /// Split details (JSON text).
    #[serde(default)]
    pub div_detail: String,
    /// Echoed merchant field.
    #[serde(default)]
    pub mer_priv: String,
    /// Extension field.
    #[serde(default)]
    pub extension: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// cmd 218, APP pay (WeChat APP `10`, Alipay `15`, Apple Pay `14`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppPayRequest {
    /// The paying user's customer id, when the merchant has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_cust_id: Option<String>,
    /// The merchant's order id.
    pub order_id: String,
    /// The order date.
    pub order_date: OrderDate,
    /// The amount.
    pub trans_amt: Amount,
    /// The payment type (`10` WeChat APP, `15` Alipay, `14` Apple Pay, …).
    pub pay_type: PayType,
    /// Where the result is posted.
    pub bg_ret_url: String,
    /// Browser return address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret_url: Option<String>,
    /// Device information passed through from the mobile SDK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_info_json: Option<String>,
    /// Whether credit cards are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_pay: Option<String>,
    /// Split details (JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub div_detail: Option<String>,
    /// Merchant-defined, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mer_priv: Option<String>,
    /// Extension field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Any other parameter (e.g. `goods_desc`, `device_info`, `ip_addr`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer to 218: `218002` accepted, `218003` failed, `218098` timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppPayAnswer {
    /// The answer code.
    #[serde(default)]
    pub resp_code: String,
    /// Its description.
    #[serde(default)]
    pub resp_desc: String,
    /// Alipay's pay URL.
    #[serde(default)]
    pub pay_url: String,
    /// WeChat's pay parameters.
    #[serde(default)]
    pub pay_info: String,
    /// The order id.
    #[serde(default)]
    pub order_id: String,
    /// The order date.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub order_date: Option<OrderDate>,
    /// Huifu's sequence number.
    #[serde(default)]
    pub platform_seq_id: String,
    /// The token id.
    #[serde(default)]
    pub token_id: String,
    /// Extension field.
    #[serde(default)]
    pub extension: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// cmd 202, withdrawal (fields as in the guide's demos).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawRequest {
    /// The user withdrawing.
    pub user_cust_id: String,
    /// The merchant's order id.
    pub order_id: String,
    /// The order date.
    pub order_date: OrderDate,
    /// The amount.
    pub trans_amt: Amount,
    /// The bound withdrawal card's id.
    pub cash_bind_card_id: String,
    /// Who pays the fee (e.g. `02050200`; may be empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_obj: Option<String>,
    /// The fee account (may be empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_acct_id: Option<String>,
    /// The withdrawal type (e.g. `02030000`).
    pub cash_type: String,
    /// Where the result is posted.
    pub bg_ret_url: String,
    /// Merchant-defined, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mer_priv: Option<String>,
    /// Extension field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Any other parameter.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer to 202 (and the common shape of 205's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawAnswer {
    /// The answer code (`202000` success).
    #[serde(default)]
    pub resp_code: String,
    /// Its description.
    #[serde(default)]
    pub resp_desc: String,
    /// The order id.
    #[serde(default)]
    pub order_id: String,
    /// The order date.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub order_date: Option<OrderDate>,
    /// The amount.
    #[serde(default, deserialize_with = "lenient_amount")]
    pub trans_amt: Option<Amount>,
    /// `02000002` success, `02000003` failure, `02000009` refunded (not from the guide: Huifu's
    /// own demo and public integrations).
    #[serde(default)]
    pub trans_stat: String,
    /// 202: the amount actually paid out (not from the guide).
    #[serde(default, deserialize_with = "lenient_amount")]
    pub real_trans_amt: Option<Amount>,
    /// 202: the bank of the card paid to (not from the guide).
    #[serde(default)]
    pub bank_id: String,
    /// 202: the fee charged (not from the guide).
    #[serde(default, deserialize_with = "lenient_amount")]
    pub fee_amt: Option<Amount>,
    /// 202: who paid the fee (not from the guide).
    #[serde(default)]
    pub fee_cust_id: String,
    /// 202: the fee account (not from the guide).
    #[serde(default)]
    pub fee_acct_id: String,
    /// Echoed merchant field.
    #[serde(default)]
    pub mer_priv: String,
    /// Extension field.
    #[serde(default)]
    pub extension: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// cmd 205, refund of an earlier order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// The refund's own order id.
    pub order_id: String,
    /// The refund's order date.
    pub order_date: OrderDate,
    /// The refunded order's id.
    pub org_order_id: String,
    /// The refunded order's date.
    pub org_order_date: OrderDate,
    /// The amount refunded.
    pub trans_amt: Amount,
    /// Where the result is posted.
    pub bg_ret_url: String,
    /// Split details of the refund (JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub div_detail: Option<String>,
    /// Merchant-defined, echoed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mer_priv: Option<String>,
    /// Extension field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Any other parameter.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer to 205.
pub type RefundAnswer = WithdrawAnswer;

impl Client {
    async fn typed<P: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        cmd_id: &str,
        params: &P,
    ) -> Result<Reply<T>> {
        let answer = self.call(cmd_id, params).await?;
        let data = answer.parse()?;
        Ok(Reply { data, answer })
    }

    /// cmd 301: the status of a transaction.
    pub async fn query(&self, request: &QueryRequest) -> Result<Reply<QueryAnswer>> {
        self.typed("301", request).await
    }

    /// cmd 218: APP pay; the answer carries `pay_url` / `pay_info` for the mobile SDK.
    pub async fn app_pay(&self, request: &AppPayRequest) -> Result<Reply<AppPayAnswer>> {
        self.typed("218", request).await
    }

    /// cmd 202: withdrawal to a bound card.
    pub async fn withdraw(&self, request: &WithdrawRequest) -> Result<Reply<WithdrawAnswer>> {
        self.typed("202", request).await
    }

    /// cmd 205: refund.
    pub async fn refund(&self, request: &RefundRequest) -> Result<Reply<RefundAnswer>> {
        self.typed("205", request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::call::request_json;

    #[test]
    fn a_withdrawal_serialises_like_the_demo() {
        let request = WithdrawRequest {
            user_cust_id: "6666000000002959".into(),
            order_id: "201673233703".into(),
            order_date: "20181026".parse().unwrap(),
            trans_amt: "0.39".parse().unwrap(),
            cash_bind_card_id: "65334".into(),
            fee_obj: Some("02050200".into()),
            fee_acct_id: Some("2744".into()),
            cash_type: "02030000".into(),
            bg_ret_url: "http://example.invalid/cb".into(),
            mer_priv: Some("test_mer_priv".into()),
            extension: None,
            extra: Map::new(),
        };
        let json = request_json("6666000000002619", "202", &request).unwrap();
        let map: Map<String, Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(map["trans_amt"], "0.39");
        assert_eq!(map["order_date"], "20181026");
        assert_eq!(map["cmd_id"], "202");
        assert!(!map.contains_key("extension"));
        assert!(
            json.starts_with(r#"{"version":"10","cmd_id":"202","mer_cust_id":"6666000000002619""#)
        );
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
}
