//! Registering a CPO owner and inviting its first user to choose a password.
use crate::auth::password;
use crate::clock::now_ms;
use crate::domain::inputs::{Registration, Rules};
use crate::domain::validation;
use crate::error::ServiceError;
use crate::mail::Mailer;
use crate::secret::{self, ExposeSecret};
use crate::store::{Store, StoreError};

pub const INVITATION_TTL_MS: i64 = 72 * 60 * 60 * 1000;

/// Creates the owner, its `CPO_OWNER` user and a one-time set-password link, and mails the link.
/// If the mail cannot be sent the registration is undone, so the owner can simply try again.
pub async fn register(store: &Store, mailer: &Mailer, public_url: &str, reg: Registration) -> Result<(), ServiceError> {
    let reg = reg.validated().map_err(ServiceError::Invalid)?;
    let token = secret::generate("inv_");
    let token = token.expose_secret();
    let expires = now_ms() + INVITATION_TTL_MS;
    let (owner_id, _) = store.create_cpo_owner(&reg, Some((&secret::digest(token), expires)), None).await?;
    let link = format!("{}/set-password?token={token}", public_url.trim_end_matches('/'));
    let body = format!(
        "Hello {},\n\n{} is registered on the EMSP platform with the username \"{}\".\n\
         Choose your password within 72 hours with this one-time link:\n\n{link}\n\n\
         If you did not expect this mail, ignore it.\n",
        reg.contact_name, reg.cpo_owner_name, reg.username
    );
    if let Err(cause) = mailer.send(&reg.contact_email, "Welcome to EMSP: choose your password", body).await {
        store.delete_cpo_owner(owner_id).await?;
        return Err(ServiceError::internal(cause));
    }
    Ok(())
}

/// Registration in the portal, where the owner is present and chooses the password at once.
pub async fn register_with_password(store: &Store, reg: Registration, new_password: &str) -> Result<(), ServiceError> {
    let reg = reg.validated().map_err(ServiceError::Invalid)?;
    validation::password(new_password).map_err(|m| ServiceError::invalid("password", m))?;
    let hash = password::hash(new_password.to_owned()).await.map_err(ServiceError::internal)?;
    store.create_cpo_owner(&reg, None, Some(&hash)).await?;
    Ok(())
}

/// Sets the password of the user invited with `token`; the link works once, before it expires.
pub async fn accept_invitation(store: &Store, token: &str, new_password: &str) -> Result<String, ServiceError> {
    if token.len() > validation::SECRET_MAX {
        return Err(ServiceError::invalid("token", "this link has expired or was already used"));
    }
    validation::password(new_password).map_err(|m| ServiceError::invalid("password", m))?;
    let hash = password::hash(new_password.to_owned()).await.map_err(ServiceError::internal)?;
    store.accept_invitation(&secret::digest(token), &hash).await.map_err(|e| match e {
        StoreError::NotFound(_) => ServiceError::invalid("token", "this link has expired or was already used"),
        other => other.into(),
    })
}
