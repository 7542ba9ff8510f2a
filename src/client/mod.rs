//! The product's online half (feature `client`): activate this machine with a
//! license key, check in, hold a floating lease and give the machine back,
//! against the back office (`licentia serve`) — blocking calls, no async
//! runtime forced on the application.
//!
//! Every file the back office sends is verified with the keys the product
//! trusts, and checked for this product and this machine, before it is
//! kept; a refusal keeps nothing. The local store (a directory the
//! application names) holds the license, the activation and any lease, each
//! replaced atomically. When the back office cannot be reached, the stored
//! license is checked offline and the [`Status`] says so, with the grace left
//! ("offline, N days of grace left"): the application decides.
//!
//! ```no_run
//! use licentia::client::Client;
//! use licentia::PublicKey;
//!
//! let vendor_key = PublicKey::from_pem(include_str!("../../tests/vectors/keys/issuer.pub"))?;
//! let client = Client::builder("https://licences.example.com", "acme-cad", [vendor_key])
//!     .store("/var/lib/acme-cad/licence")
//!     .build()?;
//! let status = match client.status()? {
//!     Some(status) => status,
//!     None => client.activate("ABCDE-FGHJK-MNPQR-STVWX-YZ012-3456C")?,
//! };
//! if !status.report.is_valid() {
//!     eprintln!("not licensed: {}", status.report);
//! }
//! # Ok::<(), licentia::Error>(())
//! ```

mod pin;
mod resolve;
mod store;
mod transport;
mod usage;

pub use pin::parse_pin;
pub use usage::MeterUsage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::clock::ClockGuard;
use crate::deactivation::{DeactivationReceipt, DeactivationRequest};
use crate::keys::PublicKey;
use crate::machine::Fingerprint;
use crate::revocation::RevocationList;
use crate::time::Timestamp;
use crate::verdict::{Context, Report};
use crate::verify::{License, Verifier};
use crate::{Error, Result};
use store::{Activation, HeldLease, Store};
use transport::{Repeat, Roots, Transport};

/// Retries are capped so the backoff stays bounded (at most 2^8 times the
/// first delay).
const MAX_RETRIES: u32 = 8;

/// How a [`Client`] is made: the back office, the product, the keys it
/// trusts, and where it keeps what it holds.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    server: String,
    product: String,
    keys: Vec<PublicKey>,
    store: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    pins: Vec<[u8; 32]>,
    machine: Option<Fingerprint>,
    platform: String,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
    clock_secret: Option<ClockSecret>,
    now: Clock,
}

/// Where the current time comes from.
#[derive(Clone)]
struct Clock(std::sync::Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<clock>")
    }
}

/// The application's clock-guard secret, never shown by `Debug`.
#[derive(Clone)]
struct ClockSecret(Vec<u8>);

impl std::fmt::Debug for ClockSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ClientBuilder {
    /// Where the current time comes from (default: the system clock): a
    /// trusted time source, or a test's clock.
    pub fn now(mut self, now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.now = Clock(std::sync::Arc::new(now));
        self
    }

    /// Guard the offline checks against a clock turned back, with the
    /// application's own `secret` (see [`ClockGuard`]): its state is kept in
    /// the store, started at activation; a store whose guard was deleted or
    /// an older copy put back is then an error, not a pass.
    pub fn clock_guard(mut self, secret: &[u8]) -> Self {
        self.clock_secret = Some(ClockSecret(secret.to_vec()));
        self
    }

    /// The directory the client keeps the license, activation and lease in
    /// (made 0700 if missing). Required.
    pub fn store(mut self, dir: impl AsRef<Path>) -> Self {
        self.store = Some(dir.as_ref().to_owned());
        self
    }

    /// Trust the certificates of this PEM file (a private CA) for the back
    /// office, instead of the built-in Mozilla roots.
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_file = Some(path.as_ref().to_owned());
        self
    }

    /// Pin the back office's certificate: a connection is made only when
    /// the server presents a certificate (its own or one of its chain's)
    /// whose SHA-256 — of its SubjectPublicKeyInfo, or of the whole DER
    /// certificate — is `sha256` ([`parse_pin`] reads the hex and base64
    /// forms). On top of the chain check against the roots (Mozilla's or
    /// the CA file); call it again to allow more than one (a key
    /// rotation). Any other certificate is [`Error::Unreachable`], and
    /// nothing is sent or kept.
    pub fn pin_certificate(mut self, sha256: [u8; 32]) -> Self {
        self.pins.push(sha256);
        self
    }

    /// This machine's fingerprint (default: [`Fingerprint::this_machine`]).
    pub fn machine(mut self, fingerprint: Fingerprint) -> Self {
        self.machine = Some(fingerprint);
        self
    }

    /// The platform reported at activation (default: the OS and CPU this
    /// was built for, e.g. `linux-x86_64`).
    pub fn platform(mut self, platform: &str) -> Self {
        self.platform = platform.to_owned();
        self
    }

    /// How long one request may take, connection included (default 15 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many times a request that got no answer is sent again (default
    /// 2, at most 8), waiting `backoff`, then twice as long each time
    /// (default 500 ms). A request that could take a second seat is sent
    /// again only when it never reached the server.
    pub fn retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.retries = retries.min(MAX_RETRIES);
        self.backoff = backoff;
        self
    }

    /// The client, or why not (no store, no key, a bad CA file, a server
    /// address that is not `https://`).
    pub fn build(self) -> Result<Client> {
        let dir = self.store.ok_or_else(|| {
            Error::InvalidArgument("a client needs a store directory (.store(dir))".into())
        })?;
        if self.keys.is_empty() {
            return Err(Error::InvalidArgument(
                "a client needs at least one trusted public key".into(),
            ));
        }
        let roots = match &self.ca_file {
            Some(path) => Roots::from_pem_file(path)?,
            None => Roots::WebPki,
        };
        let machine = match self.machine {
            Some(m) => m,
            None => Fingerprint::this_machine(&self.product)?,
        };
        Ok(Client {
            transport: Transport::new(
                &self.server,
                roots,
                self.pins,
                self.timeout,
                self.retries,
                self.backoff,
            )?,
            verifier: Verifier::new(self.keys),
            product: self.product,
            machine,
            platform: self.platform,
            store: Store::open(&dir)?,
            clock_secret: self.clock_secret,
            now: self.now,
        })
    }
}

/// Where a license stands for this machine, and whether the back office
/// said so just now.
#[derive(Debug, Clone)]
pub struct Status {
    /// The verified license held.
    pub license: License,
    /// Its check for this product, machine and time.
    pub report: Report,
    /// True when the back office answered this call; false when the
    /// stored license was checked offline because it could not be reached.
    pub online: bool,
    /// Why the back office could not be reached, when it could not.
    pub offline_reason: Option<String>,
}

impl Status {
    /// Whole days of grace left offline (check-in allowance or expiry
    /// grace), when one is running.
    pub fn grace_days_left(&self) -> Option<i64> {
        self.report
            .grace_remaining_secs
            .map(|secs| secs / crate::DAY)
    }
}

/// What the back office holds of this license and machine
/// ([`Client::validate`]).
#[derive(Debug, Clone)]
pub struct Validation {
    /// `active`, `suspended` or `revoked`.
    pub status: String,
    /// The license's seats.
    pub seats: i64,
    /// Seats taken.
    pub seats_used: i64,
    /// When it expires, if it does.
    pub expires_at: Option<Timestamp>,
    /// Whether this machine holds a live activation there (false: it was
    /// deactivated on the server, or moved).
    pub activated: bool,
    /// The fresh file, verified and kept, when the terms changed since the
    /// one held.
    pub refreshed: Option<Status>,
}

/// A floating seat held: the verified lease and when it ends.
#[derive(Debug, Clone)]
pub struct Lease {
    /// The back office's id of the lease.
    pub id: String,
    /// The verified lease document.
    pub license: License,
    /// When it ends unless a heartbeat extends it.
    pub expires_at: Timestamp,
}

/// The product's client of the back office. Its calls block; it may be
/// shared between threads (`&self` everywhere), though calls that change
/// the store are best made from one.
#[derive(Debug)]
pub struct Client {
    transport: Transport,
    verifier: Verifier,
    product: String,
    machine: Fingerprint,
    platform: String,
    store: Store,
    clock_secret: Option<ClockSecret>,
    now: Clock,
}

/// `POST /v1/activations`'s answer.
#[derive(Deserialize)]
struct Activated {
    activation_id: String,
    license_file: String,
}

/// `POST /v1/validate`'s answer.
#[derive(Deserialize)]
struct Validated {
    status: String,
    expires_at: Option<i64>,
    seats: i64,
    seats_used: i64,
    activation_id: Option<String>,
    license_file: Option<String>,
}

/// `POST /v1/check-ins`'s answer.
#[derive(Deserialize)]
struct CheckedIn {
    license_file: String,
}

/// A lease's answer.
#[derive(Deserialize)]
struct LeaseHeld {
    lease_id: String,
    expires_at: i64,
    lease: String,
}

/// `GET /v1/revocation-list`'s answer.
#[derive(Deserialize)]
struct SignedList {
    document: String,
}

/// An answer whose content is not read.
#[derive(Deserialize)]
struct Ignored {}

impl Client {
    /// A builder for a client of the back office at `server`, for
    /// `product`, trusting `keys` (the vendor's public keys).
    pub fn builder(
        server: &str,
        product: &str,
        keys: impl IntoIterator<Item = PublicKey>,
    ) -> ClientBuilder {
        ClientBuilder {
            server: server.to_owned(),
            product: product.to_owned(),
            keys: keys.into_iter().collect(),
            store: None,
            ca_file: None,
            pins: Vec::new(),
            machine: None,
            platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
            timeout: Duration::from_secs(15),
            retries: 2,
            backoff: Duration::from_millis(500),
            clock_secret: None,
            now: Clock(std::sync::Arc::new(Timestamp::now)),
        }
    }

    /// This machine's fingerprint, as the client sends it.
    pub fn machine(&self) -> &Fingerprint {
        &self.machine
    }

    /// Checks `license` here and now, through the clock guard when the
    /// application asked for one. `started`: an activation is already held,
    /// so a missing guard is reported rather than started afresh.
    fn check(&self, license: &License, last_check_in: Timestamp, started: bool) -> Result<Report> {
        let revocations = self.revocations()?;
        let mut ctx = self.context((self.now.0)(), last_check_in);
        if let Some(list) = &revocations {
            ctx = ctx.revocations(list);
        }
        match &self.clock_secret {
            None => Ok(license.check(&ctx)),
            Some(ClockSecret(secret)) => {
                let mut guard = ClockGuard::options(&self.product, secret)
                    .machine(self.machine.clone())
                    .started(started)
                    .open(self.store.path(store::CLOCK))?;
                license.check_guarded(&ctx, &mut guard)
            }
        }
    }

    fn context(&self, now: Timestamp, last_check_in: Timestamp) -> Context<'_> {
        Context::new(now, &self.product)
            .machine(&self.machine)
            .last_check_in(last_check_in)
    }

    /// Activates this machine with `license_key`: one seat taken, the
    /// machine-locked file verified and kept. Sent again after a lost
    /// answer, it takes no second seat (an Idempotency-Key goes with it).
    pub fn activate(&self, license_key: &str) -> Result<Status> {
        let started = self.store.activation()?.is_some();
        let idempotency_key = format!("{:032x}", rand::random::<u128>());
        let answer: Activated = self.transport.call(
            "POST",
            "/v1/activations",
            Some(&json!({
                "license_key": license_key,
                "fingerprint": self.machine.to_string(),
                "platform": self.platform,
            })),
            &[("idempotency-key", &idempotency_key)],
            Repeat::Safe,
        )?;
        self.keep(
            &answer.license_file,
            Activation {
                activation_id: answer.activation_id,
                license_key: license_key.to_owned(),
                last_check_in: Timestamp(0),
            },
            started,
        )
    }

    /// Verifies the file the back office just sent, checks it for this
    /// product and machine, and keeps it with `activation`, checked in now:
    /// the online status. `started`: an activation was held before.
    fn keep(&self, file: &str, activation: Activation, started: bool) -> Result<Status> {
        let now = (self.now.0)();
        let license = self.verifier.verify(file)?;
        let report = self.check(&license, now, started)?;
        if !report.is_valid() {
            return Err(Error::BadAnswer(format!(
                "the back office sent a license that does not hold here: {report}"
            )));
        }
        let activation = Activation {
            last_check_in: now,
            ..activation
        };
        self.store.keep_activation(file, &activation)?;
        Ok(Status {
            license,
            report,
            online: true,
            offline_reason: None,
        })
    }

    /// The stored license checked offline now, or `None` before an
    /// activation.
    pub fn status(&self) -> Result<Option<Status>> {
        match self.store.activation()? {
            Some((file, activation)) => self.offline(&file, &activation, None).map(Some),
            None => Ok(None),
        }
    }

    /// The stored `file` checked offline now, with why the back office was
    /// not asked (`reason`), if it could not be reached.
    fn offline(
        &self,
        file: &str,
        activation: &Activation,
        reason: Option<String>,
    ) -> Result<Status> {
        let license = self.verifier.verify(file)?;
        let report = self.check(&license, activation.last_check_in, true)?;
        Ok(Status {
            license,
            report,
            online: false,
            offline_reason: reason,
        })
    }

    /// Checks in: a fresh file from the back office, verified and kept.
    /// When the back office cannot be reached, the stored license checked
    /// offline, with the reason; a refusal (the license revoked, the machine
    /// deactivated) is an error and the stored file stays as it was.
    pub fn check_in(&self) -> Result<Status> {
        let (file, activation) = self.store.activation()?.ok_or(Error::NotActivated)?;
        let answer = self.transport.call::<CheckedIn>(
            "POST",
            "/v1/check-ins",
            Some(&json!({
                "license_key": activation.license_key,
                "fingerprint": self.machine.to_string(),
            })),
            &[],
            Repeat::Safe,
        );
        let answer = match answer {
            Ok(answer) => answer,
            Err(Error::Unreachable(reason)) => {
                return self.offline(&file, &activation, Some(reason));
            }
            Err(e) => return Err(e),
        };
        self.keep(&answer.license_file, activation, true)
    }

    /// Asks the back office how this license and machine stand, taking no
    /// seat; when the terms changed since the file held (a renewal, new
    /// features), the fresh file is verified and kept.
    pub fn validate(&self) -> Result<Validation> {
        let (_, activation) = self.store.activation()?.ok_or(Error::NotActivated)?;
        let answer: Validated = self.transport.call(
            "POST",
            "/v1/validate",
            Some(&json!({
                "license_key": activation.license_key,
                "fingerprint": self.machine.to_string(),
            })),
            &[],
            Repeat::Safe,
        )?;
        let refreshed = match &answer.license_file {
            Some(file) => Some(self.keep(file, activation, true)?),
            None => None,
        };
        Ok(Validation {
            status: answer.status,
            seats: answer.seats,
            seats_used: answer.seats_used,
            expires_at: answer.expires_at.map(Timestamp),
            activated: answer.activation_id.is_some(),
            refreshed,
        })
    }

    /// Gives this machine's seat back and forgets the activation. The back
    /// office must answer: a machine given back while offline would keep
    /// its seat there.
    pub fn deactivate(&self) -> Result<()> {
        let (_, activation) = self.store.activation()?.ok_or(Error::NotActivated)?;
        if let Some(lease) = self.store.lease()? {
            self.return_held(&activation.license_key, &lease)?;
        }
        match self.transport.call::<Ignored>(
            "DELETE",
            &format!("/v1/activations/{}", activation.activation_id),
            None,
            &[("x-license-key", &activation.license_key)],
            Repeat::Safe,
        ) {
            // Already gone on the server (an earlier call's answer was lost).
            Ok(_) | Err(Error::Refused { status: 404, .. }) => self.store.forget_activation(),
            Err(e) => Err(e),
        }
    }

    /// Fetches the product's signed revocation list from the back office,
    /// verifies it and keeps it when it is newer than the one held; the
    /// list held (the fetched one or the newer held one). From then on
    /// every check — online, offline, [`Client::status`] — applies it:
    /// a license revoked, or this machine's copy of a license it gave back
    /// (deactivated here or from the back office), is refused
    /// ([`Rule::Revoked`](crate::Rule::Revoked),
    /// [`Rule::MachineReleased`](crate::Rule::MachineReleased)).
    pub fn refresh_revocations(&self) -> Result<RevocationList> {
        let path = format!(
            "/v1/revocation-list?product={}",
            percent_encode(&self.product)
        );
        let answer: SignedList = self.transport.call("GET", &path, None, &[], Repeat::Safe)?;
        self.apply_revocations(&answer.document)
    }

    /// Verifies a revocation list obtained some other way (shipped with an
    /// update, side-loaded) and keeps it when it is newer than the one
    /// held; the list held afterwards. An older or equal list is not an
    /// error here: the held one stays.
    pub fn apply_revocations(&self, text: &str) -> Result<RevocationList> {
        let offered = self.verifier.verify_revocation_list(text, &self.product)?;
        let mut held = self.revocations()?;
        match RevocationList::replace(&mut held, offered) {
            Ok(()) => self.store.keep_revocations(text)?,
            Err(Error::StaleRevocationList { .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(held.expect("a list is held after replace"))
    }

    /// The revocation list held, verified again from the store, if any.
    pub fn revocations(&self) -> Result<Option<RevocationList>> {
        match self.store.revocations()? {
            Some(text) => self
                .verifier
                .verify_revocation_list(&text, &self.product)
                .map(Some),
            None => Ok(None),
        }
    }

    /// The armored revocation list held, if any (to hand to a verifier of
    /// the application's own).
    pub fn revocations_text(&self) -> Result<Option<String>> {
        self.store.revocations()
    }

    /// Gives this machine's license back without the back office: returns
    /// the armored [`DeactivationRequest`] (the license, this machine and
    /// the SHA-256 of the file) to carry to it, and deletes the license
    /// file and the activation (and any lease) from the store. The request
    /// is kept until [`Client::accept_deactivation_receipt`] takes its
    /// receipt; asked again, the same request is returned.
    pub fn deactivate_offline(&self) -> Result<String> {
        if let Some(pending) = self.store.deactivation()? {
            if self.store.activation()?.is_none() {
                return Ok(pending);
            }
        }
        let (file, _) = self.store.activation()?.ok_or(Error::NotActivated)?;
        let license = self.verifier.verify(&file)?;
        let request = DeactivationRequest::new(&license, self.machine.clone(), (self.now.0)());
        let text = request.to_armor();
        self.store.give_up(&text)?;
        Ok(text)
    }

    /// The offline deactivation request waiting for its receipt, if any.
    pub fn pending_deactivation(&self) -> Result<Option<String>> {
        self.store.deactivation()
    }

    /// Verifies the back office's receipt for the pending offline
    /// deactivation (signed by a trusted key, for this very request:
    /// license, machine, file and nonce) and forgets the request. A
    /// receipt for another license or request is
    /// [`Error::ReceiptMismatch`] and the request stays.
    pub fn accept_deactivation_receipt(&self, receipt: &str) -> Result<DeactivationReceipt> {
        let pending = self.store.deactivation()?.ok_or(Error::NotActivated)?;
        let request = DeactivationRequest::parse(&pending)?;
        let receipt = request.accept(receipt, &self.verifier)?;
        self.store.forget_deactivation()?;
        Ok(receipt)
    }

    /// Checks a floating seat out for this machine (a floating license's
    /// key, activated or given here), verified and kept.
    pub fn checkout_lease(&self, license_key: &str) -> Result<Lease> {
        let answer: LeaseHeld = self.transport.call(
            "POST",
            "/v1/leases",
            Some(&json!({
                "license_key": license_key,
                "fingerprint": self.machine.to_string(),
            })),
            &[],
            Repeat::Once,
        )?;
        self.keep_lease(answer)
    }

    /// Extends the lease held; its new end.
    pub fn heartbeat(&self, license_key: &str) -> Result<Lease> {
        let held = self.store.lease()?.ok_or(Error::NotActivated)?;
        let answer: LeaseHeld = self.transport.call(
            "POST",
            &format!("/v1/leases/{}/heartbeat", held.lease_id),
            Some(&json!({ "license_key": license_key })),
            &[],
            Repeat::Safe,
        )?;
        self.keep_lease(answer)
    }

    /// The polling form of a background heartbeat: extends the lease held
    /// once half its time is gone, else does nothing (`None`). Call it every
    /// minute or so from the application's own timer or thread.
    pub fn heartbeat_if_due(&self, license_key: &str) -> Result<Option<Lease>> {
        let lease = self.lease()?.ok_or(Error::NotActivated)?;
        let issued = lease.license.body().issued_at.0;
        let halfway = issued + (lease.expires_at.0 - issued) / 2;
        if (self.now.0)().0 < halfway {
            return Ok(None);
        }
        self.heartbeat(license_key).map(Some)
    }

    /// Returns the lease held early, freeing its seat.
    pub fn return_lease(&self, license_key: &str) -> Result<()> {
        let held = self.store.lease()?.ok_or(Error::NotActivated)?;
        self.return_held(license_key, &held)
    }

    fn return_held(&self, license_key: &str, held: &HeldLease) -> Result<()> {
        match self.transport.call::<Ignored>(
            "DELETE",
            &format!("/v1/leases/{}", held.lease_id),
            None,
            &[("x-license-key", license_key)],
            Repeat::Safe,
        ) {
            Ok(_) | Err(Error::Refused { status: 404, .. }) => self.store.forget_lease(),
            Err(e) => Err(e),
        }
    }

    /// Verifies a lease the back office sent and keeps it.
    fn keep_lease(&self, answer: LeaseHeld) -> Result<Lease> {
        let license = self.verifier.verify_lease(&answer.lease)?;
        // No revocation list here: the back office just granted this seat,
        // fresher word than any list (which names returned leases only for
        // copies kept offline).
        let report =
            license.check(&Context::new((self.now.0)(), &self.product).machine(&self.machine));
        if !report.is_valid() {
            return Err(Error::BadAnswer(format!(
                "the back office sent a lease that does not hold here: {report}"
            )));
        }
        let expires_at = Timestamp(answer.expires_at);
        self.store.keep_lease(&HeldLease {
            lease_id: answer.lease_id.clone(),
            lease: answer.lease,
            expires_at,
        })?;
        Ok(Lease {
            id: answer.lease_id,
            license,
            expires_at,
        })
    }

    /// The lease held, verified again from the store, if any.
    pub fn lease(&self) -> Result<Option<Lease>> {
        let Some(held) = self.store.lease()? else {
            return Ok(None);
        };
        Ok(Some(Lease {
            license: self.verifier.verify_lease(&held.lease)?,
            id: held.lease_id,
            expires_at: held.expires_at,
        }))
    }
}

/// `text` as a URL query value: unreserved characters kept, every other
/// byte percent-encoded.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
