//! The sandbox's orders, keyed as Huifu keys them: (`mer_cust_id`, `order_id`, `order_date`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

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
    /// A refund names an unknown order.
    OriginalNotFound,
    /// A refund names an order that did not succeed (or was refunded already).
    NotRefundable,
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

#[derive(Debug, Default)]
struct Orders {
    map: HashMap<OrderKey, Order>,
    /// The sum of the kept orders' [`Order::size_bytes`].
    bytes: usize,
}

impl Orders {
    /// Refuses a taken key, or an order past a bound.
    fn check(&self, order: &Order, bound: Bound) -> Result<(), InsertError> {
        if self.map.contains_key(&order.key) {
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
        self.map.insert(order.key.clone(), order);
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

    /// Inserts a refund order for `original`, atomically: the original must exist; when the
    /// refund succeeds, the original must have succeeded, the refund must not exceed its amount,
    /// and the original becomes refunded.
    pub(crate) fn insert_refund(
        &self,
        mut order: Order,
        original: &OrderKey,
        succeeds: bool,
        bound: Bound,
    ) -> Result<String, InsertError> {
        let mut orders = lock(&self.orders);
        order.platform_seq_id = self.next_seq();
        orders.check(&order, bound)?;
        let Some(orig) = orders.map.get_mut(original) else {
            return Err(InsertError::OriginalNotFound);
        };
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

    pub(crate) fn get(&self, key: &OrderKey) -> Option<Order> {
        lock(&self.orders).map.get(key).cloned()
    }

    pub(crate) fn all(&self) -> Vec<Order> {
        let mut v: Vec<Order> = lock(&self.orders).map.values().cloned().collect();
        v.sort_by(|a, b| a.key.cmp(&b.key));
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
