//! cmd 122 on `fileMerchantRequest`: the file is kept ([`Upload`]) and answered `122000`.

use axum::response::Response;
use serde_json::{Map, Value};

use super::App;
use super::answer::{answer_base, signed_answer, signed_error};
use super::codes::{ERR_MISSING, code};
use super::params::field;
use super::state::Upload;

pub(crate) fn upload_answer(
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
