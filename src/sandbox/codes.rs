//! The sandbox's answer codes and the interfaces it treats apart, in one place: the cmd_id
//! sets, the `ERR_*` suffixes of its error answers, and how a 6-digit `resp_code` is made.

pub use crate::client::VERSION;

/// cmd_ids answered with an HTML page that returns the browser to `ret_url`.
pub const PAGE_CMD_IDS: &[&str] = &["102", "204", "206", "208", "209"];
/// Queries: answered from state, never create orders, never call back.
pub const QUERY_CMD_IDS: &[&str] = &["301", "302", "317", "318"];
/// The refund cmd_id. **Not in the guide**: its fields come from Huifu's own server demo
/// (`huifu-server_demo`, `Refund.java`) and a second public integration. A refund names the
/// refunded payment by `orginal_platform_seq_id` (spelled so there: the payment's
/// `platform_seq_id`); it is an order of its own interface, so it may reuse its payment's
/// `order_id` (guide line 20). A successful refund sets the payment's `trans_stat` to
/// `02000009`; its own status is queried with 301 `trans_type` [`REFUND_TRANS_TYPE`].
pub const REFUND_CMD_ID: &str = "205";
/// The 301 `trans_type` that queries a refund (`04`, from Huifu's own demo; not in the guide).
/// Every other `trans_type` finds the order among the other interfaces (**the sandbox's own
/// rule**: the guide does not list the trans_type values, only `01` in its 301 sample, line 73,
/// and `28` face pay, line ~1196).
pub const REFUND_TRANS_TYPE: &str = "04";
/// Quick pay interfaces (206, 208): a refund with `quickpay_page_flag` `1` must name one of
/// their orders (Huifu's own demo: "1 only when the original payment was quick pay").
pub const QUICK_PAY_CMD_IDS: &[&str] = &["206", "208"];
/// The upload cmd_id, served on `fileMerchantRequest` only.
pub const UPLOAD_CMD_ID: &str = "122";
/// APP pay: answered `218002` (accepted) with `pay_url`/`pay_info`; the final result comes only
/// by the `bg_ret_url` notification (guide lines ~1101–1106).
pub const APP_PAY_CMD_ID: &str = "218";
/// Interfaces the guide's change log removes: 106 deleted (v3.3.3, line ~1160), 215 and 223 taken
/// offline (v3.2.8, line ~1187). They get a signed `<cmd>109` error, never success.
pub const REMOVED_CMD_IDS: &[&str] = &["106", "215", "223"];

/// Error suffix: the body, the check_value or the signed content is not well-formed, a date
/// field ([`DATE_FIELDS`](super::DATE_FIELDS)) is not a valid `YYYYMMDD` date, or a refund's `div_detail` is not a
/// JSON array of `{divCustId, divAcctId, divAmt}` objects.
pub const ERR_MALFORMED: &str = "101";
/// Error suffix: a form field or a required parameter is missing.
pub const ERR_MISSING: &str = "102";
/// Error suffix: `version` is not `10`.
pub const ERR_VERSION: &str = "103";
/// Error suffix: `mer_cust_id` is not a registered merchant.
pub const ERR_UNKNOWN_MERCHANT: &str = "104";
/// Error suffix: the check_value does not verify (signature, chain or signer identity).
pub const ERR_SIGNATURE: &str = "105";
/// Error suffix: a form field differs from the signed JSON.
pub const ERR_FIELD_MISMATCH: &str = "106";
/// Error suffix: the order key was used before.
pub const ERR_DUPLICATE_ORDER: &str = "107";
/// Error suffix: a 301 query names an unknown order.
pub const ERR_ORDER_NOT_FOUND: &str = "108";
/// Error suffix: the endpoint does not serve this cmd_id.
pub const ERR_UNSUPPORTED_CMD: &str = "109";
/// Error suffix: the body exceeds the configured bound.
pub const ERR_TOO_LARGE: &str = "110";
/// Error suffix: the sandbox holds its maximum of orders, by count
/// ([`SandboxConfig::max_orders`](super::SandboxConfig::max_orders)) or by bytes ([`SandboxConfig::max_order_bytes`](super::SandboxConfig::max_order_bytes)).
pub const ERR_FULL: &str = "111";
/// Error suffix: a refund names an order that did not succeed, was refunded, is smaller, or
/// was no quick pay although `quickpay_page_flag` says `1`.
pub const ERR_NOT_REFUNDABLE: &str = "112";
/// Error suffix: the sandbox failed internally (signing its answer).
pub const ERR_INTERNAL: &str = "199";

/// The 6-digit code for `cmd_id` (or `000`) and a suffix.
pub(crate) fn code(cmd_id: Option<&str>, suffix: &str) -> String {
    let prefix = cmd_id
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("000");
    format!("{prefix}{suffix}")
}
