//! The values the API speaks in: amounts in yuan with two decimals, `YYYYMMDD` dates, order keys
//! (protocol.md section 8).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Result};

/// Fields whose value is JSON text by definition, exempt from the character rule below. From
/// the guide: `dev_info_json` (lines 1072, 1094: device information from the client SDK, passed
/// through) and `self_param_info` (line ~1098: the merchant's own parameters from the SDK). Not
/// from the guide: `div_detail` (split details, a JSON array in Huifu's own server demo:
/// `[{"divCustId":…,"divAcctId":…,"divAmt":…}]`).
pub const JSON_TEXT_FIELDS: &[&str] = &["dev_info_json", "self_param_info", "div_detail"];

/// The first character of `value` that the guide forbids in a parameter value (lines 12–13:
/// "所有参数值不应该包含与 JSON 格式冲突的特殊字符,如括号,逗号,双引号,冒号等": brackets, commas,
/// double quotes, colons), or `None`. Brackets are `(){}[]`. Our reading, where URLs need it: in
/// URL fields (names ending in `_url`) a colon (the guide's own `bg_ret_url=http://…`, line 33)
/// and square brackets (an IPv6 host, `http://[::1]:8080/`) are allowed; [`JSON_TEXT_FIELDS`] are
/// not checked.
pub fn forbidden_character(field: &str, value: &str) -> Option<char> {
    if JSON_TEXT_FIELDS.contains(&field) {
        return None;
    }
    let url = field.ends_with("_url");
    value.chars().find(|c| match c {
        '(' | ')' | '{' | '}' | ',' | '"' => true,
        ':' | '[' | ']' => !url,
        _ => false,
    })
}

/// `trans_stat`, a transaction's state in answers and notifications. **Not from the guide** (its
/// 301 sample sends it empty): the values come from Huifu's own server demo and public
/// integrations. Any other code reads as [`TransStat::Other`], so a verified answer is never
/// lost over it; an empty or absent one is `None` in the typed answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransStat {
    /// `02000002`: succeeded.
    Success,
    /// `02000003`: failed.
    Failure,
    /// `02000009`: refunded.
    Refunded,
    /// A code not listed above, as sent.
    Other(String),
}

impl TransStat {
    /// The code on the wire.
    pub fn code(&self) -> &str {
        match self {
            TransStat::Success => "02000002",
            TransStat::Failure => "02000003",
            TransStat::Refunded => "02000009",
            TransStat::Other(code) => code,
        }
    }

    /// The state of a wire code.
    pub fn from_code(code: &str) -> TransStat {
        match code {
            "02000002" => TransStat::Success,
            "02000003" => TransStat::Failure,
            "02000009" => TransStat::Refunded,
            other => TransStat::Other(other.to_string()),
        }
    }
}

impl fmt::Display for TransStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for TransStat {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for TransStat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(TransStat::from_code(&String::deserialize(d)?))
    }
}

/// Reads `trans_stat` leniently: `""`, `null` or absent is `None`; a string or a number is its
/// [`TransStat`].
pub(crate) fn lenient_trans_stat<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<TransStat>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(TransStat::from_code(&s)),
        serde_json::Value::Null => None,
        other => Some(TransStat::Other(other.to_string())),
    })
}

/// Reads an amount as Huifu may send it: yuan with up to two decimals (`7`, `7.0`, `7.00`), as a
/// string or a JSON number; `""` and `null` are `None`. Requests are strict ([`Amount`]'s
/// `FromStr`); answers are read leniently, so that a verified answer is never lost over the
/// form of an amount.
pub(crate) fn lenient_amount<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Amount>, D::Error> {
    let text = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!("an amount, not {other}")));
        }
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(serde::de::Error::custom(format!("not an amount: {text:?}")));
    }
    let padded = format!("{whole}.{frac:0<2}");
    padded.parse().map(Some).map_err(serde::de::Error::custom)
}

/// An amount of money in fen (hundredths of a yuan), written as yuan with exactly two decimals.
///
/// No floating point anywhere: `"1200.00"` parses to 120 000 fen and displays back as `1200.00`.
/// Serialises as that string, the form every APP+ amount field takes.
///
/// ```
/// use huifu_cfca::client::Amount;
/// let a: Amount = "1200.00".parse()?;
/// assert_eq!(a.fen(), 120_000);
/// assert_eq!(a.to_string(), "1200.00");
/// assert_eq!(Amount::from_fen(39).to_string(), "0.39");
/// assert!("1200".parse::<Amount>().is_err());
/// assert_eq!(format!("{:?}", Amount::from_fen(1)), "Amount(0.01 yuan)");
/// # Ok::<(), huifu_cfca::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(u64);

/// In yuan, as [`Display`](std::fmt::Display) and the wire say it: `Amount(0.01 yuan)`.
impl std::fmt::Debug for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Amount({self} yuan)")
    }
}

impl Amount {
    /// The amount of `fen` hundredths of a yuan.
    pub const fn from_fen(fen: u64) -> Self {
        Amount(fen)
    }

    /// Whole yuan (`None` on overflow).
    pub const fn from_yuan(yuan: u64) -> Option<Self> {
        match yuan.checked_mul(100) {
            Some(fen) => Some(Amount(fen)),
            None => None,
        }
    }

    /// The amount in fen.
    pub const fn fen(self) -> u64 {
        self.0
    }

    /// The sum, `None` on overflow.
    pub const fn checked_add(self, other: Amount) -> Option<Amount> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Amount(v)),
            None => None,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Amount {
    type Err = Error;

    /// Accepts `<digits>.<two digits>` and nothing else: no sign, no exponent, no spaces, no
    /// leading `.`, not one decimal and not three.
    fn from_str(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::InvalidValue {
            what: "amount",
            value: excerpt_value(s),
            reason: why.to_string(),
        };
        let (whole, frac) = s
            .split_once('.')
            .ok_or_else(|| bad("exactly two decimals are required (e.g. 1200.00)"))?;
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the whole part must be decimal digits"));
        }
        if frac.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("exactly two decimals are required (e.g. 1200.00)"));
        }
        let whole: u64 = whole.parse().map_err(|_| bad("too large"))?;
        let frac: u64 = frac.parse().map_err(|_| bad("bad decimals"))?;
        whole
            .checked_mul(100)
            .and_then(|v| v.checked_add(frac))
            .map(Amount)
            .ok_or_else(|| bad("too large"))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A calendar date written `YYYYMMDD` (e.g. `20140802`), checked to be a real day.
///
/// ```
/// use huifu_cfca::client::OrderDate;
/// let d: OrderDate = "20240229".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
/// assert!("20230229".parse::<OrderDate>().is_err());
/// # Ok::<(), huifu_cfca::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderDate {
    year: u16,
    month: u8,
    day: u8,
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl OrderDate {
    /// The date, if it is a real calendar day (years 1000..=9999).
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self> {
        if !(1000..=9999).contains(&year) {
            return Err(Error::InvalidValue {
                what: "date",
                value: format!("{year:04}{month:02}{day:02}"),
                reason: "the year must have four digits".into(),
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(Error::InvalidValue {
                what: "date",
                value: format!("{year:04}{month:02}{day:02}"),
                reason: "not a calendar day".into(),
            });
        }
        Ok(OrderDate { year, month, day })
    }

    /// Today in UTC+8 (China Standard Time, the time zone Huifu's order dates are in).
    pub fn today_china() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::from_unix_days(secs.saturating_add(8 * 3600) / 86_400)
    }

    /// The date `days` days after 1970-01-01, through `der::DateTime`'s calendar (years
    /// 1970..=9999; a day past it reads as 9999-12-31).
    fn from_unix_days(days: u64) -> Self {
        let secs = days.saturating_mul(86_400);
        let date = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
            .ok()
            .map(|d| (d.year(), d.month(), d.day()))
            .unwrap_or((9999, 12, 31));
        OrderDate {
            year: date.0,
            month: date.1,
            day: date.2,
        }
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }
    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for OrderDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for OrderDate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidValue {
                what: "date",
                value: excerpt_value(s),
                reason: "the form is YYYYMMDD (eight digits)".into(),
            });
        }
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u16>().ok());
        match (num(0..4), num(4..6), num(6..8)) {
            (Some(y), Some(m), Some(d)) => OrderDate::new(y, m as u8, d as u8),
            _ => Err(Error::InvalidValue {
                what: "date",
                value: excerpt_value(s),
                reason: "the form is YYYYMMDD (eight digits)".into(),
            }),
        }
    }
}

impl Serialize for OrderDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OrderDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What identifies an order: (`mer_cust_id`, `order_id`, `order_date`) (protocol.md section 6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderKey {
    /// The merchant's customer id.
    pub mer_cust_id: String,
    /// The merchant's order id.
    pub order_id: String,
    /// The order date.
    pub order_date: OrderDate,
}

impl fmt::Display for OrderKey {
    /// `mer_cust_id/order_id/order_date`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.mer_cust_id, self.order_id, self.order_date
        )
    }
}

impl OrderKey {
    /// Reads the key out of an answer's or a notification's JSON.
    pub fn from_json(json: &serde_json::Map<String, serde_json::Value>) -> Result<Self> {
        let field = |name: &'static str| -> Result<String> {
            match json.get(name) {
                Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(Error::InvalidValue {
                    what: "order key",
                    value: name.to_string(),
                    reason: "the field is missing or empty".into(),
                }),
            }
        };
        Ok(OrderKey {
            mer_cust_id: field("mer_cust_id")?,
            order_id: field("order_id")?,
            order_date: field("order_date")?.parse()?,
        })
    }
}

/// A value quoted in an error, bounded to 64 characters and [escaped](super::escape).
fn excerpt_value(s: &str) -> String {
    super::escape(&s.chars().take(64).collect::<String>())
}

#[cfg(test)]
mod tests;
