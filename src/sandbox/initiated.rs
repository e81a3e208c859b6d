//! Results Huifu sends on its own: not the notification of a merchant's request, but a payment
//! made at a terminal. The guide's change log names two (lines ~1147–1176): **154** 碰一碰交易结果
//! 通知, the NFC-tap result (with the tag id `nfc_tag_id` since v3.3.5, line ~1168), and **155**
//! 手机pos交易结果通知, the mobile-POS result (v3.4.0, line ~1147). The guide prints neither's
//! field table: the fields below besides `nfc_tag_id` are **the sandbox's own choice**, the
//! shape of every other result (cmd_id, mer_cust_id, order_id, order_date, trans_amt,
//! trans_stat, resp_code, resp_desc, platform_seq_id). They are posted like every
//! notification: a form field `check_value`, acknowledged with `RECV_ORD_ID_<order_id>`
//! (lines 91–95), retried by the sandbox's [`CallbackPolicy`](super::CallbackPolicy).

use serde_json::{Map, Value};

use super::callback;
use super::rules::TRANS_STAT_SUCCESS;
use super::state::OrderKey;
use crate::{Error, Result};

/// Which Huifu-initiated result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InitiatedKind {
    /// 154: an NFC-tap (碰一碰) payment, with the tag that was tapped.
    NfcTap {
        /// `nfc_tag_id` (guide line ~1168).
        nfc_tag_id: String,
    },
    /// 155: a mobile-POS (手机pos) payment.
    MobilePos,
}

impl InitiatedKind {
    /// Its cmd_id: `154` or `155`.
    pub fn cmd_id(&self) -> &'static str {
        match self {
            InitiatedKind::NfcTap { .. } => "154",
            InitiatedKind::MobilePos => "155",
        }
    }
}

/// A Huifu-initiated result to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitiatedResult {
    /// 154 or 155.
    pub kind: InitiatedKind,
    /// The merchant and the order Huifu numbered for the payment.
    pub key: OrderKey,
    /// The amount paid (yuan, two decimals).
    pub trans_amt: crate::client::Amount,
    /// Where to post it: the merchant's notification endpoint.
    pub url: String,
}

impl InitiatedResult {
    /// A successful payment of `trans_amt` as the order `key`, posted to `url`.
    pub fn new(
        kind: InitiatedKind,
        key: OrderKey,
        trans_amt: crate::client::Amount,
        url: impl Into<String>,
    ) -> Self {
        InitiatedResult {
            kind,
            key,
            trans_amt,
            url: url.into(),
        }
    }

    /// The signed JSON's fields.
    pub(crate) fn content(&self, platform_seq_id: &str) -> Map<String, Value> {
        let cmd_id = self.kind.cmd_id();
        let mut out = Map::new();
        out.insert("cmd_id".into(), Value::from(cmd_id));
        out.insert(
            "mer_cust_id".into(),
            Value::from(self.key.mer_cust_id.clone()),
        );
        out.insert("order_id".into(), Value::from(self.key.order_id.clone()));
        out.insert(
            "order_date".into(),
            Value::from(self.key.order_date.to_string()),
        );
        out.insert("trans_amt".into(), Value::from(self.trans_amt.to_string()));
        out.insert("trans_stat".into(), Value::from(TRANS_STAT_SUCCESS));
        out.insert("resp_code".into(), Value::from(format!("{cmd_id}000")));
        out.insert("resp_desc".into(), Value::from("成功"));
        out.insert("platform_seq_id".into(), Value::from(platform_seq_id));
        if let InitiatedKind::NfcTap { nfc_tag_id } = &self.kind {
            out.insert("nfc_tag_id".into(), Value::from(nfc_tag_id.clone()));
        }
        out
    }
}

/// Checks the destination and starts the delivery, as for a request's notification: a refused
/// destination is recorded as such and is an error here (the caller asked for this one).
pub(crate) fn deliver(
    app: &super::App,
    result: &InitiatedResult,
    check_value: String,
) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::Sandbox(
            "a Huifu-initiated result is sent from the sandbox's tokio runtime".into(),
        ));
    }
    let cmd_id = result.kind.cmd_id().to_string();
    if let Err((shown, why)) = callback::check_destination(&result.url, app.allow_remote_callbacks)
    {
        callback::refuse(
            &app.deliveries,
            app.log,
            cmd_id,
            result.key.clone(),
            shown.clone(),
            why.clone(),
        );
        return Err(Error::Sandbox(format!(
            "callback destination {} refused: {why}",
            crate::error::escape_untrusted(&shown)
        )));
    }
    callback::spawn(
        app.client.clone(),
        app.policy.clone(),
        app.deliveries.clone(),
        app.log,
        callback::Delivery {
            cmd_id,
            key: result.key.clone(),
            url: result.url.clone(),
            check_value,
        },
    );
    Ok(())
}
