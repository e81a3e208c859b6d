//! Scripted outcomes: which answer, final `trans_stat` and callback an order gets.
//!
//! Rules are tried in order; the first whose every given condition matches decides. Without a
//! match the order succeeds (`<cmd_id>000`, `trans_stat` `02000002`, callback sent).
//!
//! The built-in rules ([`Rules::builtin`]) key on the amount's last digits:
//!
//! | `trans_amt` ends in | resp_code      | trans_stat | callback |
//! |---------------------|----------------|------------|----------|
//! | `.44`               | `<cmd_id>003`  | `02000003` | sent     |
//! | `.55`               | `<cmd_id>000`  | `02000002` | skipped  |
//! | `.66`               | `<cmd_id>003`  | `02000003` | skipped  |
//!
//! A rule file is JSON; `resp_code` and `resp_desc` may use `{cmd}` for the request's cmd_id, and
//! `cmd_id`/`order_id` are patterns where `*` matches any run of characters:
//!
//! ```json
//! { "rules": [
//!   { "cmd_id": "204", "order_id": "FAIL*", "resp_code": "{cmd}003", "resp_desc": "bank refused",
//!     "trans_stat": "02000003", "callback": "send" },
//!   { "trans_amt_suffix": ".77", "callback": "skip" }
//! ] }
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// `trans_stat` of a successful transaction.
pub const TRANS_STAT_SUCCESS: &str = "02000002";
/// `trans_stat` of a failed transaction.
pub const TRANS_STAT_FAILURE: &str = "02000003";
/// `trans_stat` of a refunded transaction.
pub const TRANS_STAT_REFUNDED: &str = "02000009";

/// Whether the asynchronous result is posted to `bg_ret_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallbackMode {
    /// Post the result (the default).
    #[default]
    Send,
    /// Never post it (the merchant must query with 301).
    Skip,
}

/// One rule: conditions (all optional; all given ones must match) and the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// cmd_id pattern (`*` wildcard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd_id: Option<String>,
    /// order_id pattern (`*` wildcard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The amount's text ends with this (e.g. `.44`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_amt_suffix: Option<String>,
    /// The answer's resp_code (`{cmd}` is replaced by the cmd_id); default `{cmd}000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_code: Option<String>,
    /// The answer's resp_desc (`{cmd}` is replaced by the cmd_id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_desc: Option<String>,
    /// The final trans_stat; default `02000002`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_stat: Option<String>,
    /// Whether the result is posted to `bg_ret_url`.
    #[serde(default)]
    pub callback: CallbackMode,
}

/// What an order gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The answer's resp_code.
    pub resp_code: String,
    /// The answer's resp_desc.
    pub resp_desc: String,
    /// The final trans_stat.
    pub trans_stat: String,
    /// Whether the result is posted to `bg_ret_url`.
    pub callback: CallbackMode,
}

impl Outcome {
    /// True when the outcome is a success (`trans_stat` 02000002).
    pub fn is_success(&self) -> bool {
        self.trans_stat == TRANS_STAT_SUCCESS
    }
}

/// An ordered list of rules; the first match wins.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The rules, tried in order.
    pub rules: Vec<Rule>,
}

impl Rules {
    /// No rules: every order succeeds with a callback.
    pub fn empty() -> Self {
        Rules { rules: Vec::new() }
    }

    /// The amount-based rules in the module documentation.
    pub fn builtin() -> Self {
        let failure = |suffix: &str, callback| Rule {
            trans_amt_suffix: Some(suffix.to_string()),
            resp_code: Some("{cmd}003".to_string()),
            resp_desc: Some(format!("交易失败 (sandbox rule: amount {suffix})")),
            trans_stat: Some(TRANS_STAT_FAILURE.to_string()),
            callback,
            ..Rule::default()
        };
        Rules {
            rules: vec![
                failure(".44", CallbackMode::Send),
                Rule {
                    trans_amt_suffix: Some(".55".to_string()),
                    resp_desc: Some("成功 (sandbox rule: amount .55, no callback)".to_string()),
                    callback: CallbackMode::Skip,
                    ..Rule::default()
                },
                failure(".66", CallbackMode::Skip),
            ],
        }
    }

    /// Rules from JSON text (see the module documentation).
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::malformed("sandbox rule file", e))
    }

    /// Rules from a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }

    /// These rules followed by `other`'s.
    pub fn then(mut self, other: Rules) -> Self {
        self.rules.extend(other.rules);
        self
    }

    /// The outcome for a request.
    pub fn outcome(
        &self,
        cmd_id: &str,
        order_id: Option<&str>,
        trans_amt: Option<&str>,
    ) -> Outcome {
        let rule = self.rules.iter().find(|r| {
            r.cmd_id.as_deref().is_none_or(|p| glob(p, cmd_id))
                && r.order_id
                    .as_deref()
                    .is_none_or(|p| order_id.is_some_and(|o| glob(p, o)))
                && r.trans_amt_suffix
                    .as_deref()
                    .is_none_or(|s| trans_amt.is_some_and(|a| a.ends_with(s)))
        });
        let fill = |t: &str| t.replace("{cmd}", cmd_id);
        let trans_stat = rule
            .and_then(|r| r.trans_stat.clone())
            .unwrap_or_else(|| TRANS_STAT_SUCCESS.to_string());
        let default_desc = if trans_stat == TRANS_STAT_SUCCESS {
            "成功"
        } else {
            "交易失败"
        };
        Outcome {
            resp_code: fill(
                rule.and_then(|r| r.resp_code.as_deref())
                    .unwrap_or("{cmd}000"),
            ),
            resp_desc: fill(
                rule.and_then(|r| r.resp_desc.as_deref())
                    .unwrap_or(default_desc),
            ),
            trans_stat,
            callback: rule.map(|r| r.callback).unwrap_or_default(),
        }
    }
}

/// `*`-wildcard matching (no other metacharacters).
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return false,
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = match rest.split_last() {
        Some(x) => x,
        None => return false,
    };
    for part in middle {
        match remaining.find(part) {
            Some(i) => remaining = &remaining[i + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_wildcards() {
        assert!(glob("FAIL*", "FAIL123"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXcYYb"));
        assert!(glob("204", "204"));
        assert!(!glob("204", "2045"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn builtin_rules_key_on_the_amount() {
        let r = Rules::builtin();
        let ok = r.outcome("204", Some("o1"), Some("10.00"));
        assert_eq!(ok.resp_code, "204000");
        assert!(ok.is_success());
        assert_eq!(ok.callback, CallbackMode::Send);
        let fail = r.outcome("204", Some("o1"), Some("10.44"));
        assert_eq!(fail.resp_code, "204003");
        assert_eq!(fail.trans_stat, TRANS_STAT_FAILURE);
        assert_eq!(fail.callback, CallbackMode::Send);
        assert_eq!(
            r.outcome("209", None, Some("1.55")).callback,
            CallbackMode::Skip
        );
        let quiet = r.outcome("209", None, Some("1.66"));
        assert_eq!(
            (quiet.callback, quiet.is_success()),
            (CallbackMode::Skip, false)
        );
    }

    #[test]
    fn rule_files_parse_and_match_patterns() {
        let r = Rules::from_json(
            r#"{"rules":[{"cmd_id":"20*","order_id":"FAIL*","resp_code":"{cmd}099",
                "resp_desc":"refused {cmd}","trans_stat":"02000003","callback":"skip"}]}"#,
        )
        .unwrap()
        .then(Rules::builtin());
        let o = r.outcome("204", Some("FAIL-1"), Some("1.00"));
        assert_eq!(o.resp_code, "204099");
        assert_eq!(o.resp_desc, "refused 204");
        assert_eq!(o.callback, CallbackMode::Skip);
        assert!(r.outcome("204", Some("OK-1"), Some("1.00")).is_success());
        assert!(!r.outcome("204", Some("OK-1"), Some("1.44")).is_success());
        assert!(Rules::from_json(r#"{"rules":[{"cmd":"1"}]}"#).is_err());
        assert!(Rules::from_json("not json").is_err());
    }
}
