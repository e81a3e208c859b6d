//! Asynchronous results (`bg_ret_url`), browser redirects (`ret_url`) and the order-state rule of
//! protocol.md section 6.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Map, Value};

use super::call::verify_json;
use super::escape;
use super::json::{JsonProblem, parse_object};
use super::values::OrderKey;
use crate::verify::Verifier;
use crate::{Error, Result};

/// A verified notification (or redirect).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The signed JSON object.
    pub json: Map<String, Value>,
    /// The order it is about: its `order_id`, all the acknowledgement needs (guide lines 91–95).
    pub order_id: String,
    /// The full key (`mer_cust_id`, `order_id`, `order_date`) when the notification carries it;
    /// only order-state tracking needs it ([`OrderStates::apply_notification`]).
    pub order_key: Option<OrderKey>,
    /// `resp_code` (empty when absent).
    pub resp_code: String,
    /// `resp_desc` (empty when absent).
    pub resp_desc: String,
    /// The check_value as received.
    pub check_value: String,
    /// The verified JSON text, exactly as Huifu signed it.
    pub text: String,
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
    /// (with or without the leading `?`) holding one `check_value`, or a JSON body
    /// `{"check_value": ...}`; then verifies it with `verifier` (pin it to Huifu:
    /// [`Verifier::huifu`]). The JSON must name the order by `order_id` (the acknowledgement
    /// `RECV_ORD_ID_<order_id>` needs nothing else, guide lines 91–95; `mer_cust_id` and
    /// `order_date` are read into [`Notification::order_key`] when present) and its interface:
    /// `cmd_id`, and a `resp_code` made of that `cmd_id` and three digits.
    ///
    /// Refused ([`Error::InvalidNotification`]): two `check_value` fields, a key given twice in
    /// any JSON object (the body or the signed content), and a 301: the guide sends
    /// asynchronous results for every interface except queries (developer guide line 91,
    /// "异步回调接收规范"), so a signed 301 answer posted to a notification endpoint is a replay,
    /// not a result.
    pub fn parse(verifier: &Verifier, body: &[u8]) -> Result<Notification> {
        let check_value = find_check_value(body)?;
        let (json, text) = verify_json(verifier, &check_value).map_err(|e| match e {
            Error::AnswerNotJson { excerpt, .. } => {
                Error::InvalidNotification(format!("the signed content is not JSON: {excerpt}"))
            }
            Error::AnswerDuplicateKey { key, .. } => Error::InvalidNotification(format!(
                "the signed content holds the key \"{key}\" twice"
            )),
            other => other,
        })?;
        let order_id = match json.get("order_id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => {
                return Err(Error::InvalidNotification(
                    "the signed result names no order_id (the acknowledgement needs it)".into(),
                ));
            }
        };
        // Only order-state tracking needs the whole key; a result without it is still
        // verified, parsed and acknowledged.
        let order_key = OrderKey::from_json(&json).ok();
        let field = |k: &str| {
            json.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (cmd_id, resp_code) = (field("cmd_id"), field("resp_code"));
        if !is_cmd_id(&cmd_id) {
            return Err(Error::InvalidNotification(format!(
                "the signed result has no valid cmd_id (\"{}\")",
                escape(&excerpt_chars(&cmd_id))
            )));
        }
        if cmd_id == QUERY_CMD_ID {
            return Err(Error::InvalidNotification(
                "a 301 query answer is never a notification (queries have no asynchronous result)"
                    .into(),
            ));
        }
        if !is_own_code(&cmd_id, &resp_code) {
            return Err(Error::InvalidNotification(format!(
                "resp_code \"{}\" is not a code of cmd_id {cmd_id}",
                escape(&excerpt_chars(&resp_code))
            )));
        }
        Ok(Notification {
            resp_code,
            resp_desc: field("resp_desc"),
            order_id,
            order_key,
            json,
            check_value,
            text,
        })
    }

    /// The body to answer with (HTTP 200): `RECV_ORD_ID_` and the order id. Without it Huifu
    /// sends the result again.
    pub fn ack_body(&self) -> String {
        format!("RECV_ORD_ID_{}", self.order_id)
    }

    /// A string field of the notification.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    /// The interface the result is about (`cmd_id`; empty when absent).
    pub fn cmd_id(&self) -> &str {
        self.get("cmd_id").unwrap_or("")
    }

    /// What the notification says about the order. The `resp_code` must be this notification's
    /// own: its `cmd_id` (digits, not `000`, never `301`) followed by three digits; any other
    /// code, `000000` included, is a failure. Then `trans_stat` decides when present (`02000002`
    /// success, `02000003` failure), otherwise the code as [`AnswerOutcome`](super::AnswerOutcome)
    /// reads it: success for `000`, failure only for a code the guide calls a failure
    /// (`218003`), pending for everything else (`002` accepted, `098` timeout, unknown codes).
    pub fn outcome(&self) -> OrderOutcome {
        let cmd_id = self.cmd_id();
        let code = self.resp_code.as_str();
        if !is_cmd_id(cmd_id) || cmd_id == QUERY_CMD_ID || !is_own_code(cmd_id, code) {
            return OrderOutcome::Failure;
        }
        match self.get("trans_stat") {
            Some("02000002") => return OrderOutcome::Success,
            Some("02000003") => return OrderOutcome::Failure,
            _ => {}
        }
        // Only a code the guide calls a failure fails the order: an unknown or pending code
        // leaves it pending (query it with 301), never failed.
        match super::AnswerOutcome::of(cmd_id, code) {
            super::AnswerOutcome::Succeeded => OrderOutcome::Success,
            super::AnswerOutcome::Failed => OrderOutcome::Failure,
            _ => OrderOutcome::Pending,
        }
    }
}

/// The transaction status query: answered synchronously, never notified.
const QUERY_CMD_ID: &str = "301";

/// A command number: ASCII digits, not all zeros (`000` is the prefix of errors that name no
/// command).
fn is_cmd_id(cmd_id: &str) -> bool {
    !cmd_id.is_empty()
        && cmd_id.len() <= 8
        && cmd_id.bytes().all(|b| b.is_ascii_digit())
        && cmd_id.bytes().any(|b| b != b'0')
}

/// Whether `code` is `cmd_id` followed by three digits.
fn is_own_code(cmd_id: &str, code: &str) -> bool {
    code.strip_prefix(cmd_id)
        .is_some_and(|rest| rest.len() == 3 && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// At most 64 characters of a value quoted in an error.
fn excerpt_chars(s: &str) -> String {
    s.chars().take(64).collect()
}

fn find_check_value(body: &[u8]) -> Result<String> {
    let trimmed = body.trim_ascii();
    if trimmed.first() == Some(&b'{') {
        return match parse_object(trimmed) {
            Ok(map) => map
                .get("check_value")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| Error::InvalidNotification("no check_value in the JSON".into())),
            Err(JsonProblem::DuplicateKey(key)) => Err(Error::InvalidNotification(format!(
                "the JSON body holds the key \"{}\" twice",
                escape(&excerpt_chars(&key))
            ))),
            Err(_) => Err(Error::InvalidNotification("the body is not JSON".into())),
        };
    }
    let query = trimmed.strip_prefix(b"?").unwrap_or(trimmed);
    let mut values = form_urlencoded::parse(query).filter(|(k, _)| k == "check_value");
    let first = values.next();
    if values.next().is_some() {
        return Err(Error::InvalidNotification(
            "the form holds two check_value fields".into(),
        ));
    }
    first
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
    /// The notification does not name the whole order (`mer_cust_id`, `order_id`,
    /// `order_date`): it was verified and can be acknowledged, but no state was kept.
    Untracked,
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
        match &notification.order_key {
            Some(key) => self.apply(key, notification.outcome()),
            None => StateChange::Untracked,
        }
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
        // Two check_values: refused, in a form and in JSON alike.
        assert!(find_check_value(b"check_value=QUJD&check_value=REVG").is_err());
        assert!(find_check_value(b"check_value=QUJD&check%5Fvalue=REVG").is_err());
        assert!(find_check_value(b"{\"check_value\":\"QUJD\",\"check_value\":\"REVG\"}").is_err());
    }

    fn note(cmd_id: &str, resp_code: &str, trans_stat: Option<&str>) -> Notification {
        let mut json = Map::new();
        json.insert("cmd_id".into(), cmd_id.into());
        json.insert("resp_code".into(), resp_code.into());
        if let Some(stat) = trans_stat {
            json.insert("trans_stat".into(), stat.into());
        }
        Notification {
            json,
            order_id: "1".into(),
            order_key: Some(key("1")),
            resp_code: resp_code.into(),
            resp_desc: String::new(),
            check_value: String::new(),
            text: String::new(),
        }
    }

    #[test]
    fn outcomes_need_the_notifications_own_code() {
        use OrderOutcome::*;
        for (cmd_id, code, stat, outcome) in [
            ("218", "218000", None, Success),
            ("218", "218002", None, Pending),
            ("218", "218098", None, Pending),
            ("218", "218003", None, Failure),
            // A code the guide does not call a failure leaves the order pending.
            ("218", "218748", None, Pending),
            ("202", "202001", None, Pending),
            ("218", "218000", Some("02000003"), Failure),
            ("218", "218003", Some("02000002"), Success),
            // Another interface's code, 000000, a query, no cmd_id: never success.
            ("218", "202000", None, Failure),
            ("218", "202000", Some("02000002"), Failure),
            ("218", "000000", None, Failure),
            ("000", "000000", None, Failure),
            ("", "000000", None, Failure),
            ("", "218000", Some("02000002"), Failure),
            ("301", "301000", Some("02000002"), Failure),
            ("218", "2180000", None, Failure),
            ("218", "218", None, Failure),
        ] {
            assert_eq!(
                note(cmd_id, code, stat).outcome(),
                outcome,
                "{cmd_id} {code} {stat:?}"
            );
        }
    }
}
