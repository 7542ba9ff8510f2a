//! A license specification in plain text fields: what the command line's
//! flags, its `--spec FILE.json` and the C ABI's JSON issuance all share.
//!
//! Every field is optional here; [`LicenseSpec::to_body`] says which are
//! missing or inconsistent. Dates are `YYYY-MM-DD` or RFC 3339, features are
//! `CODE[=COUNT][@DATE]`, machines are fingerprints in their hex form.
//!
//! ```
//! # #[cfg(feature = "json")] {
//! let spec = licentia::spec::LicenseSpec::from_json(r#"{
//!     "product": "acme-cad", "licensee": "Jane Doe", "email": "jane@example.com",
//!     "expires": "2027-01-01", "grace_days": 14, "features": ["export", "seats=5"],
//!     "virtual_machines": false, "meters": ["api_calls=10000/month"]
//! }"#).unwrap();
//! let body = spec.to_body().unwrap();
//! assert_eq!(body.terms.grace_secs, Some(14 * 86_400));
//! assert!(!body.environment.virtual_machines && body.environment.containers);
//! assert_eq!(body.meter("api_calls").unwrap().quota, 10_000);
//! assert!(licentia::spec::LicenseSpec::from_json(r#"{"produkt": "typo"}"#).is_err());
//! # }
//! ```

use std::collections::BTreeMap;

use crate::license::{Binding, Entitlement, LicenseBody, LicenseId};
use crate::machine::{Fingerprint, MatchRule};
use crate::time::Timestamp;
use crate::{Error, Result};

/// Largest JSON specification accepted.
pub const MAX_SPEC_LEN: usize = 64 * 1024;

/// A license specification; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseSpec {
    /// License id (32 hex digits); random when absent.
    pub id: Option<String>,
    /// Product code.
    pub product: Option<String>,
    /// Licensee name.
    pub licensee: Option<String>,
    /// Licensee e-mail.
    pub email: Option<String>,
    /// The vendor's customer reference.
    pub customer_ref: Option<String>,
    /// Issue time; now when absent.
    pub issued_at: Option<String>,
    /// A trial license.
    pub trial: Option<bool>,
    /// A temporary license standing in for this license id.
    pub temporary_for: Option<String>,
    /// Node-locked to these fingerprints.
    pub machines: Option<Vec<String>>,
    /// How node-locked machines match: all, most, two, any.
    pub match_rule: Option<String>,
    /// Floating, with this machine cap.
    pub floating: Option<u32>,
    /// Named user.
    pub user: Option<String>,
    /// Seats.
    pub seats: Option<u32>,
    /// Features, `CODE[=COUNT][@DATE]`.
    pub features: Option<Vec<String>>,
    /// Vendor metadata.
    pub metadata: Option<BTreeMap<String, String>>,
    /// Valid from.
    pub valid_from: Option<String>,
    /// Soft expiry ("renew soon").
    pub soft_expiry: Option<String>,
    /// Hard expiry.
    pub expires: Option<String>,
    /// Days of grace after the hard expiry.
    pub grace_days: Option<u32>,
    /// Updates until.
    pub updates_until: Option<String>,
    /// Check in every this many days.
    pub check_in_days: Option<u32>,
    /// Work offline this many days after a missed check-in.
    pub max_offline_days: Option<u32>,
    /// Whether it runs in a virtual machine (default: yes).
    pub virtual_machines: Option<bool>,
    /// Whether it runs in a container (default: yes).
    pub containers: Option<bool>,
    /// Consumable quotas, `NAME=QUOTA/PERIOD` (period: day, month, year
    /// or term).
    pub meters: Option<Vec<String>>,
}

impl LicenseSpec {
    /// Parses a JSON specification; unknown fields are errors.
    #[cfg(feature = "json")]
    pub fn from_json(text: &str) -> Result<LicenseSpec> {
        if text.len() > MAX_SPEC_LEN {
            return Err(Error::TooLarge {
                what: "specification",
                limit: MAX_SPEC_LEN,
            });
        }
        serde_json::from_str(text).map_err(|e| Error::InvalidSpec(e.to_string()))
    }

    /// This spec with every field that `over` sets taken from `over`
    /// (command-line flags over a spec file).
    pub fn overridden_by(self, over: LicenseSpec) -> LicenseSpec {
        LicenseSpec {
            id: over.id.or(self.id),
            product: over.product.or(self.product),
            licensee: over.licensee.or(self.licensee),
            email: over.email.or(self.email),
            customer_ref: over.customer_ref.or(self.customer_ref),
            issued_at: over.issued_at.or(self.issued_at),
            trial: over.trial.or(self.trial),
            temporary_for: over.temporary_for.or(self.temporary_for),
            machines: over.machines.or(self.machines),
            match_rule: over.match_rule.or(self.match_rule),
            floating: over.floating.or(self.floating),
            user: over.user.or(self.user),
            seats: over.seats.or(self.seats),
            features: over.features.or(self.features),
            metadata: over.metadata.or(self.metadata),
            valid_from: over.valid_from.or(self.valid_from),
            soft_expiry: over.soft_expiry.or(self.soft_expiry),
            expires: over.expires.or(self.expires),
            grace_days: over.grace_days.or(self.grace_days),
            updates_until: over.updates_until.or(self.updates_until),
            check_in_days: over.check_in_days.or(self.check_in_days),
            max_offline_days: over.max_offline_days.or(self.max_offline_days),
            virtual_machines: over.virtual_machines.or(self.virtual_machines),
            containers: over.containers.or(self.containers),
            meters: over.meters.or(self.meters),
        }
    }

    /// The license body this spec describes, validated.
    pub fn to_body(&self) -> Result<LicenseBody> {
        let product = self.product.as_deref().ok_or_else(|| missing("product"))?;
        let licensee = self
            .licensee
            .as_deref()
            .ok_or_else(|| missing("licensee"))?;
        let mut b = LicenseBody::builder(product, licensee);
        if let Some(id) = &self.id {
            b = b.id(LicenseId::parse(id)?);
        }
        if let Some(email) = &self.email {
            b = b.email(email);
        }
        if let Some(r) = &self.customer_ref {
            b = b.customer_ref(r);
        }
        if let Some(t) = date(&self.issued_at)? {
            b = b.issued_at(t);
        }
        match (self.trial.unwrap_or(false), &self.temporary_for) {
            (true, Some(_)) => {
                return Err(Error::InvalidSpec(
                    "a license is either trial or temporary".into(),
                ))
            }
            (true, None) => b = b.trial(),
            (false, Some(id)) => b = b.temporary(LicenseId::parse(id)?),
            (false, None) => {}
        }
        b = b.binding(self.binding()?);
        if let Some(seats) = self.seats {
            b = b.seats(seats);
        }
        for feature in self.features.iter().flatten() {
            b = b.entitlement(Entitlement::parse(feature)?);
        }
        for (k, v) in self.metadata.iter().flatten() {
            b = b.metadata(k, v);
        }
        if let Some(t) = date(&self.valid_from)? {
            b = b.valid_from(t);
        }
        if let Some(t) = date(&self.soft_expiry)? {
            b = b.soft_expiry(t);
        }
        if let Some(t) = date(&self.expires)? {
            b = b.hard_expiry(t);
        }
        if let Some(days) = self.grace_days {
            b = b.grace_days(days);
        }
        if let Some(t) = date(&self.updates_until)? {
            b = b.updates_until(t);
        }
        match (self.check_in_days, self.max_offline_days) {
            (Some(every), offline) => b = b.check_in_days(every, offline.unwrap_or(0)),
            (None, Some(_)) => {
                return Err(Error::InvalidSpec(
                    "max_offline_days needs check_in_days".into(),
                ))
            }
            (None, None) => {}
        }
        if let Some(allowed) = self.virtual_machines {
            b = b.virtual_machines(allowed);
        }
        if let Some(allowed) = self.containers {
            b = b.containers(allowed);
        }
        for meter in self.meters.iter().flatten() {
            b = b.meter(meter.parse()?);
        }
        b.build()
    }

    fn binding(&self) -> Result<Binding> {
        let chosen = [
            self.machines.is_some(),
            self.floating.is_some(),
            self.user.is_some(),
        ];
        if chosen.iter().filter(|c| **c).count() > 1 {
            return Err(Error::InvalidSpec(
                "choose one binding: machines, floating or user".into(),
            ));
        }
        if self.match_rule.is_some() && self.machines.is_none() {
            return Err(Error::InvalidSpec("match_rule needs machines".into()));
        }
        Ok(if let Some(machines) = &self.machines {
            Binding::NodeLocked {
                machines: machines
                    .iter()
                    .map(|m| Fingerprint::parse(m))
                    .collect::<Result<_>>()?,
                rule: self
                    .match_rule
                    .as_deref()
                    .map_or(Ok(MatchRule::All), MatchRule::parse)?,
            }
        } else if let Some(max_machines) = self.floating {
            Binding::Floating { max_machines }
        } else if let Some(user) = &self.user {
            Binding::NamedUser { user: user.clone() }
        } else {
            Binding::Unbound
        })
    }
}

fn missing(field: &str) -> Error {
    Error::InvalidSpec(format!("'{field}' is required"))
}

fn date(field: &Option<String>) -> Result<Option<Timestamp>> {
    field.as_deref().map(Timestamp::parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LicenseSpec {
        LicenseSpec {
            product: Some("acme".into()),
            licensee: Some("Jane".into()),
            issued_at: Some("2026-01-01".into()),
            ..LicenseSpec::default()
        }
    }

    #[test]
    fn flags_override_the_file() {
        let file = LicenseSpec {
            seats: Some(5),
            email: Some("a@b.c".into()),
            ..spec()
        };
        let flags = LicenseSpec {
            seats: Some(7),
            ..LicenseSpec::default()
        };
        let merged = file.overridden_by(flags);
        assert_eq!(merged.seats, Some(7));
        assert_eq!(merged.email.as_deref(), Some("a@b.c"));
    }

    #[test]
    fn bindings_and_kinds_are_exclusive() {
        let both = LicenseSpec {
            floating: Some(3),
            user: Some("bob".into()),
            ..spec()
        };
        assert!(both
            .to_body()
            .unwrap_err()
            .to_string()
            .contains("one binding"));
        let trial_temp = LicenseSpec {
            trial: Some(true),
            temporary_for: Some("00".repeat(16)),
            expires: Some("2027-01-01".into()),
            ..spec()
        };
        assert!(trial_temp.to_body().is_err());
        assert!(LicenseSpec::default()
            .to_body()
            .unwrap_err()
            .to_string()
            .contains("product"));
        let machine = Fingerprint::builder("acme")
            .vendor("v", "1")
            .build()
            .unwrap();
        let locked = LicenseSpec {
            machines: Some(vec![machine.to_string()]),
            match_rule: Some("most".into()),
            ..spec()
        };
        assert_eq!(
            locked.to_body().unwrap().binding,
            Binding::NodeLocked {
                machines: vec![machine],
                rule: MatchRule::Most
            }
        );
    }
}
