//! Reports: read-only views across the back office, as JSON or CSV.

use schemars::JsonSchema;
use serde::Serialize;

use super::{HistoryEntry, LicenseRecord, Page, Rows, Scope};
use crate::store::StoreResult;

/// Something that ends within a report's window: a licence, a
/// subscription, a renewal contract with a supplier or a purchase lot.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RenewalDue {
    /// `license/standard`, `license/trial` (the policy's kind),
    /// `subscription`, `contract` or `lot`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Product code (none for a contract).
    pub product: Option<String>,
    /// Policy id (a licence's or subscription's).
    pub policy_id: Option<String>,
    /// Policy name.
    pub policy: Option<String>,
    /// A subscription's plan; for a license, the plans made from its policy
    /// (licenses carry no plan of their own).
    pub plans: Vec<String>,
    /// Customer node (a contract's holder, a lot's buyer).
    pub customer_id: Option<String>,
    /// Its name.
    pub customer: Option<String>,
    /// Licensee (a subscription's, contract's or lot's: its customer).
    pub licensee: String,
    /// `active` or `suspended` (revoked licenses do not renew); for a
    /// subscription `active` or `cancelled` (ended ones are left out);
    /// none for a contract or lot.
    pub status: Option<String>,
    /// Seats (a lot's: its quantity; none for a contract).
    pub seats: Option<i64>,
    /// When it ends (Unix seconds).
    pub ends_at: i64,
    /// A contract's or lot's terms (none for licences and subscriptions).
    #[serde(flatten)]
    pub terms: Option<SupplierTerms>,
}

/// What a contract, or the lot it covers, says about its supplier, dates,
/// cost and notice; a lot without a contract has no supplier, type or
/// notice.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SupplierTerms {
    /// The contract (a lot's: the one covering it).
    pub contract_id: Option<String>,
    /// The contract's supplier reference.
    pub reference: Option<String>,
    /// Supplier id.
    pub supplier_id: Option<String>,
    /// Supplier name.
    pub supplier: Option<String>,
    /// Contract type id.
    pub contract_type_id: Option<String>,
    /// Contract type name.
    pub contract_type: Option<String>,
    /// First day (`YYYY-MM-DD`; a lot's: its purchase date).
    pub starts_on: String,
    /// Last day (`YYYY-MM-DD`; a lot's: its contract's, or its renewal
    /// date without one).
    pub ends_on: String,
    /// Cost as a decimal string in the currency's minor-unit precision.
    pub cost: Option<String>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Purchase order number.
    pub po_number: Option<String>,
    /// Invoice number.
    pub invoice_number: Option<String>,
    /// Notice period, e.g. "3 months before term end" (the contract's).
    pub notice_period: Option<String>,
    /// The next possible cancellation date: the last day on which a
    /// cancellation still ends the contract on `ends_on`.
    pub last_day_to_cancel: Option<String>,
}

/// How the renewals are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One list.
    None,
    /// By plan (through a license's policy).
    Plan,
    /// By type: `license/standard`, `license/trial`, `subscription`,
    /// `contract`, `lot`.
    Type,
    /// By customer.
    Customer,
    /// By contract type (a contract's, or a lot's contract's).
    ContractType,
    /// By supplier (a contract's, or a lot's contract's).
    Supplier,
}

impl Grouping {
    /// Every grouping, by the name `group_by` gives it.
    pub const NAMED: [Grouping; 5] = [
        Grouping::Plan,
        Grouping::Type,
        Grouping::Customer,
        Grouping::ContractType,
        Grouping::Supplier,
    ];

    /// Its name, as `group_by` says it.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Grouping::None => None,
            Grouping::Plan => Some("plan"),
            Grouping::Type => Some("type"),
            Grouping::Customer => Some("customer"),
            Grouping::ContractType => Some("contract_type"),
            Grouping::Supplier => Some("supplier"),
        }
    }

    /// The group `item` falls in (empty for one list). Groups come in the
    /// byte order of these names, so the `(no …)` group comes first.
    pub fn key(self, item: &RenewalDue) -> String {
        let terms = item.terms.as_ref();
        let named = |name: Option<&String>, none: &str| name.cloned().unwrap_or(none.to_owned());
        match self {
            Grouping::None => String::new(),
            Grouping::Plan if item.plans.is_empty() => "(no plan)".to_owned(),
            Grouping::Plan => item.plans.join(" / "),
            Grouping::Type => item.kind.clone(),
            Grouping::Customer => named(item.customer.as_ref(), "(no customer)"),
            Grouping::ContractType => named(
                terms.and_then(|t| t.contract_type.as_ref()),
                "(no contract type)",
            ),
            Grouping::Supplier => named(terms.and_then(|t| t.supplier.as_ref()), "(no supplier)"),
        }
    }
}

/// Where a page of the renewals' groups starts, by the groups' names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsAt<'a> {
    /// From the first group.
    First,
    /// After the group of this name.
    After(&'a str),
    /// Before the group of this name: the page before one starting there.
    Before(&'a str),
    /// The group of this name alone.
    Named(&'a str),
}

/// A page of the renewals window's groups, in the byte order of their
/// names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPage {
    /// How many rows the whole window holds, every group's.
    pub total: i64,
    /// The groups, each with how many rows it holds (none empty).
    pub groups: Vec<(String, i64)>,
    /// Where the first group stands among them all (from 0) and how many
    /// groups there are, when every group is counted: not by customer,
    /// whose groups are found a page at a time (a window holds hundreds
    /// of thousands of customers at scale).
    pub place: Option<(usize, usize)>,
    /// Whether groups come before the first.
    pub earlier: bool,
    /// Whether groups come after the last.
    pub later: bool,
}

impl GroupPage {
    /// The page `at` names, at most `limit` groups, of `counts` (every
    /// group's count, in name order).
    ///
    /// ```
    /// use licentia_server::store::{GroupPage, GroupsAt};
    ///
    /// let counts: Vec<(String, i64)> = ["a", "b", "c"].map(|g| (g.to_owned(), 2)).into();
    /// let page = GroupPage::of(counts, GroupsAt::After("a"), 1);
    /// assert_eq!(page.groups, [("b".to_owned(), 2)]);
    /// assert_eq!((page.total, page.place), (6, Some((1, 3))));
    /// assert!(page.earlier && page.later);
    /// ```
    pub fn of(counts: Vec<(String, i64)>, at: GroupsAt<'_>, limit: usize) -> GroupPage {
        let total = counts.iter().map(|(_, n)| n).sum();
        let at_or_after = |name: &str| counts.partition_point(|(g, _)| g.as_str() < name);
        let (start, end) = match at {
            GroupsAt::First => (0, limit),
            GroupsAt::After(name) => {
                let start = counts.partition_point(|(g, _)| g.as_str() <= name);
                (start, start + limit)
            }
            GroupsAt::Before(name) => {
                let end = at_or_after(name);
                (end.saturating_sub(limit), end)
            }
            GroupsAt::Named(name) => {
                let start = at_or_after(name);
                let found = counts.get(start).is_some_and(|(g, _)| g == name);
                (start, start + usize::from(found))
            }
        };
        let end = end.min(counts.len());
        let named = matches!(at, GroupsAt::Named(_));
        GroupPage {
            total,
            groups: counts[start.min(end)..end].to_vec(),
            place: Some((start, counts.len())),
            earlier: !named && start > 0,
            later: !named && end < counts.len(),
        }
    }
}

/// How many licenses of one product and policy were first put to use a
/// number of whole days after their issue (from counters kept as they are
/// issued and activated).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UseDelay {
    /// Product id.
    pub product_id: String,
    /// Product code.
    pub product: String,
    /// Policy id.
    pub policy_id: String,
    /// Policy name.
    pub policy: String,
    /// Whole days (floored) from issue to the first activation or floating
    /// lease (deactivated ones count); none: not used yet.
    pub days: Option<i64>,
    /// How many licenses.
    pub licenses: i64,
}

/// Activations reported by one platform.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlatformCount {
    /// The platform the product reported.
    pub platform: String,
    /// Machines active now.
    pub active: i64,
    /// Every activation ever made.
    pub total: i64,
    /// Licenses with at least one activation on it.
    pub licenses: i64,
}

/// Licenses of one license model.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ModelCount {
    /// Policy kind: `standard` or `trial`.
    pub kind: String,
    /// `unbound`, `node-locked`, `floating` or `named-user`.
    pub binding: String,
    /// Licenses issued.
    pub licenses: i64,
    /// Of which active (not suspended nor revoked).
    pub active: i64,
    /// Seats they grant.
    pub seats: i64,
    /// Seats taken by activations.
    pub seats_used: i64,
}

/// What happened lately, for the dashboard.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Activity {
    /// Activations made since the moment asked about.
    pub activations: i64,
    /// Notice deliveries that failed for good (no retry left).
    pub failed_deliveries: i64,
}

/// The types the renewals report may be cut to: licences, subscriptions,
/// and contracts with their lots.
pub const RENEWAL_KINDS: [&str; 3] = ["license", "subscription", "contract"];

/// The most history entries one customer's entitlement history holds.
pub const MAX_CUSTOMER_EVENTS: i64 = 10_000;

/// Storage for reports; one method per operation, each one query.
#[async_trait::async_trait]
pub trait ReportStore: Send + Sync {
    /// A page of the licenses not revoked, subscriptions not ended,
    /// contracts and purchase lots (a lot covered by a contract ends with
    /// it) ending in `window` (`[from, until]`, Unix seconds) (of one type,
    /// [`RENEWAL_KINDS`], when `kind` names one; of one group of
    /// `grouping` when `group` names one), in the order (end, source,
    /// id), after the row `page.after` names: each source read from its
    /// index in end order, at most a page of it, and merged. Forward only
    /// (`page.before` is refused, `page.offset` ignored).
    async fn renewals_page(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
        group: Option<&str>,
        page: &Page,
    ) -> StoreResult<Rows<RenewalDue>>;
    /// How many rows of [`ReportStore::renewals_page`]'s window (of type `kind`
    /// when it names one) fall in each group of `grouping` (one group named `""` without one), in the groups'
    /// byte order: counted by the database, not read.
    async fn renewal_counts(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
    ) -> StoreResult<Vec<(String, i64)>>;
    /// A page of the groups of `grouping` of [`ReportStore::renewals_page`]'s
    /// window (of type `kind` when it names one), at most `limit` of them
    /// from where `at` says, each with its count. By customer only the
    /// page's groups are counted: their names are merged in order from the
    /// holders counted by day of end (licences and subscriptions of the
    /// whole base, windows of up to a hundred days), or walked in order on
    /// the customers' index, each kept if it holds a row of the window.
    async fn renewal_groups(
        &self,
        scope: &Scope,
        window: (i64, i64),
        kind: Option<&str>,
        grouping: Grouping,
        at: GroupsAt<'_>,
        limit: usize,
    ) -> StoreResult<GroupPage>;
    /// Activations made since `since` (Unix seconds) and notice deliveries
    /// that failed for good, within `scope`.
    async fn activity(&self, scope: &Scope, since: i64) -> StoreResult<Activity>;
    /// The nodes of the customer tree without a parent, by name.
    async fn customer_roots(&self) -> StoreResult<Vec<String>>;
    /// Every license of a customer node, oldest first.
    async fn customer_licenses(&self, customer_id: &str) -> StoreResult<Vec<LicenseRecord>>;
    /// The licenses by product, policy and days from issue to first use.
    async fn use_delays(&self, scope: &Scope) -> StoreResult<Vec<UseDelay>>;
    /// Licenses issued per UTC day (days since 1970), oldest first.
    async fn issue_days(&self, scope: &Scope) -> StoreResult<Vec<(i64, i64)>>;
    /// Activations by platform, most active first.
    async fn platforms(&self, scope: &Scope) -> StoreResult<Vec<PlatformCount>>;
    /// Licenses by policy kind and binding, most used first.
    async fn license_models(&self, scope: &Scope) -> StoreResult<Vec<ModelCount>>;
    /// The history entries of a customer node and of its licenses, oldest
    /// first, at most `limit`.
    async fn customer_events(
        &self,
        customer_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<HistoryEntry>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(n: usize) -> Vec<(String, i64)> {
        (0..n).map(|n| (format!("g{n:02}"), 1)).collect()
    }

    #[test]
    fn groups_come_a_page_at_a_time_either_way() {
        let first = GroupPage::of(groups(45), GroupsAt::First, 20);
        assert_eq!((first.place, first.groups.len()), (Some((0, 45)), 20));
        assert!(!first.earlier && first.later);
        assert_eq!(first.total, 45);
        let second = GroupPage::of(groups(45), GroupsAt::After("g19"), 20);
        assert_eq!(
            (second.place, second.groups[0].0.as_str()),
            (Some((20, 45)), "g20")
        );
        let third = GroupPage::of(groups(45), GroupsAt::After("g39"), 20);
        assert_eq!((third.groups.len(), third.later), (5, false));
        // Back from the third: the twenty before its first.
        let back = GroupPage::of(groups(45), GroupsAt::Before("g40"), 20);
        assert_eq!(back, second);
        let start = GroupPage::of(groups(45), GroupsAt::Before("g05"), 20);
        assert_eq!(
            (start.place, start.groups.len(), start.earlier),
            (Some((0, 45)), 5, false)
        );
        // A name between two groups (one gone since) starts at the next.
        assert_eq!(
            GroupPage::of(groups(45), GroupsAt::After("g10x"), 20).place,
            Some((11, 45))
        );
        assert!(GroupPage::of(groups(45), GroupsAt::After("zzz"), 20)
            .groups
            .is_empty());
    }

    #[test]
    fn a_named_group_is_alone_or_absent() {
        let named = GroupPage::of(groups(45), GroupsAt::Named("g07"), 20);
        assert_eq!(named.groups, [("g07".to_owned(), 1)]);
        assert!(!named.earlier && !named.later);
        assert!(GroupPage::of(groups(45), GroupsAt::Named("g7"), 20)
            .groups
            .is_empty());
    }
}
