//! Server functions of the portal. They run on the server (SSR or `/_sf/...` calls from the
//! browser) and call the same services and store as the REST and GraphQL APIs.
use crate::domain::validation::FieldError;
use crate::domain::views::OwnerProfile;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user as the pages need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub role: crate::domain::role::Role,
    pub owner: Option<OwnerProfile>,
}

/// A form's outcome: the fields to correct, or none when it went through.
pub type FormResult = Result<Vec<FieldError>, ServerFnError>;

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::error::ServiceError;
    use crate::store::Store;
    use tower_sessions::Session;

    pub const USER_KEY: &str = "user_id";

    pub fn store() -> Result<Store, ServerFnError> {
        use_context::<Store>().ok_or_else(|| ServerFnError::new("store missing"))
    }

    pub fn uploads() -> Result<crate::uploads::UploadDir, ServerFnError> {
        use_context::<crate::uploads::UploadDir>().ok_or_else(|| ServerFnError::new("upload directory missing"))
    }

    pub async fn session() -> Result<Session, ServerFnError> {
        leptos_axum::extract::<Session>().await.map_err(|e| ServerFnError::new(format!("no session: {e}")))
    }

    pub async fn client_ip() -> std::net::IpAddr {
        leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .await
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
    }

    /// The signed-in user, if any.
    pub async fn user() -> Result<Option<crate::store::UserAccount>, ServerFnError> {
        let session = session().await?;
        let id = session.get::<i64>(USER_KEY).await.map_err(|e| refusal(ServiceError::Unavailable(Box::new(e))))?;
        let Some(id) = id else { return Ok(None) };
        // A database failure here is "unavailable", never "signed out".
        store()?.user_by_id(id).await.map_err(|e| refusal(ServiceError::Unavailable(Box::new(e))))
    }

    /// The CPO owner id of the signed-in user, or an error that sends the browser to sign in.
    pub async fn owner_id() -> Result<i64, ServerFnError> {
        match user().await?.and_then(|u| u.cpo_owner_id) {
            Some(id) => Ok(id),
            None => {
                leptos_axum::redirect("/sign-in");
                Err(ServerFnError::new("please sign in as a CPO owner"))
            }
        }
    }

    /// Logs the cause chain and gives the browser an opaque message.
    pub fn internal(e: impl Into<ServiceError>) -> ServerFnError {
        refusal(e.into())
    }

    /// A failure of a component (the session layer) that has no `ServiceError` of its own.
    pub fn failed(e: impl std::error::Error + Send + Sync + 'static) -> ServerFnError {
        refusal(ServiceError::internal(e))
    }

    /// A refusal (not found, not yours, taken) as a message for the page; our own failures are
    /// logged with their causes and shown as an opaque message.
    pub fn refusal(e: ServiceError) -> ServerFnError {
        match e.failure_chain() {
            Some(cause) => {
                tracing::error!(%cause, "portal request failed");
                ServerFnError::new(match e {
                    ServiceError::Unavailable(_) => "The service is unavailable. Please try again in a moment.",
                    _ => "Something went wrong on our side. Please try again.",
                })
            }
            None => ServerFnError::new(e.to_string()),
        }
    }

    /// Field errors stay with the form; other failures become a message.
    pub fn form_error(e: ServiceError) -> FormResult {
        match e {
            ServiceError::Invalid(fields) => Ok(fields),
            ServiceError::Conflict(field) => Ok(vec![FieldError::new(&field, "is already taken")]),
            other => Err(refusal(other)),
        }
    }
}

#[server(prefix = "/_sf", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, ServerFnError> {
    let Some(user) = server::user().await? else { return Ok(None) };
    let owner = match user.cpo_owner_id {
        Some(id) => server::store()?.owner_profile(id).await.map_err(server::internal)?,
        None => None,
    };
    Ok(Some(Me { username: user.username, role: user.role, owner }))
}

pub use registration_form::{register_owner, RegisterOwner};

mod registration_form {
    // One argument per form field, as the browser posts them (the macro copies the signature to
    // the browser's stub too, so the allowance has to cover the module).
    #![allow(clippy::too_many_arguments)]
    use super::*;

    #[server(prefix = "/_sf", endpoint = "register_owner")]
    pub async fn register_owner(
        username: String,
        cpo_owner_name: String,
        contact_name: String,
        contact_number: String,
        contact_email: String,
        ocpp_ready: Option<String>,
        password: String,
        password_confirm: String,
    ) -> FormResult {
        use crate::domain::inputs::{Registration, Rules};
        let registration = Registration {
            username: username.trim().to_owned(),
            cpo_owner_name,
            contact_name,
            contact_number,
            contact_email: contact_email.trim().to_owned(),
            ocpp_ready: ocpp_ready.is_some(),
            logo: None,
        };
        let mut errors = registration.validate().err().unwrap_or_default();
        if let Err(message) = crate::domain::validation::password(&password) {
            errors.push(FieldError::new("password", message));
        }
        if password != password_confirm {
            errors.push(FieldError::new("password_confirm", "does not match the password"));
        }
        if !errors.is_empty() {
            return Ok(errors);
        }
        match crate::services::registration::register_with_password(&server::store()?, registration, &password).await {
            Ok(()) => {
                leptos_axum::redirect("/sign-in?registered=1");
                Ok(Vec::new())
            }
            Err(e) => server::form_error(e),
        }
    }
}

#[server(prefix = "/_sf", endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), ServerFnError> {
    use crate::auth::service::{check_credentials, AuthError};
    if crate::domain::validation::sign_in(username.trim(), &password).is_err() {
        return Err(ServerFnError::new("Wrong username or password."));
    }
    let store = server::store()?;
    let ip = server::client_ip().await;
    match check_credentials(&store, username.trim(), &password, ip).await {
        Ok(user) => {
            let session = server::session().await?;
            // A new session id at sign-in defeats session fixation.
            session.cycle_id().await.map_err(server::failed)?;
            session.insert(server::USER_KEY, user.id).await.map_err(server::failed)?;
            leptos_axum::redirect("/dashboard");
            Ok(())
        }
        Err(AuthError::Throttled { retry_after_secs }) => Err(ServerFnError::new(format!(
            "Too many failed sign-ins. Try again in {} minutes.",
            retry_after_secs.div_ceil(60)
        ))),
        Err(AuthError::Unauthorized) => Err(ServerFnError::new("Wrong username or password.")),
        Err(other) => Err(server::internal(other)),
    }
}

#[server(prefix = "/_sf", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ServerFnError> {
    server::session().await?.flush().await.map_err(server::failed)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "set_password")]
pub async fn set_password(token: String, password: String, password_confirm: String) -> FormResult {
    if password != password_confirm {
        return Ok(vec![FieldError::new("password_confirm", "does not match the password")]);
    }
    match crate::services::registration::accept_invitation(&server::store()?, &token, &password).await {
        Ok(_) => {
            leptos_axum::redirect("/sign-in?password=1");
            Ok(Vec::new())
        }
        Err(e) => server::form_error(e),
    }
}

/// Sets the owner's OCPI party (both fields empty: none).
#[server(prefix = "/_sf", endpoint = "update_party")]
pub async fn update_party(party_country_code: String, party_id: String) -> FormResult {
    let owner = server::owner_id().await?;
    match crate::services::parties::set_party(&server::store()?, owner, &party_country_code, &party_id).await {
        Ok(()) => Ok(Vec::new()),
        Err(e) => server::form_error(e),
    }
}

#[server(prefix = "/_sf", endpoint = "update_profile")]
pub async fn update_profile(contact_name: String, contact_number: String, contact_email: String) -> FormResult {
    use crate::domain::validation::{self as rule, Checker, TEXT_MAX};
    let owner = server::owner_id().await?;
    let errors = Checker::default()
        .check("contact_name", rule::required_text(&contact_name, TEXT_MAX))
        .check("contact_number", rule::phone(&contact_number))
        .check("contact_email", rule::email(contact_email.trim()))
        .finish()
        .err()
        .unwrap_or_default();
    if !errors.is_empty() {
        return Ok(errors);
    }
    match server::store()?.update_contact(owner, &contact_name, &contact_number, contact_email.trim()).await {
        Ok(()) => Ok(Vec::new()),
        Err(e) => server::form_error(e.into()),
    }
}
