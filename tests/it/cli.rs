//! The `huifu-cfca` binary: exit statuses, messages, and the commands end to end.

use crate::common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::*;

fn cli(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huifu-cfca"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[test]
fn sign_then_verify_with_the_real_as0381_file() {
    if common::real::skip("signing with the real AS0381.pfx and verifying with the CLI") {
        return;
    }
    let pfx = shared_cfca("AS0381.pfx");
    let oca = shared_cfca("CFCA_ACS_TEST_OCA31.cer");
    let env = [("PFX_PASS", "888888")];
    let signed = cli(
        &[
            "sign",
            "--pfx",
            pfx.to_str().unwrap(),
            "--password-env",
            "PFX_PASS",
            "--content",
            "raw",
        ],
        b"TestData",
        &env,
    );
    assert_eq!(code(&signed), 0, "{}", stderr(&signed));
    let cv = signed.stdout.clone();
    assert!(cv.ends_with(b"\n"));
    let ok = cli(
        &[
            "verify",
            "--trust",
            oca.to_str().unwrap(),
            "--signer-id",
            "AS0381",
            "--at",
            "2020-01-01T00:00:00Z",
            "--content",
            "raw",
        ],
        &cv,
        &[],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    assert_eq!(ok.stdout, b"TestData");
    // Default pin is Huifu's 100001: a merchant signature fails on identity.
    let pinned = cli(
        &[
            "verify",
            "--trust",
            oca.to_str().unwrap(),
            "--at",
            "2020-01-01",
        ],
        &cv,
        &[],
    );
    assert_eq!(code(&pinned), 1);
    assert!(
        stderr(&pinned).starts_with("error: identity mismatch"),
        "{}",
        stderr(&pinned)
    );
    // Now is after the test certificate expired.
    let expired = cli(
        &[
            "verify",
            "--trust",
            oca.to_str().unwrap(),
            "--signer-id",
            "AS0381",
        ],
        &cv,
        &[],
    );
    assert_eq!(code(&expired), 1);
    assert!(stderr(&expired).contains("expired"), "{}", stderr(&expired));
}

#[test]
fn sign_formats_der_and_pem() {
    let pfx = vector("pfx/openssl3.p12");
    let pass_file = temp_dir("pass").join("pass.txt");
    std::fs::write(&pass_file, "secret\n").unwrap();
    for format in ["der", "pem", "check-value"] {
        let out = cli(
            &[
                "sign",
                "--pfx",
                pfx.to_str().unwrap(),
                "--password-file",
                pass_file.to_str().unwrap(),
                "--format",
                format,
            ],
            br#"{"a":1}"#,
            &[],
        );
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        let verified = cli(&["verify", "--no-chain", "--any-signer"], &out.stdout, &[]);
        assert_eq!(code(&verified), 0, "{format}: {}", stderr(&verified));
        assert_eq!(verified.stdout, br#"{"a":1}"#, "{format}");
    }
}

#[test]
fn the_real_huifu_answer_verifies_and_prints_its_json() {
    if common::real::skip("the CLI verifying and inspecting Huifu's real cmd 209 and 204 answers") {
        return;
    }
    let cv = read(&shared_cfca("response_cmd209.check_value"));
    let json = read(&shared_cfca("response_cmd209.json"));
    let (ca, oca) = (
        shared_cfca("CFCA_ACS_TEST_CA.cer"),
        shared_cfca("CFCA_ACS_TEST_OCA31.cer"),
    );
    let out = cli(
        &[
            "verify",
            "--trust",
            ca.to_str().unwrap(),
            "--trust",
            oca.to_str().unwrap(),
            "--at",
            "2017-12-20",
        ],
        &cv,
        &[],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, json);
    let old = cli(
        &[
            "verify",
            "--no-chain",
            "--in",
            shared_cfca("result_cmd204_oldchain.check_value")
                .to_str()
                .unwrap(),
        ],
        b"",
        &[],
    );
    assert_eq!(code(&old), 0, "{}", stderr(&old));
    let inspect = cli(&["inspect", "--json"], &cv, &[]);
    assert_eq!(code(&inspect), 0);
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(report["encoding"], "DER");
    assert_eq!(report["signers"][0]["signed_attributes"], false);
    assert_eq!(report["signers"][0]["certificate"]["cn_id"], "100001");
}

#[test]
fn failures_exit_1_with_one_error_line_and_usage_exits_2() {
    if common::real::skip(
        "the CLI's exit statuses and messages (they start from the real AS0381.pfx)",
    ) {
        return;
    }
    let pfx = shared_cfca("AS0381.pfx");
    let wrong = cli(
        &["pfx", "--pfx", pfx.to_str().unwrap(), "--password-env", "P"],
        b"",
        &[("P", "nope")],
    );
    assert_eq!(code(&wrong), 1);
    let msg = stderr(&wrong);
    assert!(
        msg.starts_with("error: ") && msg.contains("password") && msg.lines().count() == 1,
        "{msg}"
    );

    let info = cli(
        &["pfx", "--pfx", pfx.to_str().unwrap(), "--password-env", "P"],
        b"",
        &[("P", "888888")],
    );
    assert_eq!(code(&info), 0, "{}", stderr(&info));
    let text = String::from_utf8_lossy(&info.stdout);
    for needle in [
        "051@AS0381@N111130@1",
        "4002997775",
        "RSA 2048",
        "pbeWithSHAAnd3-KeyTripleDES-CBC",
        "pbeWithSHAAnd40BitRC2-CBC",
        "HMAC-SHA1, 2000",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }

    for (args, expected) in [
        (vec!["sign"], 2),                                       // --pfx missing
        (vec!["sign", "--pfx", "x", "--password", "secret"], 2), // no passwords in argv
        (vec!["verify"], 2),                                     // no --trust, no --no-chain
        (vec!["verify", "--no-chain", "--at", "yesterday"], 1),  // bad time
        (vec!["frobnicate"], 2),
        (
            vec!["sign", "--pfx", "/nonexistent.pfx", "--password-env", "P"],
            1,
        ),
    ] {
        let out = cli(&args, b"", &[("P", "x")]);
        assert_eq!(code(&out), expected, "{args:?}: {}", stderr(&out));
    }
    // Garbage on stdin: exit 1, never a panic (101).
    for garbage in [
        &b""[..],
        b"\x30\x80",
        b"TUlJ",
        b"-----BEGIN PKCS7-----\n",
        &[0xff; 64],
    ] {
        for cmd in [&["verify", "--no-chain"][..], &["inspect"][..]] {
            let out = cli(cmd, garbage, &[]);
            assert_eq!(code(&out), 1, "{cmd:?} {garbage:?}: {}", stderr(&out));
        }
    }
}

/// Issue 18 item 1: `sandbox --help` names the defaults (merchant id, PFX password) and the
/// scripted outcomes, and `--rules` takes a rule file (a malformed one is refused by name).
#[test]
fn sandbox_help_names_the_defaults_and_the_scripted_outcomes() {
    let o = cli(&["sandbox", "--help"], b"", &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "6666000000026086",
        "123456",
        ".44",
        ".55",
        ".66",
        "218002",
        "--rules",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    let dir = std::env::temp_dir().join(format!("huifu-cfca-cli-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(&rules, b"{ \"rules\": [ { \"callback\": \"maybe\" } ] }").unwrap();
    let o = cli(
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--rules",
            rules.to_str().unwrap(),
        ],
        b"",
        &[],
    );
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("rule file"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

/// `huifu-cfca … | head`: the reader has gone (here before the command starts), so writing the
/// output fails with a broken pipe; the command ends quietly with status 0, as ripgrep does.
#[test]
fn a_closed_pipe_ends_quietly() {
    let pfx = vector("pfx/cfca.p12");
    let message = read(&vector("p7/huifu-noattr.check_value"));
    let cases: [(&[&str], &[u8]); 2] = [
        // Lines printed one by one.
        (
            &["pfx", "--pfx", pfx.to_str().unwrap(), "--password-env", "P"],
            b"",
        ),
        // One write of the whole output.
        (&["inspect", "--json"], &message),
    ];
    for (args, input) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = Command::new(env!("CARGO_BIN_EXE_huifu-cfca"))
            .args(args)
            .env("P", "888888")
            .stdin(Stdio::piped())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}
