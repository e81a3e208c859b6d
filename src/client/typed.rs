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
use super::values::{Amount, OrderDate, TransStat, lenient_amount, lenient_trans_stat};
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

/// Setters for a request's optional text parameters: `name(value)` sets `Some(value)`.
macro_rules! text_setters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: impl Into<String>) -> Self {
                self.$name = Some(value.into());
                self
            }
        )*
        /// Any other parameter, sent as it is.
        pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.extra.insert(name.into(), Value::String(value.into()));
            self
        }
    };
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

    /// A query for the refund (`order_id`, `order_date`): 301 with `trans_type` `04` (Huifu's
    /// own demo; not in the guide).
    pub fn refund(order_id: impl Into<String>, order_date: OrderDate) -> Self {
        QueryRequest::new(order_id, order_date, "04")
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
    /// The transaction's state (`None` when sent empty, as in the guide's 301 sample, line 73).
    #[serde(default, deserialize_with = "lenient_trans_stat")]
    pub trans_stat: Option<TransStat>,
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
#[non_exhaustive]
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
    /// What is bought (required by Huifu's own demo and public integrations; not in the guide).
    pub goods_desc: String,
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
    /// Any other parameter (e.g. `device_info`, `ip_addr`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AppPayRequest {
    /// An APP payment: the order (`order_id`, `order_date`), its amount, how it is paid, what
    /// is bought, and where the final result is posted (the synchronous answer only says
    /// `218002` accepted, guide lines ~1101–1106).
    ///
    /// ```
    /// use huifu_cfca::client::{AppPayRequest, PayType};
    /// let request = AppPayRequest::new(
    ///     "AP20260102001",
    ///     "20260102".parse()?,
    ///     "12.00".parse()?,
    ///     PayType::WeChatApp,
    ///     "one tea",
    ///     "https://merchant.example/notify",
    /// )
    /// .mer_priv("cart-17");
    /// assert_eq!(request.goods_desc, "one tea");
    /// # Ok::<(), huifu_cfca::Error>(())
    /// ```
    pub fn new(
        order_id: impl Into<String>,
        order_date: OrderDate,
        trans_amt: Amount,
        pay_type: PayType,
        goods_desc: impl Into<String>,
        bg_ret_url: impl Into<String>,
    ) -> Self {
        AppPayRequest {
            user_cust_id: None,
            order_id: order_id.into(),
            order_date,
            trans_amt,
            pay_type,
            goods_desc: goods_desc.into(),
            bg_ret_url: bg_ret_url.into(),
            ret_url: None,
            dev_info_json: None,
            limit_pay: None,
            div_detail: None,
            mer_priv: None,
            extension: None,
            extra: Map::new(),
        }
    }

    text_setters! {
        /// The paying user's customer id.
        user_cust_id,
        /// The browser return address.
        ret_url,
        /// Device information passed through from the mobile SDK (JSON text).
        dev_info_json,
        /// Whether credit cards are refused.
        limit_pay,
        /// Split details (JSON text).
        div_detail,
        /// Merchant-defined text, echoed back.
        mer_priv,
        /// The extension field.
        extension,
    }
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
#[non_exhaustive]
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

impl WithdrawRequest {
    /// A withdrawal of `trans_amt` by `user_cust_id` to the bound card `cash_bind_card_id`, as
    /// the order (`order_id`, `order_date`): the fields of the guide's PHP 202 demo (lines
    /// 253–261). `cash_type`: `02030000` T+0 or `02030010` T+1 (Huifu's own demo; the guide's
    /// demo sends `02030000`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        user_cust_id: impl Into<String>,
        order_id: impl Into<String>,
        order_date: OrderDate,
        trans_amt: Amount,
        cash_bind_card_id: impl Into<String>,
        cash_type: impl Into<String>,
        bg_ret_url: impl Into<String>,
    ) -> Self {
        WithdrawRequest {
            user_cust_id: user_cust_id.into(),
            order_id: order_id.into(),
            order_date,
            trans_amt,
            cash_bind_card_id: cash_bind_card_id.into(),
            fee_obj: None,
            fee_acct_id: None,
            cash_type: cash_type.into(),
            bg_ret_url: bg_ret_url.into(),
            mer_priv: None,
            extension: None,
            extra: Map::new(),
        }
    }

    text_setters! {
        /// Who pays the fee: `02050200` the merchant, `02050201` the user (Huifu's own demo).
        fee_obj,
        /// The fee account.
        fee_acct_id,
        /// Merchant-defined text, echoed back.
        mer_priv,
        /// The extension field.
        extension,
    }
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
    /// The transaction's state (not from the guide: Huifu's own demo and public integrations).
    #[serde(default, deserialize_with = "lenient_trans_stat")]
    pub trans_stat: Option<TransStat>,
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

/// cmd 205, refund of an earlier payment. **Not in the guide**: the fields come from Huifu's own
/// server demo (`huifu-server_demo`, `Refund.java`) and a second public integration. The refund
/// is an order of its own interface, so its `order_id` may be the payment's (guide line 20); its
/// status is queried with 301 `trans_type` `04` ([`QueryRequest::refund`]).
///
/// ```
/// use huifu_cfca::client::{Amount, DivPart, RefundRequest};
/// let refund = RefundRequest::new(
///     "R20260102001",
///     "20260102".parse()?,
///     "1.00".parse::<Amount>()?,
///     "SBX0000000000000001",
///     "https://merchant.example/notify",
/// )
/// .div_detail([DivPart::new("6666000000026086", "37806", "1.00".parse()?)])
/// .mer_priv("batch-7");
/// assert_eq!(refund.orginal_platform_seq_id, "SBX0000000000000001");
/// # Ok::<(), huifu_cfca::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundRequest {
    /// The refund's own order id.
    pub order_id: String,
    /// The refund's order date.
    pub order_date: OrderDate,
    /// The amount refunded.
    pub trans_amt: Amount,
    /// The refunded payment's `platform_seq_id` (spelled `orginal_…` as Huifu's demo spells it).
    pub orginal_platform_seq_id: String,
    /// Where the result is posted.
    pub bg_ret_url: String,
    /// The user whose payment is refunded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_cust_id: Option<String>,
    /// Split details: JSON text `[{"divCustId":…,"divAcctId":…,"divAmt":…}]`
    /// ([`RefundRequest::div_detail`] writes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub div_detail: Option<String>,
    /// `1` only when the refunded payment was a quick pay ([`RefundRequest::quick_pay`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quickpay_page_flag: Option<String>,
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

/// One part of a refund's split (`div_detail`): who gets how much back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DivPart {
    /// The customer id (`divCustId`).
    #[serde(rename = "divCustId")]
    pub div_cust_id: String,
    /// The account id (`divAcctId`).
    #[serde(rename = "divAcctId")]
    pub div_acct_id: String,
    /// The amount (`divAmt`).
    #[serde(rename = "divAmt")]
    pub div_amt: Amount,
}

impl DivPart {
    /// A part: customer, account, amount.
    pub fn new(
        div_cust_id: impl Into<String>,
        div_acct_id: impl Into<String>,
        div_amt: Amount,
    ) -> Self {
        DivPart {
            div_cust_id: div_cust_id.into(),
            div_acct_id: div_acct_id.into(),
            div_amt,
        }
    }
}

impl RefundRequest {
    /// A refund of `trans_amt` of the payment numbered `orginal_platform_seq_id` (its
    /// `platform_seq_id`), as the order (`order_id`, `order_date`), with its result posted to
    /// `bg_ret_url`.
    pub fn new(
        order_id: impl Into<String>,
        order_date: OrderDate,
        trans_amt: Amount,
        orginal_platform_seq_id: impl Into<String>,
        bg_ret_url: impl Into<String>,
    ) -> Self {
        RefundRequest {
            order_id: order_id.into(),
            order_date,
            trans_amt,
            orginal_platform_seq_id: orginal_platform_seq_id.into(),
            bg_ret_url: bg_ret_url.into(),
            user_cust_id: None,
            div_detail: None,
            quickpay_page_flag: None,
            mer_priv: None,
            extension: None,
            extra: Map::new(),
        }
    }

    /// The split of the refund, written as the JSON text Huifu's demo sends.
    pub fn div_detail(mut self, parts: impl IntoIterator<Item = DivPart>) -> Self {
        let parts: Vec<DivPart> = parts.into_iter().collect();
        // Serialising strings and amounts cannot fail.
        self.div_detail = serde_json::to_string(&parts).ok();
        self
    }

    /// Says the refunded payment was a quick pay (`quickpay_page_flag` `1`).
    pub fn quick_pay(mut self) -> Self {
        self.quickpay_page_flag = Some("1".into());
        self
    }

    text_setters! {
        /// The user whose payment is refunded.
        user_cust_id,
        /// Merchant-defined text, echoed back.
        mer_priv,
        /// The extension field.
        extension,
    }
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
mod tests;
