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

#[derive(Debug, Default)]
pub(crate) struct Store {
    orders: Mutex<HashMap<OrderKey, Order>>,
    uploads: Mutex<Vec<Upload>>,
    seq: AtomicU64,
}

/// Locks a mutex, recovering the data if another thread panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// A fresh platform serial number.
    pub(crate) fn next_seq(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("SBX{n:016}")
    }

    /// Inserts a new order unless its key is taken or `max` orders are held.
    pub(crate) fn insert_new(&self, order: Order, max: usize) -> Result<(), InsertError> {
        let mut orders = lock(&self.orders);
        if orders.contains_key(&order.key) {
            return Err(InsertError::Duplicate);
        }
        if orders.len() >= max {
            return Err(InsertError::Full);
        }
        orders.insert(order.key.clone(), order);
        Ok(())
    }

    /// Inserts a refund order for `original`, atomically: the original must exist; when the
    /// refund succeeds, the original must have succeeded, the refund must not exceed its amount,
    /// and the original becomes refunded.
    pub(crate) fn insert_refund(
        &self,
        order: Order,
        original: &OrderKey,
        succeeds: bool,
        max: usize,
    ) -> Result<(), InsertError> {
        let mut orders = lock(&self.orders);
        if orders.contains_key(&order.key) {
            return Err(InsertError::Duplicate);
        }
        if orders.len() >= max {
            return Err(InsertError::Full);
        }
        let Some(orig) = orders.get_mut(original) else {
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
            orig.trans_stat = TRANS_STAT_REFUNDED.to_string();
        }
        orders.insert(order.key.clone(), order);
        Ok(())
    }

    pub(crate) fn get(&self, key: &OrderKey) -> Option<Order> {
        lock(&self.orders).get(key).cloned()
    }

    pub(crate) fn all(&self) -> Vec<Order> {
        let mut v: Vec<Order> = lock(&self.orders).values().cloned().collect();
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
