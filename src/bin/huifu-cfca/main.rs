//! The `huifu-cfca` command-line tool.
#![forbid(unsafe_code)]

fn main() {}
