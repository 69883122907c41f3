//! Outgoing mail: SMTP when `EMSP_SMTP_URL` is configured, otherwise `.eml` files in the data
//! directory's `outbox/` (so development and tests need no mail server).
use lettre::message::{header::ContentType, Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

pub enum Mailer {
    Outbox { dir: PathBuf, from: Mailbox },
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
}

impl Mailer {
    /// `smtp_url` like `smtps://user:pass@mail.example.com` (lettre's URL syntax).
    pub fn new(smtp_url: Option<&str>, from: &str, outbox: PathBuf) -> Result<Self, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("EMSP_MAIL_FROM is not a mailbox: {e}"))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| "EMSP_SMTP_URL is not a valid SMTP URL".to_owned())?
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(&outbox).map_err(|e| format!("cannot create {}: {e}", outbox.display()))?;
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
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        match self {
            Mailer::Outbox { dir, .. } => {
                let id =
                    AsyncFileTransport::<Tokio1Executor>::new(dir).send(message).await.map_err(|e| e.to_string())?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), "mail written to the outbox");
            }
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(|e| e.to_string())?;
                tracing::info!("mail sent by SMTP");
            }
        }
        Ok(())
    }
}
