//! Constant time in the compiled code: the portable private-key operation under valgrind memcheck
//! with the key and the input marked undefined (the "ctgrind" technique, Adam Langley, 2010).
//!
//! Memcheck reports every conditional branch, conditional move into an address, and memory address
//! that depends on an undefined value. With the secrets marked undefined, any such report during
//! the private-key operation is a secret-dependent branch or address in the code as compiled.
//!
//! The test re-runs its own binary under `valgrind --tool=memcheck`; inside valgrind it marks the
//! portable CRT data (primes, CRT exponents, Montgomery constants) and the input undefined, runs
//! one operation per key size (2048, 3072, 4096), and counts memcheck's errors before and after
//! each. A deliberately leaky control (a branch on a secret bit) must raise the count, so a harness
//! that silently marks nothing cannot pass.
//!
//! `cargo test --all-features --test ctgrind` checks the unoptimised build (the loop kernels);
//! `.ci/run` also runs `cargo test --release --all-features --test ctgrind`, which checks the
//! unrolled kernels as users compile them. Valgrind cannot run the AVX-512 IFMA kernel: that one is
//! checked by `benches/engine_timing.rs` (dudect) and by reading its code (see `src/engine/ifma/`).
//!
//! Needs `valgrind` on PATH (Debian's package; `.ci/run` installs it). Without it the test fails
//! and says so: a constant-time claim is not skipped silently.

use std::process::Command;

use huifu_cfca::engine::{Kernel, RsaEngine};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;

/// Set in the environment of the run under valgrind.
const INNER_ENV: &str = "HUIFU_CFCA_CTGRIND_INNER";
const TEST_NAME: &str = "portable_private_key_operation_has_no_secret_dependent_branch_or_address";

/// Valgrind client requests (`valgrind.h`, `memcheck.h`).
///
/// This is the one `unsafe` block outside `src/engine/ifma/`: the client request is a magic
/// instruction sequence that only inline assembly can emit. Outside valgrind it is a no-op (four
/// rotations of `rdi` by 128 bits in all, and `xchg rbx, rbx`) and `rdx` keeps the default.
#[cfg(target_arch = "x86_64")]
mod vg {
    const RUNNING_ON_VALGRIND: u64 = 0x1001;
    const COUNT_ERRORS: u64 = 0x1201;
    /// `VG_USERREQ_TOOL_BASE('M','C')`: MAKE_MEM_NOACCESS; UNDEFINED and DEFINED follow.
    const MC_BASE: u64 = ((b'M' as u64) << 24) | ((b'C' as u64) << 16);
    const MAKE_MEM_UNDEFINED: u64 = MC_BASE + 1;
    const MAKE_MEM_DEFINED: u64 = MC_BASE + 2;

    #[allow(unsafe_code)]
    fn request(req: u64, a1: u64, a2: u64) -> u64 {
        let args: [u64; 6] = [req, a1, a2, 0, 0, 0];
        let mut result: u64 = 0;
        // SAFETY: the sequence only rotates rdi back to its own value and swaps rbx with itself
        // when not under valgrind; under valgrind it reads `args` (six words, alive for the
        // duration) and writes rdx. The requests used here only change memcheck's shadow state.
        unsafe {
            core::arch::asm!(
                "rol rdi, 3",
                "rol rdi, 13",
                "rol rdi, 61",
                "rol rdi, 51",
                "xchg rbx, rbx",
                in("rax") args.as_ptr(),
                inout("rdx") result,
                options(nostack),
            );
        }
        result
    }

    pub fn running() -> bool {
        request(RUNNING_ON_VALGRIND, 0, 0) != 0
    }

    pub fn errors() -> u64 {
        request(COUNT_ERRORS, 0, 0)
    }

    pub fn undefined(words: &[u64]) {
        request(
            MAKE_MEM_UNDEFINED,
            words.as_ptr() as u64,
            size_of_val(words) as u64,
        );
    }

    pub fn defined(words: &[u64]) {
        request(
            MAKE_MEM_DEFINED,
            words.as_ptr() as u64,
            size_of_val(words) as u64,
        );
    }
}

fn key(name: &str) -> PrivateKey {
    let path = format!("{}/vectors/engine/{name}", env!("CARGO_MANIFEST_DIR"));
    let pem = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    PrivateKey::from_pkcs8_pem(&pem).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Little-endian words of a value below `n`: `n` minus a fixed pattern, so every word is busy.
fn input_below(n_words: &[u64]) -> Vec<u64> {
    let mut c = n_words.to_vec();
    for (i, w) in c.iter_mut().enumerate() {
        *w ^= 0x9e37_79b9_7f4a_7c15u64.rotate_left(i as u32);
    }
    // The top word below n's top word: c < n.
    if let Some(top) = c.last_mut() {
        *top &= n_words.last().copied().unwrap_or(0) >> 1;
    }
    c
}

/// The body that runs under valgrind: one line per checked size, a panic on any report.
#[cfg(target_arch = "x86_64")]
fn inner() {
    // Control: a table read at a secret index (finding 1 of the audit, in miniature) must be
    // reported, or the marking does not work.
    let secret = vec![0x5a5a_5a5a_5a5a_5a5au64; 4];
    let table = [3u64, 7, 11, 13];
    vg::undefined(&secret);
    let before = vg::errors();
    let index = (std::hint::black_box(secret[1]) & 3) as usize;
    std::hint::black_box(std::hint::black_box(&table)[index]);
    let control = vg::errors() - before;
    vg::defined(&secret);
    assert!(
        control > 0,
        "the leaky control was not reported: the marking does not work"
    );
    println!("ctgrind: control read at a secret index reported ({control} error(s))");

    let mut failed = Vec::new();
    for (name, bits) in [
        ("k00-2048.key", 2048),
        ("k26-3072.key", 3072),
        ("k30-4096.key", 4096),
    ] {
        let key = key(name);
        assert_eq!(key.n().as_ref().bit_width_vartime() as usize, bits);
        let engine = RsaEngine::with_kernel(&key, Kernel::Portable).expect("engine");
        let n_words = key.n().as_ref().as_words().to_vec();
        let c = input_below(&n_words);
        // The expected result, computed before anything is marked.
        let expected = engine.portable_private_words_for_ctgrind(&c).expect("size");

        engine.portable_secrets_for_ctgrind(&mut |w| vg::undefined(w));
        vg::undefined(&c);
        let before = vg::errors();
        let out = engine.portable_private_words_for_ctgrind(&c).expect("size");
        let reported = vg::errors() - before;
        vg::defined(&out);
        vg::defined(&c);
        engine.portable_secrets_for_ctgrind(&mut |w| vg::defined(w));

        assert_eq!(out, expected, "{bits}: the result changed under valgrind");
        if reported == 0 {
            println!(
                "ctgrind: {bits}-bit portable private-key operation: no secret-dependent branch or address"
            );
        } else {
            println!(
                "ctgrind: {bits}-bit portable private-key operation: FAILED: memcheck reported \
                 {reported} secret-dependent branch(es) or address(es)"
            );
            failed.push(bits);
        }
    }
    assert!(
        failed.is_empty(),
        "secret-dependent branches or addresses at {failed:?} bits"
    );
}

/// The first `n` lines of `text`, and how many were left out.
fn head(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines.iter().take(n).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > n {
        out.push_str(&format!("\n[... {} more lines]", lines.len() - n));
    }
    out
}

#[cfg(target_arch = "x86_64")]
#[test]
fn portable_private_key_operation_has_no_secret_dependent_branch_or_address() {
    if std::env::var_os(INNER_ENV).is_some() {
        assert!(
            vg::running(),
            "{INNER_ENV} is set but this is not running under valgrind"
        );
        inner();
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let out = Command::new("valgrind")
        .args(["--tool=memcheck", "--error-limit=no", "--num-callers=30"])
        .arg(&exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(INNER_ENV, "1")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!(
            "cannot run valgrind ({e}): the constant-time check needs it on PATH \
             (Debian: apt-get install valgrind)"
        ),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Valgrind's report: the first errors with their stacks are enough to find the code.
    let stderr = head(&String::from_utf8_lossy(&out.stderr), 150);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the run under valgrind failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    for bits in [2048, 3072, 4096] {
        let line =
            format!("ctgrind: {bits}-bit portable private-key operation: no secret-dependent");
        assert!(
            stdout.contains(&line),
            "no verdict for {bits} bits:\n{stdout}\n{stderr}"
        );
    }
    assert!(
        stdout.contains("ctgrind: control read at a secret index reported"),
        "{stdout}\n{stderr}"
    );
}

#[cfg(not(target_arch = "x86_64"))]
#[test]
fn portable_private_key_operation_has_no_secret_dependent_branch_or_address() {
    println!("ctgrind: SKIPPED: the client-request sequence here is written for x86-64 only");
}
