//! OCPP-J framing: `[2, id, action, payload]` CALL, `[3, id, payload]` CALLRESULT,
//! `[4, id, code, description, details]` CALLERROR, one JSON array per text frame.
use serde_json::{json, Map, Value};

/// Message ids are strings of at most 36 characters (room for a UUID).
pub const MESSAGE_ID_MAX: usize = 36;

/// The CALLERROR codes of OCPP-J 1.6 table 7, with 1.6's spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NotImplemented,
    NotSupported,
    InternalError,
    FormationViolation,
    PropertyConstraintViolation,
    OccurenceConstraintViolation,
    TypeConstraintViolation,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotImplemented => "NotImplemented",
            ErrorCode::NotSupported => "NotSupported",
            ErrorCode::InternalError => "InternalError",
            ErrorCode::FormationViolation => "FormationViolation",
            ErrorCode::PropertyConstraintViolation => "PropertyConstraintViolation",
            // Sic: OCPP-J 1.6 spells it with one "r" and its errata keep it.
            ErrorCode::OccurenceConstraintViolation => "OccurenceConstraintViolation",
            ErrorCode::TypeConstraintViolation => "TypeConstraintViolation",
        }
    }
}

/// A CALL that cannot be processed, answered with a CALLERROR.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    pub code: ErrorCode,
    pub description: String,
}

impl CallError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self { code, description: description.into() }
    }
}

/// A frame the charger sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Call { id: String, action: String, payload: Map<String, Value> },
    Result { id: String, payload: Value },
    Error { id: String, code: String, description: String },
}

/// Why a frame is not processed.
#[derive(Debug, Clone, PartialEq)]
pub enum Unreadable {
    /// A CALL whose id could be read but whose shape is wrong: answered with FormationViolation.
    Call { id: String, reason: String },
    /// Anything else (not an array, no readable id, an unknown message type, a malformed
    /// result or error): logged and dropped, never answered.
    Dropped(String),
}

pub fn parse(text: &str) -> Result<Incoming, Unreadable> {
    let dropped = |why: &str| Unreadable::Dropped(why.to_owned());
    let value: Value = serde_json::from_str(text).map_err(|_| dropped("not JSON"))?;
    let Value::Array(items) = value else { return Err(dropped("not a JSON array")) };
    let Some(kind) = items.first().and_then(Value::as_i64) else {
        return Err(dropped("no message type number"));
    };
    let Some(id) = items.get(1).and_then(Value::as_str) else {
        return Err(dropped("no message id"));
    };
    let id = id.to_owned();
    match kind {
        2 => parse_call(id, items),
        3 => match (items.len(), items.get(2)) {
            (3, Some(payload)) if payload.is_object() || payload.is_null() => {
                Ok(Incoming::Result { id, payload: payload.clone() })
            }
            _ => Err(dropped("malformed CALLRESULT")),
        },
        4 => match (items.get(2).and_then(Value::as_str), items.get(3).and_then(Value::as_str)) {
            (Some(code), Some(description)) if (4..=5).contains(&items.len()) => {
                Ok(Incoming::Error { id, code: code.to_owned(), description: description.to_owned() })
            }
            _ => Err(dropped("malformed CALLERROR")),
        },
        other => Err(Unreadable::Dropped(format!("unknown message type {other}"))),
    }
}

fn parse_call(id: String, mut items: Vec<Value>) -> Result<Incoming, Unreadable> {
    let wrong = |reason: &str| Err(Unreadable::Call { id: id.clone(), reason: reason.to_owned() });
    if id.is_empty() || id.chars().count() > MESSAGE_ID_MAX {
        return wrong("the message id must be 1 to 36 characters");
    }
    if items.len() != 4 {
        return wrong("a CALL is [2, messageId, action, payload]");
    }
    let payload = match items.pop() {
        Some(Value::Object(map)) => map,
        // `null` is legal JSON for a message without fields.
        Some(Value::Null) => Map::new(),
        _ => return wrong("the payload must be a JSON object"),
    };
    let Some(action) = items.get(2).and_then(Value::as_str) else { return wrong("the action must be a string") };
    Ok(Incoming::Call { id, action: action.to_owned(), payload })
}

pub fn call_result(id: &str, payload: Value) -> String {
    json!([3, id, payload]).to_string()
}

pub fn call_error(id: &str, error: &CallError) -> String {
    json!([4, id, error.code.as_str(), error.description, {}]).to_string()
}

pub fn call(id: &str, action: &str, payload: Value) -> String {
    json!([2, id, action, payload]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_results_and_errors_parse() {
        let call = parse(r#"[2,"19223201","Heartbeat",{}]"#).expect("call");
        assert!(matches!(call, Incoming::Call { ref action, .. } if action == "Heartbeat"));
        assert!(matches!(parse(r#"[2,"1","Heartbeat",null]"#), Ok(Incoming::Call { .. })));
        assert!(matches!(parse(r#"[3,"1",{"status":"Accepted"}]"#), Ok(Incoming::Result { .. })));
        let error = parse(r#"[4,"1","NotSupported","",{}]"#).expect("error");
        assert!(matches!(error, Incoming::Error { ref code, .. } if code == "NotSupported"));
    }

    #[test]
    fn malformed_calls_with_an_id_are_formation_violations() {
        for text in
            [r#"[2,"7","Heartbeat"]"#, r#"[2,"7","Heartbeat",[]]"#, r#"[2,"7",5,{}]"#, r#"[2,"7","Heartbeat",{},1]"#]
        {
            assert!(matches!(parse(text), Err(Unreadable::Call { ref id, .. }) if id == "7"), "{text}");
        }
        let long = format!(r#"[2,"{}","Heartbeat",{{}}]"#, "x".repeat(37));
        assert!(matches!(parse(&long), Err(Unreadable::Call { .. })));
    }

    #[test]
    fn frames_without_an_id_or_of_unknown_types_are_dropped() {
        for text in ["{}", "not json", "[2]", "[2,7,\"Heartbeat\",{}]", r#"[5,"1",{}]"#, r#"[3,"1"]"#, r#"[4,"1",5]"#] {
            assert!(matches!(parse(text), Err(Unreadable::Dropped(_))), "{text}");
        }
    }

    #[test]
    fn answers_use_the_1_6_spellings() {
        let text = call_error("1", &CallError::new(ErrorCode::OccurenceConstraintViolation, "Missing field"));
        assert_eq!(text, r#"[4,"1","OccurenceConstraintViolation","Missing field",{}]"#);
        assert_eq!(call_result("1", json!({})), r#"[3,"1",{}]"#);
    }
}
