//! Asynchronous results (`bg_ret_url`), browser redirects (`ret_url`) and the order-state rule of
//! protocol.md section 6.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Map, Value};

use super::call::verify_json;
use super::values::OrderKey;
use crate::verify::Verifier;
use crate::{Error, Result};

/// A verified notification (or redirect).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The signed JSON object.
    pub json: Map<String, Value>,
    /// The order it is about.
    pub order_key: OrderKey,
    /// `resp_code` (empty when absent).
    pub resp_code: String,
    /// `resp_desc` (empty when absent).
    pub resp_desc: String,
    /// The check_value as received.
    pub check_value: String,
}

/// Where a notification leaves an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderOutcome {
    /// The order succeeded (terminal).
    Success,
    /// The order failed.
    Failure,
    /// Accepted or still being processed (`218002`, `218098`, …).
    Pending,
}

impl Notification {
    /// Parses a notification body: an `application/x-www-form-urlencoded` body or a query string
    /// (with or without the leading `?`) holding `check_value`, or a JSON body
    /// `{"check_value": ...}`; then verifies it with `verifier` (pin it to Huifu:
    /// [`Verifier::huifu`]). The JSON must name the order (`mer_cust_id`, `order_id`,
    /// `order_date`).
    pub fn parse(verifier: &Verifier, body: &[u8]) -> Result<Notification> {
        let check_value = find_check_value(body)?;
        let json = verify_json(verifier, &check_value).map_err(|e| match e {
            Error::AnswerNotJson { excerpt, .. } => {
                Error::InvalidNotification(format!("the signed content is not JSON: {excerpt}"))
            }
            other => other,
        })?;
        let order_key = OrderKey::from_json(&json)?;
        let text = |k: &str| {
            json.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(Notification {
            resp_code: text("resp_code"),
            resp_desc: text("resp_desc"),
            order_key,
            json,
            check_value,
        })
    }

    /// The body to answer with (HTTP 200): `RECV_ORD_ID_` and the order id. Without it Huifu
    /// sends the result again.
    pub fn ack_body(&self) -> String {
        format!("RECV_ORD_ID_{}", self.order_key.order_id)
    }

    /// A string field of the notification.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    /// What the notification says about the order: `trans_stat` when present (`02000002`
    /// success, `02000003` failure), otherwise `resp_code` (`…000` success, `218002` accepted and
    /// `218098` timeout pending, anything else failure).
    pub fn outcome(&self) -> OrderOutcome {
        match self.get("trans_stat") {
            Some("02000002") => return OrderOutcome::Success,
            Some("02000003") => return OrderOutcome::Failure,
            _ => {}
        }
        let code = self.resp_code.as_str();
        if code.len() == 6 && code.ends_with("000") {
            OrderOutcome::Success
        } else if code.ends_with("002") || code.ends_with("098") {
            OrderOutcome::Pending
        } else {
            OrderOutcome::Failure
        }
    }
}

fn find_check_value(body: &[u8]) -> Result<String> {
    let trimmed = body.trim_ascii();
    if trimmed.first() == Some(&b'{') {
        return match serde_json::from_slice::<Value>(trimmed) {
            Ok(Value::Object(map)) => map
                .get("check_value")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| Error::InvalidNotification("no check_value in the JSON".into())),
            _ => Err(Error::InvalidNotification("the body is not JSON".into())),
        };
    }
    let query = trimmed.strip_prefix(b"?").unwrap_or(trimmed);
    form_urlencoded::parse(query)
        .find(|(k, _)| k == "check_value")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::InvalidNotification("no check_value field".into()))
}

/// The state of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Accepted, no final result yet.
    Pending,
    /// Succeeded: terminal.
    Succeeded,
    /// Failed (a later success still applies: the same order may have been paid twice over).
    Failed,
}

/// What applying a result did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateChange {
    /// The order moved to this state (or was first seen in it).
    Applied(OrderState),
    /// The order was already in this state: nothing changed (a resent notification).
    Duplicate,
    /// The order had succeeded; a later failure or pending result changes nothing.
    IgnoredAfterSuccess,
}

/// Order states under protocol.md section 6's rule: success is terminal, duplicates change
/// nothing, a failure after a success is ignored. In memory and thread-safe; a real merchant
/// applies the same rule in its database ([`OrderStates::next`] is the rule alone).
#[derive(Debug, Default)]
pub struct OrderStates {
    states: Mutex<HashMap<OrderKey, OrderState>>,
}

impl OrderStates {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rule: what `outcome` does to an order currently in `current`.
    pub fn next(current: Option<OrderState>, outcome: OrderOutcome) -> StateChange {
        let target = match outcome {
            OrderOutcome::Success => OrderState::Succeeded,
            OrderOutcome::Failure => OrderState::Failed,
            OrderOutcome::Pending => OrderState::Pending,
        };
        match current {
            Some(OrderState::Succeeded) if target == OrderState::Succeeded => {
                StateChange::Duplicate
            }
            Some(OrderState::Succeeded) => StateChange::IgnoredAfterSuccess,
            Some(state) if state == target => StateChange::Duplicate,
            // A pending result never undoes a failure it may have been overtaken by.
            Some(OrderState::Failed) if target == OrderState::Pending => StateChange::Duplicate,
            _ => StateChange::Applied(target),
        }
    }

    /// Applies a result to the order `key` and says what happened.
    pub fn apply(&self, key: &OrderKey, outcome: OrderOutcome) -> StateChange {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let change = Self::next(states.get(key).copied(), outcome);
        if let StateChange::Applied(state) = change {
            states.insert(key.clone(), state);
        }
        change
    }

    /// Applies a verified notification.
    pub fn apply_notification(&self, notification: &Notification) -> StateChange {
        self.apply(&notification.order_key, notification.outcome())
    }

    /// The current state of an order.
    pub fn get(&self, key: &OrderKey) -> Option<OrderState> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> OrderKey {
        OrderKey {
            mer_cust_id: "M".into(),
            order_id: id.into(),
            order_date: "20240101".parse().unwrap(),
        }
    }

    #[test]
    fn success_is_terminal() {
        let states = OrderStates::new();
        let k = key("1");
        assert_eq!(
            states.apply(&k, OrderOutcome::Pending),
            StateChange::Applied(OrderState::Pending)
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Success),
            StateChange::Applied(OrderState::Succeeded)
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Success),
            StateChange::Duplicate
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Failure),
            StateChange::IgnoredAfterSuccess
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Pending),
            StateChange::IgnoredAfterSuccess
        );
        assert_eq!(states.get(&k), Some(OrderState::Succeeded));
    }

    #[test]
    fn failure_then_success_applies() {
        let states = OrderStates::new();
        let k = key("2");
        assert_eq!(
            states.apply(&k, OrderOutcome::Failure),
            StateChange::Applied(OrderState::Failed)
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Failure),
            StateChange::Duplicate
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Pending),
            StateChange::Duplicate
        );
        assert_eq!(
            states.apply(&k, OrderOutcome::Success),
            StateChange::Applied(OrderState::Succeeded)
        );
        assert_eq!(states.get(&key("other")), None);
    }

    #[test]
    fn check_value_is_found_in_forms_queries_and_json() {
        assert_eq!(
            find_check_value(b"a=1&check_value=QUJD%3D&b=2").unwrap(),
            "QUJD="
        );
        assert_eq!(find_check_value(b"?check_value=QUJD").unwrap(), "QUJD");
        assert_eq!(
            find_check_value(b" {\"check_value\":\"QUJD\"} ").unwrap(),
            "QUJD"
        );
        assert!(find_check_value(b"a=1").is_err());
        assert!(find_check_value(b"check_value=").is_err());
        assert!(find_check_value(b"{\"x\":1}").is_err());
        assert!(find_check_value(b"{broken").is_err());
    }
}
