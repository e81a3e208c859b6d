//! cmd 218, APP pay.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::empty_as_none;
use crate::client::mobile::PayType;
use crate::client::values::{Amount, OrderDate};

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
