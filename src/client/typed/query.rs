//! cmd 301, the transaction status query.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::empty_as_none;
use crate::client::values::{Amount, OrderDate, TransStat, lenient_amount, lenient_trans_stat};

/// cmd 301, transaction status query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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

    text_setters! {
        /// Merchant-defined text, echoed back.
        mer_priv,
        /// The extension field.
        extension,
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
