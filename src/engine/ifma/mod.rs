//! The AVX-512 IFMA kernel: the only module of the crate with `unsafe` code.
//!
//! # Why `unsafe`
//!
//! The kernel uses `core::arch::x86_64` AVX-512 IFMA intrinsics (`vpmadd52luq`/`vpmadd52huq`),
//! which needs (1) `#[target_feature]` functions, callable only where the CPU is known to have the
//! features, (2) unaligned vector loads and stores through raw pointers, and (3) two empty
//! `asm!` blocks: `mul::scalar` pins a value to a general-purpose register (without it LLVM's
//! SLP vectorizer may pack the two CRT halves' scalar quotient chains into vector registers,
//! which made the kernel up to 40 % slower in our measurements), and `exp::opaque` hides a lane
//! mask from the optimiser so the constant-time table lookup is never turned into a masked load.
//!
//! # Invariants
//!
//! - Every function that executes an AVX-512 instruction carries
//!   `#[target_feature(enable = ...)]`, so the compiler itself refuses a call from code that does
//!   not have the features, unless that call is in an `unsafe` block. There are exactly such calls:
//!   in [`Crt::new`], [`Crt::private`], [`ModN::new`] and the [`ModN`] methods, each after (or
//!   holding a value that proves) [`available`] (run-time CPUID detection via
//!   `is_x86_feature_detected!`): a `Crt`/`ModN` can only be built by its `new`, which returns
//!   `None` unless the features are present.
//! - Loads and stores go through [`num::load`] and [`num::store`] on `[u64; 8]` rows of a [`num::Num`]: always
//!   64 bytes, in bounds, of plain integers (any bit pattern is valid).

//! # Arithmetic
//!
//! Numbers are `8·V` little-endian 52-bit digits in `V` 512-bit vectors. Multiplication is
//! Gueron's "almost Montgomery multiplication" with `R = 2^(52·N)` (`N` the digit count of the
//! modulus, `52·N ≥ bits + 2`, so `4m ≤ R`): for `a, b < 2^(bits+2)` it returns a value
//! `≡ a·b·R⁻¹ (mod m)` below `2m`, never needing a final subtraction inside an exponentiation.
//! The modulus digit `m₀` and the product digit `a₀·bᵢ` are tracked in scalar registers to find
//! each step's Montgomery quotient; the vector lanes accumulate without carries (at most
//! `4N·2⁵²` per lane) and are normalized once per multiplication, in vector registers (a carry
//! pass, then the remaining single carries rippled with lane-mask arithmetic). The two CRT halves
//! run in the same loop (`K = 2`) so their independent dependency chains overlap; the
//! exponentiation alternates two result buffers so no product is copied.
//!
//! Exponentiation is a fixed 5-bit window over all `⌈bits/5⌉` windows of the (secret) exponent:
//! five squarings and one multiplication per window, the multiplier taken from a 32-entry table by
//! a scan of every entry: each row is loaded whole and ANDed with a lane mask (from a vector
//! compare of the entry number with the window) hidden from the optimiser. No masked load is
//! used, so which cache lines are touched cannot depend on the mask.
//!
//! # Constant time, and how it is checked
//!
//! No branch or memory address depends on secret data: the windows are read at public positions,
//! every table row is read, and the conditional subtractions ([`num::Num::reduce_once`]) select with a
//! mask that passes through an optimisation barrier (`super::ct`); without it LLVM compiled the
//! selection to a branch (`test; js`). Valgrind cannot run AVX-512 code, so unlike the portable
//! kernel (`tests/ctgrind.rs`, memcheck with the key marked undefined) this kernel is checked by
//! reading its disassembly (no conditional jump in `lookup_into`, `reduce_once` or the
//! exponentiation loop besides the public loop counters; done when this was written, with
//! `objdump -d --no-show-raw-insn` on the release library) and by the dudect-style timing bench
//! (`benches/engine_timing.rs`).
//!
//! # Layout
//!
//! Each file imports only from the ones above it in this list:
//!
//! - `cpu.rs`: run-time detection ([`available`]);
//! - `num.rs`: the numbers ([`num::Num`]), their scalar carries and conditional subtraction, and
//!   the row loads and stores;
//! - `mul.rs`: the almost Montgomery multiplication, the vector normalization and the
//!   Montgomery context of a modulus;
//! - `exp.rs`: the constant-time exponentiation and the CRT private-key operation ([`Crt`]);
//! - `public.rs`: arithmetic modulo a public modulus ([`ModN`]).

#![allow(unsafe_code)]
// Lane-indexed loops over several parallel vector arrays read best with explicit indices.
#![allow(clippy::needless_range_loop)]

mod cpu;
mod exp;
mod mul;
mod num;
mod public;

pub(crate) use cpu::available;
pub(crate) use exp::Crt;
pub(crate) use public::ModN;
