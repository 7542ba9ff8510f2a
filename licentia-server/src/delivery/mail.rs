//! Mailing a notification through the configured SMTP relay, on lettre:
//! STARTTLS or implicit TLS (rustls; the Mozilla roots and, optionally, the
//! operator's own CA), AUTH when a user name is set, and a MIME message
//! whose encoding keeps every line within the limits of RFC 5322.

use std::time::{Duration, UNIX_EPOCH};

use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Failure;
use crate::config::{Config, SmtpTls};
use crate::store::Notification;
use licentia::Timestamp;

/// The SMTP relay e-mail notices go through, and their sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The relay `config` names (`smtp_*`), or None when it names none.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let (Some(host), Some(from)) = (&config.smtp_host, &config.smtp_from) else {
            return Ok(None);
        };
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("smtp_from '{from}': {e}"))?;
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(path) = &config.smtp_ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let roots = Certificate::from_pem(&pem)
                .map_err(|e| format!("{}: not PEM certificates: {e}", path.display()))?;
            tls = tls.add_root_certificate(roots);
        }
        let tls = tls
            .build_rustls()
            .map_err(|e| format!("smtp TLS settings: {e}"))?;
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(config.webhook_timeout_secs)))
            .tls(match config.smtp_tls {
                SmtpTls::Starttls => Tls::Required(tls),
                SmtpTls::Tls => Tls::Wrapper(tls),
                SmtpTls::None => Tls::None,
            });
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            transport =
                transport.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Some(Mailer {
            transport: transport.build(),
            from,
        }))
    }

    /// Mails notification `n` (`json`: its body as sent to webhooks) to
    /// `to`; the relay's final reply code when it accepted the message.
    pub(super) async fn send(
        &self,
        to: &str,
        n: &Notification,
        json: &str,
        at: Timestamp,
    ) -> Result<i64, Failure> {
        let subject = format!("[licentia] {} {} ({})", n.kind, n.subject, n.due_on);
        self.send_text(to, &subject, text(n, json), &n.id, at).await
    }

    /// Mails a plain text `body` under `subject` to `to`, its message id
    /// made of `id`: the one path every e-mail takes (notices, and the
    /// links mailed to people); the relay's final reply code.
    pub(crate) async fn send_text(
        &self,
        to: &str,
        subject: &str,
        body: String,
        id: &str,
        at: Timestamp,
    ) -> Result<i64, Failure> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| Failure::smtp(None, format!("recipient '{to}': {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date(UNIX_EPOCH + Duration::from_secs(at.0.max(0) as u64))
            .message_id(Some(format!("<{id}@licentia>")))
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| Failure::smtp(None, format!("the message: {e}")))?;
        let response = self.transport.send(message).await.map_err(|e| {
            let code = e.status().and_then(|c| c.to_string().parse().ok());
            Failure::smtp(code, e)
        })?;
        Ok(response.code().to_string().parse().unwrap_or(250))
    }
}

/// The text of the e-mail: a line saying what it is, then the notification
/// as indented JSON (short lines a reader and a mail client both like).
fn text(n: &Notification, json: &str) -> String {
    let pretty = serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_owned());
    format!(
        "{kind}: {subject}\n{lead} days before {due}.\n\n{pretty}\n",
        kind = n.kind,
        subject = n.subject,
        lead = n.lead_days,
        due = n.due_on,
    )
}
