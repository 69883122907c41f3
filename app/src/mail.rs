//! Outgoing mail: SMTP when `EMSP_SMTP_URL` is configured, otherwise `.eml` files in the data
//! directory's `outbox/` (so development and tests need no mail server).
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

/// Why mail could not be set up or sent. Addresses and bodies are not part of the text.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("EMSP_MAIL_FROM is not a mailbox")]
    From(#[source] lettre::address::AddressError),
    /// Without the cause: lettre's text may quote the URL, and with it the SMTP password.
    #[error("EMSP_SMTP_URL is not a valid SMTP URL")]
    SmtpUrl,
    #[error("cannot create the mail outbox {0}")]
    Outbox(String, #[source] std::io::Error),
    #[error("bad recipient")]
    Recipient(#[source] lettre::address::AddressError),
    #[error("cannot build the message")]
    Build(#[source] lettre::error::Error),
    #[error("cannot write the mail to the outbox")]
    File(#[source] lettre::transport::file::Error),
    #[error("SMTP delivery failed")]
    Smtp(#[source] lettre::transport::smtp::Error),
}

pub enum Mailer {
    Outbox { dir: PathBuf, from: Mailbox },
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
}

impl Mailer {
    /// `smtp_url` like `smtps://user:pass@mail.example.com` (lettre's URL syntax).
    pub fn new(smtp_url: Option<&str>, from: &str, outbox: PathBuf) -> Result<Self, MailError> {
        let from: Mailbox = from.parse().map_err(MailError::From)?;
        match smtp_url {
            Some(url) => {
                let transport =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|_| MailError::SmtpUrl)?.build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(&outbox).map_err(|e| MailError::Outbox(outbox.display().to_string(), e))?;
                Ok(Mailer::Outbox { dir: outbox, from })
            }
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Outbox { from, .. } | Mailer::Smtp { from, .. } => from,
        }
    }

    /// Sends a plain-text mail. Neither the address nor the body is logged: bodies carry links.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(MailError::Recipient)?;
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(MailError::Build)?;
        match self {
            Mailer::Outbox { dir, .. } => {
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await.map_err(MailError::File)?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), "mail written to the outbox");
            }
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(MailError::Smtp)?;
                tracing::info!("mail sent by SMTP");
            }
        }
        Ok(())
    }
}
