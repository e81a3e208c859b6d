use super::*;
use der::Tagged;

#[test]
fn nombstr_picks_printable_or_t61() {
    assert_eq!(nombstr("Local RA").unwrap().tag(), Tag::PrintableString);
    assert_eq!(nombstr("051@1@N@1").unwrap().tag(), Tag::TeletexString);
}

#[test]
fn oca_name_replaces_the_trailing_ca() {
    let o = PkiOptions::default();
    assert_eq!(o.oca_name(), "HUIFU-CFCA SANDBOX TEST OCA31");
}

#[test]
fn debug_redacts_the_password() {
    let o = PkiOptions::new("6666", "s3cr3t-pw");
    assert!(!format!("{o:?}").contains("s3cr3t-pw"));
}

#[test]
fn key_sizes_are_bounded() {
    let o = PkiOptions::default().key_bits(512);
    assert!(matches!(generate(&o), Err(Error::LimitExceeded { .. })));
}
