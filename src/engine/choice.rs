//! The caller's choice of RSA implementation ([`Engine`]): an option of the signer and the
//! verifier, never read from the environment.

use rsa::traits::PublicKeyParts;

use super::{Kernel, RsaEngine, RsaPublicEngine, ifma_available};
use crate::{Error, Result};

/// Which RSA implementation signs and verifies: an option of
/// [`Signer::with_engine`](crate::signer::Signer::with_engine) and
/// [`VerifierBuilder::engine`](crate::verify::VerifierBuilder::engine).
///
/// Every choice gives the same signatures and the same verification results (PKCS#1 v1.5 is
/// deterministic; `tests/it/engine_diff.rs` checks the kernels against the `rsa` crate); only speed
/// differs. The engine serves two-prime keys of up to 4096 bits; keys it does not serve (larger
/// moduli, multi-prime keys, public exponents over 64 bits) go to the `rsa` crate whatever the
/// choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// The fastest kernel this CPU runs: AVX-512 IFMA when it has it, the portable kernel
    /// otherwise (the default).
    #[default]
    Auto,
    /// The portable constant-time kernel, whatever the CPU.
    Portable,
    /// The AVX-512 IFMA kernel. On a CPU without AVX-512 IFMA (see [`ifma_available`]) the signer
    /// or verifier asked to use it is not built: [`Error::EngineUnavailable`], rather than a
    /// silent fallback that would measure or test something else than was asked.
    Ifma,
    /// No engine: the `rsa` crate for every operation (a reference, or to rule the engine out).
    RsaCrate,
}

impl Engine {
    /// Every choice.
    const ALL: [Engine; 4] = [
        Engine::Auto,
        Engine::Portable,
        Engine::Ifma,
        Engine::RsaCrate,
    ];

    /// The choice's short name: `auto`, `portable`, `ifma` or `rsa`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Auto => "auto",
            Engine::Portable => "portable",
            Engine::Ifma => "ifma",
            Engine::RsaCrate => "rsa",
        }
    }

    /// The choice named `name` (as [`Engine::name`] spells it); `None` for any other string.
    pub fn from_name(name: &str) -> Option<Self> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether this CPU runs the choice (only [`Engine::Ifma`] can be missing).
    pub fn is_available(self) -> bool {
        self != Engine::Ifma || ifma_available()
    }

    /// `Ok` when this CPU runs the choice, [`Error::EngineUnavailable`] otherwise.
    pub(crate) fn ensure_available(self) -> Result<()> {
        if self.is_available() {
            Ok(())
        } else {
            Err(Error::EngineUnavailable(self.name()))
        }
    }

    /// The kernel the choice asks for; `None` for the `rsa` crate. (`Ifma` on a CPU without it
    /// is refused before this is asked; `Auto` asks for IFMA, which degrades to portable.)
    fn kernel(self) -> Option<Kernel> {
        match self {
            Engine::Auto | Engine::Ifma => Some(Kernel::Ifma),
            Engine::Portable => Some(Kernel::Portable),
            Engine::RsaCrate => None,
        }
    }

    /// The private-key engine for `key` under this choice; `None` for [`Engine::RsaCrate`] and
    /// for keys the engine does not serve. (`Ifma` on a CPU without it runs portable here; the
    /// signer and verifier refuse it first.)
    pub fn private_engine(self, key: &rsa::PrivateKey) -> Option<RsaEngine> {
        RsaEngine::with_kernel(key, self.kernel()?)
    }

    /// The public-key engine for `key` under this choice; `None` for [`Engine::RsaCrate`] and for
    /// keys the engine does not serve (as [`Engine::private_engine`]).
    pub fn public_engine(self, key: &impl PublicKeyParts) -> Option<RsaPublicEngine> {
        RsaPublicEngine::with_kernel(key, self.kernel()?)
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
