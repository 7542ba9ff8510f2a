//! The back-office commands (feature `server`, on by default): `serve`, `account create`, `token create`,
//! `audit verify`, `key rotate`, `key retire`, `jobs run`, `backup`, `restore`. Each builds the layered configuration and
//! calls the library's `licentia_server`; nothing here but arguments. `import` and
//! `export` talk to a running server instead (`transfer`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use licentia::Result;
use licentia_server::{self as server, Config, Overrides};

use crate::{common, transfer};

/// Where the back office keeps its data; shared by every back-office command.
#[derive(Debug, clap::Args)]
pub struct Place {
    /// Data directory (SQLite database, signing keys) [default: licentia-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (sqlite://FILE or postgres://...) [default: DIR/licentia.db].
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// TOML configuration file (under environment LICENTIA_* and flags).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Any setting of the configuration file, e.g. `--set max_connections=16`
    /// (repeatable; over the file and the environment).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl Place {
    fn config(&self, listen: Option<SocketAddr>) -> std::result::Result<Config, String> {
        self.config_with(Overrides {
            listen,
            ..Overrides::default()
        })
    }

    /// The configuration, with `flags` for what the command's own flags say.
    fn config_with(&self, flags: Overrides) -> std::result::Result<Config, String> {
        Config::load(
            self.config.as_deref(),
            std::env::vars(),
            Overrides {
                data_dir: self.data_dir.clone(),
                database_url: self.database_url.clone(),
                set: self.set.clone(),
                ..flags
            },
        )
    }
}

/// Back-office commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the back office: HTTP API, SQLite by default (127.0.0.1:8080).
    Serve {
        #[command(flatten)]
        place: Place,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<SocketAddr>,
        /// Serve HTTPS with this PEM certificate chain (with --tls-key).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's PEM private key (mode 0600).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// People's accounts of the back office.
    #[command(subcommand)]
    Account(AccountCommand),
    /// API tokens of the back office.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The back office's history.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The back office's signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// The back office's jobs (notices, deliveries, purges).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Copy a SQLite back office, consistently, while it runs (`VACUUM
    /// INTO`); the copy is a new file only its owner may read. The
    /// key-encryption key is not in it: back that up apart.
    Backup {
        #[command(flatten)]
        place: Place,
        /// The backup file to write (never over an existing one).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Bring a backup up as the database of a fresh data directory: its
    /// history checked and its signing keys opened with the key-encryption
    /// key (the old office's `kek` file copied in, or LICENTIA_KEK).
    Restore {
        #[command(flatten)]
        place: Place,
        /// The backup file `licentia backup` wrote.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Import customers, licenses or members from a CSV file into a running
    /// back office: every row checked first, all or nothing; license keys printed once.
    Import(transfer::ImportArgs),
    /// Export customers, licenses or members from a running back office as
    /// CSV (the columns import reads).
    Export(transfer::ExportArgs),
    /// For benchmarks: fill the database with the scale data set (SCALE 1
    /// = ten million licences, a million customers, twenty million history
    /// entries), copying the first licence, subscription, member and
    /// purchase made through the API. See scripts/scale-bench.sh.
    ScaleData {
        #[command(flatten)]
        place: Place,
        /// Size, 1.0 = ten million licences (0.01: a hundred thousand).
        #[arg(long, value_name = "SCALE")]
        scale: f64,
    },
}

/// `licentia jobs ...`
#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// Run the jobs once, for cron: write the notices due (licenses expiring
    /// within the lead times), purge old idempotency records, deliver what
    /// is due. A second run for the same day writes nothing.
    Run {
        #[command(flatten)]
        place: Place,
        /// The day to run for [default: today in the configured zone].
        #[arg(long, value_name = "YYYY-MM-DD")]
        now: Option<chrono::NaiveDate>,
    },
}

/// `licentia account ...`
#[derive(Debug, clap::Subcommand)]
pub enum AccountCommand {
    /// Create a person's account holding a role at the vendor root (the
    /// first admin); its password is read from standard input, never from
    /// the command line, where `ps` would show it.
    Create {
        #[command(flatten)]
        place: Place,
        /// The person's e-mail address (the login).
        #[arg(long)]
        email: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// admin, issuer, finance, auditor or member-manager.
        #[arg(long, default_value = "admin")]
        role: String,
    },
}

/// `licentia token ...`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token (printed once).
    Create {
        #[command(flatten)]
        place: Place,
        /// admin, issuer, finance or auditor.
        #[arg(long)]
        role: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until the token stops being accepted (1 to 3650) [default: never].
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
}

/// `licentia audit ...`
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the history's hash chain; names the first broken entry.
    Verify {
        #[command(flatten)]
        place: Place,
    },
}

/// `licentia key ...`
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Make a new active signing key, endorsed by the old one (a rollover statement).
    Rotate {
        #[command(flatten)]
        place: Place,
    },
    /// Retire a trusted (not the active) signing key: no longer trusted, and
    /// named in every product's revocation list.
    Retire {
        #[command(flatten)]
        place: Place,
        /// The key's id (16 hex digits, as `GET /v1/keys` lists it).
        #[arg(value_name = "KEYID")]
        key_id: String,
    },
}

/// Runs a back-office command.
pub fn run(command: Command) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(async {
        match command {
            Command::Serve {
                place,
                listen,
                tls_cert,
                tls_key,
            } => {
                let config = place.config_with(Overrides {
                    listen,
                    tls_cert,
                    tls_key,
                    ..Overrides::default()
                })?;
                server::launch(config).await.map(|()| None)
            }
            Command::Account(AccountCommand::Create {
                place,
                email,
                name,
                role,
            }) => {
                let mut password = String::new();
                std::io::stdin()
                    .read_line(&mut password)
                    .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
                let password = password.trim_end_matches(['\r', '\n']).to_owned();
                server::create_account(&place.config(None)?, &email, &name, &role, password)
                    .await
                    .map(|id| Some(format!("account {id} created for {email}")))
            }
            Command::Token(TokenCommand::Create {
                place,
                role,
                name,
                expires_in_days,
            }) => {
                server::create_token(&place.config(None)?, &role, &name, expires_in_days)
                    .await
                    .map(Some)
            }
            Command::Audit(AuditCommand::Verify { place }) => {
                server::verify_history(&place.config(None)?)
                    .await
                    .map(|n| Some(format!("history intact: {n} entries")))
            }
            Command::Key(KeyCommand::Rotate { place }) => {
                server::rotate_key(&place.config(None)?).await.map(|id| {
                    Some(format!(
                        "new active signing key {id}; running servers sign with it from their next signature"
                    ))
                })
            }
            Command::Backup { place, file } => server::backup(&place.config(None)?, &file)
                .await
                .map(Some),
            Command::Restore { place, file } => server::restore(&place.config(None)?, &file)
                .await
                .map(Some),
            Command::ScaleData { place, scale } => {
                server::fill_scale(&place.config(None)?, scale).await.map(Some)
            }
            Command::Import(args) => transfer::import(args).await,
            Command::Export(args) => transfer::export(args).await,
            Command::Key(KeyCommand::Retire { place, key_id }) => {
                server::retire_key(&place.config(None)?, &key_id)
                    .await
                    .map(|()| Some(format!("signing key {key_id} retired")))
            }
            Command::Jobs(JobsCommand::Run { place, now }) => {
                match server::jobs::run_once(&place.config(None)?, now).await? {
                    // What was done is printed; what failed is the error.
                    report if !report.errors.is_empty() => {
                        common::print(&report.to_string()).map_err(|e| e.to_string())?;
                        Err(report.errors.join("\n"))
                    }
                    report => Ok(Some(report.to_string())),
                }
            }
        }
    });
    match outcome {
        Ok(text) => {
            if let Some(text) = text {
                common::print(&text)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(common::EXIT_ERROR))
        }
    }
}
