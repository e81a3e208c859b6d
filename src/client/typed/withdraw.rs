//! cmd 202, withdrawal, and cmd 205, refund (whose answer has the withdrawal's shape).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::empty_as_none;
use crate::client::values::{Amount, OrderDate, TransStat, lenient_amount, lenient_trans_stat};

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
/// status is queried with 301 `trans_type` `04` ([`QueryRequest::refund`](super::QueryRequest::refund)).
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
