//! What a user may do on the platform, as stored in `users.role` and carried in access tokens.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Runs the platform: sees every location, owns none.
    Admin,
    /// Manages its own CPO's locations.
    CpoOwner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::CpoOwner => "CPO_OWNER",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Role::Admin, Role::CpoOwner].into_iter().find(|role| role.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_read_back_as_written() {
        for role in [Role::Admin, Role::CpoOwner] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
