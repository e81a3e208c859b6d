//! Orders: every interface that carries an `order_id` (payments, withdrawals, transfers, page
//! flows, the 205 refund and the 218 APP pay). The outcome comes from the [`Rules`](super::Rules);
//! an accepted order is stored, and its result is posted to `bg_ret_url`.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::answer::{answer_base, bad_date, sign, signed_error, unsigned_error};
use super::codes::*;
use super::params::{field, order_key, text_of};
use super::routes::hex;
use super::rules::{self, CallbackMode};
use super::state::{self, Order};
use super::{App, callback, page};

/// The synchronous answer to 218 (APP pay), as the guide gives it (lines 1101–1106 and the sample
/// body at line ~1114): `218002` 请求已受理 when the order is taken (its final result, `218000` or
/// a failure, comes only by the `bg_ret_url` notification), with `pay_url` (Alipay, `pay_type`
/// 15), `pay_info` (WeChat APP pay, `pay_type` 10, "定长16位"), `token_id`, `platform_seq_id`,
/// `order_id` and `order_date`. A scripted outcome that is not a success (`218003` failed,
/// `218098` timeout, `218748` as in the guide's sample, …) is answered as it is, synchronously.
/// The URL and the 16 characters of `pay_info` are the sandbox's own inventions (what a real
/// wallet would need is not in the guide).
pub(crate) fn app_pay_answer(
    out: &mut Map<String, Value>,
    request: &Map<String, Value>,
    outcome: &rules::Outcome,
    platform_seq_id: Option<&str>,
) {
    let accepted = outcome.resp_code.ends_with("000") && platform_seq_id.is_some();
    let seq = platform_seq_id.unwrap_or_default();
    let pay_type = field(request, "pay_type").unwrap_or_default();
    let (pay_url, pay_info) = match (accepted, pay_type) {
        (true, "15") => (
            format!("https://sandbox.invalid/alipay?seq={seq}"),
            String::new(),
        ),
        (true, "10") => {
            let digest = Sha256::digest(seq.as_bytes());
            (String::new(), hex(&digest[..8]))
        }
        _ => (String::new(), String::new()),
    };
    if accepted {
        out.insert(
            "resp_code".into(),
            Value::from(code(Some(APP_PAY_CMD_ID), "002")),
        );
        out.insert("resp_desc".into(), Value::from("请求已受理"));
        // The order's final state is not known yet.
        out.remove("trans_stat");
    }
    out.insert("pay_url".into(), Value::from(pay_url));
    out.insert("pay_info".into(), Value::from(pay_info));
    out.insert("token_id".into(), Value::from(""));
    out.entry("platform_seq_id")
        .or_insert_with(|| Value::from(""));
}

/// A refund's terms: the payment it names (`orginal_platform_seq_id`) and whether it says the
/// payment was a quick pay (`quickpay_page_flag` `1`; `0` or absent: no). A `div_detail`, when
/// given, must be a JSON array of `{divCustId, divAcctId, divAmt}` objects whose `divAmt` is an
/// amount (the shape of Huifu's own demo; the check is the sandbox's own rule). The error is a
/// code suffix and why.
pub(crate) fn refund_terms(
    request: &Map<String, Value>,
) -> std::result::Result<(&str, bool), (&'static str, String)> {
    let Some(seq) = field(request, "orginal_platform_seq_id") else {
        return Err((
            ERR_MISSING,
            "a refund needs orginal_platform_seq_id (the payment's platform_seq_id)".into(),
        ));
    };
    let quick_pay = match field(request, "quickpay_page_flag") {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => {
            return Err((
                ERR_MALFORMED,
                "quickpay_page_flag must be 1, 0 or absent".into(),
            ));
        }
    };
    if let Some(text) = field(request, "div_detail") {
        let well_formed = match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(parts)) => parts.iter().all(|part| {
                part.get("divCustId").is_some_and(Value::is_string)
                    && part.get("divAcctId").is_some_and(Value::is_string)
                    && part
                        .get("divAmt")
                        .and_then(Value::as_str)
                        .is_some_and(|a| a.parse::<crate::client::Amount>().is_ok())
            }),
            _ => false,
        };
        if !well_formed {
            return Err((
                ERR_MALFORMED,
                "div_detail is not a JSON array of {divCustId, divAcctId, divAmt} objects".into(),
            ));
        }
    }
    Ok((seq, quick_pay))
}

pub(crate) fn order_answer(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
) -> Response {
    let page = PAGE_CMD_IDS.contains(&cmd_id);
    let trans_amt = request.get("trans_amt").and_then(text_of);
    let order_id = field(request, "order_id");
    let outcome = app.rules.outcome(cmd_id, order_id, trans_amt.as_deref());
    let mut out = answer_base(request, cmd_id, mer_cust_id);
    out.insert("resp_code".into(), Value::from(outcome.resp_code.clone()));
    out.insert("resp_desc".into(), Value::from(outcome.resp_desc.clone()));
    let mut delivery = None;
    let mut accepted_seq = None;
    if let Some(order_id) = order_id {
        let Some(order_date) = field(request, "order_date") else {
            return signed_error(
                app,
                request,
                cmd_id,
                mer_cust_id,
                ERR_MISSING,
                "order_date is required with order_id",
            );
        };
        let Some(key) = order_key(mer_cust_id, order_id, order_date) else {
            return bad_date(app, request, cmd_id, mer_cust_id, "order_date");
        };
        let order = Order {
            key: key.clone(),
            cmd_id: cmd_id.to_string(),
            trans_amt: trans_amt.clone(),
            // Numbered by the store, once the order is accepted.
            platform_seq_id: String::new(),
            resp_code: outcome.resp_code.clone(),
            resp_desc: outcome.resp_desc.clone(),
            trans_stat: outcome.trans_stat.clone(),
            request: Value::Object(request.clone()),
            created: std::time::SystemTime::now(),
        };
        let refund_of = if cmd_id == REFUND_CMD_ID {
            match refund_terms(request) {
                Ok(terms) => Some(terms),
                Err((suffix, why)) => {
                    return signed_error(app, request, cmd_id, mer_cust_id, suffix, &why);
                }
            }
        } else {
            None
        };
        let bound = state::Bound {
            orders: app.max_orders,
            bytes: app.max_order_bytes,
        };
        let inserted = match &refund_of {
            Some((original_seq, quick_pay)) => app.store.insert_refund(
                order,
                original_seq,
                *quick_pay,
                outcome.is_success(),
                bound,
            ),
            None => app.store.insert_new(order, bound),
        };
        let platform_seq_id = match inserted {
            Ok(platform_seq_id) => platform_seq_id,
            Err(e) => {
                let (suffix, desc) = match e {
                    state::InsertError::Duplicate => {
                        (ERR_DUPLICATE_ORDER, format!("duplicate order {key}"))
                    }
                    state::InsertError::Full => (
                        ERR_FULL,
                        "the sandbox holds its maximum of orders (by count or by bytes)"
                            .to_string(),
                    ),
                    state::InsertError::OriginalNotFound => (
                        ERR_ORDER_NOT_FOUND,
                        "no payment of this merchant has this orginal_platform_seq_id".to_string(),
                    ),
                    state::InsertError::NotRefundable => (
                        ERR_NOT_REFUNDABLE,
                        "the order to refund did not succeed or was refunded".to_string(),
                    ),
                    state::InsertError::AmountExceeded => (
                        ERR_NOT_REFUNDABLE,
                        "the refund exceeds the order's amount".to_string(),
                    ),
                    state::InsertError::NotQuickPay => (
                        ERR_NOT_REFUNDABLE,
                        "quickpay_page_flag is 1 but the order to refund was no quick pay"
                            .to_string(),
                    ),
                };
                return signed_error(app, request, cmd_id, mer_cust_id, suffix, &desc);
            }
        };
        out.insert("trans_stat".into(), Value::from(outcome.trans_stat.clone()));
        out.insert(
            "platform_seq_id".into(),
            Value::from(platform_seq_id.clone()),
        );
        accepted_seq = Some(platform_seq_id);
        // As before issue 17: a bg_ret_url that is no http(s) URL gets no callback and no record.
        let bg_ret_url = field(request, "bg_ret_url").filter(|u| {
            let u = u.to_ascii_lowercase();
            u.starts_with("http://") || u.starts_with("https://")
        });
        if let (Some(url), CallbackMode::Send) = (bg_ret_url, outcome.callback) {
            let allowed = callback::check_destination(url, app.allow_remote_callbacks);
            delivery = Some((key, url.to_string(), allowed));
        }
    }
    // What the notification carries: the final result. For APP pay the synchronous answer only
    // says the request was accepted (below); for every other interface they are the same.
    let notice = out.clone();
    if cmd_id == APP_PAY_CMD_ID {
        app_pay_answer(&mut out, request, &outcome, accepted_seq.as_deref());
    }
    let signed = sign(app, &out).and_then(|answer| {
        let notice = if cmd_id == APP_PAY_CMD_ID {
            sign(app, &notice)?
        } else {
            answer.clone()
        };
        Ok((answer, notice))
    });
    let (check_value, notice_check_value) = match signed {
        Ok(pair) => pair,
        Err(e) => {
            return unsigned_error(
                app,
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(cmd_id),
                ERR_INTERNAL,
                &format!("sandbox failed to sign its answer: {e}"),
            );
        }
    };
    match delivery {
        Some((key, url, Ok(()))) => callback::spawn(
            app.client.clone(),
            app.policy.clone(),
            app.deliveries.clone(),
            app.log,
            callback::Delivery {
                cmd_id: cmd_id.to_string(),
                key,
                url,
                check_value: notice_check_value,
            },
        ),
        // The answer is the same as for an allowed destination; only nothing is sent.
        Some((key, _, Err((shown, why)))) => callback::refuse(
            &app.deliveries,
            app.log,
            cmd_id.to_string(),
            key,
            shown,
            why,
        ),
        None => {}
    }
    if page {
        Html(page::result_page(
            cmd_id,
            &outcome.resp_code,
            &outcome.resp_desc,
            field(request, "ret_url"),
            &check_value,
        ))
        .into_response()
    } else {
        axum::Json(serde_json::json!({ "check_value": check_value })).into_response()
    }
}
