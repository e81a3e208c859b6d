//! The guide's parameter rules (lines 12–16, 20) and the fields each interface needs: what a
//! signed request must hold before the sandbox acts on it.

use serde_json::{Map, Value};

use super::codes::{REFUND_CMD_ID, UPLOAD_CMD_ID};
use super::state::OrderKey;

/// The guide's field lengths (the SDK endpoints, lines 1088–1098 and ~1066–1076): at most
/// `max` characters, or exactly `max` where `fixed`.
pub const FIELD_LENGTHS: &[(&str, usize, bool)] = &[
    ("device_info", 32, false),
    ("ip_addr", 20, false),
    ("location_val", 20, false),
    ("dev_info_json", 2000, false),
    ("extension", 512, false),
    ("pay_type", 2, true),
];
/// Amount fields: yuan with exactly two decimals (guide line 14: "金额单位为元,精确到分,如:1200.00").
pub const AMOUNT_FIELDS: &[&str] = &["trans_amt", "real_trans_amt", "fee_amt", "div_amt"];
/// Date fields: `YYYYMMDD` (guide line 15).
pub const DATE_FIELDS: &[&str] = &["order_date"];

/// Request fields echoed from the signed JSON into answers and notifications (besides `cmd_id`
/// and `mer_cust_id`, which every answer carries). The client binds an answer to its request by
/// `cmd_id`, `mer_cust_id`, `order_id` and `order_date` (for a 301: the queried order), as
/// Huifu's own answers carry them (developer guide line 73, the 301 answer sample; the real 209
/// and 204 results in the shared CFCA vectors).
pub(crate) const ECHO_FIELDS: &[&str] = &[
    "order_id",
    "order_date",
    "trans_amt",
    "mer_priv",
    "extension",
    "user_cust_id",
    "attach_no",
    "trans_type",
    "attach_type",
];

/// The signed parameters each interface needs (issue 17, item 7): a request whose cmd_id is
/// listed here and that lacks one of its fields (absent, empty, or not a JSON string) gets a
/// signed `<cmd>102` answer ([`ERR_MISSING`](super::ERR_MISSING)); nothing is stored and no callback is sent.
/// cmd_ids not listed need none besides the four form fields (and `order_date` with an
/// `order_id`, as always).
///
/// The developer guide has no table of required request fields for these interfaces: where its
/// demos or samples carry the fields, the line is cited next to the entry; the rest (an amount
/// for every order that moves money) is **the sandbox's own rule**, so that an order the sandbox
/// answers as accepted is one it can store, query and call back. The 205 refund is not in the
/// guide at all: its fields come from Huifu's own server demo ([`REFUND_CMD_ID`]).
pub const REQUIRED_FIELDS: &[(&str, &[&str])] = &[
    // Upload: the guide's C# 122 demo signs attach_no, trans_type, attach_type (lines 822-824).
    (UPLOAD_CMD_ID, &["attach_no", "trans_type", "attach_type"]),
    // Withdrawal: the guide's PHP 202 demo (lines 253-261: user_cust_id, order_date, order_id,
    // trans_amt, cash_bind_card_id, cash_type, bg_ret_url; fee_obj and fee_acct_id are sent
    // empty there) and its C# demo (lines 510-512, 931-933); Huifu's own TakeCash.java agrees.
    (
        "202",
        &[
            "user_cust_id",
            "order_id",
            "order_date",
            "trans_amt",
            "cash_bind_card_id",
            "cash_type",
            "bg_ret_url",
        ],
    ),
    // Transfer, bank pay, quick pay, QR pay: the sandbox's own rule.
    ("203", &["order_id", "order_date", "trans_amt"]),
    ("204", &["order_id", "order_date", "trans_amt"]),
    ("206", &["order_id", "order_date", "trans_amt"]),
    ("208", &["order_id", "order_date", "trans_amt"]),
    ("209", &["order_id", "order_date", "trans_amt"]),
    // Refund: not in the guide; Huifu's own server demo (Refund.java) sends these.
    (
        REFUND_CMD_ID,
        &[
            "order_id",
            "order_date",
            "trans_amt",
            "orginal_platform_seq_id",
            "bg_ret_url",
        ],
    ),
    // APP pay: its answer names the order by order_id and order_date (guide line 1114, the
    // relayed 218 answer); pay_type is required by the guide's table (line 1097, "必须");
    // trans_amt, goods_desc and bg_ret_url by Huifu's own demo and public integrations (not in
    // the guide, whose 218 table lists only the SDK endpoint's fields).
    (
        "218",
        &[
            "order_id",
            "order_date",
            "trans_amt",
            "pay_type",
            "goods_desc",
            "bg_ret_url",
        ],
    ),
    // Status query: its answer names the queried order by order_id and order_date (guide line 73).
    ("301", &["order_id", "order_date"]),
];

/// Fields that must read as a type: their names, whether a value reads, what it is not.
pub(crate) type TypedRule = (&'static [&'static str], fn(&str) -> bool, &'static str);

/// The guide's parameter rules (lines 12–16), checked on every signed request: no
/// JSON-conflicting characters in values ([`crate::client::forbidden_character`], the
/// same rule the client applies before signing), amounts with exactly two decimals
/// ([`AMOUNT_FIELDS`]), dates `YYYYMMDD` ([`DATE_FIELDS`]), and the lengths the guide gives
/// ([`FIELD_LENGTHS`]). The problem names the field.
pub(crate) fn check_values(request: &Map<String, Value>) -> std::result::Result<(), String> {
    for (name, value) in request {
        let Value::String(text) = value else { continue };
        let shown = || crate::error::escape_untrusted(&text.chars().take(64).collect::<String>());
        if let Some(c) = crate::client::forbidden_character(name, text) {
            return Err(format!(
                "parameter {} holds {c:?}, which the guide forbids in values (lines 12-13)",
                crate::error::escape_untrusted(name)
            ));
        }
        let typed: [TypedRule; 2] = [
            (
                AMOUNT_FIELDS,
                |t| t.parse::<crate::client::Amount>().is_ok(),
                "is not yuan with two decimals such as 1200.00 (guide line 14)",
            ),
            (
                DATE_FIELDS,
                |t| t.parse::<crate::client::OrderDate>().is_ok(),
                "is not a YYYYMMDD date (guide line 15)",
            ),
        ];
        for (fields, reads, what) in typed {
            if fields.contains(&name.as_str()) && !text.is_empty() && !reads(text) {
                return Err(format!("{name} {:?} {what}", shown()));
            }
        }
        if let Some((_, max, fixed)) = FIELD_LENGTHS.iter().find(|(f, _, _)| *f == name) {
            let len = text.chars().count();
            if (*fixed && len != *max && len != 0) || len > *max {
                let rule = if *fixed { "exactly" } else { "at most" };
                return Err(format!(
                    "{name} has {len} characters; the guide allows {rule} {max}"
                ));
            }
        }
    }
    Ok(())
}

/// The first field of [`REQUIRED_FIELDS`] that `request` lacks for `cmd_id`.
pub(crate) fn missing_required(cmd_id: &str, request: &Map<String, Value>) -> Option<&'static str> {
    REQUIRED_FIELDS
        .iter()
        .find(|(cmd, _)| *cmd == cmd_id)
        .and_then(|(_, names)| {
            names
                .iter()
                .copied()
                .find(|name| field(request, name).is_none())
        })
}

/// A JSON value as the text Huifu would compare (strings as they are, numbers in decimal).
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An order's key; `None` when the date is not a valid `YYYYMMDD` date.
pub(crate) fn order_key(mer_cust_id: &str, order_id: &str, order_date: &str) -> Option<OrderKey> {
    Some(OrderKey {
        mer_cust_id: mer_cust_id.to_string(),
        order_id: order_id.to_string(),
        order_date: order_date.parse().ok()?,
    })
}

pub(crate) fn field<'a>(request: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    request
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}
