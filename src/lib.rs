//! # licentia
//!
//! Signed software licenses, checked offline in microseconds.
//!
//! A vendor's back office signs a license with an Ed25519 key; the product
//! checks it with nothing but the embedded public key, and gets a clear
//! verdict: valid, valid with warnings (renew soon, in grace, check-in due), or
//! invalid with every reason (expired, wrong machine, revoked, clock rolled
//! back...), each with a stable numeric code.
//!
//! ```
//! use licentia::{Context, Fingerprint, Issuer, LicenseBody, MatchRule, SigningKey, State, Timestamp, Verifier};
//!
//! // Back office: a key, and a license locked to the customer's machine.
//! let key = SigningKey::generate();
//! let machine = Fingerprint::builder("acme-cad").vendor("serial", "SN-0042").build()?;
//! let body = LicenseBody::builder("acme-cad", "Jane Doe")
//!     .email("jane@example.com")
//!     .issued_at(Timestamp::parse("2026-01-01")?)
//!     .node_locked(vec![machine.clone()], MatchRule::All)
//!     .soft_expiry(Timestamp::parse("2026-12-01")?)
//!     .hard_expiry(Timestamp::parse("2027-01-01")?)
//!     .grace_days(14)
//!     .feature("export")
//!     .build()?;
//! let file = Issuer::new(key.clone()).issue(&body)?.to_armor();
//!
//! // Product: verify the signature, then check the terms against now.
//! let verifier = Verifier::new([key.public_key().clone()]);
//! let license = verifier.verify(&file)?;
//! let now = Timestamp::parse("2026-06-15")?;
//! let report = license.check(&Context::new(now, "acme-cad").machine(&machine));
//! assert_eq!(report.state, State::Valid);
//! assert!(license.has_feature("export", now));
//!
//! // On another machine, the verdict says so.
//! let other = Fingerprint::builder("acme-cad").vendor("serial", "SN-9999").build()?;
//! let report = license.check(&Context::new(now, "acme-cad").machine(&other));
//! assert_eq!(report.findings[0].rule.code(), 105); // wrong_machine
//! # Ok::<(), licentia::Error>(())
//! ```
//!
//! ## Map
//!
//! - [`keys`]: signing and public keys, key ids, PEM files.
//! - [`format`](mod@format): the envelope, armor and compact text; sizes and versions.
//! - [`license`]: what a license says, and its builder.
//! - [`Issuer`] signs, through a [`Signer`] (a key in memory or a device); [`Verifier`] verifies; [`License::check`] gives the [`Report`].
//!   [`PreparedKey`]: a trusted key's precomputed table, for verifying faster
//!   than a bare `verify_strict` with the very same decisions.
//! - [`renewal`], [`revocation`], [`rollover`]: offline extensions, revocations, key rotation.
//!   [`catalogue`]: signed release catalogues, for updates-until offline.
//! - [`clock`]: the clock-rollback guard. [`machine`]: fingerprints.
//!   [`environment`]: virtual machine and container detection, each
//!   signal named, and the licence's terms on them.
//! - [`typed`]: codes a person reads over the telephone and types back
//!   (groups of five characters, each with a check character).
//!   [`activation`]: offline activation documents; [`short_code`]: a
//!   request and its answer short enough to read over the telephone.
//! - [`meter`]: consumable quotas signed into a licence; [`usage`]: the
//!   report a product writes of what it consumed offline.
//!
//! Data flows one way: `format` knows bytes, `license` knows meaning, `issue`
//! and `verify` join them with `keys`. The other signed documents (renewal,
//! revocation, rollover, activation answer, release catalogue) sit beside `license`: they share
//! what a signed body is with it, and none of them depends on the verifier.
#![deny(unsafe_code)]
#![warn(missing_docs)]

// First: the other modules use its macro.
#[macro_use]
mod table;

pub mod activation;
pub mod catalogue;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "std")]
pub mod clock;
mod codec;
pub mod deactivation;
pub mod environment;
mod error;
pub mod format;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod hex;
mod issue;
pub mod keys;
pub mod license;
pub mod machine;
pub mod meter;
mod prepared;
#[cfg(feature = "std")]
mod read;
pub mod renewal;
pub mod revocation;
pub mod rollover;
pub mod short_code;
mod signed;
mod signer;
pub mod spec;
mod time;
pub mod typed;
mod unsigned;
pub mod usage;
mod verdict;
mod verify;

pub use activation::{Activated, ActivationRequest, LicenseRef};
pub use catalogue::{CatalogueBody, ProductRelease, ReleaseCatalogue};
#[cfg(feature = "std")]
pub use clock::{ClockGuard, ClockGuardOptions, ClockStatus};
pub use deactivation::{DeactivationReceipt, DeactivationRequest};
#[cfg(feature = "std")]
pub use environment::{CpuidLeaves, Probe};
pub use environment::{Environment, EnvironmentKind, EnvironmentTerms, Signal};
pub use error::{Error, Result};
pub use format::{DocumentKind, Envelope};
pub use issue::Issuer;
pub use keys::{KeyId, PublicKey, SigningKey};
pub use license::{
    Binding, BindingKind, CheckIn, Entitlement, LicenseBody, LicenseBuilder, LicenseId,
    LicenseKind, Licensee, Terms,
};
pub use machine::{Component, ComponentKind, Fingerprint, MatchRule};
pub use meter::{Meter, MeterPeriod};
/// Not API: the prepared verification's steps, for the benches.
#[doc(hidden)]
pub use prepared::steps as prepared_steps;
pub use prepared::PreparedKey;
pub use renewal::{RenewalAction, RenewalToken};
pub use revocation::{Release, ReleaseKind, RevocationBody, RevocationList};
pub use signer::Signer;
pub use time::{Timestamp, DAY};
pub use usage::{UsageReport, UsageTotal};
pub use verdict::{Context, Finding, Report, Rule, Severity, State, DEFAULT_CLOCK_TOLERANCE_SECS};
pub use verify::{License, TrustedKey, UnverifiedLicense, Verifier};
