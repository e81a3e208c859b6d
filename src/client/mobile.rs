//! The merchant's two endpoints for Huifu's mobile SDK (protocol.md section 7): quick pay
//! (answered with the page-browser form) and APP pay (calls cmd 218 and answers with URL-encoded
//! JSON).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::typed::AppPayAnswer;
use super::{Client, PageForm};
use crate::{Error, Result};

/// What the mobile SDK sends to either endpoint (form fields; all optional but `pay_type` on the
/// APP pay endpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkRequest {
    /// Device number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_info: Option<String>,
    /// The device's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_addr: Option<String>,
    /// Longitude/latitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_val: Option<String>,
    /// Device information, to pass through to the payment call unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_info_json: Option<String>,
    /// `10` WeChat APP, `15` Alipay, `14` Apple Pay (APP pay only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_type: Option<String>,
    /// What the merchant's app gave the SDK, merchant-defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_param_info: Option<String>,
    /// Extension field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

impl SdkRequest {
    /// Reads the SDK's form body (or query string).
    pub fn from_form(body: &[u8]) -> Result<Self> {
        serde_urlencoded::from_bytes(body.strip_prefix(b"?").unwrap_or(body))
            .map_err(|e| Error::InvalidParams(format!("mobile SDK request: {e}")))
    }

    /// The payment type, checked to be one the APP pay endpoint knows.
    pub fn pay_type(&self) -> Result<PayType> {
        match self.pay_type.as_deref() {
            Some("10") => Ok(PayType::WeChatApp),
            Some("15") => Ok(PayType::Alipay),
            Some("14") => Ok(PayType::ApplePay),
            other => Err(Error::InvalidValue {
                what: "pay_type",
                value: other.unwrap_or("").chars().take(16).collect(),
                reason: "expected 10 (WeChat APP), 15 (Alipay) or 14 (Apple Pay)".into(),
            }),
        }
    }

    /// Adds the SDK's pass-through fields (`dev_info_json`, `device_info`, `ip_addr`,
    /// `location_val`) to call parameters, unless the parameters set them already.
    pub fn pass_through(&self, params: &mut Map<String, Value>) {
        for (key, value) in [
            ("dev_info_json", &self.dev_info_json),
            ("device_info", &self.device_info),
            ("ip_addr", &self.ip_addr),
            ("location_val", &self.location_val),
        ] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                params
                    .entry(key)
                    .or_insert_with(|| Value::String(v.clone()));
            }
        }
    }
}

/// The `pay_type` codes of cmd 218 (APP pay).
///
/// From the guide (line ~1097, the SDK endpoint's table): `15` Alipay, `10` WeChat APP pay; the
/// change log (v3.2.9) adds `14` Apple Pay. **Not from the guide** (Huifu's own server demo and
/// public integrations): `04` WeChat scan, `05` Alipay scan, `12` Alipay, `13` WeChat official
/// account. Serialises as its two-digit code; an unknown code does not deserialise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayType {
    /// `10`: WeChat APP pay (guide).
    WeChatApp,
    /// `15`: Alipay, for the mobile SDK (guide).
    Alipay,
    /// `14`: Apple Pay (guide change log v3.2.9).
    ApplePay,
    /// `04`: WeChat scan (not from the guide).
    WeChatScan,
    /// `05`: Alipay scan (not from the guide).
    AlipayScan,
    /// `12`: Alipay (not from the guide).
    AlipayApp,
    /// `13`: WeChat official account (not from the guide).
    WeChatOfficialAccount,
}

impl PayType {
    const ALL: [PayType; 7] = [
        PayType::WeChatApp,
        PayType::Alipay,
        PayType::ApplePay,
        PayType::WeChatScan,
        PayType::AlipayScan,
        PayType::AlipayApp,
        PayType::WeChatOfficialAccount,
    ];

    /// The code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            PayType::WeChatApp => "10",
            PayType::Alipay => "15",
            PayType::ApplePay => "14",
            PayType::WeChatScan => "04",
            PayType::AlipayScan => "05",
            PayType::AlipayApp => "12",
            PayType::WeChatOfficialAccount => "13",
        }
    }

    /// The type of a wire code.
    pub fn from_code(code: &str) -> Option<PayType> {
        PayType::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl std::fmt::Display for PayType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for PayType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for PayType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        PayType::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown pay_type {code:?}")))
    }
}

/// The quick-pay endpoint: signs a page-browser call (`cmd_id`, e.g. 206 or 208) with the SDK's
/// pass-through fields added, for the endpoint to answer with [`PageForm::to_html`].
pub fn quick_pay_form(
    client: &Client,
    cmd_id: &str,
    mut params: Map<String, Value>,
    sdk: &SdkRequest,
) -> Result<PageForm> {
    sdk.pass_through(&mut params);
    client.page_form(cmd_id, &params)
}

/// The APP pay endpoint's answer body: JSON, URL-encoded (as Java's `URLEncoder` does).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPayBody {
    /// `218002` accepted, `218003` failed, `218098` timeout, …
    pub resp_code: String,
    /// The code's description.
    pub resp_desc: String,
    /// Alipay's pay URL.
    pub pay_url: String,
    /// WeChat's pay parameters.
    pub pay_info: String,
    /// The order id.
    pub order_id: String,
    /// The order date.
    pub order_date: String,
    /// Huifu's sequence number.
    pub platform_seq_id: String,
    /// The token id.
    pub token_id: String,
    /// Extension field (left out when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub extension: String,
}

impl AppPayBody {
    /// The body for a verified 218 answer.
    pub fn from_answer(answer: &AppPayAnswer) -> Self {
        AppPayBody {
            resp_code: answer.resp_code.clone(),
            resp_desc: answer.resp_desc.clone(),
            pay_url: answer.pay_url.clone(),
            pay_info: answer.pay_info.clone(),
            order_id: answer.order_id.clone(),
            order_date: answer.order_date.map(|d| d.to_string()).unwrap_or_default(),
            platform_seq_id: answer.platform_seq_id.clone(),
            token_id: answer.token_id.clone(),
            extension: answer.extension.clone(),
        }
    }

    /// A body reporting a failure before or instead of a 218 answer (e.g. `218003`).
    pub fn failure(
        resp_code: impl Into<String>,
        resp_desc: impl Into<String>,
        order_id: impl Into<String>,
        order_date: impl Into<String>,
    ) -> Self {
        AppPayBody {
            resp_code: resp_code.into(),
            resp_desc: resp_desc.into(),
            order_id: order_id.into(),
            order_date: order_date.into(),
            ..Default::default()
        }
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        // Strings only: serialisation cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// The HTTP body: the JSON, URL-encoded.
    pub fn to_body(&self) -> String {
        form_urlencoded::byte_serialize(self.to_json().as_bytes()).collect()
    }

    /// Reads a body made by [`AppPayBody::to_body`] (or Huifu's sample).
    pub fn from_body(body: &str) -> Result<Self> {
        let json: String = form_urlencoded::parse(format!("x={body}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        serde_json::from_str(&json).map_err(|e| Error::InvalidParams(format!("APP pay body: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pay_type` travels as its two-digit code.
    #[test]
    fn pay_types_are_their_codes() {
        for t in PayType::ALL {
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.code()));
            assert_eq!(serde_json::from_str::<PayType>(&json).unwrap(), t);
        }
        assert!(serde_json::from_str::<PayType>("\"99\"").is_err());
    }

    /// Huifu's sample body from the developer guide.
    const SAMPLE: &str = "%7B%22pay_url%22%3A%22%22%2C%22resp_desc%22%3A%22%E4%BA%8C%E7%BA%A7%E5%95%86%E6%88%B7%E5%8F%B7%E4%B8%8D%E5%AD%98%E5%9C%A8%22%2C%22platform_seq_id%22%3A%22%22%2C%22resp_code%22%3A%22218748%22%2C%22pay_info%22%3A%22%22%2C%22token_id%22%3A%22%22%2C%22order_id%22%3A%22TEST1513827504986%22%2C%22order_date%22%3A%2220171221%22%7D";

    #[test]
    fn the_guide_sample_reads() {
        let body = AppPayBody::from_body(SAMPLE).unwrap();
        assert_eq!(body.resp_code, "218748");
        assert_eq!(body.resp_desc, "二级商户号不存在");
        assert_eq!(body.order_id, "TEST1513827504986");
        assert_eq!(body.order_date, "20171221");
    }

    #[test]
    fn bodies_are_url_encoded_json() {
        let mut body = AppPayBody::failure("218003", "交易 失败&", "O1", "20240101");
        body.pay_info = "{\"appid\":\"wx\"}".into();
        let text = body.to_body();
        assert!(!text.contains('{') && !text.contains('"') && !text.contains('&'));
        assert!(
            text.starts_with("%7B%22resp_code%22%3A%22218003%22"),
            "{text}"
        );
        assert_eq!(AppPayBody::from_body(&text).unwrap(), body);
        assert!(!body.to_json().contains("extension"));
        let json: Map<String, Value> = serde_json::from_str(&body.to_json()).unwrap();
        for key in [
            "resp_code",
            "resp_desc",
            "pay_url",
            "pay_info",
            "order_id",
            "order_date",
            "platform_seq_id",
            "token_id",
        ] {
            assert!(json.contains_key(key), "{key}");
        }
    }

    #[test]
    fn from_an_app_pay_answer() {
        let answer: AppPayAnswer = serde_json::from_str(
            r#"{"resp_code":"218002","resp_desc":"ok","pay_info":"P","order_id":"O","order_date":"20240101","extension":"e"}"#,
        )
        .unwrap();
        let body = AppPayBody::from_answer(&answer);
        assert_eq!(body.pay_info, "P");
        assert_eq!(body.order_date, "20240101");
        assert!(body.to_json().contains("\"extension\":\"e\""));
    }

    #[test]
    fn sdk_requests() {
        let sdk =
            SdkRequest::from_form(b"pay_type=15&dev_info_json=%7B%22a%22%3A1%7D&ip_addr=").unwrap();
        assert_eq!(sdk.pay_type().unwrap(), PayType::Alipay);
        assert_eq!(PayType::Alipay.code(), "15");
        let mut params = Map::new();
        params.insert("ip_addr".into(), "1.2.3.4".into());
        sdk.pass_through(&mut params);
        assert_eq!(params["dev_info_json"], "{\"a\":1}");
        assert_eq!(params["ip_addr"], "1.2.3.4");
        assert!(
            SdkRequest::from_form(b"pay_type=99")
                .unwrap()
                .pay_type()
                .is_err()
        );
        assert!(SdkRequest::default().pay_type().is_err());
    }
}
