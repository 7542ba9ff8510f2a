//! Signed release catalogues: which versions of a product exist, and when
//! each was released.
//!
//! A licence with maintenance (`updates_until`) covers the versions
//! released up to that date. The product learns its own release date from
//! a catalogue the vendor signs — shipped with the product or downloaded
//! from the back office — rather than from a date compiled in, so one
//! signed list answers "may this licence run 3.2?" and "which releases may
//! it run?" offline ([`License::runnable_releases`](crate::License::runnable_releases)).
//!
//! ```
//! use licentia::{CatalogueBody, Context, Issuer, LicenseBody, ProductRelease, SigningKey, Timestamp, Verifier};
//! let issuer = Issuer::new(SigningKey::generate());
//! let verifier = Verifier::new([issuer.public_key().clone()]);
//! let release = |version: &str, date: &str| ProductRelease::new(version, Timestamp::parse(date).unwrap());
//! let body = CatalogueBody {
//!     product: "acme-cad".into(),
//!     issued_at: Timestamp::parse("2027-09-01")?,
//!     releases: vec![release("3.1", "2027-05-12"), release("3.2", "2027-08-20")],
//! };
//! let text = issuer.release_catalogue(&body)?.to_armor();
//! let catalogue = verifier.verify_release_catalogue(&text, "acme-cad")?;
//!
//! let licence = LicenseBody::builder("acme-cad", "Jane")
//!     .updates_until(Timestamp::parse("2027-06-30")?)
//!     .build()?;
//! let licence = verifier.verify(&issuer.issue(&licence)?.to_armor())?;
//! let runnable: Vec<&str> = licence
//!     .runnable_releases(&catalogue)?
//!     .iter()
//!     .map(|r| r.version.as_str())
//!     .collect();
//! assert_eq!(runnable, ["3.1"]);
//!
//! // The running version's date comes from the catalogue.
//! let now = Timestamp::parse("2027-09-02")?;
//! let v32 = catalogue.release("3.2").expect("listed");
//! assert!(!licence.check(&Context::new(now, "acme-cad").release(v32)).is_valid());
//! # Ok::<(), licentia::Error>(())
//! ```

use core::cmp::Ordering;
use core::ops::Deref;

use crate::license::{check_code, check_text, MAX_FIELD_LEN};
use crate::signed::SignedBody;
use crate::time::Timestamp;
use crate::{Error, Result};

/// Most releases one catalogue lists. A catalogue also fits the format's
/// body limit ([`MAX_BODY_LEN`](crate::format::MAX_BODY_LEN)): with long
/// notes and addresses, fewer releases fit; sign the recent ones.
pub const MAX_RELEASES: usize = 64;

/// Longest version string, in bytes.
pub const MAX_VERSION_LEN: usize = 32;

/// Longest download address, in bytes.
pub const MAX_URL_LEN: usize = MAX_FIELD_LEN;

/// Most digits in one numeric component of a version (so it fits a `u64`).
const MAX_COMPONENT_DIGITS: usize = 9;

/// One release of a product, as a catalogue lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProductRelease {
    /// The version: numbers separated by dots, optionally followed by `-`
    /// and a tag (`3.1`, `3.2.1`, `4.0-beta.2`). Versions compare by their
    /// numbers (`3.10` after `3.9`, `3.1` equal to `3.1.0`); a tagged
    /// version comes before the same numbers without a tag.
    pub version: String,
    /// When it was released: a licence's `updates_until` covers the
    /// releases dated up to it.
    pub date: Timestamp,
    /// Its channel, such as `stable` or `beta` (a code: letters, digits,
    /// `- _ . : /`).
    pub channel: String,
    /// Release notes, short (at most `MAX_FIELD_LEN` bytes, no control
    /// characters); may be empty.
    pub notes: String,
    /// Where to download it; may be empty.
    pub download_url: String,
}

impl ProductRelease {
    /// A `stable` release with no notes and no download address.
    pub fn new(version: &str, date: Timestamp) -> ProductRelease {
        ProductRelease {
            version: version.to_owned(),
            date,
            channel: "stable".to_owned(),
            notes: String::new(),
            download_url: String::new(),
        }
    }

    /// Checks every field against the format's limits.
    pub fn validate(&self) -> Result<()> {
        VersionKey::parse(&self.version)?;
        check_code("channel", &self.channel)?;
        check_text("release notes", &self.notes, true)?;
        let url_ok = self.download_url.len() <= MAX_URL_LEN
            && !self
                .download_url
                .chars()
                .any(|c| c.is_control() || c.is_whitespace());
        if !url_ok {
            return Err(Error::InvalidSpec(format!(
                "download address must be up to {MAX_URL_LEN} bytes without spaces or control characters"
            )));
        }
        Ok(())
    }

    /// The version in its canonical form: the numbers without leading or
    /// trailing zeros, then the tag (`3.01.0` gives `3.1`), so two
    /// spellings of one version are one key in a database.
    ///
    /// ```
    /// use licentia::{ProductRelease, Timestamp};
    /// assert_eq!(ProductRelease::new("3.01.0-rc.1", Timestamp(0)).canonical_version()?, "3.1-rc.1");
    /// assert_eq!(ProductRelease::new("0.0", Timestamp(0)).canonical_version()?, "0");
    /// # Ok::<(), licentia::Error>(())
    /// ```
    pub fn canonical_version(&self) -> Result<String> {
        let key = VersionKey::parse(&self.version)?;
        let mut out = if key.numbers.is_empty() {
            "0".to_owned()
        } else {
            key.numbers
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        };
        if let Some(tag) = key.tag {
            out.push('-');
            out.push_str(tag);
        }
        Ok(out)
    }

    /// Whether this release's version is `version` (by number: `3.1`
    /// matches `3.1.0`); an ill-formed `version` matches nothing.
    pub fn is_version(&self, version: &str) -> bool {
        match (VersionKey::parse(&self.version), VersionKey::parse(version)) {
            (Ok(mine), Ok(asked)) => mine == asked,
            _ => false,
        }
    }
}

/// Compares two version strings by their numeric components, as a
/// catalogue orders its releases; `None` when either is not a version.
///
/// ```
/// use core::cmp::Ordering;
/// use licentia::catalogue::compare_versions;
/// assert_eq!(compare_versions("3.10", "3.9"), Some(Ordering::Greater));
/// assert_eq!(compare_versions("3.1", "3.1.0"), Some(Ordering::Equal));
/// assert_eq!(compare_versions("4.0-beta.1", "4.0"), Some(Ordering::Less));
/// assert_eq!(compare_versions("three", "3"), None);
/// ```
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(VersionKey::parse(a).ok()?.cmp(&VersionKey::parse(b).ok()?))
}

/// A version's order: its numbers (trailing zeros dropped), then untagged
/// after tagged, then the tag.
#[derive(Debug, PartialEq, Eq)]
struct VersionKey<'a> {
    numbers: Vec<u64>,
    tag: Option<&'a str>,
}

impl<'a> VersionKey<'a> {
    fn parse(version: &'a str) -> Result<VersionKey<'a>> {
        let bad = || {
            Error::InvalidSpec(format!(
                "version '{}' must be up to {MAX_VERSION_LEN} bytes: numbers separated by dots \
                 (up to {MAX_COMPONENT_DIGITS} digits each), optionally '-' and a tag of letters, \
                 digits, '.' and '-'",
                version.chars().take(MAX_VERSION_LEN).collect::<String>()
            ))
        };
        if version.len() > MAX_VERSION_LEN {
            return Err(bad());
        }
        let (numbers, tag) = match version.split_once('-') {
            Some((numbers, tag)) => (numbers, Some(tag)),
            None => (version, None),
        };
        let tag_ok = tag.is_none_or(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
        });
        if !tag_ok {
            return Err(bad());
        }
        let mut parsed = numbers
            .split('.')
            .map(|n| {
                let digits = !n.is_empty()
                    && n.len() <= MAX_COMPONENT_DIGITS
                    && n.bytes().all(|b| b.is_ascii_digit());
                digits
                    .then(|| n.parse::<u64>().ok())
                    .flatten()
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<u64>>>()?;
        while parsed.last() == Some(&0) {
            parsed.pop();
        }
        Ok(VersionKey {
            numbers: parsed,
            tag,
        })
    }
}

impl Ord for VersionKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| match (self.tag, other.tag) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

impl PartialOrd for VersionKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The signed body of a release catalogue: its releases in version order,
/// each version once.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CatalogueBody {
    /// The product the catalogue is for.
    pub product: String,
    /// When it was signed.
    pub issued_at: Timestamp,
    /// Its releases.
    pub releases: Vec<ProductRelease>,
}

impl CatalogueBody {
    /// Checks every field and puts the releases in version order; a version
    /// listed twice (`3.1` and `3.1.0` are one) is refused.
    pub fn normalize(&mut self) -> Result<()> {
        check_code("product code", &self.product)?;
        if self.releases.len() > MAX_RELEASES {
            return Err(Error::InvalidSpec(format!(
                "a release catalogue lists at most {MAX_RELEASES} releases, not {}",
                self.releases.len()
            )));
        }
        for release in &self.releases {
            release.validate()?;
        }
        self.releases.sort_by(compare_releases);
        if let Some(pair) = self
            .releases
            .windows(2)
            .find(|pair| compare_releases(&pair[0], &pair[1]) == Ordering::Equal)
        {
            return Err(Error::InvalidSpec(format!(
                "version {} is listed twice (as '{}' and '{}')",
                pair[1].version, pair[0].version, pair[1].version
            )));
        }
        Ok(())
    }

    /// A catalogue of `product` holding the newest of `releases` (by
    /// version) that one catalogue carries: at most [`MAX_RELEASES`], and
    /// no more than fit the format's body limit. A back office that keeps
    /// every release signs its catalogue with this.
    ///
    /// ```
    /// use licentia::{CatalogueBody, ProductRelease, Timestamp};
    /// let releases = (1..=100).map(|minor| ProductRelease::new(&format!("1.{minor}"), Timestamp(0))).collect();
    /// let body = CatalogueBody::newest("acme", Timestamp(0), releases)?;
    /// assert_eq!(body.releases.len(), licentia::catalogue::MAX_RELEASES);
    /// assert_eq!(body.releases.last().unwrap().version, "1.100");
    /// # Ok::<(), licentia::Error>(())
    /// ```
    pub fn newest(
        product: &str,
        issued_at: Timestamp,
        mut releases: Vec<ProductRelease>,
    ) -> Result<CatalogueBody> {
        for release in &releases {
            release.validate()?;
        }
        releases.sort_by(|a, b| compare_releases(b, a));
        let mut body = CatalogueBody {
            product: product.to_owned(),
            issued_at,
            releases: Vec::new(),
        };
        for release in releases {
            if body.releases.len() == MAX_RELEASES {
                break;
            }
            body.releases.push(release);
            if crate::codec::encode(&body).is_err() {
                body.releases.pop();
                break;
            }
        }
        body.normalize()?;
        Ok(body)
    }

    /// Whether the body is as [`normalize`](Self::normalize) leaves it:
    /// every field valid, releases strictly in version order.
    pub fn is_normalized(&self) -> bool {
        let mut copy = self.clone();
        copy.normalize().is_ok() && copy == *self
    }
}

/// Orders two releases whose versions are valid.
fn compare_releases(a: &ProductRelease, b: &ProductRelease) -> Ordering {
    compare_versions(&a.version, &b.version).unwrap_or(Ordering::Equal)
}

impl SignedBody for CatalogueBody {
    fn issued_at(&self) -> Timestamp {
        self.issued_at
    }
}

/// A verified release catalogue
/// ([`Verifier::verify_release_catalogue`](crate::Verifier::verify_release_catalogue)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCatalogue(pub(crate) CatalogueBody);

impl ReleaseCatalogue {
    /// The release of `version` (`3.1` finds `3.1.0`), if listed.
    pub fn release(&self, version: &str) -> Option<&ProductRelease> {
        let asked = VersionKey::parse(version).ok()?;
        self.0
            .releases
            .binary_search_by(|r| {
                VersionKey::parse(&r.version).map_or(Ordering::Less, |mine| mine.cmp(&asked))
            })
            .ok()
            .map(|at| &self.0.releases[at])
    }

    /// The release of `version`, or [`Error::InvalidArgument`] naming it
    /// when the catalogue does not list it.
    pub fn require(&self, version: &str) -> Result<&ProductRelease> {
        self.release(version).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "release '{}' is not in the catalogue of {}",
                version.chars().take(MAX_VERSION_LEN).collect::<String>(),
                self.0.product
            ))
        })
    }

    /// The signed body.
    pub fn body(&self) -> &CatalogueBody {
        &self.0
    }
}

impl Deref for ReleaseCatalogue {
    type Target = CatalogueBody;
    fn deref(&self) -> &CatalogueBody {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{DocumentKind, Envelope};
    use crate::{Context, Issuer, LicenseBody, Rule, SigningKey, Verifier};

    fn at(date: &str) -> Timestamp {
        Timestamp::parse(date).unwrap()
    }

    fn issuer() -> Issuer {
        Issuer::new(SigningKey::from_seed(&[7; 32]))
    }

    fn catalogue_text(releases: Vec<ProductRelease>) -> String {
        let body = CatalogueBody {
            product: "acme".into(),
            issued_at: at("2027-09-01"),
            releases,
        };
        issuer().release_catalogue(&body).unwrap().to_armor()
    }

    #[test]
    fn maintenance_to_june_runs_3_1_of_may_and_not_3_2_of_august() {
        let verifier = Verifier::new([issuer().public_key().clone()]);
        let mut beta = ProductRelease::new("3.2-beta.1", at("2027-06-01"));
        beta.channel = "beta".into();
        let text = catalogue_text(vec![
            ProductRelease::new("3.2", at("2027-08-15")),
            ProductRelease::new("3.1", at("2027-05-10")),
            beta,
        ]);
        let catalogue = verifier.verify_release_catalogue(&text, "acme").unwrap();
        let versions: Vec<_> = catalogue.releases.iter().map(|r| &r.version[..]).collect();
        assert_eq!(versions, ["3.1", "3.2-beta.1", "3.2"]);

        let body = LicenseBody::builder("acme", "Jane")
            .updates_until(at("2027-06-30"))
            .build()
            .unwrap();
        let licence = verifier
            .verify(&issuer().issue(&body).unwrap().to_armor())
            .unwrap();
        let runnable: Vec<_> = licence
            .runnable_releases(&catalogue)
            .unwrap()
            .iter()
            .map(|r| &r.version[..])
            .collect();
        assert_eq!(runnable, ["3.1", "3.2-beta.1"]);

        let now = at("2027-09-02");
        let v31 = catalogue.release("3.1.0").unwrap();
        assert!(licence
            .check(&Context::new(now, "acme").release(v31))
            .is_valid());
        let v32 = catalogue.require("3.2").unwrap();
        assert!(licence
            .check(&Context::new(now, "acme").release(v32))
            .has(Rule::VersionNotCovered));
        assert!(catalogue.release("3.3").is_none());
        assert!(catalogue
            .require("3.3")
            .unwrap_err()
            .to_string()
            .contains("3.3"));

        // Another product's licence runs none of them.
        let other = LicenseBody::builder("other", "Jane").build().unwrap();
        let other = verifier
            .verify(&issuer().issue(&other).unwrap().to_armor())
            .unwrap();
        assert!(matches!(
            other.runnable_releases(&catalogue),
            Err(Error::WrongProduct { .. })
        ));
        // And a catalogue is verified for its own product only.
        assert!(matches!(
            verifier.verify_release_catalogue(&text, "other"),
            Err(Error::WrongProduct { .. })
        ));
    }

    #[test]
    fn versions_compare_by_number() {
        let order = ["0.9", "1-rc.1", "1", "1.0.1", "1.2", "1.10", "10.0"];
        for pair in order.windows(2) {
            assert_eq!(compare_versions(pair[0], pair[1]), Some(Ordering::Less));
        }
        for bad in [
            "",
            "1.",
            ".1",
            "1..2",
            "v1",
            "1-",
            "1-a b",
            "1234567890",
            &"1.".repeat(20),
        ] {
            assert!(compare_versions(bad, "1").is_none(), "{bad}");
        }
    }

    #[test]
    fn bad_catalogues_are_refused_when_signed() {
        let sign = |releases: Vec<ProductRelease>| {
            let body = CatalogueBody {
                product: "acme".into(),
                issued_at: at("2027-01-01"),
                releases,
            };
            issuer().release_catalogue(&body).unwrap_err().to_string()
        };
        let r = |v: &str| ProductRelease::new(v, at("2027-01-01"));
        assert!(sign(vec![r("3.1"), r("3.1.0")]).contains("listed twice"));
        assert!(sign(vec![r("three")]).contains("version 'three'"));
        let too_many = (0..=MAX_RELEASES).map(|i| r(&i.to_string())).collect();
        assert!(sign(too_many).contains("at most 64"));
        let mut spaced = r("1");
        spaced.download_url = "https://x/a b".into();
        assert!(sign(vec![spaced]).contains("download address"));
        let mut control = r("1");
        control.notes = "line\u{7}".into();
        assert!(sign(vec![control]).contains("release notes"));
        let mut long = r("1");
        long.channel = "c".repeat(65);
        assert!(sign(vec![long]).contains("channel"));
        // Long notes on many releases overflow the body limit.
        let full = (1..=40)
            .map(|i| {
                let mut release = r(&i.to_string());
                release.notes = "n".repeat(MAX_FIELD_LEN);
                release
            })
            .collect();
        assert!(sign(full).contains("limit"));
    }

    #[test]
    fn garbage_and_unordered_bodies_are_refused_when_verified() {
        let key = SigningKey::from_seed(&[7; 32]);
        let verifier = Verifier::new([key.public_key().clone()]);
        let sealed = |body: Vec<u8>| {
            Envelope::seal(DocumentKind::ReleaseCatalogue, &key, body)
                .unwrap()
                .to_armor()
        };
        assert_eq!(
            verifier.verify_release_catalogue(&sealed(vec![0xff; 40]), "acme"),
            Err(Error::MalformedBody)
        );
        // Validly encoded, but out of order: signed by a key, refused anyway.
        let unordered = CatalogueBody {
            product: "acme".into(),
            issued_at: at("2027-01-01"),
            releases: vec![
                ProductRelease::new("3.2", at("2027-08-01")),
                ProductRelease::new("3.1", at("2027-05-01")),
            ],
        };
        let bytes = crate::codec::encode(&unordered).unwrap();
        assert_eq!(
            verifier.verify_release_catalogue(&sealed(bytes), "acme"),
            Err(Error::MalformedBody)
        );
        assert!(matches!(
            verifier.verify_release_catalogue(&"A".repeat(20_000), "acme"),
            Err(Error::TooLarge { .. })
        ));
        assert_eq!(
            verifier.verify_release_catalogue("garbage", "acme"),
            Err(Error::NotLicentiaText)
        );
        let licence = issuer()
            .issue(&LicenseBody::builder("acme", "Jane").build().unwrap())
            .unwrap()
            .to_armor();
        assert!(matches!(
            verifier.verify_release_catalogue(&licence, "acme"),
            Err(Error::WrongDocumentKind { .. })
        ));
    }
}
