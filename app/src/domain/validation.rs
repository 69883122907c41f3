//! Field rules shared by the browser (instant feedback) and the server (authoritative).
//! Each rule returns the message a person reads next to the field.

use serde::{Deserialize, Serialize};

/// A rule broken by one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

pub const USERNAME_MAX: usize = 32;
pub const TEXT_MAX: usize = 200;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
/// Sign-in fields are checked against the stored account, not against the registration rules
/// (older accounts may predate them), but never beyond these lengths.
pub const SIGN_IN_USERNAME_MAX: usize = 256;
pub const SIGN_IN_PASSWORD_MAX: usize = 1024;
/// The longest secret a client may present (invitation tokens are 47 characters).
pub const SECRET_MAX: usize = 128;

/// The sign-in form and the contract's login body: both fields present and within bounds.
pub fn sign_in(username: &str, password: &str) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if username.is_empty() || username.len() > SIGN_IN_USERNAME_MAX {
        errors.push(FieldError::new("username", format!("is required and at most {SIGN_IN_USERNAME_MAX} characters")));
    }
    if password.is_empty() || password.len() > SIGN_IN_PASSWORD_MAX {
        errors.push(FieldError::new("password", format!("is required and at most {SIGN_IN_PASSWORD_MAX} characters")));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Usernames are lowercase so that "Solarius" and "solarius" cannot be two accounts.
pub fn username(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(3..=USERNAME_MAX).contains(&len) {
        return Err(format!("must be 3 to {USERNAME_MAX} characters"));
    }
    if !value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        return Err("may only contain lowercase letters, digits, '.', '_' and '-'".into());
    }
    Ok(())
}

/// A required single-line text such as a name or an address.
pub fn required_text(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

/// A pragmatic check (one `@`, a dotted domain, no spaces); the invitation mail proves the rest.
pub fn email(value: &str) -> Result<(), String> {
    if value.len() > EMAIL_MAX {
        return Err(format!("must be at most {EMAIL_MAX} characters"));
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err("must be an email address like name@example.com".into());
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.contains(char::is_whitespace) || local.contains('@') || !domain_ok {
        return Err("must be an email address like name@example.com".into());
    }
    Ok(())
}

/// Phone numbers: digits with optional leading `+` and common separators, 6 to 20 digits.
pub fn phone(value: &str) -> Result<(), String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed =
        value.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(6..=20).contains(&digits) {
        return Err("must be a phone number of 6 to 20 digits".into());
    }
    Ok(())
}

pub fn password(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        return Err(format!("must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"));
    }
    Ok(())
}

/// ISO 3166-1 alpha-2, upper case (the code list itself is too long to be worth shipping to wasm).
pub fn country_code(value: &str) -> Result<(), String> {
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err("must be a two-letter ISO 3166-1 country code such as NL".into())
    }
}

/// An OCPI party's country code: two letters (stored upper-case).
pub fn party_country_code(value: &str) -> Result<(), String> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err("must be a two-letter ISO 3166-1 country code such as NL".into())
    }
}

/// An OCPI party id: three letters or digits (stored upper-case).
pub fn party_id(value: &str) -> Result<(), String> {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err("must be three letters or digits such as ABC".into())
    }
}

pub fn latitude(value: f64) -> Result<(), String> {
    if value.is_finite() && (-90.0..=90.0).contains(&value) {
        Ok(())
    } else {
        Err("must be a latitude between -90 and 90".into())
    }
}

pub fn longitude(value: f64) -> Result<(), String> {
    if value.is_finite() && (-180.0..=180.0).contains(&value) {
        Ok(())
    } else {
        Err("must be a longitude between -180 and 180".into())
    }
}

/// Collects the errors of several fields so a form can show them all at once.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    pub fn check(&mut self, field: &str, outcome: Result<(), String>) -> &mut Self {
        if let Err(message) = outcome {
            self.errors.push(FieldError::new(field, message));
        }
        self
    }

    pub fn finish(&mut self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(std::mem::take(&mut self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parties() {
        assert!(party_country_code("nl").is_ok());
        assert!(party_country_code("N1").is_err());
        assert!(party_id("ab1").is_ok());
        assert!(party_id("ABCD").is_err());
        assert!(party_id("A-C").is_err());
    }

    #[test]
    fn usernames() {
        assert!(username("solarius").is_ok());
        assert!(username("so").is_err());
        assert!(username("Solarius").is_err());
        assert!(username(&"a".repeat(10_000)).is_err());
        assert!(username("a b c").is_err());
    }

    #[test]
    fn emails() {
        assert!(email("solarius@gmail.com").is_ok());
        for bad in ["", "solarius", "a@b", "@gmail.com", "a b@c.com", "a@.com", "a@b..com", "a@b.com."] {
            assert!(email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn phones() {
        assert!(phone("09123456782").is_ok());
        assert!(phone("+31 (20) 123-4567").is_ok());
        assert!(phone("12").is_err());
        assert!(phone("12+345678").is_err());
        assert!(phone("call me").is_err());
    }

    #[test]
    fn coordinates_and_countries() {
        assert!(latitude(52.37).is_ok());
        assert!(latitude(91.0).is_err());
        assert!(latitude(f64::NAN).is_err());
        assert!(longitude(-181.0).is_err());
        assert!(country_code("NL").is_ok());
        assert!(country_code("nl").is_err());
        assert!(country_code("NLD").is_err());
    }

    #[test]
    fn checker_collects_every_field() {
        let errors = Checker::default()
            .check("username", username("X"))
            .check("contact_email", email("nope"))
            .check("contact_name", required_text("Ann", TEXT_MAX))
            .finish()
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "contact_email"]);
    }
}
