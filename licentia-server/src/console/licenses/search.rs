//! The licence search: by key, licensee, customer, product and status,
//! paged; htmx follows the typing, the same form works without it.

use super::*;

/// The search's fields, all in the address.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Search {
    key: String,
    licensee: String,
    customer: String,
    product: String,
    status: String,
    offset: String,
}

impl Search {
    fn offset(&self) -> i64 {
        self.offset.trim().parse::<i64>().unwrap_or(0).max(0)
    }

    /// The same search at `offset`.
    fn at(&self, offset: i64) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("key", &self.key)
            .append_pair("licensee", &self.licensee)
            .append_pair("customer", &self.customer)
            .append_pair("product", &self.product)
            .append_pair("status", &self.status)
            .append_pair("offset", &offset.to_string())
            .finish();
        format!("/licenses?{query}")
    }
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
    count: String,
    previous: Option<String>,
    next: Option<String>,
    may_issue: bool,
}

/// Names by id: the products, and the customer nodes the caller reaches.
struct Names {
    products: HashMap<String, String>,
    customers: HashMap<String, String>,
    customer_list: Vec<(String, String)>,
    product_list: Vec<(String, String)>,
}

async fn names(s: &AppState, v: &Viewer) -> Result<Names, ApiError> {
    let all = Rows {
        limit: 500,
        offset: 0,
    };
    let products = s.store.list_products(all).await?;
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
    let offset = q.offset();
    let page = Rows {
        limit: PER_PAGE + 1,
        offset,
    };
    let mut found = licenses::search(&s, &v.staff, &filter, page)
        .await
        .or_refuse(&f)?;
    let more = found.len() as i64 > PER_PAGE;
    found.truncate(PER_PAGE as usize);
    let count = found.len() as i64;
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
        count: t.n("licenses-found", count + offset),
        previous: (offset > 0).then(|| q.at((offset - PER_PAGE).max(0))),
        next: more.then(|| q.at(offset + PER_PAGE)),
        may_issue: v.staff.scope(WRITERS).is_ok(),
        q,
        f,
    };
    Ok(render(&page))
}
