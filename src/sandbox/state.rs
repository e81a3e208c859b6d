//! The sandbox's orders, keyed as Huifu keys them: within each interface (`cmd_id`),
//! (`mer_cust_id`, `order_id`, `order_date`) identify an order (developer guide line 20,
//! "同一接口内,商户号+订单号+订单日期唯一"), so a refund may reuse its payment's `order_id`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use super::QUICK_PAY_CMD_IDS;
use super::rules::{TRANS_STAT_REFUNDED, TRANS_STAT_SUCCESS};
pub use crate::client::OrderKey;

/// An order the sandbox accepted.
#[derive(Debug, Clone)]
pub struct Order {
    /// Its key.
    pub key: OrderKey,
    /// The cmd_id that created it.
    pub cmd_id: String,
    /// The amount, as sent.
    pub trans_amt: Option<String>,
    /// The sandbox's serial number for it.
    pub platform_seq_id: String,
    /// The answer's resp_code.
    pub resp_code: String,
    /// The answer's resp_desc.
    pub resp_desc: String,
    /// The final trans_stat.
    pub trans_stat: String,
    /// The signed request JSON.
    pub request: serde_json::Value,
    /// When it was accepted.
    pub created: SystemTime,
}

impl Order {
    /// The bytes this order counts for against
    /// [`SandboxConfig::max_order_bytes`](super::SandboxConfig::max_order_bytes): the lengths of
    /// its text fields (key included) and of every key and value in its signed request JSON
    /// (numbers by their decimal text, `true`/`false`/`null` by their text).
    pub fn size_bytes(&self) -> usize {
        let texts = [
            self.key.mer_cust_id.as_str(),
            self.key.order_id.as_str(),
            self.cmd_id.as_str(),
            self.trans_amt.as_deref().unwrap_or_default(),
            self.platform_seq_id.as_str(),
            self.resp_code.as_str(),
            self.resp_desc.as_str(),
            self.trans_stat.as_str(),
        ];
        // 8: the order date.
        texts
            .iter()
            .fold(8usize, |sum, t| sum.saturating_add(t.len()))
            .saturating_add(json_bytes(&self.request))
    }
}

/// The text a JSON value holds (keys and values, without the punctuation).
fn json_bytes(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => s.len(),
        Value::Array(items) => items
            .iter()
            .fold(0usize, |sum, v| sum.saturating_add(json_bytes(v))),
        Value::Object(map) => map.iter().fold(0usize, |sum, (k, v)| {
            sum.saturating_add(k.len()).saturating_add(json_bytes(v))
        }),
    }
}

/// A file received on `fileMerchantRequest`.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The merchant.
    pub mer_cust_id: String,
    /// `attach_no` from the signed JSON.
    pub attach_no: Option<String>,
    /// The file part's file name, if given.
    pub file_name: Option<String>,
    /// The file's size in bytes.
    pub size: usize,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
}

/// Why an order was not inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InsertError {
    /// The key is taken.
    Duplicate,
    /// The store is full.
    Full,
    /// A refund names an unknown order (by its `platform_seq_id`), another merchant's, or a
    /// refund.
    OriginalNotFound,
    /// A refund names an order that did not succeed (or was refunded already).
    NotRefundable,
    /// A refund says `quickpay_page_flag` `1` for an order that was no quick pay.
    NotQuickPay,
    /// A refund's amount exceeds the original's.
    AmountExceeded,
}

/// An amount `yuan.fen` in fen.
fn fen(amount: &str) -> Option<u64> {
    let (yuan, fen) = amount.split_once('.').unwrap_or((amount, "00"));
    if yuan.is_empty()
        || fen.len() != 2
        || !(yuan.bytes().chain(fen.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    yuan.parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(fen.parse().ok()?)
}

/// The store's bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound {
    /// The most orders kept.
    pub orders: usize,
    /// The most bytes ([`Order::size_bytes`]) the kept orders may hold together.
    pub bytes: usize,
}

/// Where an order is kept: its interface and its key (guide line 20).
type Slot = (String, OrderKey);

#[derive(Debug, Default)]
struct Orders {
    map: HashMap<Slot, Order>,
    /// `platform_seq_id` → the order's slot (a refund names its payment so).
    by_seq: HashMap<String, Slot>,
    /// Key → the interfaces that hold an order with it, in the order they were accepted.
    by_key: HashMap<OrderKey, Vec<String>>,
    /// The sum of the kept orders' [`Order::size_bytes`].
    bytes: usize,
}

impl Orders {
    /// Refuses a taken key, or an order past a bound.
    fn check(&self, order: &Order, bound: Bound) -> Result<(), InsertError> {
        if self
            .map
            .contains_key(&(order.cmd_id.clone(), order.key.clone()))
        {
            return Err(InsertError::Duplicate);
        }
        let bytes = self.bytes.saturating_add(order.size_bytes());
        if self.map.len() >= bound.orders || bytes > bound.bytes {
            return Err(InsertError::Full);
        }
        Ok(())
    }

    fn insert(&mut self, order: Order) {
        self.bytes = self.bytes.saturating_add(order.size_bytes());
        let slot = (order.cmd_id.clone(), order.key.clone());
        self.by_seq
            .insert(order.platform_seq_id.clone(), slot.clone());
        self.by_key
            .entry(order.key.clone())
            .or_default()
            .push(order.cmd_id.clone());
        self.map.insert(slot, order);
    }
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    orders: Mutex<Orders>,
    uploads: Mutex<Vec<Upload>>,
    seq: AtomicU64,
}

/// Locks a mutex, recovering the data if another thread panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// The next platform serial number. Read and taken ([`Store::take_seq`]) under the orders'
    /// lock, and taken for an accepted order only: a refused request uses up no number.
    fn next_seq(&self) -> String {
        let n = self.seq.load(Ordering::Relaxed).saturating_add(1);
        format!("SBX{n:016}")
    }

    fn take_seq(&self) {
        self.seq.fetch_add(1, Ordering::Relaxed);
    }

    /// A fresh platform serial number for a result that is no stored order (a Huifu-initiated
    /// 154/155 result).
    pub(crate) fn number(&self) -> String {
        let _orders = lock(&self.orders);
        let seq = self.next_seq();
        self.take_seq();
        seq
    }

    /// Inserts a new order unless its key is taken or it would pass a bound; returns the
    /// `platform_seq_id` it was given.
    pub(crate) fn insert_new(&self, mut order: Order, bound: Bound) -> Result<String, InsertError> {
        let mut orders = lock(&self.orders);
        order.platform_seq_id = self.next_seq();
        orders.check(&order, bound)?;
        self.take_seq();
        let seq = order.platform_seq_id.clone();
        orders.insert(order);
        Ok(seq)
    }

    /// Inserts a refund order for the order numbered `original_seq` (its `platform_seq_id`,
    /// the refund's `orginal_platform_seq_id`), atomically: the original must exist, belong to
    /// the same merchant and be no refund; when the refund succeeds, the original must have
    /// succeeded, the refund must not exceed its amount, and the original becomes refunded.
    /// `quick_pay`: the refund says the original was a quick pay (`quickpay_page_flag` `1`).
    pub(crate) fn insert_refund(
        &self,
        mut order: Order,
        original_seq: &str,
        quick_pay: bool,
        succeeds: bool,
        bound: Bound,
    ) -> Result<String, InsertError> {
        let mut orders = lock(&self.orders);
        order.platform_seq_id = self.next_seq();
        orders.check(&order, bound)?;
        let slot = orders
            .by_seq
            .get(original_seq)
            .cloned()
            .ok_or(InsertError::OriginalNotFound)?;
        let Some(orig) = orders.map.get_mut(&slot) else {
            return Err(InsertError::OriginalNotFound);
        };
        if orig.key.mer_cust_id != order.key.mer_cust_id || orig.cmd_id == order.cmd_id {
            return Err(InsertError::OriginalNotFound);
        }
        if quick_pay && !QUICK_PAY_CMD_IDS.contains(&orig.cmd_id.as_str()) {
            return Err(InsertError::NotQuickPay);
        }
        if succeeds {
            if orig.trans_stat != TRANS_STAT_SUCCESS {
                return Err(InsertError::NotRefundable);
            }
            if let (Some(refund), Some(paid)) = (
                order.trans_amt.as_deref().and_then(fen),
                orig.trans_amt.as_deref().and_then(fen),
            ) && refund > paid
            {
                return Err(InsertError::AmountExceeded);
            }
            // Same length as the success status: the store's byte count holds.
            orig.trans_stat = TRANS_STAT_REFUNDED.to_string();
        }
        self.take_seq();
        let seq = order.platform_seq_id.clone();
        orders.insert(order);
        Ok(seq)
    }

    /// The order `key` of interface `cmd_id`.
    pub(crate) fn get(&self, cmd_id: &str, key: &OrderKey) -> Option<Order> {
        lock(&self.orders)
            .map
            .get(&(cmd_id.to_string(), key.clone()))
            .cloned()
    }

    /// The order `key` of any interface for which `wanted` holds; when several interfaces
    /// hold the key, the earliest accepted (the lowest `platform_seq_id`).
    pub(crate) fn find(&self, key: &OrderKey, wanted: impl Fn(&str) -> bool) -> Option<Order> {
        let orders = lock(&self.orders);
        let cmd_id = orders.by_key.get(key)?.iter().find(|c| wanted(c))?;
        orders.map.get(&(cmd_id.clone(), key.clone())).cloned()
    }

    pub(crate) fn all(&self) -> Vec<Order> {
        let mut v: Vec<Order> = lock(&self.orders).map.values().cloned().collect();
        v.sort_by(|a, b| (&a.key, &a.cmd_id).cmp(&(&b.key, &b.cmd_id)));
        v
    }

    pub(crate) fn add_upload(&self, upload: Upload) {
        lock(&self.uploads).push(upload);
    }

    pub(crate) fn uploads(&self) -> Vec<Upload> {
        lock(&self.uploads).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_fen() {
        assert_eq!(fen("12.34"), Some(1234));
        assert_eq!(fen("0.39"), Some(39));
        assert_eq!(fen("7"), Some(700));
        for bad in ["", ".5", "1.5", "1.234", "-1.00", "a.00", "1,00"] {
            assert_eq!(fen(bad), None, "{bad}");
        }
    }
}
