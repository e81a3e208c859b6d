//! The client over HTTPS: a Huifu-like server behind rustls (ring) on 127.0.0.1, whose
//! certificate chains to a locally made CA (tests/tls/make.sh) given to the client as an extra
//! root.
#![cfg(feature = "client")]

use crate::client_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::*;
use huifu_cfca::Error;
use huifu_cfca::client::{Client, Endpoint, Url};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;

async fn start_tls() -> std::net::SocketAddr {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&tls_file("server.pem"))
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_slice(&tls_file("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (router, _state) = router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let service = hyper_util::service::TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                }
            });
        }
    });
    addr
}

fn https_client(addr: std::net::SocketAddr, root: &str) -> Client {
    let url = Url::parse(&format!("https://{addr}/api/merchantRequest")).unwrap();
    Client::builder(
        Endpoint::Custom(url),
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .add_root_certificates_pem(tls_file(root))
    .connect_timeout(Duration::from_secs(5))
    .timeout(Duration::from_secs(10))
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_call_over_tls_with_an_extra_root() {
    let addr = start_tls().await;
    let answer = https_client(addr, "ca.pem")
        .call(
            "301",
            &json!({"order_id": "tls-1", "order_date": "20240101"}),
        )
        .await
        .unwrap();
    assert_eq!(answer.resp_code, "301000");
    assert_eq!(answer.get("order_id"), Some("tls-1"));
}

#[tokio::test]
async fn an_unknown_server_certificate_is_refused_before_sending() {
    let addr = start_tls().await;
    let err = https_client(addr, "other-ca.pem")
        .call("301", &json!({"order_id": "tls-2"}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: false, .. }),
        "{err:?}"
    );
    assert!(!err.was_sent());
}

#[tokio::test]
async fn only_extra_roots_and_der_roots_work_too() {
    let addr = start_tls().await;
    let der = CertificateDer::from_pem_slice(&tls_file("ca.pem")).unwrap();
    let url = Url::parse(&format!("https://{addr}/api/merchantRequest")).unwrap();
    let client = Client::builder(
        Endpoint::Custom(url),
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .add_root_certificate_der(der.as_ref().to_vec())
    .only_extra_roots()
    .build()
    .unwrap();
    assert!(client.call("301", &json!({})).await.unwrap().is_success());
}

#[test]
fn bad_extra_roots_are_configuration_errors() {
    let built = Client::builder(
        Endpoint::Test,
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .add_root_certificates_pem(b"not a PEM".to_vec())
    .build();
    assert!(matches!(built, Err(Error::ClientConfig(_))));
    let none = Client::builder(
        Endpoint::Test,
        MER_CUST_ID,
        signer("merchant"),
        huifu_verifier(),
    )
    .only_extra_roots()
    .build();
    assert!(matches!(none, Err(Error::ClientConfig(_))));
}
