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
//!
//! # Modules
//!
//! [`codes`] (every answer code and cmd_id set), `params` (the guide's parameter rules and the
//! fields each interface needs), `routes` (HTTP: reading the fields), `auth` (authenticating a
//! request and dispatching it), one module per command family (`order`, with the 205 refund and
//! the 218 APP pay; `query`; `upload`; [`page`]), `answer` (signing answers), [`state`],
//! [`callback`] and [`initiated`] (results Huifu sends on its own).

mod answer;
mod auth;
pub mod callback;
pub mod codes;
pub mod demo;
pub mod initiated;
mod order;
pub mod page;
mod params;
mod query;
mod routes;
pub mod rules;
mod server;
pub mod state;
mod upload;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use der::Encode;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use x509_cert::Certificate;

use crate::chain::TrustStore;
use crate::identity::SignerPin;
use crate::pki::TestPki;
use crate::signer::Signer;
use crate::verify::Verifier;
use crate::{Error, Result};

use answer::sign;

pub use callback::{CallbackPolicy, DeliveryLog, DeliveryOutcome, DeliveryRecord};
pub use codes::*;
pub use initiated::{InitiatedKind, InitiatedResult};
pub use params::{AMOUNT_FIELDS, DATE_FIELDS, FIELD_LENGTHS, REQUIRED_FIELDS};
pub use rules::{
    CallbackMode, Outcome, Rule, Rules, TRANS_STAT_FAILURE, TRANS_STAT_REFUNDED, TRANS_STAT_SUCCESS,
};
pub use state::{Order, OrderKey, Upload};
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
        let (max_body_bytes, max_upload_bytes) = (config.max_body_bytes, config.max_upload_bytes);
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
        let router = routes::router(app.clone(), max_body_bytes, max_upload_bytes);
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
