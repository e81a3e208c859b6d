//! The async APP+ client (feature `client`): signed calls, typed calls, uploads, page forms,
//! notifications and the mobile SDK's endpoints.
//!
//! Every call is one HTTP POST of four URL-encoded fields (`version`, `cmd_id`, `mer_cust_id`,
//! `check_value`, protocol.md section 1). The client fills `version` `10`, the `cmd_id` and the
//! merchant's `mer_cust_id` into the signed JSON, signs it in [`ContentMode::Huifu`], and verifies
//! the answer with the [`Verifier`] it was given (pinned to Huifu's id `100001` by
//! [`Verifier::huifu`]). It never retries: an error's [`Error::was_sent`] says whether the request
//! may have reached the server.
//!
//! TLS is rustls with the *ring* provider, configured by the client itself (no process-wide
//! default provider is needed), trusting the platform's roots plus any extra roots given to the
//! builder.
//!
//! # A complete call
//!
//! Against the sandbox, as written: `huifu-cfca pki generate --out pki` writes the merchant's PFX
//! (password `123456`, merchant `6666000000026086`) and the CA bundle, and
//! `huifu-cfca sandbox --pki pki` plays Huifu on `127.0.0.1:8787`. Against Huifu, use your own
//! PFX, CFCA's certificates and [`Endpoint::Test`] or [`Endpoint::Production`].
//!
//! ```no_run
//! use huifu_cfca::chain::TrustStore;
//! use huifu_cfca::client::{AppPayRequest, Client, Endpoint, PayType, QueryRequest, Url};
//! use huifu_cfca::signer::Signer;
//! use huifu_cfca::verify::Verifier;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // The merchant's key and certificate, from its PFX.
//! let signer = Signer::from_pfx(&std::fs::read("pki/merchant-cfca.pfx")?, "123456")?;
//!
//! // Huifu's answers must chain to the CA and be signed by 100001.
//! let mut trust = TrustStore::new();
//! trust.add_pem(&std::fs::read("pki/ca-bundle.pem")?)?;
//! let verifier = Verifier::huifu(trust)?;
//!
//! let endpoint = Endpoint::Custom(Url::parse("http://127.0.0.1:8787/api/merchantRequest")?);
//! let client = Client::builder(endpoint, "6666000000026086", signer, verifier)
//!     .timeout(std::time::Duration::from_secs(20))
//!     .build()?;
//!
//! // A typed call: APP pay. 218002 means accepted; the result comes by notification.
//! let date = "20260102".parse()?;
//! let pay = client
//!     .app_pay(&AppPayRequest::new(
//!         "AP1", date, "12.00".parse()?, PayType::WeChatApp, "tea",
//!         "http://127.0.0.1:8080/notify",
//!     ))
//!     .await?;
//! println!("{} {:?} {}", pay.answer.resp_code, pay.answer.outcome(), pay.answer.json_text());
//!
//! // The generic call: any cmd_id, parameters as a JSON object or any serde value.
//! let answer = client
//!     .call("301", &serde_json::json!({
//!         "order_id": "AP1",
//!         "order_date": "20260102",
//!         "trans_type": "10",
//!     }))
//!     .await?;
//! println!("{} {}", answer.resp_code, answer.resp_desc);
//!
//! // The same as a typed call.
//! let reply = client.query(&QueryRequest::new("AP1", date, "10")).await?;
//! if reply.answer.is_success() {
//!     println!("status {:?}, amount {:?}", reply.data.trans_stat, reply.data.trans_amt);
//! }
//! # Ok(())
//! # }
//! ```

mod call;
mod form;
pub(crate) mod json;
pub mod mobile;
mod notify;
mod typed;
mod upload;
mod values;

use std::sync::Arc;
use std::time::Duration;

pub use reqwest::Url;

pub use call::{Answer, AnswerOutcome, SignedRequest};
pub use form::{PageForm, escape_html};
pub use mobile::PayType;
pub use notify::{Notification, OrderOutcome, OrderState, OrderStates, StateChange};
pub use typed::{
    AppPayAnswer, AppPayRequest, DivPart, QueryAnswer, QueryRequest, RefundAnswer, RefundRequest,
    Reply, WithdrawAnswer, WithdrawRequest,
};
pub use upload::{UploadFile, UploadRequest};
pub use values::{Amount, JSON_TEXT_FIELDS, OrderDate, OrderKey, TransStat, forbidden_character};

/// The address Huifu's production system posts notifications from (developer guide line 97,
/// "我司本系统生产环境出口IP为:139.224.111.237": merchants whitelist it).
pub const HUIFU_NOTIFICATION_SOURCE: std::net::IpAddr =
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(139, 224, 111, 237));

use crate::signer::Signer;
use crate::verify::Verifier;
use crate::{ContentMode, Error, Result};

/// The protocol version every request carries.
pub const VERSION: &str = "10";

/// The longest answer body the client accepts (1 MiB): a longer answer is refused as
/// [`Error::AnswerTooLarge`] (announced by its `Content-Length` or found while reading), never
/// verified from a cut prefix.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// The most bytes of an answer body an error keeps.
pub const EXCERPT_BYTES: usize = 512;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Huifu's test system: `https://apptrade.testpnr.com/api/merchantRequest`, uploads to
    /// `https://apptrade.testpnr.com/api/fileMerchantRequest`.
    Test,
    /// Production as seen in Huifu's demos: `https://finance.chinapnr.com/npay/merchantRequest`
    /// (uploads assumed at `.../npay/fileMerchantRequest`). Check the address your Huifu contract
    /// names; use [`Endpoint::Custom`] when it differs.
    Production,
    /// Any `merchantRequest` URL (a sandbox, a proxy). Uploads go to the same URL with a last path
    /// segment `merchantRequest` replaced by `fileMerchantRequest` (or set
    /// [`ClientBuilder::upload_url`]).
    Custom(Url),
}

const TEST_URL: &str = "https://apptrade.testpnr.com/api/merchantRequest";
const PRODUCTION_URL: &str = "https://finance.chinapnr.com/npay/merchantRequest";

impl Endpoint {
    /// The `merchantRequest` URL.
    pub fn request_url(&self) -> Result<Url> {
        match self {
            Endpoint::Test => parse_url(TEST_URL),
            Endpoint::Production => parse_url(PRODUCTION_URL),
            Endpoint::Custom(url) => Ok(url.clone()),
        }
    }

    /// The `fileMerchantRequest` URL for uploads.
    pub fn upload_url(&self) -> Result<Url> {
        let mut url = self.request_url()?;
        let path = url.path().to_string();
        if let Some(prefix) = path.strip_suffix("merchantRequest") {
            url.set_path(&format!("{prefix}fileMerchantRequest"));
        }
        Ok(url)
    }
}

fn parse_url(text: &str) -> Result<Url> {
    Url::parse(text).map_err(|e| Error::ClientConfig(format!("URL {text}: {e}")))
}

/// Configures a [`Client`]; made by [`Client::builder`].
pub struct ClientBuilder {
    endpoint: Endpoint,
    upload_url: Option<Url>,
    mer_cust_id: String,
    signer: Signer,
    verifier: Verifier,
    connect_timeout: Duration,
    timeout: Duration,
    extra_roots_der: Vec<Vec<u8>>,
    extra_roots_pem: Vec<Vec<u8>>,
    platform_roots: bool,
    content_mode: ContentMode,
    notification_sources: Option<Vec<std::net::IpAddr>>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("mer_cust_id", &self.mer_cust_id)
            .field("signer", &self.signer)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// How long connecting (TCP and TLS) may take; 10 seconds unless set.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole call may take, from connecting to the last byte of the answer; 30
    /// seconds unless set.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts one more TLS root certificate (DER), besides the platform's roots.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_der.push(der.into());
        self
    }

    /// Trusts every certificate of a PEM bundle as a TLS root, besides the platform's roots.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// Trusts only the extra roots given to this builder, not the platform's (for private test
    /// systems).
    pub fn only_extra_roots(mut self) -> Self {
        self.platform_roots = false;
        self
    }

    /// Sends uploads (cmd 122) to this URL instead of the one derived from the endpoint.
    pub fn upload_url(mut self, url: Url) -> Self {
        self.upload_url = Some(url);
        self
    }

    /// Accept notifications only from these peer addresses in [`Client::notification_from`]
    /// (by default any peer: the signature is what proves a result). Huifu's production
    /// system posts from [`HUIFU_NOTIFICATION_SOURCE`] (guide line 97); a sandbox or test
    /// system posts from elsewhere. Behind a reverse proxy the peer is the proxy: pass the
    /// address it forwarded instead.
    pub fn notification_sources(
        mut self,
        sources: impl IntoIterator<Item = std::net::IpAddr>,
    ) -> Self {
        self.notification_sources = Some(sources.into_iter().collect());
        self
    }

    /// What requests sign: [`ContentMode::Huifu`] (the default: base64 of the JSON, as Huifu's
    /// Java wrapper signs) or [`ContentMode::Raw`] (the JSON itself, as the guide's PHP demo
    /// signs: `$strSignSourceData = json_encode($requestParam)`, guide line 266). Answers and
    /// notifications are read in either form whatever is chosen here.
    pub fn content_mode(mut self, mode: ContentMode) -> Self {
        self.content_mode = mode;
        self
    }

    /// Builds the client: parses the extra roots and sets up rustls with the ring provider.
    pub fn build(self) -> Result<Client> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;

        let mut roots: Vec<CertificateDer<'static>> = self
            .extra_roots_der
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        for pem in &self.extra_roots_pem {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots.push(cert.map_err(|e| {
                    Error::ClientConfig(format!("extra root certificates (PEM): {e}"))
                })?);
            }
            if roots.len() == before {
                return Err(Error::ClientConfig(
                    "extra root certificates (PEM): no certificate found".into(),
                ));
            }
        }
        let tls = tls_config(roots, self.platform_roots)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("huifu-cfca/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::ClientConfig(format!("HTTP client: {e}")))?;
        let request_url = self.endpoint.request_url()?;
        let upload_url = match self.upload_url {
            Some(url) => url,
            None => self.endpoint.upload_url()?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                request_url,
                upload_url,
                mer_cust_id: self.mer_cust_id,
                signer: self.signer,
                verifier: self.verifier,
                content_mode: self.content_mode,
                notification_sources: self.notification_sources,
            }),
        })
    }
}

/// rustls on the ring provider (never a process-wide default), verifying servers against the
/// platform's roots (through `rustls-platform-verifier`) plus `extra`, or `extra` alone.
fn tls_config(
    extra: Vec<rustls::pki_types::CertificateDer<'static>>,
    platform_roots: bool,
) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::ClientConfig(format!("TLS: {e}")))?;
    let config = if platform_roots {
        let verifier =
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
                .map_err(|e| Error::ClientConfig(format!("TLS roots: {e}")))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    } else {
        let mut store = rustls::RootCertStore::empty();
        for cert in extra {
            store
                .add(cert)
                .map_err(|e| Error::ClientConfig(format!("TLS root: {e}")))?;
        }
        if store.is_empty() {
            return Err(Error::ClientConfig(
                "TLS: no root certificates (only_extra_roots without any)".into(),
            ));
        }
        builder.with_root_certificates(store).with_no_client_auth()
    };
    Ok(config)
}

/// The APP+ client. Cheap to clone (shared inside), `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    request_url: Url,
    upload_url: Url,
    mer_cust_id: String,
    signer: Signer,
    verifier: Verifier,
    content_mode: ContentMode,
    notification_sources: Option<Vec<std::net::IpAddr>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("request_url", &self.inner.request_url.as_str())
            .field("upload_url", &self.inner.upload_url.as_str())
            .field("mer_cust_id", &self.inner.mer_cust_id)
            .field("signer", &self.inner.signer)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client for `mer_cust_id`, signing with `signer` and verifying answers
    /// with `verifier` (use [`Verifier::huifu`]: chain plus Huifu's pinned id).
    pub fn builder(
        endpoint: Endpoint,
        mer_cust_id: impl Into<String>,
        signer: Signer,
        verifier: Verifier,
    ) -> ClientBuilder {
        ClientBuilder {
            endpoint,
            upload_url: None,
            mer_cust_id: mer_cust_id.into(),
            signer,
            verifier,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            extra_roots_der: Vec::new(),
            extra_roots_pem: Vec::new(),
            platform_roots: true,
            content_mode: REQUEST_MODE,
            notification_sources: None,
        }
    }

    /// The merchant's customer id.
    pub fn mer_cust_id(&self) -> &str {
        &self.inner.mer_cust_id
    }

    /// The `merchantRequest` URL calls go to.
    pub fn request_url(&self) -> &Url {
        &self.inner.request_url
    }

    /// The `fileMerchantRequest` URL uploads go to.
    pub fn upload_url(&self) -> &Url {
        &self.inner.upload_url
    }

    /// The verifier answers, notifications and redirects are checked with.
    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    /// The merchant's signer.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    /// Builds and signs the request for `cmd_id` without sending it (the JSON and the four wire
    /// fields). `params` must serialise to a JSON object; `version`, `cmd_id` and `mer_cust_id`
    /// may be left out (they are filled in) but must agree when present
    /// ([`Error::ParamConflict`]). `null` values are left out.
    pub fn sign_request<P: serde::Serialize + ?Sized>(
        &self,
        cmd_id: &str,
        params: &P,
    ) -> Result<SignedRequest> {
        SignedRequest::with_mode(
            &self.inner.signer,
            &self.inner.mer_cust_id,
            cmd_id,
            params,
            self.inner.content_mode,
        )
    }

    /// Calls `cmd_id` with `params` (any serde value that is a JSON object, e.g. a
    /// `serde_json::Map`, `serde_json::json!({...})` or a struct) and returns the verified answer.
    pub async fn call<P: serde::Serialize + ?Sized>(
        &self,
        cmd_id: &str,
        params: &P,
    ) -> Result<Answer> {
        let request = self.sign_request(cmd_id, params)?;
        self.send(&request).await
    }

    /// Sends an already signed request and verifies the answer.
    pub async fn send(&self, request: &SignedRequest) -> Result<Answer> {
        let body = request.form_body();
        let sent = self
            .inner
            .http
            .post(self.inner.request_url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=UTF-8",
            )
            .body(body)
            .send()
            .await;
        self.read_answer(request, sent).await
    }

    /// A page-browser call (quick pay 206/208/209, bank pay 204, company account 102, …): the
    /// signed fields as a self-submitting form or a GET URL for the user's browser.
    pub fn page_form<P: serde::Serialize + ?Sized>(
        &self,
        cmd_id: &str,
        params: &P,
    ) -> Result<PageForm> {
        let request = self.sign_request(cmd_id, params)?;
        Ok(PageForm::new(
            self.inner.request_url.clone(),
            request.fields(),
        ))
    }

    /// Verifies a `bg_ret_url` notification (or a `ret_url` redirect): the raw form body or
    /// query string, with the client's verifier; a result that names a merchant must name this
    /// client's (Huifu signs every merchant's results with the same key). One without
    /// `mer_cust_id` is accepted: the acknowledgement needs only `order_id` (guide lines 91–95).
    pub fn notification(&self, body: &[u8]) -> Result<Notification> {
        let note = Notification::parse(&self.inner.verifier, body)?;
        if let Some(merchant) = note.get("mer_cust_id")
            && merchant != self.inner.mer_cust_id
        {
            return Err(Error::InvalidNotification(format!(
                "the result is for merchant \"{}\", not {:?}",
                escape(merchant),
                self.inner.mer_cust_id
            )));
        }
        Ok(note)
    }

    /// [`Client::notification`] for a body posted by `peer`: refused with
    /// [`Error::NotificationSource`] before anything is parsed when
    /// [`ClientBuilder::notification_sources`] was set and does not list `peer` (an IPv4 peer
    /// seen as an IPv4-mapped IPv6 address counts as itself).
    ///
    /// ```no_run
    /// # fn run(client: &huifu_cfca::client::Client, peer: std::net::SocketAddr, body: &[u8])
    /// # -> huifu_cfca::Result<String> {
    /// let note = client.notification_from(peer.ip(), body)?;
    /// Ok(note.ack_body())
    /// # }
    /// ```
    pub fn notification_from(&self, peer: std::net::IpAddr, body: &[u8]) -> Result<Notification> {
        let peer = peer.to_canonical();
        if let Some(sources) = &self.inner.notification_sources
            && !sources.iter().any(|s| s.to_canonical() == peer)
        {
            return Err(Error::NotificationSource { peer });
        }
        self.notification(body)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Reads, bounds and verifies an HTTP answer.
    pub(crate) async fn read_answer(
        &self,
        request: &SignedRequest,
        sent: std::result::Result<reqwest::Response, reqwest::Error>,
    ) -> Result<Answer> {
        let mut response = sent.map_err(transport_error)?;
        let status = response.status().as_u16();
        let too_large = || Error::AnswerTooLarge {
            status,
            limit: MAX_ANSWER_BYTES,
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(body_error)? {
            if chunk.len() > MAX_ANSWER_BYTES - body.len() {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Answer::from_http(&self.inner.verifier, request, status, &body)
    }
}

/// Maps a reqwest error raised while sending (before the answer's head arrived).
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    // Connect (TCP/TLS) and builder errors happen before any byte of the request is written.
    let sent = !(e.is_connect() || e.is_builder());
    if e.is_timeout() {
        Error::Timeout { sent }
    } else {
        Error::Transport { sent, source: e }
    }
}

/// Maps a reqwest error raised while reading the answer's body: the request was sent.
fn body_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout { sent: true }
    } else {
        Error::Transport {
            sent: true,
            source: e,
        }
    }
}

/// The start of a body for an error: at most [`EXCERPT_BYTES`] bytes of lossy UTF-8,
/// [escaped](escape), cut on a character (and escape) boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_BYTES)];
    let text = match std::str::from_utf8(cut) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        // A character cut in half at the end: drop the partial bytes.
        Err(e) if e.error_len().is_none() => String::from_utf8_lossy(&cut[..e.valid_up_to()]),
        Err(_) => String::from_utf8_lossy(cut),
    };
    escape_bounded(&text, EXCERPT_BYTES)
}

/// Text from the network made safe for an error message or a log line (the crate's one rule:
/// [`crate::error::escape_untrusted`]).
pub(crate) use crate::error::escape_untrusted as escape;
use crate::error::escape_untrusted_bounded as escape_bounded;

/// Content mode used for requests.
/// The default content mode of requests ([`ClientBuilder::content_mode`]).
pub(crate) const REQUEST_MODE: ContentMode = ContentMode::Huifu;

#[cfg(test)]
mod tests;
