//! The licence search: by key, licensee, customer, product and status,
//! paged ([`Paging`]); htmx follows the typing, the same form works
//! without it.

use super::*;
use crate::console::paging::{Pager, Paging};

/// The search's fields, all in the address.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Search {
    key: String,
    licensee: String,
    customer: String,
    product: String,
    status: String,
}

/// One licence in the results.
struct Row {
    href: String,
    licensee: String,
    key: String,
    product: String,
    customer: String,
    status: String,
    seats: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "console/licenses.html")]
struct List {
    f: Frame,
    q: Search,
    customers: Vec<Choice>,
    products: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    /// "3 licences", when they fit on one page.
    count: Option<String>,
    pager: Pager,
    may_issue: bool,
}

/// Names by id: the products, and the customer nodes the caller reaches.
struct Names {
    products: HashMap<String, String>,
    customers: HashMap<String, String>,
    customer_list: Vec<(String, String)>,
    product_list: Vec<(String, String)>,
}

/// The search's selects and the names its rows are drawn with: a hard cap
/// of 500 products and 500 nodes, not paged.
async fn names(s: &AppState, v: &Viewer) -> Result<Names, ApiError> {
    let all = Window::first(500);
    let products = s.store.list_products(all.clone()).await?;
    let scope = v.staff.scope(READERS)?;
    let customers = s.store.list_customers(&scope, None, None, all).await?;
    Ok(Names {
        products: products
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        customers: customers
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect(),
        customer_list: customers.into_iter().map(|c| (c.id, c.name)).collect(),
        product_list: products.into_iter().map(|p| (p.id, p.name)).collect(),
    })
}

/// Options of a select, an "any" first, `current` selected.
pub(super) fn select(any: String, options: &[(String, String)], current: &str) -> Vec<Choice> {
    std::iter::once((String::new(), any))
        .chain(options.iter().cloned())
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// `GET /licenses`: the search, a page of its results.
pub(super) async fn list(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<Search>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let t = f.t;
    let names = names(&s, &v).await.or_refuse(&f)?;
    let blank = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let filter = LicenseFilter {
        product_id: blank(&q.product),
        customer_id: blank(&q.customer),
        status: blank(&q.status),
        licensee: blank(&q.licensee),
        key: key_search(&q.key),
        ..LicenseFilter::default()
    };
    let found = licenses::search(&s, &v.staff, &filter, paging.rows())
        .await
        .or_refuse(&f)?;
    let (found, pager) = paging.cut(&t, found);
    let count = (!pager.paged()).then(|| t.n("licenses-found", found.len() as i64));
    let rows = found
        .into_iter()
        .map(|l| Row {
            href: format!("/licenses/{}", l.id),
            key: format!("…-{}", l.key_hint),
            product: names
                .products
                .get(&l.product_id)
                .cloned()
                .unwrap_or_default(),
            customer: l
                .customer_id
                .as_ref()
                .and_then(|c| names.customers.get(c).cloned())
                .unwrap_or_default(),
            status: t.t(&format!("status-{}", l.status)),
            seats: format!("{} / {}", l.seats_used, l.seats),
            expires: l.expires_at.map_or_else(|| t.t("never"), |e| t.date(e)),
            licensee: l.licensee,
        })
        .collect();
    let statuses = ["active", "suspended", "revoked"]
        .map(|st| (st.to_owned(), t.t(&format!("status-{st}"))))
        .to_vec();
    let page = List {
        customers: select(t.t("any"), &names.customer_list, &q.customer),
        products: select(t.t("any"), &names.product_list, &q.product),
        statuses: select(t.t("any"), &statuses, &q.status),
        rows,
        count,
        pager,
        may_issue: v.staff.scope(WRITERS).is_ok(),
        q,
        f,
    };
    Ok(render(&page))
}
