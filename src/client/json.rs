//! One reading of JSON from the network: a key given twice in one object (at any depth) is
//! refused, never resolved.
//!
//! serde_json keeps the last of two equal keys silently, while other readers of the same signed
//! text (PHP, Java demos) may keep the first: `{"resp_code":"218003","resp_code":"218000"}` would
//! mean one thing here and another there. Every place that turns signed content (or the body
//! carrying a check_value) into JSON goes through [`parse_object`].

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a text is not one unambiguous JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    /// Not JSON at all (or trailing text after it).
    Invalid,
    /// Valid JSON, but not an object.
    NotObject,
    /// An object holds this key twice (the key as decoded, unescaped: to be escaped before it is
    /// shown).
    DuplicateKey(String),
}

/// Parses `bytes` as one JSON object, refusing duplicate keys in any object at any depth.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonProblem> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict {
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JsonProblem::NotObject),
        Err(_) => match duplicate.into_inner() {
            Some(key) => Err(JsonProblem::DuplicateKey(key)),
            None => Err(JsonProblem::Invalid),
        },
    }
}

/// Reads any JSON value like serde_json's own `Value`, except that a repeated key in an object
/// is an error (and is recorded in `duplicate`).
#[derive(Clone, Copy)]
struct Strict<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(value) = seq.next_element_seed(self)? {
            out.push(value);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let message = "duplicate key in a JSON object";
                *self.duplicate.borrow_mut() = Some(key);
                return Err(A::Error::custom(message));
            }
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_read_as_serde_json_reads_them() {
        let text = br#"{"a":"x","n":-1,"u":18446744073709551615,"f":1.5,"b":true,"z":null,"l":[1,{"k":"v"}],"o":{"p":"q"}}"#;
        let strict = parse_object(text).unwrap();
        let plain: Map<String, Value> = serde_json::from_slice(text).unwrap();
        assert_eq!(strict, plain);
    }

    #[test]
    fn duplicates_at_any_depth_are_refused() {
        for (text, key) in [
            (
                r#"{"resp_code":"218003","resp_code":"218000"}"#,
                "resp_code",
            ),
            (r#"{"a":{"b":1,"b":1}}"#, "b"),
            (r#"{"a":[{"c":1},{"d":1,"d":2}]}"#, "d"),
            // The same key spelled with an escape is the same key.
            (r#"{"ab":1,"\u0061b":2}"#, "ab"),
        ] {
            assert_eq!(
                parse_object(text.as_bytes()),
                Err(JsonProblem::DuplicateKey(key.into())),
                "{text}"
            );
        }
        // Equal keys in different objects are fine.
        assert!(parse_object(br#"{"a":{"k":1},"b":{"k":2},"k":3}"#).is_ok());
    }

    #[test]
    fn non_objects_and_trailing_text_are_refused() {
        assert_eq!(parse_object(b"[1]"), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"\"s\""), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"{\"a\":1} x"), Err(JsonProblem::Invalid));
        assert_eq!(parse_object(b"{\"a\":1"), Err(JsonProblem::Invalid));
        assert_eq!(
            parse_object(b" {\"a\":1} "),
            Ok(serde_json::from_str(r#"{"a":1}"#).unwrap())
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse_object(deep.as_bytes()), Err(JsonProblem::Invalid));
    }
}
