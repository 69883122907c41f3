//! The OCPP 1.6 JSON schemas as field tables, checked by hand so that each failure gets the
//! CALLERROR code OCPP-J 1.6 gives it: a missing required field → OccurenceConstraintViolation,
//! a wrong JSON type → TypeConstraintViolation, a bad enum value, too long a string, a bad
//! date-time or an out-of-range number → PropertyConstraintViolation. Unknown fields are not
//! errors (chargers add vendor fields): they are returned so the caller can log them.
use super::frame::{CallError, ErrorCode};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string of at most this many characters.
    Text(usize),
    /// A string of any length.
    AnyText,
    /// An integer within `[min, i32::MAX]`.
    Integer {
        min: i64,
    },
    /// A string from this list (case-sensitive).
    OneOf(&'static [&'static str]),
    DateTime,
    Object(&'static [Field]),
    /// An array with at least `min` items of this kind.
    List {
        of: &'static Kind,
        min: usize,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub const fn required(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: true }
}

pub const fn optional(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: false }
}

/// Checks `payload` against `fields`; returns the unknown fields (dotted paths) when it passes.
pub fn check(fields: &[Field], payload: &Map<String, Value>) -> Result<Vec<String>, CallError> {
    let mut unknown = Vec::new();
    check_object(fields, payload, "", &mut unknown)?;
    Ok(unknown)
}

fn check_object(
    fields: &[Field],
    object: &Map<String, Value>,
    path: &str,
    unknown: &mut Vec<String>,
) -> Result<(), CallError> {
    for field in fields {
        let name = format!("{path}{}", field.name);
        match object.get(field.name) {
            None | Some(Value::Null) if field.required => {
                return Err(CallError::new(
                    ErrorCode::OccurenceConstraintViolation,
                    format!("Missing required field: {name}"),
                ))
            }
            None | Some(Value::Null) => {}
            Some(value) => check_value(&field.kind, value, &name, unknown)?,
        }
    }
    unknown
        .extend(object.keys().filter(|key| !fields.iter().any(|f| f.name == *key)).map(|key| format!("{path}{key}")));
    Ok(())
}

fn check_value(kind: &Kind, value: &Value, name: &str, unknown: &mut Vec<String>) -> Result<(), CallError> {
    let wrong_type =
        |expected: &str| Err(CallError::new(ErrorCode::TypeConstraintViolation, format!("{name} must be {expected}")));
    let bad_value = |why: String| Err(CallError::new(ErrorCode::PropertyConstraintViolation, format!("{name} {why}")));
    match kind {
        Kind::Text(_) | Kind::AnyText | Kind::OneOf(_) | Kind::DateTime => {
            let Some(text) = value.as_str() else { return wrong_type("a string") };
            match kind {
                Kind::Text(max) if text.chars().count() > *max => bad_value(format!("is longer than {max} characters")),
                Kind::OneOf(values) if !values.contains(&text) => {
                    bad_value(format!("{text:?} is not one of {values:?}"))
                }
                Kind::DateTime if app::clock::parse_rfc3339(text).is_none() => {
                    bad_value(format!("{text:?} is not an RFC 3339 date-time"))
                }
                _ => Ok(()),
            }
        }
        Kind::Integer { min } => {
            let Some(number) = value.as_i64() else {
                return if value.is_u64() { bad_value("is out of range".into()) } else { wrong_type("an integer") };
            };
            if number < *min || number > i64::from(i32::MAX) {
                return bad_value(format!("must be between {min} and {}", i32::MAX));
            }
            Ok(())
        }
        Kind::Object(fields) => {
            let Some(object) = value.as_object() else { return wrong_type("an object") };
            check_object(fields, object, &format!("{name}."), unknown)
        }
        Kind::List { of, min } => {
            let Some(items) = value.as_array() else { return wrong_type("an array") };
            if items.len() < *min {
                return bad_value(format!("must have at least {min} items"));
            }
            for (i, item) in items.iter().enumerate() {
                check_value(of, item, &format!("{name}[{i}]"), unknown)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[Field] = &[
        required("connectorId", Kind::Integer { min: 0 }),
        required("status", Kind::OneOf(&["Available", "Faulted"])),
        optional("info", Kind::Text(5)),
        optional("timestamp", Kind::DateTime),
    ];

    fn code(payload: Value) -> Result<Vec<String>, ErrorCode> {
        let Value::Object(map) = payload else { panic!("object") };
        check(FIELDS, &map).map_err(|e| e.code)
    }

    #[test]
    fn each_kind_of_failure_has_its_code() {
        assert_eq!(code(json!({"connectorId": 1, "status": "Available"})), Ok(vec![]));
        assert_eq!(code(json!({"status": "Available"})), Err(ErrorCode::OccurenceConstraintViolation));
        assert_eq!(code(json!({"connectorId": "1", "status": "Available"})), Err(ErrorCode::TypeConstraintViolation));
        assert_eq!(code(json!({"connectorId": 1.5, "status": "Available"})), Err(ErrorCode::TypeConstraintViolation));
        assert_eq!(
            code(json!({"connectorId": -1, "status": "Available"})),
            Err(ErrorCode::PropertyConstraintViolation)
        );
        assert_eq!(code(json!({"connectorId": 1, "status": "available"})), Err(ErrorCode::PropertyConstraintViolation));
        let long = json!({"connectorId": 1, "status": "Faulted", "info": "too long"});
        assert_eq!(code(long), Err(ErrorCode::PropertyConstraintViolation));
        let time = json!({"connectorId": 1, "status": "Faulted", "timestamp": "noon"});
        assert_eq!(code(time), Err(ErrorCode::PropertyConstraintViolation));
    }

    #[test]
    fn unknown_fields_pass_and_are_named() {
        assert_eq!(code(json!({"connectorId": 1, "status": "Available", "vendorX": 1})), Ok(vec!["vendorX".into()]));
    }
}
