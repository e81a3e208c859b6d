//! File uploads, cmd 122: `multipart/form-data` to `fileMerchantRequest` with the four fields
//! and the file part `attach_file` (protocol.md section 7).

use std::path::Path;

use reqwest::multipart::{Form, Part};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Client;
use super::call::Answer;
use crate::{Error, Result};

/// The signed parameters of an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadRequest {
    /// The merchant's number for this attachment.
    pub attach_no: String,
    /// The business the file belongs to (e.g. `01`).
    pub trans_type: String,
    /// The kind of file (e.g. `05`; `19` liveness check).
    pub attach_type: String,
    /// Any other parameter (e.g. `user_cust_id`, `extension`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UploadRequest {
    /// An upload's signed parameters: the attachment's number, its business (`trans_type`, e.g.
    /// `01`) and kind (`attach_type`, e.g. `05`), as the guide's C# 122 demo signs them (lines
    /// 822–824).
    pub fn new(
        attach_no: impl Into<String>,
        trans_type: impl Into<String>,
        attach_type: impl Into<String>,
    ) -> Self {
        UploadRequest {
            attach_no: attach_no.into(),
            trans_type: trans_type.into(),
            attach_type: attach_type.into(),
            extra: Map::new(),
        }
    }

    /// Any other parameter (e.g. `user_cust_id`, `extension`), sent as it is.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(name.into(), Value::String(value.into()));
        self
    }
}

/// The file part: streamed from a path, or bytes in memory.
pub struct UploadFile {
    file_name: String,
    mime: String,
    source: Source,
}

enum Source {
    File(tokio::fs::File, u64),
    Bytes(Vec<u8>),
}

impl std::fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, len) = match &self.source {
            Source::File(_, len) => ("file", *len),
            Source::Bytes(b) => ("bytes", b.len() as u64),
        };
        f.debug_struct("UploadFile")
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .field("source", &kind)
            .field("len", &len)
            .finish()
    }
}

impl UploadFile {
    /// Opens `path` to be streamed (never read whole into memory); the part's file name is the
    /// path's last component, its type guessed from the extension.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path).await?;
        let metadata = file.metadata().await?;
        if !metadata.is_file() {
            return Err(Error::InvalidParams(format!(
                "upload: {} is not a regular file",
                path.display()
            )));
        }
        let len = metadata.len();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attach_file".into());
        Ok(UploadFile {
            mime: guess_mime(&file_name).into(),
            file_name,
            source: Source::File(file, len),
        })
    }

    /// Bytes already in memory, sent under `file_name`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        let file_name = file_name.into();
        UploadFile {
            mime: guess_mime(&file_name).into(),
            file_name,
            source: Source::Bytes(bytes.into()),
        }
    }

    /// Sets the part's content type (e.g. `image/png`).
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = mime.into();
        self
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        match &self.source {
            Source::File(_, len) => *len,
            Source::Bytes(b) => b.len() as u64,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn into_part(self) -> Result<Part> {
        let part = match self.source {
            Source::File(file, len) => Part::stream_with_length(
                reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file)),
                len,
            ),
            Source::Bytes(bytes) => Part::bytes(bytes),
        };
        part.file_name(self.file_name)
            .mime_str(&self.mime)
            .map_err(|e| Error::InvalidParams(format!("upload content type: {e}")))
    }
}

fn guess_mime(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

impl Client {
    /// cmd 122: uploads `file` with the signed `request` to the upload URL and returns the
    /// verified answer. `request` may be an [`UploadRequest`] or any serde JSON object.
    pub async fn upload<P: Serialize + ?Sized>(
        &self,
        request: &P,
        file: UploadFile,
    ) -> Result<Answer> {
        let signed = self.sign_request("122", request)?;
        let mut form = Form::new();
        for (name, value) in signed.fields() {
            form = form.text(name, value);
        }
        form = form.part("attach_file", file.into_part()?);
        let sent = self
            .http()
            .post(self.upload_url().clone())
            .multipart(form)
            .send()
            .await;
        self.read_answer(&signed, sent).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_regular_files_upload() {
        let dir = std::env::temp_dir();
        assert!(matches!(
            UploadFile::from_path(&dir).await,
            Err(Error::InvalidParams(_))
        ));
        assert!(matches!(
            UploadFile::from_path(dir.join("huifu-cfca-no-such-file")).await,
            Err(Error::Io(_))
        ));
    }

    #[test]
    fn mime_guesses() {
        assert_eq!(guess_mime("a.PNG"), "image/png");
        assert_eq!(guess_mime("scan.jpeg"), "image/jpeg");
        assert_eq!(guess_mime("noext"), "application/octet-stream");
        let f = UploadFile::from_bytes("x.pdf", b"%PDF".to_vec()).mime("application/x-test");
        assert_eq!(f.len(), 4);
        assert!(format!("{f:?}").contains("application/x-test"));
    }
}
