//! Typed calls for 301 (transaction status query), 218 (APP pay), 202 (withdrawal) and 205
//! (refund). Every other `cmd_id` goes through [`Client::call`].
//!
//! Field names follow the seed developer guide and its demos (protocol.md section 8); the guide
//! does not print every table, so each request and answer also carries `extra`: any other
//! parameter is sent from it, and any other answer field lands in it.

use serde::{Deserialize, Deserializer, Serialize};

use super::Client;
use super::call::Answer;
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

mod app_pay;
mod query;
mod withdraw;

pub use app_pay::{AppPayAnswer, AppPayRequest};
pub use query::{QueryAnswer, QueryRequest};
pub use withdraw::{DivPart, RefundAnswer, RefundRequest, WithdrawAnswer, WithdrawRequest};

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
