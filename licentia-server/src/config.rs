//! Server configuration, layered: defaults, then a TOML file, then
//! environment variables `LICENTIA_*`, then command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::billing::{BillingError, LeadTimes, Zone};

/// Default listen address: local only, so a first start exposes nothing.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory (database, signing keys), relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "licentia-data";

/// Everything `licentia serve` can be told.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory holding the SQLite database and the signing keys.
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://...` or `postgres://...`; the SQLite file in `data_dir` when absent.
    pub database_url: Option<String>,
    /// Logs as JSON lines instead of text.
    pub log_json: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests per minute per client address on product-facing endpoints (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Database connections in the pool.
    pub max_connections: u32,
    /// Seconds a request waits for a database connection (a database that
    /// is down or restarting) before it is answered 503 `database_unavailable`.
    pub acquire_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body once its headers
    /// are in; past it the request is answered 408 and the connection closed.
    pub body_timeout_secs: u64,
    /// SQLite `synchronous` level: `full` (default; durable across power loss)
    /// or `normal` (durable across a crash of the process, faster).
    pub sqlite_synchronous: String,
    /// The IANA time zone in which business dates (expiry days, notice
    /// dates, the jobs' "today") are read.
    pub zone: String,
    /// Days before an end at which notices go out, e.g. `[90, 30, 7]`.
    pub lead_times: Vec<u32>,
    /// Seconds between runs of the jobs inside `licentia serve` (0: never;
    /// run `licentia jobs run` from cron instead).
    pub jobs_interval_secs: u64,
    /// Days an `Idempotency-Key` answer is kept before the jobs purge it.
    pub idempotency_retention_days: u32,
    /// Seconds a webhook may take to answer.
    pub webhook_timeout_secs: u64,
    /// Delay before the first retry of a failed delivery; doubled at each
    /// further attempt (capped at a day).
    pub delivery_backoff_secs: u64,
    /// Attempts before a delivery is given up as failed.
    pub delivery_max_attempts: u32,
    /// SMTP relay for e-mail notices (`host`; none: no e-mail).
    pub smtp_host: Option<String>,
    /// Its port.
    pub smtp_port: u16,
    /// The sender address of e-mail notices.
    pub smtp_from: Option<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            database_url: None,
            log_json: false,
            max_body_bytes: 64 * 1024,
            rate_limit_per_minute: 6000,
            max_connections: 8,
            acquire_timeout_secs: 10,
            body_timeout_secs: 30,
            sqlite_synchronous: "full".into(),
            zone: "UTC".into(),
            lead_times: vec![90, 30, 7],
            jobs_interval_secs: 0,
            idempotency_retention_days: 7,
            webhook_timeout_secs: 10,
            delivery_backoff_secs: 60,
            delivery_max_attempts: 8,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: None,
        }
    }
}

impl fmt::Debug for Config {
    /// The database URL may hold a password: only its scheme is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(|u| format!("{}://<redacted>", u.split("://").next().unwrap_or("?"))),
            )
            .field("log_json", &self.log_json)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .field("body_timeout_secs", &self.body_timeout_secs)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("zone", &self.zone)
            .field("lead_times", &self.lead_times)
            .field("jobs_interval_secs", &self.jobs_interval_secs)
            .field(
                "idempotency_retention_days",
                &self.idempotency_retention_days,
            )
            .field("webhook_timeout_secs", &self.webhook_timeout_secs)
            .field("delivery_backoff_secs", &self.delivery_backoff_secs)
            .field("delivery_max_attempts", &self.delivery_max_attempts)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_from", &self.smtp_from)
            .finish()
    }
}

/// Values given on the command line; each set one wins over every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

impl Config {
    /// Builds the configuration: defaults, `file` (if given), the `LICENTIA_*`
    /// variables in `env`, then `flags`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: Overrides,
    ) -> Result<Config, String> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        for (name, value) in env {
            let Some(field) = name.strip_prefix("LICENTIA_") else {
                continue;
            };
            let bad = |e: &dyn fmt::Display| format!("{name}: {e}");
            match field {
                "DATA_DIR" => config.data_dir = PathBuf::from(value),
                "LISTEN" => config.listen = value.parse().map_err(|e| bad(&e))?,
                "DATABASE_URL" => config.database_url = Some(value),
                "LOG_JSON" => config.log_json = matches!(value.as_str(), "1" | "true" | "yes"),
                "MAX_BODY_BYTES" => config.max_body_bytes = value.parse().map_err(|e| bad(&e))?,
                "RATE_LIMIT_PER_MINUTE" => {
                    config.rate_limit_per_minute = value.parse().map_err(|e| bad(&e))?
                }
                "MAX_CONNECTIONS" => config.max_connections = value.parse().map_err(|e| bad(&e))?,
                "ACQUIRE_TIMEOUT_SECS" => {
                    config.acquire_timeout_secs = value.parse().map_err(|e| bad(&e))?
                }
                "BODY_TIMEOUT_SECS" => {
                    config.body_timeout_secs = value.parse().map_err(|e| bad(&e))?
                }
                "SQLITE_SYNCHRONOUS" => config.sqlite_synchronous = value,
                "ZONE" => config.zone = value,
                "LEAD_TIMES" => {
                    config.lead_times = value
                        .parse::<LeadTimes>()
                        .map_err(|e| bad(&e))?
                        .days()
                        .to_vec()
                }
                "JOBS_INTERVAL_SECS" => {
                    config.jobs_interval_secs = value.parse().map_err(|e| bad(&e))?
                }
                "SMTP_HOST" => config.smtp_host = Some(value),
                "SMTP_PORT" => config.smtp_port = value.parse().map_err(|e| bad(&e))?,
                "SMTP_FROM" => config.smtp_from = Some(value),
                // Other LICENTIA_* variables belong to other tools (and tests).
                _ => {}
            }
        }
        if let Some(dir) = flags.data_dir {
            config.data_dir = dir;
        }
        if let Some(listen) = flags.listen {
            config.listen = listen;
        }
        if let Some(url) = flags.database_url {
            config.database_url = Some(url);
        }
        if !matches!(config.sqlite_synchronous.as_str(), "full" | "normal") {
            return Err(format!(
                "sqlite_synchronous must be 'full' or 'normal', not '{}'",
                config.sqlite_synchronous
            ));
        }
        if config.max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        if config.acquire_timeout_secs == 0 || config.body_timeout_secs == 0 {
            return Err("acquire_timeout_secs and body_timeout_secs must be at least 1".into());
        }
        config.zone().map_err(|e| format!("zone: {e}"))?;
        config
            .lead_times()
            .map_err(|e| format!("lead_times: {e}"))?;
        if config.delivery_max_attempts == 0 || config.webhook_timeout_secs == 0 {
            return Err("delivery_max_attempts and webhook_timeout_secs must be at least 1".into());
        }
        if config.smtp_host.is_some() != config.smtp_from.is_some() {
            return Err("e-mail notices need both smtp_host and smtp_from".into());
        }
        Ok(config)
    }

    /// The zone business dates are read in.
    pub fn zone(&self) -> Result<Zone, BillingError> {
        self.zone.parse()
    }

    /// The notice lead times.
    pub fn lead_times(&self) -> Result<LeadTimes, BillingError> {
        LeadTimes::new(self.lead_times.iter().copied())
    }

    /// The database URL in force: the given one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("licentia.db").display()
            ),
        }
    }

    /// Where signing keys live.
    pub fn key_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("licentia.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/a\"\nmax_connections = 3\n",
        )
        .unwrap();
        let env = vec![
            ("LICENTIA_DATA_DIR".to_string(), "/srv/b".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let flags = Overrides {
            listen: Some("127.0.0.1:9001".parse().unwrap()),
            ..Overrides::default()
        };
        let c = Config::load(Some(&file), env, flags).unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.data_dir, PathBuf::from("/srv/b"));
        assert_eq!(c.max_connections, 3);
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        assert!(Config::load(Some(&file), vec![], Overrides::default()).is_err());
        let secret = Config {
            database_url: Some("postgres://u:hunter2@db/x".into()),
            ..Config::default()
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
