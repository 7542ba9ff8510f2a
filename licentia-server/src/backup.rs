//! Backups that restore, for a SQLite back office: `licentia backup FILE`
//! takes a consistent copy while the server runs, `licentia restore FILE`
//! brings it up in a fresh data directory. A PostgreSQL back office is
//! backed up with PostgreSQL's own tools (`docs/operations.md`).
//!
//! The copy is `VACUUM INTO`: one read transaction of the live database,
//! so writers go on and the copy holds exactly what was committed when it
//! began — never a file copy under writes, which can tear a page. It holds
//! the signing keys sealed, not the key-encryption key that opens them:
//! that key is backed up apart, and a restore needs it.

use std::path::Path;

use crate::commands::{check_history, verify_history};
use crate::config::Config;
use crate::custody::{Custody, GENERATED_KEK_FILE};
use crate::keyring::Keyring;
use crate::serve::{make_data_dir, open_store};
use crate::sql::SqlStore;

/// What a PostgreSQL back office is told instead.
const POSTGRES: &str = "a PostgreSQL back office is backed up and restored with pg_dump and \
                        pg_restore (or a base backup): see docs/operations.md";

/// The database file of a data directory (as `Config::database_url` names it).
const DATABASE_FILE: &str = "licentia.db";

/// `licentia backup FILE`: a consistent copy of the SQLite database of
/// `config` into `file`, a new file only its owner may read (never over
/// an existing one), checked once written. Says how many history entries
/// it holds.
pub async fn backup(config: &Config, file: &Path) -> Result<String, String> {
    if !config.database_url().starts_with("sqlite:") {
        return Err(POSTGRES.into());
    }
    licentia::keys::create_private_file(file, b"").map_err(|e| {
        format!(
            "{}: {e} (a backup never writes over a file)",
            file.display()
        )
    })?;
    let copied = async {
        SqlStore::connect(config).await?.backup_into(file).await?;
        verify_history(&at_file(config, file)).await
    }
    .await;
    match copied {
        Ok(entries) => Ok(format!(
            "backed up to {}: history intact, {}; keep the key-encryption key apart from it",
            file.display(),
            entries_said(entries)
        )),
        Err(e) => {
            remove_database(file);
            Err(e)
        }
    }
}

/// `licentia restore FILE`: a backup brought up as the database of a fresh
/// data directory (the data directory of `config`, which must not hold one
/// yet), migrated to this version, its history chain checked and its
/// signing keys opened with the configured key-encryption key. On any
/// refusal the directory is left as it was.
pub async fn restore(config: &Config, file: &Path) -> Result<String, String> {
    if config.database_url.is_some() {
        return Err(if config.database_url().starts_with("sqlite:") {
            format!(
                "a restore writes the data directory's own database ({DATABASE_FILE}): \
                 leave database_url unset"
            )
        } else {
            POSTGRES.into()
        });
    }
    let target = config.data_dir.join(DATABASE_FILE);
    if target.exists() {
        return Err(format!(
            "{} holds a database already: restore into a fresh data directory",
            config.data_dir.display()
        ));
    }
    if config.kek.is_none()
        && config.kek_file.is_none()
        && !config.data_dir.join(GENERATED_KEK_FILE).exists()
    {
        return Err(format!(
            "the backup's signing keys open only with the key-encryption key of the office it \
             was taken from: copy that office's {GENERATED_KEK_FILE} file into {} (mode 0600), \
             or set kek_file or LICENTIA_KEK",
            config.data_dir.display()
        ));
    }
    check_backup(file).await?;
    make_data_dir(&config.data_dir)?;
    // The copy goes in under another name, and becomes the database whole.
    let partial = config.data_dir.join(format!("{DATABASE_FILE}.restoring"));
    let restored = async {
        copy_private(file, &partial)?;
        std::fs::rename(&partial, &target).map_err(|e| format!("{}: {e}", target.display()))?;
        let store = open_store(config).await?;
        let entries = check_history(store.as_ref()).await?;
        let keys = Keyring::opens(store.as_ref(), &Custody::from_config(config)?)
            .await
            .map_err(|e| {
                format!("the key-encryption key given does not open the backup's signing keys: {e}")
            })?;
        Ok((entries, keys))
    }
    .await;
    match restored {
        Ok((entries, keys)) => Ok(format!(
            "restored {} into {}: history intact, {}; {}",
            file.display(),
            config.data_dir.display(),
            entries_said(entries),
            if keys {
                "signing keys open"
            } else {
                "no signing key yet (the first start makes one)"
            }
        )),
        Err(e) => {
            remove_database(&partial);
            remove_database(&target);
            Err(e)
        }
    }
}

/// Copies `from` to `to`, a new file only its owner may read, streamed (a
/// database may be larger than memory).
fn copy_private(from: &Path, to: &Path) -> Result<(), String> {
    licentia::keys::create_private_file(to, b"").map_err(|e| format!("{}: {e}", to.display()))?;
    let copied = std::fs::File::open(from).and_then(|mut source| {
        let mut target = std::fs::OpenOptions::new().write(true).open(to)?;
        std::io::copy(&mut source, &mut target)?;
        target.sync_all()
    });
    copied.map_err(|e| format!("{}: {e}", from.display()))
}

/// Refuses a file that is not a whole SQLite database of a back office,
/// before anything is copied.
async fn check_backup(file: &Path) -> Result<(), String> {
    use sqlx::Row;
    let shown = file.display();
    if !file.is_file() {
        return Err(format!("{shown}: no such backup file"));
    }
    let url = format!("sqlite://{}?mode=ro", file.display());
    sqlx::any::install_default_drivers();
    let not_ours = |e: sqlx::Error| format!("{shown} is not a licentia backup: {e}");
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .map_err(not_ours)?;
    let checked = async {
        let integrity: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await?
            .try_get(0)?;
        let migrations: i64 = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations")
            .fetch_one(&pool)
            .await?
            .try_get("n")?;
        Ok::<_, sqlx::Error>((integrity, migrations))
    }
    .await;
    pool.close().await;
    match checked.map_err(not_ours)? {
        (integrity, _) if integrity != "ok" => Err(format!(
            "{shown} is damaged: SQLite's integrity check says {integrity}"
        )),
        (_, 0) => Err(format!(
            "{shown} is not a licentia backup: it has no schema"
        )),
        _ => Ok(()),
    }
}

/// `config` with its database at `file` (a backup being checked).
fn at_file(config: &Config, file: &Path) -> Config {
    Config {
        database_url: Some(format!("sqlite://{}", file.display()).into()),
        ..config.clone()
    }
}

/// "1 entry", "48210 entries".
fn entries_said(n: i64) -> String {
    format!("{n} {}", if n == 1 { "entry" } else { "entries" })
}

/// Removes a SQLite database file and its write-ahead log, if there.
fn remove_database(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
