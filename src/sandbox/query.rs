//! cmd 301: answered from the sandbox's state, never an order, never a callback.

use axum::response::Response;
use serde_json::{Map, Value};

use super::App;
use super::answer::{answer_base, bad_date, signed_answer, signed_error};
use super::codes::*;
use super::params::{field, order_key};

pub(crate) fn query_answer(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
) -> Response {
    let (Some(order_id), Some(order_date)) =
        (field(request, "order_id"), field(request, "order_date"))
    else {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_MISSING,
            "a 301 query needs order_id and order_date",
        );
    };
    let Some(key) = order_key(mer_cust_id, order_id, order_date) else {
        return bad_date(app, request, cmd_id, mer_cust_id, "order_date");
    };
    // A refund is an order of its own interface (205), found with trans_type 04; every other
    // trans_type looks among the other interfaces (see REFUND_TRANS_TYPE).
    let order = if field(request, "trans_type") == Some(REFUND_TRANS_TYPE) {
        app.store.get(REFUND_CMD_ID, &key)
    } else {
        app.store.find(&key, |cmd| cmd != REFUND_CMD_ID)
    };
    let Some(order) = order else {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_ORDER_NOT_FOUND,
            &format!("no order {order_id} of {order_date}"),
        );
    };
    let mut out = answer_base(request, cmd_id, mer_cust_id);
    out.insert("resp_code".into(), Value::from(code(Some(cmd_id), "000")));
    out.insert("resp_desc".into(), Value::from("成功"));
    out.insert("trans_stat".into(), Value::from(order.trans_stat.clone()));
    // The trans_type that was asked is echoed (guide line 73: the 301 answer carries the
    // request's trans_type, "01" there), not the order's cmd_id.
    if let Some(asked) = field(request, "trans_type") {
        out.insert("trans_type".into(), Value::from(asked));
    }
    out.insert(
        "platform_seq_id".into(),
        Value::from(order.platform_seq_id.clone()),
    );
    out.insert(
        "trans_resp_code".into(),
        Value::from(order.resp_code.clone()),
    );
    out.insert(
        "trans_resp_desc".into(),
        Value::from(order.resp_desc.clone()),
    );
    if let Some(amt) = &order.trans_amt {
        out.insert("trans_amt".into(), Value::from(amt.clone()));
    }
    signed_answer(app, cmd_id, &out)
}
