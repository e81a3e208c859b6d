//! Asynchronous results: posting `check_value` to the order's `bg_ret_url` with Huifu's policy.
//!
//! Per protocol.md section 6: an attempt succeeds when the merchant answers HTTP 200 within the
//! timeout (5 s) with a body containing `RECV_ORD_ID_<order_id>` as a whole (not followed by
//! another character of an order id, see `acknowledges`); anything else is a failure and
//! the result is resent, 3 more times (4 attempts in all). Every attempt is recorded in the
//! [`DeliveryLog`] (and printed to stderr when the sandbox logs), and so is the give-up.
//!
//! Destinations (issue 17, item 6): by default only loopback ones are called (`localhost`, an
//! IPv4 address in 127.0.0.0/8, `::1`), so a signed request cannot make the sandbox probe other
//! hosts; [`SandboxConfig::allow_remote_callbacks`](super::SandboxConfig::allow_remote_callbacks)
//! allows any. A URL with user information (`user:pw@`) is refused either way. A refused
//! destination is recorded once, as [`DeliveryOutcome::Refused`] with attempt 0 (no connection
//! is made), under the URL without its user information.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::state::{OrderKey, lock};
use crate::error::escape_untrusted;
use crate::{Error, Result};

/// How results are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackPolicy {
    /// Time allowed for each attempt, until the whole answer is read (Huifu: 5 s).
    pub timeout: Duration,
    /// Tries after the first failed one (Huifu: 3).
    pub retries: u32,
    /// Pause before each retry.
    pub retry_delay: Duration,
    /// The most of the merchant's answer that is read when looking for the acknowledgement.
    pub max_ack_bytes: usize,
}

impl Default for CallbackPolicy {
    /// Huifu's policy: 5 s per attempt, 3 retries; 10 s between tries (the sandbox's choice: the
    /// real resend interval is not documented).
    fn default() -> Self {
        CallbackPolicy {
            timeout: Duration::from_secs(5),
            retries: 3,
            retry_delay: Duration::from_secs(10),
            max_ack_bytes: 64 * 1024,
        }
    }
}

/// How one attempt ended (or, for [`DeliveryOutcome::GaveUp`], the whole delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// HTTP 200 with `RECV_ORD_ID_<order_id>` in the body: delivered.
    Acknowledged,
    /// An HTTP status other than 200.
    HttpStatus(u16),
    /// HTTP 200, but the body lacks `RECV_ORD_ID_<order_id>`.
    MissingAck,
    /// No complete answer within the timeout.
    Timeout,
    /// Connection or protocol failure.
    Transport(String),
    /// The last attempt failed: the sandbox stops trying (recorded after the last attempt, with
    /// `attempt` = the number of attempts made).
    GaveUp,
    /// The destination is not allowed (not loopback, user information in the URL, not a valid
    /// URL): nothing was sent. Recorded once, with `attempt` 0.
    Refused(String),
}

impl DeliveryOutcome {
    /// True for [`DeliveryOutcome::Acknowledged`].
    pub fn is_acknowledged(&self) -> bool {
        matches!(self, DeliveryOutcome::Acknowledged)
    }
}

impl std::fmt::Display for DeliveryOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryOutcome::Acknowledged => f.write_str("acknowledged"),
            DeliveryOutcome::HttpStatus(s) => write!(f, "http status {s}"),
            DeliveryOutcome::MissingAck => f.write_str("HTTP 200 without RECV_ORD_ID_<order_id>"),
            DeliveryOutcome::Timeout => f.write_str("timeout"),
            DeliveryOutcome::Transport(e) => write!(f, "transport error: {e}"),
            DeliveryOutcome::GaveUp => f.write_str("gave up"),
            DeliveryOutcome::Refused(why) => write!(f, "refused, not sent: {why}"),
        }
    }
}

/// One entry of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The order's interface (a refund may share its payment's key, guide line 20).
    pub cmd_id: String,
    /// The order.
    pub key: OrderKey,
    /// Where the result was posted.
    pub url: String,
    /// The attempt's number, from 1 (for a give-up: the number of attempts made).
    pub attempt: u32,
    /// How it ended.
    pub outcome: DeliveryOutcome,
    /// When it ended.
    pub at: SystemTime,
}

/// The record of every delivery attempt; cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct DeliveryLog {
    inner: Arc<LogInner>,
}

#[derive(Debug, Default)]
struct LogInner {
    records: std::sync::Mutex<Vec<DeliveryRecord>>,
    pending: AtomicUsize,
    idle: Notify,
}

impl DeliveryLog {
    /// Every record so far, in order.
    pub fn records(&self) -> Vec<DeliveryRecord> {
        lock(&self.inner.records).clone()
    }

    /// The records of one order key, of every interface.
    pub fn for_order(&self, key: &OrderKey) -> Vec<DeliveryRecord> {
        lock(&self.inner.records)
            .iter()
            .filter(|r| &r.key == key)
            .cloned()
            .collect()
    }

    /// How many attempts were made for an order (give-up and refusal records are not attempts).
    pub fn attempts(&self, key: &OrderKey) -> u32 {
        lock(&self.inner.records)
            .iter()
            .filter(|r| {
                &r.key == key
                    && !matches!(
                        r.outcome,
                        DeliveryOutcome::GaveUp | DeliveryOutcome::Refused(_)
                    )
            })
            .count() as u32
    }

    /// True if the sandbox gave up on an order's result.
    pub fn gave_up(&self, key: &OrderKey) -> bool {
        lock(&self.inner.records)
            .iter()
            .any(|r| &r.key == key && r.outcome == DeliveryOutcome::GaveUp)
    }

    /// True if an order's result was acknowledged.
    pub fn delivered(&self, key: &OrderKey) -> bool {
        lock(&self.inner.records)
            .iter()
            .any(|r| &r.key == key && r.outcome.is_acknowledged())
    }

    /// Deliveries still in progress.
    pub fn pending(&self) -> usize {
        self.inner.pending.load(Ordering::SeqCst)
    }

    /// Waits until no delivery is in progress; false if `timeout` passed first.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.idle.notified();
            if self.pending() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.pending() == 0;
            }
        }
    }

    fn push(&self, record: DeliveryRecord, log: bool) {
        if log {
            // The order key and the URL come from the merchant's request, the outcome may carry
            // text from the merchant's server: escaped, so none can write a line of its own.
            eprintln!(
                "sandbox callback {} attempt {} -> {}: {}",
                escape_untrusted(&record.key.to_string()),
                record.attempt,
                escape_untrusted(&record.url),
                escape_untrusted(&record.outcome.to_string())
            );
        }
        lock(&self.inner.records).push(record);
    }

    fn begin(&self) {
        self.inner.pending.fetch_add(1, Ordering::SeqCst);
    }

    fn end(&self) {
        if self.inner.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

/// The HTTP client deliveries use: rustls on the ring provider (no process-wide default
/// provider), the platform's roots plus `extra_roots` (DER) for `https` URLs, no proxy, and no
/// redirects (a 3xx is a failed attempt, not an acknowledgement).
pub(crate) fn http_client(
    policy: &CallbackPolicy,
    extra_roots: &[Vec<u8>],
) -> Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots: Vec<rustls::pki_types::CertificateDer<'static>> = extra_roots
        .iter()
        .map(|der| rustls::pki_types::CertificateDer::from(der.clone()))
        .collect();
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
            .map_err(|e| Error::Sandbox(format!("callback TLS roots: {e}")))?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Sandbox(format!("callback TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(policy.timeout)
        .user_agent(concat!("huifu-cfca-sandbox/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Sandbox(format!("callback HTTP client: {e}")))
}

/// Whether the sandbox may post to `url`; if not, `Err` with the URL to record (without its user
/// information) and the reason.
pub(crate) fn check_destination(
    url: &str,
    allow_remote: bool,
) -> std::result::Result<(), (String, String)> {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return Err((url.to_string(), "not a valid URL".to_string()));
    };
    let has_userinfo = !parsed.username().is_empty() || parsed.password().is_some();
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let shown = parsed.to_string();
    if has_userinfo {
        return Err((shown, "user information in a callback URL".to_string()));
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err((shown, "not an http or https URL".to_string()));
    }
    // The parser has normalised the host: IPv4 in dotted decimal, IPv6 in brackets, names in
    // lower case.
    let loopback = match parsed.host_str() {
        Some(host) => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            match bare.parse::<std::net::IpAddr>() {
                Ok(ip) => ip.is_loopback(),
                Err(_) => host.eq_ignore_ascii_case("localhost"),
            }
        }
        None => return Err((shown, "no host".to_string())),
    };
    if loopback || allow_remote {
        Ok(())
    } else {
        Err((
            shown,
            "not a loopback destination (allow_remote_callbacks is off)".to_string(),
        ))
    }
}

/// Records a refused destination (no attempt is made).
pub(crate) fn refuse(
    log: &DeliveryLog,
    print: bool,
    cmd_id: String,
    key: OrderKey,
    url: String,
    why: String,
) {
    log.push(
        DeliveryRecord {
            cmd_id,
            key,
            url,
            attempt: 0,
            outcome: DeliveryOutcome::Refused(why),
            at: SystemTime::now(),
        },
        print,
    );
}

/// One result to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub cmd_id: String,
    pub key: OrderKey,
    pub url: String,
    pub check_value: String,
}

/// Starts delivering in the background (on the current tokio runtime).
pub(crate) fn spawn(
    client: reqwest::Client,
    policy: CallbackPolicy,
    log: DeliveryLog,
    print: bool,
    delivery: Delivery,
) {
    log.begin();
    tokio::spawn(async move {
        deliver(&client, &policy, &log, print, &delivery).await;
        log.end();
    });
}

async fn deliver(
    client: &reqwest::Client,
    policy: &CallbackPolicy,
    log: &DeliveryLog,
    print: bool,
    delivery: &Delivery,
) {
    let ack = format!("RECV_ORD_ID_{}", delivery.key.order_id);
    let attempts = policy.retries.saturating_add(1);
    for attempt in 1..=attempts {
        if attempt > 1 {
            tokio::time::sleep(policy.retry_delay).await;
        }
        let outcome = match tokio::time::timeout(
            policy.timeout,
            attempt_once(client, delivery, &ack, policy.max_ack_bytes),
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(_) => DeliveryOutcome::Timeout,
        };
        let done = outcome.is_acknowledged();
        log.push(
            DeliveryRecord {
                cmd_id: delivery.cmd_id.clone(),
                key: delivery.key.clone(),
                url: delivery.url.clone(),
                attempt,
                outcome,
                at: SystemTime::now(),
            },
            print,
        );
        if done {
            return;
        }
    }
    log.push(
        DeliveryRecord {
            cmd_id: delivery.cmd_id.clone(),
            key: delivery.key.clone(),
            url: delivery.url.clone(),
            attempt: attempts,
            outcome: DeliveryOutcome::GaveUp,
            at: SystemTime::now(),
        },
        print,
    );
}

async fn attempt_once(
    client: &reqwest::Client,
    delivery: &Delivery,
    ack: &str,
    max_ack_bytes: usize,
) -> DeliveryOutcome {
    let response = match client
        .post(&delivery.url)
        .form(&[("check_value", delivery.check_value.as_str())])
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return DeliveryOutcome::Timeout,
        Err(e) => return DeliveryOutcome::Transport(e.to_string()),
    };
    let status = response.status().as_u16();
    if status != 200 {
        return DeliveryOutcome::HttpStatus(status);
    }
    let mut response = response;
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max_ack_bytes.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= max_ack_bytes {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return DeliveryOutcome::Timeout,
            Err(e) => return DeliveryOutcome::Transport(e.to_string()),
        }
    }
    if acknowledges(&body, ack.as_bytes()) {
        DeliveryOutcome::Acknowledged
    } else {
        DeliveryOutcome::MissingAck
    }
}

/// Whether `body` holds the acknowledgement `ack` (`RECV_ORD_ID_<order_id>`) as a whole: an
/// occurrence followed by the end of the body or by a byte that cannot continue an order id. The
/// guide (developer guide line 93) asks the merchant to print the string in its answer page, so
/// the string may sit inside other text; but `RECV_ORD_ID_CBsub999` names order `CBsub999`, not
/// `CBsub`. The sandbox's rule: ASCII letters, digits, `-`, `_` and `.` continue an order id;
/// anything else (whitespace, `<`, `"`, punctuation, non-ASCII text) ends it.
pub(crate) fn acknowledges(body: &[u8], ack: &[u8]) -> bool {
    if ack.is_empty() || body.len() < ack.len() {
        return false;
    }
    (0..=body.len() - ack.len()).any(|at| {
        body[at..].starts_with(ack)
            && body
                .get(at + ack.len())
                .is_none_or(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
    })
}

#[cfg(test)]
mod tests;
