//! A local stand-in for Huifu's APP+ API (feature `sandbox`): real HTTP, real signatures.
//!
//! [`Sandbox::start`] serves, like `https://apptrade.testpnr.com`:
//!
//! - `POST /api/merchantRequest`: the four form fields (`version`, `cmd_id`, `mer_cust_id`,
//!   `check_value`), urlencoded;
//! - `POST /api/fileMerchantRequest`: the same fields plus the file part `attach_file`, multipart
//!   (cmd 122);
//! - `GET /api/merchantRequest?…`: the four fields in the query string (the GET link form of a
//!   page-browser call), handled like the POST;
//! - `GET /sandbox/orders` and `GET /sandbox/deliveries`: the state and the delivery log as JSON
//!   (for people and tools driving a sandbox process; tests use [`RunningSandbox`]'s methods).
//!
//! Each request is checked as Huifu checks it: the four fields are present, `version` is `10`,
//! `mer_cust_id` is a registered merchant, the `check_value` verifies (signature, chain to the
//! sandbox's CA, signer CN id pinned to the id registered for that `mer_cust_id`), and the form's
//! `version`/`cmd_id`/`mer_cust_id` equal those in the signed JSON. Answers are `{"check_value":
//! …}` signed by the sandbox's Huifu identity in Huifu mode (the eContent is base64 of the JSON).
//!
//! - Orders (any call carrying `order_id`) are kept by (`mer_cust_id`, `order_id`, `order_date`);
//!   a second request with the same key is refused. The outcome (resp_code, final `trans_stat`,
//!   whether a callback is sent) comes from the [`Rules`].
//! - `301` answers from that state (`trans_stat` `02000002` / `02000003`, `02000009` after a
//!   successful `205` refund, which must name an order that succeeded and not exceed its amount).
//! - Page-browser calls ([`PAGE_CMD_IDS`]) answer with an HTML page that posts the signed result
//!   to `ret_url`.
//! - Results go to `bg_ret_url` as described in [`callback`]; see [`RunningSandbox::deliveries`].
//!
//! # Error answers
//!
//! `resp_code` is always 6 digits: the request's cmd_id (or `000` when it has none usable) and
//! one of the `ERR_*` suffixes below. The sandbox's choice, documented here:
//!
//! - **unsigned** `{"resp_code": …, "resp_desc": …}` for every error found before the merchant is
//!   authenticated: malformed body, missing form field, wrong version, unknown merchant, failed
//!   verification (signature, chain or identity), body too large (HTTP 413; the others HTTP 200).
//!   The real API's error pages are unsigned too; a client must never take them for an answer.
//! - **signed** `{"check_value": …}` answers (HTTP 200) for errors after authentication: a form
//!   field that differs from the signed JSON, a missing parameter (see [`REQUIRED_FIELDS`]), a
//!   duplicate order, an unknown
//!   order in a 301 query, a cmd_id the endpoint does not serve.
//!
//! Nothing a client sends makes the server panic; bodies are bounded
//! ([`SandboxConfig::max_body_bytes`], [`SandboxConfig::max_upload_bytes`]), and so are the time
//! a client may take ([`SandboxConfig::header_timeout`], [`SandboxConfig::idle_timeout`],
//! [`SandboxConfig::body_timeout`]), the connections served at once
//! ([`SandboxConfig::max_connections`]) and the memory orders hold
//! ([`SandboxConfig::max_order_bytes`]). Callbacks go to loopback destinations only, unless
//! [`SandboxConfig::allow_remote_callbacks`] is set.

pub mod callback;
pub mod demo;
pub mod initiated;
pub mod page;
pub mod rules;
mod server;
pub mod state;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use der::Encode;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use x509_cert::Certificate;

use crate::chain::TrustStore;
use crate::error::escape_untrusted;
use crate::identity::SignerPin;
use crate::pki::TestPki;
use crate::signer::Signer;
use crate::verify::Verifier;
use crate::{ContentMode, Error, Result};

pub use callback::{CallbackPolicy, DeliveryLog, DeliveryOutcome, DeliveryRecord};
pub use initiated::{InitiatedKind, InitiatedResult};
pub use rules::{
    CallbackMode, Outcome, Rule, Rules, TRANS_STAT_FAILURE, TRANS_STAT_REFUNDED, TRANS_STAT_SUCCESS,
};
pub use state::{Order, OrderKey, Upload};

/// The API version every request must carry.
pub const VERSION: &str = "10";
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

/// Error suffix: the body, the check_value or the signed content is not well-formed, a date
/// field ([`DATE_FIELDS`]) is not a valid `YYYYMMDD` date, or a refund's `div_detail` is not a
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
/// ([`SandboxConfig::max_orders`]) or by bytes ([`SandboxConfig::max_order_bytes`]).
pub const ERR_FULL: &str = "111";
/// Error suffix: a refund names an order that did not succeed, was refunded, is smaller, or
/// was no quick pay although `quickpay_page_flag` says `1`.
pub const ERR_NOT_REFUNDABLE: &str = "112";
/// Error suffix: the sandbox failed internally (signing its answer).
pub const ERR_INTERNAL: &str = "199";

/// Request fields echoed from the signed JSON into answers and notifications (besides `cmd_id`
/// and `mer_cust_id`, which every answer carries). The client binds an answer to its request by
/// `cmd_id`, `mer_cust_id`, `order_id` and `order_date` (for a 301: the queried order), as
/// Huifu's own answers carry them (developer guide line 73, the 301 answer sample; the real 209
/// and 204 results in the shared CFCA vectors).
const ECHO_FIELDS: &[&str] = &[
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
/// signed `<cmd>102` answer ([`ERR_MISSING`]); nothing is stored and no callback is sent.
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
type TypedRule = (&'static [&'static str], fn(&str) -> bool, &'static str);

/// The guide's parameter rules (lines 12–16), checked on every signed request: no
/// JSON-conflicting characters in values ([`crate::client::forbidden_character`], the
/// same rule the client applies before signing), amounts with exactly two decimals
/// ([`AMOUNT_FIELDS`]), dates `YYYYMMDD` ([`DATE_FIELDS`]), and the lengths the guide gives
/// ([`FIELD_LENGTHS`]). The problem names the field.
fn check_values(request: &Map<String, Value>) -> std::result::Result<(), String> {
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
fn missing_required(cmd_id: &str, request: &Map<String, Value>) -> Option<&'static str> {
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

/// How the sandbox runs.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Huifu's identity: signs answers and notifications.
    pub huifu: Signer,
    /// The trust anchors merchants' certificates must chain to.
    pub trust_anchors: Vec<Certificate>,
    /// Intermediates offered when building merchants' chains (the OCA31).
    pub intermediates: Vec<Certificate>,
    /// Registered merchants: `mer_cust_id` → the id their certificate's CN must carry.
    pub merchants: BTreeMap<String, String>,
    /// Scripted outcomes.
    pub rules: Rules,
    /// Callback delivery policy.
    pub callback: CallbackPolicy,
    /// Bound on `merchantRequest` bodies (default 64 KiB).
    pub max_body_bytes: usize,
    /// Bound on `fileMerchantRequest` bodies (default 8 MiB).
    pub max_upload_bytes: usize,
    /// Bound on the number of orders kept (default 1,000,000).
    pub max_orders: usize,
    /// Bound on the bytes the kept orders hold (default 64 MiB): the sum, over the orders, of the
    /// lengths of their text fields and of every key and value of their signed request JSON.
    /// An order that would pass it is refused with [`ERR_FULL`].
    pub max_order_bytes: usize,
    /// Time allowed for a request head, from the accept (first request) or from its first byte
    /// (later requests on a keep-alive connection); past it the connection is closed without an
    /// answer (default 10 s).
    pub header_timeout: std::time::Duration,
    /// Time a connection may stay with no request in service and no byte moved before it is
    /// closed (default 60 s).
    pub idle_timeout: std::time::Duration,
    /// Time allowed for reading a request body; past it the answer is the unsigned error
    /// `000101` ([`ERR_MALFORMED`]) with HTTP 408, and the connection is closed (default 30 s).
    pub body_timeout: std::time::Duration,
    /// The most connections served at once (default 1024, at least 1); further clients wait
    /// in the listening socket's backlog until one ends.
    pub max_connections: usize,
    /// Deliver callbacks to any host. By default (`false`) a `bg_ret_url` must name a loopback
    /// destination (`localhost`, an address in 127.0.0.0/8, or `::1`); any other is refused
    /// without a connection and recorded as [`DeliveryOutcome::Refused`]. A URL with user
    /// information (`user:pw@`) is refused either way.
    pub allow_remote_callbacks: bool,
    /// Extra trust anchors (DER) for `https` callback URLs, besides the platform's roots.
    pub callback_roots: Vec<Vec<u8>>,
    /// Print one line per request error and per callback attempt to stderr.
    pub log: bool,
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("huifu", &self.huifu)
            .field("trust_anchors", &self.trust_anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("merchants", &self.merchants)
            .field("rules", &self.rules)
            .field("callback", &self.callback)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("max_orders", &self.max_orders)
            .field("max_order_bytes", &self.max_order_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("allow_remote_callbacks", &self.allow_remote_callbacks)
            .field("callback_roots", &self.callback_roots.len())
            .field("log", &self.log)
            .finish()
    }
}

impl SandboxConfig {
    /// A configuration with no merchants registered, the built-in rules and Huifu's callback
    /// policy, listening on 127.0.0.1 (any port).
    pub fn new(
        huifu: Signer,
        trust_anchors: Vec<Certificate>,
        intermediates: Vec<Certificate>,
    ) -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            huifu,
            trust_anchors,
            intermediates,
            merchants: BTreeMap::new(),
            rules: Rules::builtin(),
            callback: CallbackPolicy::default(),
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 8 * 1024 * 1024,
            max_orders: 1_000_000,
            max_order_bytes: 64 * 1024 * 1024,
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(60),
            body_timeout: std::time::Duration::from_secs(30),
            max_connections: 1024,
            allow_remote_callbacks: false,
            callback_roots: Vec::new(),
            log: false,
        }
    }

    /// The configuration for a generated PKI: its Huifu identity signs, its root is trusted, its
    /// OCA31 is the intermediate, and its merchant is registered (`mer_cust_id` = CN id =
    /// [`PkiOptions::merchant_id`](crate::pki::PkiOptions::merchant_id)).
    pub fn from_pki(pki: &TestPki) -> Result<Self> {
        let id = pki.options().merchant_id.clone();
        Ok(SandboxConfig::new(
            pki.huifu().signer()?,
            vec![pki.root().certificate().clone()],
            vec![pki.oca31().certificate().clone()],
        )
        .merchant(id.clone(), id))
    }

    /// The configuration for a PKI written by [`TestPki::write_to`]: Huifu's key and certificate
    /// from `huifu.pfx` (opened with `password`), `root.cer` trusted, `oca31.cer` as the
    /// intermediate, and the merchant of `merchant.cer` registered under its CN id.
    pub fn from_dir(dir: impl AsRef<std::path::Path>, password: &str) -> Result<Self> {
        use der::Decode;
        let dir = dir.as_ref();
        let cert = |name: &str| -> Result<Certificate> {
            let der = std::fs::read(dir.join(name))?;
            Certificate::from_der(&der).map_err(|e| Error::malformed("certificate", e))
        };
        let huifu = crate::pfx::load(&std::fs::read(dir.join("huifu.pfx"))?, password)?;
        let signer = Signer::new(huifu.private_key().clone(), huifu.certificate().clone())?;
        let merchant = cert("merchant.cer")?;
        let subject = merchant
            .tbs_certificate()
            .subject()
            .to_der()
            .map_err(|e| Error::malformed("certificate", e))?;
        let id = crate::identity::cfca_cn(&subject)?
            .map(|cn| cn.id)
            .ok_or_else(|| {
                Error::Sandbox("merchant.cer has no CFCA common name (051@<id>@…)".into())
            })?;
        Ok(
            SandboxConfig::new(signer, vec![cert("root.cer")?], vec![cert("oca31.cer")?])
                .merchant(id.clone(), id),
        )
    }

    /// Registers a merchant: requests with `mer_cust_id` must be signed by a certificate whose CN
    /// id is `cn_id`.
    pub fn merchant(mut self, mer_cust_id: impl Into<String>, cn_id: impl Into<String>) -> Self {
        self.merchants.insert(mer_cust_id.into(), cn_id.into());
        self
    }

    /// Sets the listening address.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Sets the rules.
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Sets the callback policy.
    pub fn callback(mut self, policy: CallbackPolicy) -> Self {
        self.callback = policy;
        self
    }

    /// Allows (or, with `false`, forbids) callbacks to hosts other than loopback ones; see
    /// [`SandboxConfig::allow_remote_callbacks`].
    pub fn allow_remote_callbacks(mut self, allow: bool) -> Self {
        self.allow_remote_callbacks = allow;
        self
    }
}

/// The sandbox server.
#[derive(Debug)]
pub struct Sandbox;

/// A running sandbox. Dropping it stops the server (deliveries in flight continue on the runtime).
pub struct RunningSandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    app: Arc<App>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

pub(crate) struct App {
    huifu: Signer,
    verifiers: HashMap<String, Verifier>,
    rules: Rules,
    policy: CallbackPolicy,
    deliveries: DeliveryLog,
    store: state::Store,
    client: reqwest::Client,
    max_orders: usize,
    max_order_bytes: usize,
    max_query_bytes: usize,
    body_timeout: std::time::Duration,
    allow_remote_callbacks: bool,
    log: bool,
}

impl Sandbox {
    /// Binds `config.listen` and serves until the returned handle is shut down or dropped. Must
    /// be called on a tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox> {
        if config.trust_anchors.is_empty() {
            return Err(Error::NoTrustAnchors);
        }
        let max_connections = u32::try_from(config.max_connections)
            .ok()
            .filter(|&n| n >= 1 && n as usize <= tokio::sync::Semaphore::MAX_PERMITS)
            .ok_or_else(|| {
                Error::Sandbox(format!(
                    "max_connections must be between 1 and {}",
                    u32::MAX
                ))
            })?;
        let limits = server::Limits {
            header: config.header_timeout,
            idle: config.idle_timeout,
            max_connections,
        };
        let mut trust = TrustStore::new();
        for anchor in &config.trust_anchors {
            let der = anchor
                .to_der()
                .map_err(|e| Error::malformed("certificate", e))?;
            trust.add_der(&der)?;
        }
        let mut verifiers = HashMap::new();
        for (mer_cust_id, cn_id) in &config.merchants {
            let verifier = Verifier::builder()
                .trust(trust.clone())
                .extra_certs(config.intermediates.clone())
                .pin(SignerPin::Id(cn_id.clone()))
                .build()?;
            verifiers.insert(mer_cust_id.clone(), verifier);
        }
        let client = callback::http_client(&config.callback, &config.callback_roots)?;
        let app = Arc::new(App {
            huifu: config.huifu,
            verifiers,
            rules: config.rules,
            policy: config.callback,
            deliveries: DeliveryLog::default(),
            store: state::Store::default(),
            client,
            max_orders: config.max_orders,
            max_order_bytes: config.max_order_bytes,
            max_query_bytes: config.max_body_bytes,
            body_timeout: config.body_timeout,
            allow_remote_callbacks: config.allow_remote_callbacks,
            log: config.log,
        });
        let router = Router::new()
            .route(
                "/api/merchantRequest",
                post(merchant_request)
                    .get(merchant_request_query)
                    .layer(DefaultBodyLimit::max(config.max_body_bytes)),
            )
            .route(
                "/api/fileMerchantRequest",
                post(file_merchant_request).layer(DefaultBodyLimit::max(config.max_upload_bytes)),
            )
            .route("/sandbox/orders", axum::routing::get(list_orders))
            .route("/sandbox/deliveries", axum::routing::get(list_deliveries))
            .with_state(app.clone());
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, router, limits, rx));
        Ok(RunningSandbox {
            addr,
            app,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

impl RunningSandbox {
    /// `http://<addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `merchantRequest` URL.
    pub fn merchant_request_url(&self) -> String {
        format!("{}/api/merchantRequest", self.base_url())
    }

    /// The `fileMerchantRequest` URL.
    pub fn file_merchant_request_url(&self) -> String {
        format!("{}/api/fileMerchantRequest", self.base_url())
    }

    /// Every order, sorted by key.
    pub fn orders(&self) -> Vec<Order> {
        self.app.store.all()
    }

    /// The order `key` of any interface but the refund, as a 301 query finds it: when several
    /// interfaces hold the key, the earliest accepted.
    pub fn order(&self, key: &OrderKey) -> Option<Order> {
        self.app.store.find(key, |cmd| cmd != REFUND_CMD_ID)
    }

    /// The order `key` of interface `cmd_id` (orders are unique within one interface, guide
    /// line 20).
    pub fn order_of(&self, cmd_id: &str, key: &OrderKey) -> Option<Order> {
        self.app.store.get(cmd_id, key)
    }

    /// Sends a result Huifu initiates on its own ([`InitiatedResult`]: 154 NFC tap, 155 mobile
    /// POS) to `result.url`, signed and delivered like every notification (the same destination
    /// rule, retries and [`DeliveryLog`]); returns the `platform_seq_id` it carries. Call it on
    /// the sandbox's tokio runtime. Refused: a destination the sandbox does not deliver to
    /// (recorded in the log as well).
    pub fn send_initiated(&self, result: &InitiatedResult) -> Result<String> {
        let seq = self.app.store.number();
        let check_value = sign(&self.app, &result.content(&seq))?;
        initiated::deliver(&self.app, result, check_value)?;
        Ok(seq)
    }

    /// Every file received.
    pub fn uploads(&self) -> Vec<Upload> {
        self.app.store.uploads()
    }

    /// The callback delivery log (shared: it keeps filling).
    pub fn deliveries(&self) -> DeliveryLog {
        self.app.deliveries.clone()
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(result) => result?,
                Err(e) => return Err(Error::Sandbox(format!("server task: {e}"))),
            }
        }
        Ok(())
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

// ---- answers ------------------------------------------------------------------------------

/// The 6-digit code for `cmd_id` (or `000`) and a suffix.
fn code(cmd_id: Option<&str>, suffix: &str) -> String {
    let prefix = cmd_id
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("000");
    format!("{prefix}{suffix}")
}

/// An unsigned error answer.
fn unsigned_error(
    app: &App,
    status: StatusCode,
    cmd_id: Option<&str>,
    suffix: &str,
    desc: &str,
) -> Response {
    let resp_code = code(cmd_id, suffix);
    if app.log {
        // `desc` may quote the request (a mer_cust_id, a parser's message): escaped, so a value
        // cannot write a log line of its own.
        eprintln!(
            "sandbox request refused (unsigned): {resp_code} {}",
            escape_untrusted(desc)
        );
    }
    let body = serde_json::json!({ "resp_code": resp_code, "resp_desc": desc });
    (status, axum::Json(body)).into_response()
}

/// A signed answer's check_value.
fn sign(app: &App, content: &Map<String, Value>) -> Result<String> {
    let json = serde_json::to_vec(content).map_err(|e| Error::Signing(e.to_string()))?;
    app.huifu.sign_check_value(&json, ContentMode::Huifu)
}

/// A signed `{"check_value": …}` answer.
fn signed_answer(app: &App, cmd_id: &str, content: &Map<String, Value>) -> Response {
    match sign(app, content) {
        Ok(cv) => axum::Json(serde_json::json!({ "check_value": cv })).into_response(),
        Err(e) => unsigned_error(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(cmd_id),
            ERR_INTERNAL,
            &format!("sandbox failed to sign its answer: {e}"),
        ),
    }
}

/// The JSON of an answer: cmd_id, mer_cust_id, the echoed request fields, resp_code, resp_desc.
fn answer_base(
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("cmd_id".into(), Value::from(cmd_id));
    out.insert("mer_cust_id".into(), Value::from(mer_cust_id));
    for field in ECHO_FIELDS {
        if let Some(v) = request.get(*field) {
            out.insert((*field).into(), v.clone());
        }
    }
    out
}

/// A signed error answer (after authentication).
fn signed_error(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    suffix: &str,
    desc: &str,
) -> Response {
    if app.log {
        eprintln!(
            "sandbox request refused (signed): {} {}",
            code(Some(cmd_id), suffix),
            escape_untrusted(desc)
        );
    }
    let mut out = answer_base(request, cmd_id, mer_cust_id);
    out.insert("resp_code".into(), Value::from(code(Some(cmd_id), suffix)));
    out.insert("resp_desc".into(), Value::from(desc));
    signed_answer(app, cmd_id, &out)
}

/// A JSON value as the text Huifu would compare (strings as they are, numbers in decimal).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An order's key; `None` when the date is not a valid `YYYYMMDD` date.
fn order_key(mer_cust_id: &str, order_id: &str, order_date: &str) -> Option<OrderKey> {
    Some(OrderKey {
        mer_cust_id: mer_cust_id.to_string(),
        order_id: order_id.to_string(),
        order_date: order_date.parse().ok()?,
    })
}

/// The signed error answer for a date field that is not a valid `YYYYMMDD` date.
fn bad_date(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    name: &str,
) -> Response {
    signed_error(
        app,
        request,
        cmd_id,
        mer_cust_id,
        ERR_MALFORMED,
        &format!("{name} is not a valid YYYYMMDD date"),
    )
}

fn field<'a>(request: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    request
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

// ---- handlers -----------------------------------------------------------------------------

fn unix_secs(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

async fn list_orders(State(app): State<Arc<App>>) -> Response {
    let orders: Vec<Value> = app
        .store
        .all()
        .into_iter()
        .map(|o| {
            serde_json::json!({
                "mer_cust_id": o.key.mer_cust_id,
                "order_id": o.key.order_id,
                "order_date": o.key.order_date,
                "cmd_id": o.cmd_id,
                "trans_amt": o.trans_amt,
                "platform_seq_id": o.platform_seq_id,
                "resp_code": o.resp_code,
                "resp_desc": o.resp_desc,
                "trans_stat": o.trans_stat,
                "created": unix_secs(o.created),
            })
        })
        .collect();
    axum::Json(Value::Array(orders)).into_response()
}

async fn list_deliveries(State(app): State<Arc<App>>) -> Response {
    let records: Vec<Value> = app
        .deliveries
        .records()
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "mer_cust_id": r.key.mer_cust_id,
                "order_id": r.key.order_id,
                "order_date": r.key.order_date,
                "url": r.url,
                "attempt": r.attempt,
                "outcome": r.outcome.to_string(),
                "at": unix_secs(r.at),
            })
        })
        .collect();
    axum::Json(Value::Array(records)).into_response()
}

/// What came with the four fields.
enum Endpoint {
    Form,
    File(Option<Upload>),
}

async fn merchant_request(State(app): State<Arc<App>>, request: Request) -> Response {
    let query = query_fields(&request);
    let body = match tokio::time::timeout(app.body_timeout, Bytes::from_request(request, &())).await
    {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return body_rejection(&app, e.status(), &e.body_text()),
        Err(_) => return body_timeout(&app),
    };
    match merge_fields(query, parse_fields(&body)) {
        Ok(fields) => handle_off_runtime(app, fields, Endpoint::Form).await,
        Err(name) => query_body_conflict(&app, &name),
    }
}

/// The fields of the request's query string. Huifu reads parameters the way a Java servlet's
/// `getParameter` does, from the query string and the form body alike: the guide's C# upload demo
/// sends every signed field and `check_value` in the URL (lines ~835–850), Huifu's own Java server
/// demo sends them in the body, and a public Go SDK sends the four fields of ordinary calls in the
/// query. The sandbox accepts all of these.
fn query_fields(request: &Request) -> HashMap<String, String> {
    parse_fields(request.uri().query().unwrap_or_default().as_bytes())
}

/// The query's and the body's fields together; a field given in both with different values is
/// refused (our rule: which one Huifu would take is not documented), its name returned.
fn merge_fields(
    query: HashMap<String, String>,
    mut body: HashMap<String, String>,
) -> std::result::Result<HashMap<String, String>, String> {
    for (name, value) in query {
        match body.get(&name) {
            Some(other) if *other != value => return Err(name),
            Some(_) => {}
            None => {
                body.insert(name, value);
            }
        }
    }
    Ok(body)
}

fn query_body_conflict(app: &App, name: &str) -> Response {
    unsigned_error(
        app,
        StatusCode::OK,
        None,
        ERR_FIELD_MISMATCH,
        &format!(
            "the query string and the body disagree on {}",
            crate::error::escape_untrusted(name)
        ),
    )
}

/// The answer to a body not received within [`SandboxConfig::body_timeout`]: unsigned, HTTP 408,
/// and the connection is closed after it (the rest of the body is never read).
fn body_timeout(app: &App) -> Response {
    let mut response = unsigned_error(
        app,
        StatusCode::REQUEST_TIMEOUT,
        None,
        ERR_MALFORMED,
        &format!(
            "request body not received within {} ms",
            app.body_timeout.as_millis()
        ),
    );
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// The same four fields in a query string (a page-browser call sent as a GET link).
async fn merchant_request_query(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if query.len() > app.max_query_bytes {
        return unsigned_error(
            &app,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            ERR_TOO_LARGE,
            "query string too large",
        );
    }
    handle_off_runtime(app, parse_fields(query.as_bytes()), Endpoint::Form).await
}

/// URL-encoded fields; the first of repeated names wins.
fn parse_fields(body: &[u8]) -> HashMap<String, String> {
    let mut fields = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        fields
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    fields
}

fn body_rejection(app: &App, status: StatusCode, text: &str) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        unsigned_error(
            app,
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            ERR_TOO_LARGE,
            "request body too large",
        )
    } else {
        unsigned_error(
            app,
            StatusCode::OK,
            None,
            ERR_MALFORMED,
            &format!("malformed request body: {text}"),
        )
    }
}

async fn file_merchant_request(State(app): State<Arc<App>>, request: Request) -> Response {
    // The guide's C# demo: the signed fields and check_value in the query, only attach_file in
    // the multipart body (lines ~835–870); Huifu's Java demo: everything in the body.
    let query = query_fields(&request);
    let read = tokio::time::timeout(app.body_timeout, read_multipart(&app, request)).await;
    match read {
        Ok(Ok((fields, upload))) => match merge_fields(query, fields) {
            Ok(fields) => handle_off_runtime(app, fields, Endpoint::File(upload)).await,
            Err(name) => query_body_conflict(&app, &name),
        },
        Ok(Err(response)) => response,
        Err(_) => body_timeout(&app),
    }
}

/// The multipart body's text fields (the first of repeated names wins) and its first
/// `attach_file` part; an error is the answer to send.
async fn read_multipart(
    app: &App,
    request: Request,
) -> std::result::Result<(HashMap<String, String>, Option<Upload>), Response> {
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
    };
    let mut fields = HashMap::new();
    let mut upload = None;
    loop {
        let part = match multipart.next_field().await {
            Ok(Some(part)) => part,
            Ok(None) => break,
            Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
        };
        let name = part.name().unwrap_or_default().to_string();
        let file_name = part.file_name().map(str::to_string);
        let bytes = match part.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(body_rejection(app, e.status(), &e.body_text())),
        };
        if name == "attach_file" {
            if upload.is_none() {
                upload = Some(Upload {
                    mer_cust_id: String::new(),
                    attach_no: None,
                    file_name,
                    size: bytes.len(),
                    sha256: hex(&Sha256::digest(&bytes)),
                });
            }
        } else if !name.is_empty() {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            fields.entry(name).or_insert(text);
        }
    }
    Ok((fields, upload))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs [`handle`] (RSA verification and signing: CPU work) on the blocking pool, so the
/// runtime's workers stay free for I/O, callback deliveries and their timeouts.
async fn handle_off_runtime(
    app: Arc<App>,
    fields: HashMap<String, String>,
    endpoint: Endpoint,
) -> Response {
    let worker = app.clone();
    match tokio::task::spawn_blocking(move || handle(&worker, &fields, endpoint)).await {
        Ok(response) => response,
        Err(e) => unsigned_error(
            &app,
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            ERR_INTERNAL,
            &format!("sandbox worker failed: {e}"),
        ),
    }
}

/// Checks the four fields and the signature, then dispatches on the cmd_id.
fn handle(app: &App, fields: &HashMap<String, String>, endpoint: Endpoint) -> Response {
    let form_cmd = fields.get("cmd_id").map(String::as_str);
    for name in ["version", "cmd_id", "mer_cust_id", "check_value"] {
        if fields.get(name).is_none_or(|v| v.trim().is_empty()) {
            return unsigned_error(
                app,
                StatusCode::OK,
                form_cmd,
                ERR_MISSING,
                &format!("missing form field {name}"),
            );
        }
    }
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let (version, cmd_id, mer_cust_id) = (get("version"), get("cmd_id"), get("mer_cust_id"));
    // The guide's C# upload demo appends check_value to the URL without encoding it (line ~849:
    // `url_with_param += "&check_value=" + check_value`), so a '+' of its base64 arrives as a
    // space. Base64 has no spaces: each one is a '+' (our reading; a servlet would do the same
    // for the CFCA SDK to verify it).
    let check_value_text = get("check_value").replace(' ', "+");
    let check_value = check_value_text.as_str();
    if version != VERSION {
        return unsigned_error(
            app,
            StatusCode::OK,
            Some(cmd_id),
            ERR_VERSION,
            &format!("unsupported version {version:?}: must be {VERSION}"),
        );
    }
    let Some(verifier) = app.verifiers.get(mer_cust_id) else {
        return unsigned_error(
            app,
            StatusCode::OK,
            Some(cmd_id),
            ERR_UNKNOWN_MERCHANT,
            &format!("unknown merchant {mer_cust_id}"),
        );
    };
    let verified = match verifier.verify(check_value.as_bytes()) {
        Ok(v) => v,
        Err(e @ Error::Malformed { .. }) | Err(e @ Error::TrailingData { .. }) => {
            return unsigned_error(
                app,
                StatusCode::OK,
                Some(cmd_id),
                ERR_MALFORMED,
                &format!("malformed check_value: {e}"),
            );
        }
        Err(e) => {
            return unsigned_error(
                app,
                StatusCode::OK,
                Some(cmd_id),
                ERR_SIGNATURE,
                &format!("signature verification failed: {e}"),
            );
        }
    };
    let content = verified.content(ContentMode::Huifu);
    // The one reading of signed JSON the client uses too: a key given twice is refused.
    let request = match crate::client::json::parse_object(&content) {
        Ok(map) => map,
        Err(crate::client::json::JsonProblem::DuplicateKey(_)) => {
            return signed_error(
                app,
                &Map::new(),
                cmd_id,
                mer_cust_id,
                ERR_MALFORMED,
                "the signed content holds a key twice",
            );
        }
        Err(_) => {
            return signed_error(
                app,
                &Map::new(),
                cmd_id,
                mer_cust_id,
                ERR_MALFORMED,
                "the signed content is not a JSON object",
            );
        }
    };
    for (name, form_value) in [
        ("version", version),
        ("cmd_id", cmd_id),
        ("mer_cust_id", mer_cust_id),
    ] {
        let signed = request.get(name).and_then(text_of);
        if signed.as_deref() != Some(form_value) {
            return signed_error(
                app,
                &request,
                cmd_id,
                mer_cust_id,
                ERR_FIELD_MISMATCH,
                &format!(
                    "form field {name}={form_value:?} differs from the signed JSON ({})",
                    signed.as_deref().unwrap_or("absent")
                ),
            );
        }
    }
    dispatch(app, &request, cmd_id, mer_cust_id, endpoint)
}

fn dispatch(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    endpoint: Endpoint,
) -> Response {
    let wrong_endpoint = match (cmd_id, &endpoint) {
        (UPLOAD_CMD_ID, Endpoint::Form) => Some("cmd 122 uploads go to fileMerchantRequest"),
        (UPLOAD_CMD_ID, Endpoint::File(_)) | (_, Endpoint::Form) => None,
        (_, Endpoint::File(_)) => Some("fileMerchantRequest serves cmd 122 only"),
    };
    if let Some(desc) = wrong_endpoint {
        return signed_error(app, request, cmd_id, mer_cust_id, ERR_UNSUPPORTED_CMD, desc);
    }
    if REMOVED_CMD_IDS.contains(&cmd_id) {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_UNSUPPORTED_CMD,
            &format!("interface {cmd_id} was removed (guide change log)"),
        );
    }
    if let Err(problem) = check_values(request) {
        return signed_error(app, request, cmd_id, mer_cust_id, ERR_MALFORMED, &problem);
    }
    if let Some(name) = missing_required(cmd_id, request) {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_MISSING,
            &format!("cmd {cmd_id} needs the parameter {name}"),
        );
    }
    match (cmd_id, endpoint) {
        (_, Endpoint::File(upload)) => upload_answer(app, request, cmd_id, mer_cust_id, upload),
        ("301", Endpoint::Form) => query_answer(app, request, cmd_id, mer_cust_id),
        (_, Endpoint::Form) if QUERY_CMD_IDS.contains(&cmd_id) => {
            let mut out = answer_base(request, cmd_id, mer_cust_id);
            out.insert("resp_code".into(), Value::from(code(Some(cmd_id), "000")));
            out.insert("resp_desc".into(), Value::from("成功"));
            signed_answer(app, cmd_id, &out)
        }
        (_, Endpoint::Form) => order_answer(app, request, cmd_id, mer_cust_id),
    }
}

fn upload_answer(
    app: &App,
    request: &Map<String, Value>,
    cmd_id: &str,
    mer_cust_id: &str,
    upload: Option<Upload>,
) -> Response {
    let Some(mut upload) = upload else {
        return signed_error(
            app,
            request,
            cmd_id,
            mer_cust_id,
            ERR_MISSING,
            "missing file part attach_file",
        );
    };
    upload.mer_cust_id = mer_cust_id.to_string();
    upload.attach_no = field(request, "attach_no").map(str::to_string);
    let mut out = answer_base(request, cmd_id, mer_cust_id);
    out.insert("resp_code".into(), Value::from(code(Some(cmd_id), "000")));
    out.insert("resp_desc".into(), Value::from("成功"));
    out.insert("file_size".into(), Value::from(upload.size.to_string()));
    app.store.add_upload(upload);
    signed_answer(app, cmd_id, &out)
}

fn query_answer(
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

/// The synchronous answer to 218 (APP pay), as the guide gives it (lines 1101–1106 and the sample
/// body at line ~1114): `218002` 请求已受理 when the order is taken (its final result, `218000` or
/// a failure, comes only by the `bg_ret_url` notification), with `pay_url` (Alipay, `pay_type`
/// 15), `pay_info` (WeChat APP pay, `pay_type` 10, "定长16位"), `token_id`, `platform_seq_id`,
/// `order_id` and `order_date`. A scripted outcome that is not a success (`218003` failed,
/// `218098` timeout, `218748` as in the guide's sample, …) is answered as it is, synchronously.
/// The URL and the 16 characters of `pay_info` are the sandbox's own inventions (what a real
/// wallet would need is not in the guide).
fn app_pay_answer(
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
fn refund_terms(
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

fn order_answer(
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
