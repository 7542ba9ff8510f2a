//! The core's types that records carry, written as their names in JSON
//! (`node-locked`, `all`, `trial`) and in the database.

use serde::{de, Deserialize, Deserializer, Serializer};

/// A binding kind as its name.
pub mod binding {
    use super::*;
    use licentia::BindingKind;

    /// Writes the name.
    pub fn serialize<S: Serializer>(kind: &BindingKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.name())
    }

    /// Reads a name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BindingKind, D::Error> {
        BindingKind::parse(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// A machine match rule as its name.
pub mod match_rule {
    use super::*;
    use licentia::MatchRule;

    /// Writes the name.
    pub fn serialize<S: Serializer>(rule: &MatchRule, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(rule.name())
    }

    /// Reads a name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MatchRule, D::Error> {
        MatchRule::parse(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// The kind of license a policy makes, `standard` or `trial` (a temporary
/// license is made from a license, never from a policy).
pub mod policy_kind {
    use super::*;
    use licentia::LicenseKind;

    /// Parses `standard` or `trial`.
    pub fn parse(text: &str) -> Option<LicenseKind> {
        match text {
            "standard" => Some(LicenseKind::Standard),
            "trial" => Some(LicenseKind::Trial),
            _ => None,
        }
    }

    /// Writes the name.
    pub fn serialize<S: Serializer>(kind: &LicenseKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.name())
    }

    /// Reads `standard` or `trial`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LicenseKind, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
            .ok_or_else(|| de::Error::custom(format!("kind '{text}': expected standard or trial")))
    }
}
