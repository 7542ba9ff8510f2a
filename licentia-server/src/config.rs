//! Server configuration, layered: defaults, then a TOML file, then
//! environment variables `LICENTIA_*`, then command-line flags. The layers
//! are merged by figment; the names of the settings come from [`Config`]'s
//! fields, so a new field has its file, environment and flag forms at once.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize};

use crate::billing::{BillingError, LeadTimes, Zone};

/// Default listen address: local only, so a first start exposes nothing.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data directory (database, signing keys), relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "licentia-data";

/// Everything `licentia serve` can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory holding the SQLite database (and, on SQLite, the
    /// key-encryption key made at the first start when none is given).
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://...` or `postgres://...`; the SQLite file in `data_dir` when absent.
    pub database_url: Option<Secret>,
    /// Logs as JSON lines instead of text (`true`, `false`, `1`, `0`, `yes`, `no`).
    #[serde(deserialize_with = "figment::util::bool_from_str_or_int")]
    pub log_json: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Requests per minute per client address on the routes callable
    /// without a staff token: activation, check-in, leases, the revocation
    /// list, keys, health (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Requests per minute per license key on product-facing routes (0: no limit).
    pub key_rate_limit_per_minute: u32,
    /// Reverse proxies (CIDR blocks or addresses, e.g. `["10.0.0.0/8"]`, or
    /// `10.0.0.0/8,::1` in the environment and flags) whose
    /// `X-Forwarded-For` names the client; from any other peer the header
    /// is ignored.
    #[serde(deserialize_with = "cidr_list")]
    pub trusted_proxies: Vec<IpNet>,
    /// Requests handled at once; past it a request is answered 503
    /// `overloaded` with `Retry-After` at once rather than queued.
    pub max_in_flight: usize,
    /// PEM certificate chain to serve HTTPS with (with `tls_key`; none: plain HTTP).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`; refused when group or others may read it.
    pub tls_key: Option<PathBuf>,
    /// Database connections in the pool.
    pub max_connections: u32,
    /// Seconds a request waits for a database connection (a database that
    /// is down or restarting) before it is answered 503 `database_unavailable`;
    /// on SQLite, also how long a write waits for its turn behind the
    /// others before it is answered 503 `database_busy`.
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
    /// Days before an end at which notices go out, e.g. `[90, 30, 7]`
    /// (or `90,30,7` in the environment and flags).
    #[serde(deserialize_with = "days_list")]
    pub lead_times: Vec<u32>,
    /// Seconds between runs of the jobs inside `licentia serve` (0: never;
    /// run `licentia jobs run` from cron instead).
    pub jobs_interval_secs: u64,
    /// Days an `Idempotency-Key` answer is kept before the jobs purge it.
    pub idempotency_retention_days: u32,
    /// Seconds a webhook (or the SMTP relay) may take to answer.
    pub webhook_timeout_secs: u64,
    /// Internal destinations webhooks may reach all the same: networks
    /// (`10.20.0.0/16`), addresses (`10.20.0.7`, `::1`) or host names
    /// (`hooks.internal`, whatever it resolves to); `["a", "b"]` in the
    /// file, `a,b` in the environment and flags. Empty (the default):
    /// webhooks reach public addresses only, never loopback, private,
    /// link-local, CGNAT, unique local or multicast ones.
    #[serde(deserialize_with = "word_list")]
    pub webhook_allow: Vec<String>,
    /// A PEM file of root certificates trusted for `https://` webhooks
    /// besides the Mozilla roots: a private CA.
    pub webhook_ca_file: Option<PathBuf>,
    /// Delay before the first retry of a failed delivery; doubled at each
    /// further attempt (capped at a day).
    pub delivery_backoff_secs: u64,
    /// Attempts before a delivery is given up as failed.
    pub delivery_max_attempts: u32,
    /// The key-encryption key that seals the signing keys and stored
    /// answers in the database: base64 of 32 random bytes (`LICENTIA_KEK`).
    /// Secret: redacted in logs. Give this or `kek_file`; on SQLite with
    /// neither, the first start makes `data_dir/kek`.
    pub kek: Option<Secret>,
    /// A file holding the key-encryption key (base64 text), readable by its
    /// owner only (0600).
    pub kek_file: Option<PathBuf>,
    /// A PKCS#11 library (`/usr/lib/softhsm/libsofthsm2.so`, a vendor's
    /// HSM module): new signing keys are then made inside its token and
    /// never leave it; the database keeps a reference. Keys sealed before
    /// stay usable until retired (rotate once to move signing into the HSM).
    pub pkcs11_module: Option<PathBuf>,
    /// The label of the token in `pkcs11_module` that holds the keys.
    pub pkcs11_token: Option<String>,
    /// The token's user PIN (`LICENTIA_PKCS11_PIN`). Secret: redacted in
    /// logs.
    pub pkcs11_pin: Option<Secret>,
    /// SMTP relay for e-mail notices (`host`; none: no e-mail).
    pub smtp_host: Option<String>,
    /// Its port (587 is the usual one for `starttls`, 465 for `tls`).
    pub smtp_port: u16,
    /// The sender address of e-mail notices.
    pub smtp_from: Option<String>,
    /// How the connection to the relay is secured: `starttls` (the relay
    /// must offer it, or nothing is sent), `tls` (TLS from the first byte)
    /// or `none` (plain text: a relay on this machine only).
    pub smtp_tls: SmtpTls,
    /// The user name to authenticate to the relay as (with `smtp_password`).
    pub smtp_username: Option<String>,
    /// Its password. Secret: never shown in the configuration's debug
    /// output or in the log.
    pub smtp_password: Option<Secret>,
    /// A PEM file of root certificates trusted for the relay besides the
    /// Mozilla roots: a private CA.
    pub smtp_ca_file: Option<PathBuf>,
    /// argon2id memory cost of password hashes, in KiB (OWASP: 19456 at least).
    pub argon2_memory_kib: u32,
    /// argon2id passes over that memory.
    pub argon2_iterations: u32,
    /// argon2id lanes.
    pub argon2_parallelism: u32,
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: u64,
    /// A session ends this many seconds after login, however busy.
    pub session_absolute_secs: u64,
    /// Failed logins in a row that lock an account.
    pub login_max_failures: u32,
    /// How long a locked account refuses logins, in seconds.
    pub login_lock_secs: u64,
    /// The address people reach the back office at, for the links mailed
    /// to them (invitations, password resets), e.g. `https://licentia.example`.
    pub public_url: String,
    /// Days an invitation link stays good.
    pub invitation_days: u32,
    /// Minutes a password-reset link stays good.
    pub reset_minutes: u32,
}

/// How the connection to the SMTP relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text, upgraded by STARTTLS before anything else is said;
    /// refused when the relay does not offer it.
    Starttls,
    /// TLS from the first byte (implicit TLS, "SMTPS").
    Tls,
    /// Plain text throughout.
    None,
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
            key_rate_limit_per_minute: 600,
            trusted_proxies: Vec::new(),
            max_in_flight: 512,
            tls_cert: None,
            tls_key: None,
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
            kek: None,
            kek_file: None,
            pkcs11_module: None,
            pkcs11_token: None,
            pkcs11_pin: None,
            smtp_host: None,
            smtp_port: 25,
            smtp_from: None,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_ca_file: None,
            webhook_allow: Vec::new(),
            webhook_ca_file: None,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 3600,
            login_max_failures: 5,
            login_lock_secs: 15 * 60,
            public_url: "http://127.0.0.1:8080".into(),
            invitation_days: 7,
            reset_minutes: 60,
        }
    }
}

/// A setting that is a secret (a password, a URL that may carry one):
/// read and written as a plain string, never shown by `Debug`, so a logged
/// configuration leaks nothing.
///
/// ```
/// use licentia_server::config::Secret;
/// let password = Secret::from("swordfish");
/// assert_eq!(password.expose(), "swordfish");
/// assert_eq!(format!("{password:?}"), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Secret {
        Secret(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Secret {
        Secret(text.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Variables named `LICENTIA_*` that are not server settings: read by the
/// other parts of licentia (the command line's client, the Python binding)
/// or by its tests, so the server does not refuse them.
const OTHER_VARIABLES: &[&str] = &["LICENTIA_TOKEN", "LICENTIA_LIBRARY", "LICENTIA_BLESS"];
/// Prefix of the test harnesses' own variables.
const TEST_VARIABLES: &str = "LICENTIA_TEST_";

/// Values given on the command line; each set one wins over every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--tls-cert`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key`.
    pub tls_key: Option<PathBuf>,
    /// `--set KEY=VALUE`: any setting, by its file name, value as in the
    /// environment. Applied before the named flags above.
    pub set: Vec<String>,
}

impl Config {
    /// Builds the configuration: defaults, `file` (if given), the `LICENTIA_*`
    /// variables in `env`, then `flags`. Every setting has the three forms:
    /// `max_connections = 3` in the file, `LICENTIA_MAX_CONNECTIONS=3`,
    /// `--set max_connections=3`. A key or variable that names no setting is
    /// an error, so a misspelt one does not pass unnoticed.
    ///
    /// ```
    /// use licentia_server::{Config, Overrides};
    /// let env = [("LICENTIA_MAX_CONNECTIONS".to_string(), "3".to_string())];
    /// let flags = Overrides { set: vec!["zone=Europe/Paris".into()], ..Overrides::default() };
    /// let config = Config::load(None, env, flags).unwrap();
    /// assert_eq!((config.max_connections, config.zone.as_str()), (3, "Europe/Paris"));
    /// let typo = [("LICENTIA_MAX_CONECTIONS".to_string(), "3".to_string())];
    /// assert!(Config::load(None, typo, Overrides::default()).is_err());
    /// ```
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: Overrides,
    ) -> Result<Config, String> {
        let keys = setting_names();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(format!("{}: no such file", path.display()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let mut from_env = Dict::new();
        // What each setting of the environment and flags says, as written.
        let mut env_text = HashMap::new();
        let mut flag_text = HashMap::new();
        for (name, value) in env {
            let Some(field) = name.strip_prefix("LICENTIA_") else {
                continue;
            };
            let key = field.to_ascii_lowercase();
            if keys.contains(&key) {
                from_env.insert(key.clone(), setting_value(&value));
                env_text.insert(key, value);
            } else if !OTHER_VARIABLES.contains(&name.as_str()) && !name.starts_with(TEST_VARIABLES)
            {
                return Err(format!(
                    "{name}: no such setting (the settings are {})",
                    keys.join(", ")
                ));
            }
        }
        let mut from_flags = Dict::new();
        for pair in &flags.set {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("--set {pair}: write it KEY=VALUE"))?;
            from_flags.insert(key.trim().to_owned(), setting_value(value));
            flag_text.insert(key.trim().to_owned(), value.to_owned());
        }
        let named = [
            ("data_dir", flags.data_dir.map(|d| d.display().to_string())),
            ("listen", flags.listen.map(|a| a.to_string())),
            ("database_url", flags.database_url),
            ("tls_cert", flags.tls_cert.map(|p| p.display().to_string())),
            ("tls_key", flags.tls_key.map(|p| p.display().to_string())),
        ];
        for (key, value) in named {
            if let Some(value) = value {
                from_flags.insert(key.to_owned(), Value::from(value));
            }
        }
        let config = loop {
            let attempt = figment
                .clone()
                .merge(Layer("environment variable(s)", from_env.clone()))
                .merge(Layer("command-line flag(s)", from_flags.clone()))
                .extract::<Config>();
            let error = match attempt {
                Ok(config) => break config,
                Err(error) => error,
            };
            // `1234` read as a number where a text is wanted (a PIN, a
            // label): the setting's own text, as written, leading zeros kept.
            let mut retyped = false;
            for wanted in error.clone() {
                let figment::error::Kind::InvalidType(found, _) = &wanted.kind else {
                    continue;
                };
                if !is_scalar(found) {
                    continue;
                }
                let Some(key) = wanted.path.first() else {
                    continue;
                };
                for (layer, texts) in [(&mut from_env, &env_text), (&mut from_flags, &flag_text)] {
                    if let (Some(value), Some(text)) = (layer.get_mut(key), texts.get(key)) {
                        if value.as_str().is_none() {
                            *value = Value::from(text.clone());
                            retyped = true;
                        }
                    }
                }
            }
            if !retyped {
                return Err(error.to_string());
            }
        };
        config.check()?;
        Ok(config)
    }

    /// The rules no type can say.
    fn check(&self) -> Result<(), String> {
        if !matches!(self.sqlite_synchronous.as_str(), "full" | "normal") {
            return Err(format!(
                "sqlite_synchronous must be 'full' or 'normal', not '{}'",
                self.sqlite_synchronous
            ));
        }
        if self.max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        if self.acquire_timeout_secs == 0 || self.body_timeout_secs == 0 {
            return Err("acquire_timeout_secs and body_timeout_secs must be at least 1".into());
        }
        self.zone().map_err(|e| format!("zone: {e}"))?;
        self.lead_times().map_err(|e| format!("lead_times: {e}"))?;
        if self.delivery_max_attempts == 0 || self.webhook_timeout_secs == 0 {
            return Err("delivery_max_attempts and webhook_timeout_secs must be at least 1".into());
        }
        if self.smtp_host.is_some() != self.smtp_from.is_some() {
            return Err("e-mail notices need both smtp_host and smtp_from".into());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("HTTPS needs both tls_cert and tls_key".into());
        }
        if self.max_in_flight == 0 {
            return Err("max_in_flight must be at least 1".into());
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err("SMTP authentication needs both smtp_username and smtp_password".into());
        }
        if self.smtp_password.is_some() && self.smtp_tls == SmtpTls::None {
            return Err(
                "smtp_password would cross the network in plain text: set smtp_tls to starttls or tls"
                    .into(),
            );
        }
        crate::egress::Allowlist::parse(&self.webhook_allow)
            .map_err(|e| format!("webhook_allow: {e}"))?;
        crate::service::accounts::hasher(self)?;
        if self.session_idle_secs == 0 || self.session_absolute_secs < self.session_idle_secs {
            return Err(
                "session_idle_secs must be at least 1 and at most session_absolute_secs".into(),
            );
        }
        if self.invitation_days == 0 || self.reset_minutes == 0 {
            return Err("invitation_days and reset_minutes must be at least 1".into());
        }
        if self.login_max_failures == 0 || self.login_lock_secs == 0 {
            return Err("login_max_failures and login_lock_secs must be at least 1".into());
        }
        Ok(())
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
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("licentia.db").display()
            ),
        }
    }

    /// Where earlier versions kept the signing keys' files, sealed into
    /// the database at start.
    pub fn key_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }
}

/// The setting names: [`Config`]'s fields, read off its serialized default.
fn setting_names() -> Vec<String> {
    match Serialized::defaults(Config::default()).data() {
        Ok(mut profiles) => profiles
            .remove(&Profile::Default)
            .map(|dict| dict.into_keys().collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// A value written in the environment or a flag, typed the way figment
/// reads environment variables (`3` a number, `[90, 30]` a list, `true` a
/// boolean, anything else a string).
fn setting_value(text: &str) -> Value {
    text.parse().unwrap_or_else(|never| match never {})
}

/// Whether a value read from text may have been meant as text: a number or
/// a boolean, not a list or a table.
fn is_scalar(found: &figment::error::Actual) -> bool {
    use figment::error::Actual;
    matches!(
        found,
        Actual::Bool(_) | Actual::Unsigned(_) | Actual::Signed(_) | Actual::Float(_)
    )
}

/// One layer of settings, named for error messages ("in environment
/// variable(s)").
struct Layer(&'static str, Dict);

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.0)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.1.clone()))
    }
}

/// Words as a list (`["a", "b"]` in the file) or comma-separated (`a,b` in
/// the environment and flags).
fn word_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Words {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Words::deserialize(deserializer)? {
        Words::List(words) => words,
        Words::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Lead times as a list (`[90, 30, 7]` in the file) or as the words of the
/// environment and flags (`90,30,7`).
fn days_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Days {
        List(Vec<u32>),
        One(u32),
        Text(String),
    }
    match Days::deserialize(deserializer)? {
        Days::List(days) => Ok(days),
        Days::One(day) => Ok(vec![day]),
        Days::Text(text) => text
            .parse::<LeadTimes>()
            .map(|leads| leads.days().to_vec())
            .map_err(serde::de::Error::custom),
    }
}

/// CIDR blocks as a list (`["10.0.0.0/8"]` in the file) or as the words
/// of the environment and flags (`10.0.0.0/8,::1`); a bare address is a
/// block of one.
fn cidr_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Blocks {
        List(Vec<String>),
        Text(String),
    }
    let words = match Blocks::deserialize(deserializer)? {
        Blocks::List(list) => list,
        Blocks::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.parse::<IpNet>()
                .or_else(|_| w.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "'{w}' is not an address or a CIDR block (e.g. 10.0.0.0/8)"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// What loading with these variables and these `--set` pairs says.
    fn load(vars: &[(&str, &str)], set: &[&str]) -> Result<Config, String> {
        let flags = Overrides {
            set: set.iter().map(|s| s.to_string()).collect(),
            ..Overrides::default()
        };
        Config::load(None, env(vars), flags)
    }

    #[test]
    fn every_setting_has_a_file_an_environment_and_a_flag_form() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("licentia.toml");
        for key in setting_names() {
            let value = match toml::Value::try_from(Config::default()).unwrap().get(&key) {
                Some(v) => v.to_string(),
                // The settings that go in pairs (read in the tests below).
                None if (key.starts_with("smtp_") && key != "smtp_ca_file")
                    || key == "tls_cert"
                    || key == "tls_key" =>
                {
                    continue
                }
                None => "\"sqlite://x.db\"".to_string(),
            };
            std::fs::write(&file, format!("{key} = {value}\n")).unwrap();
            Config::load(Some(&file), vec![], Overrides::default())
                .unwrap_or_else(|e| panic!("file form of {key}: {e}"));
            let bare = value.trim_matches('"').to_string();
            let var = format!("LICENTIA_{}", key.to_ascii_uppercase());
            load(&[(&var, &bare)], &[]).unwrap_or_else(|e| panic!("{var}: {e}"));
            load(&[], &[&format!("{key}={bare}")]).unwrap_or_else(|e| panic!("--set {key}: {e}"));
        }
    }

    #[test]
    fn an_unknown_name_is_refused_in_every_layer() {
        let err = load(&[("LICENTIA_MAX_CONECTIONS", "3")], &[]).unwrap_err();
        assert!(
            err.contains("LICENTIA_MAX_CONECTIONS") && err.contains("max_connections"),
            "{err}"
        );
        let err = load(&[], &["max_conections=3"]).unwrap_err();
        assert!(err.contains("max_conections"), "{err}");
        let err = load(&[], &["max_connections"]).unwrap_err();
        assert!(err.contains("KEY=VALUE"), "{err}");
        // The client's token, the binding's library and the test harness's
        // own variables are not server settings, and are not refused.
        let others = [
            ("LICENTIA_TOKEN", "lic_x"),
            ("LICENTIA_LIBRARY", "/x.so"),
            ("LICENTIA_TEST_POSTGRES", "postgres://"),
        ];
        load(&others, &[]).unwrap();
        let missing = Path::new("/nonexistent/licentia.toml");
        assert!(Config::load(Some(missing), vec![], Overrides::default()).is_err());
    }

    #[test]
    fn values_read_as_people_write_them() {
        let c = load(
            &[
                ("LICENTIA_LEAD_TIMES", "60,14"),
                ("LICENTIA_LOG_JSON", "1"),
                ("LICENTIA_SMTP_HOST", "10.0.0.25"),
                ("LICENTIA_SMTP_FROM", "licences@example.com"),
                ("LICENTIA_SMTP_TLS", "tls"),
                ("LICENTIA_WEBHOOK_ALLOW", "10.1.0.0/16, hooks.lan"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(c.lead_times, vec![60, 14]);
        assert!(c.log_json);
        assert_eq!(c.smtp_host.as_deref(), Some("10.0.0.25"));
        assert_eq!(c.smtp_tls, SmtpTls::Tls);
        assert_eq!(c.webhook_allow, ["10.1.0.0/16", "hooks.lan"]);
        // Text settings written as digits stay the text written: a PIN with
        // a leading zero, a numeric label or password.
        let c = load(
            &[
                ("LICENTIA_PKCS11_PIN", "0123"),
                ("LICENTIA_SMTP_PASSWORD", "1234"),
            ],
            &["pkcs11_token=42", "smtp_username=true"],
        )
        .unwrap();
        assert_eq!(c.pkcs11_pin.as_ref().map(Secret::expose), Some("0123"));
        assert_eq!(c.smtp_password.as_ref().map(Secret::expose), Some("1234"));
        assert_eq!(c.pkcs11_token.as_deref(), Some("42"));
        assert_eq!(c.smtp_username.as_deref(), Some("true"));
        // ...and a number setting written as text is still refused.
        let err = load(&[("LICENTIA_SMTP_PORT", "twenty-five")], &[]).unwrap_err();
        assert!(err.contains("smtp_port"), "{err}");
        let err = load(&[], &["webhook_allow=10.1.0.0/33"]).unwrap_err();
        assert!(
            err.contains("webhook_allow") && err.contains("10.1.0.0/33"),
            "{err}"
        );
        let err = load(&[], &["smtp_tls=ssl"]).unwrap_err();
        assert!(err.contains("smtp_tls"), "{err}");
        let err = load(&[], &["smtp_password=x"]).unwrap_err();
        assert!(err.contains("smtp_username"), "{err}");
        let err = load(
            &[],
            &["smtp_username=u", "smtp_password=x", "smtp_tls=none"],
        )
        .unwrap_err();
        assert!(err.contains("plain text") && !err.contains("=x"), "{err}");
        let err = load(&[("LICENTIA_MAX_CONNECTIONS", "many")], &[]).unwrap_err();
        assert!(err.contains("max_connections"), "{err}");
        let err = load(&[], &["lead_times=60,x"]).unwrap_err();
        assert!(err.contains("'x' is not a number of days"), "{err}");
        let c = load(
            &[("LICENTIA_TRUSTED_PROXIES", "10.0.0.0/8, ::1")],
            &[
                "tls_cert=/etc/licentia/cert.pem",
                "tls_key=/etc/licentia/key.pem",
            ],
        )
        .unwrap();
        assert_eq!(
            c.trusted_proxies,
            vec![
                "10.0.0.0/8".parse::<IpNet>().unwrap(),
                "::1/128".parse().unwrap()
            ]
        );
        assert!(c.tls_key.is_some());
        let err = load(&[], &["trusted_proxies=10.0.0.0/33"]).unwrap_err();
        assert!(err.contains("not an address or a CIDR block"), "{err}");
        let err = load(&[], &["tls_cert=/etc/licentia/cert.pem"]).unwrap_err();
        assert!(err.contains("tls_key"), "{err}");
    }

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
            smtp_password: Some("swordfish".into()),
            ..Config::default()
        };
        let shown = format!("{secret:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("swordfish"),
            "{shown}"
        );
    }
}
