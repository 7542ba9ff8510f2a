//! Purchases and re-billing (the partner portal's screen): the lots bought
//! by the top of the customer tree, filtered by customer and product; a
//! lot's page with its re-billings and the quantity not yet re-billed; the
//! forms that record a lot and re-bill part of it, refused beyond the lot
//! with the numbers on the page.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::frame::{refusal, Frame, OrRefuse, PageResult, Params, Viewer};
use super::paging::Paging;
use super::sheet::{redraw, whole, Action, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::error::ApiError;
use crate::service::purchases::{self, NewPurchase, NewRebilling, BUYERS};
use crate::store::{Page as Window, Purchase, PurchaseFilter, Scope};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/purchases", Signed, list),
        Page::get("/purchases/new", Signed, new_purchase),
        Page::post("/purchases", Signed, create_purchase),
        Page::get("/purchases/{id}", Signed, show),
        Page::post("/purchases/{id}/rebillings", Signed, rebill),
    ]
}

/// The most customers and products read for the filters' and forms'
/// selects and the names the rows are drawn with: a hard cap, they are
/// not paged (the purchases themselves are, with [`Paging`]).
const ROWS: Window = Window::first(500);

/// The list's filters, in the address.
#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    product_id: String,
}

/// Names of the customers and products within reach: id → name.
struct Names {
    customers: HashMap<String, String>,
    products: HashMap<String, String>,
    /// The customers in reach, in the store's order: (id, name, parent).
    nodes: Vec<(String, String, Option<String>)>,
    /// The contracts in reach, by end date: (id, reference).
    contracts: Vec<(String, String)>,
}

impl Names {
    async fn read(s: &AppState, scope: &Scope) -> Result<Names, ApiError> {
        let customers = s.store.list_customers(scope, None, None, ROWS).await?;
        let products = s.store.list_products(ROWS).await?;
        let contracts = s.store.list_contracts(scope, ROWS).await?;
        Ok(Names {
            contracts: contracts
                .into_iter()
                .map(|c| (c.id, format!("{} ({})", c.reference, c.ends_on)))
                .collect(),
            customers: customers
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            products: products
                .iter()
                .map(|p| (p.id.clone(), p.code.clone()))
                .collect(),
            nodes: customers
                .into_iter()
                .map(|c| (c.id, c.name, c.parent_id))
                .collect(),
        })
    }

    fn customer(&self, id: &str) -> String {
        self.customers
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    fn product(&self, id: &str) -> String {
        self.products
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// Every customer in reach, for a select.
    fn customer_options(&self, blank: Option<String>) -> Vec<(String, String)> {
        blank
            .map(|b| (String::new(), b))
            .into_iter()
            .chain(
                self.nodes
                    .iter()
                    .map(|(id, name, _)| (id.clone(), name.clone())),
            )
            .collect()
    }

    /// Every product, for a select.
    fn product_options(&self, blank: Option<String>) -> Vec<(String, String)> {
        let mut products: Vec<(String, String)> = self
            .products
            .iter()
            .map(|(id, code)| (id.clone(), code.clone()))
            .collect();
        products.sort_by(|a, b| a.1.cmp(&b.1));
        blank
            .map(|b| (String::new(), b))
            .into_iter()
            .chain(products)
            .collect()
    }

    /// The top nodes in reach (those that buy), for a select.
    fn buyer_options(&self) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .filter(|(_, _, parent)| parent.is_none())
            .map(|(id, name, _)| (id.clone(), name.clone()))
            .collect()
    }
}

fn frame(v: &Viewer) -> Frame {
    v.frame.at("purchases")
}

/// `GET /purchases`: the lots in the viewer's part of the tree.
async fn list(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<Filters>,
) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(&s, &scope).await.or_refuse(&f)?;
    let filter = PurchaseFilter {
        customer_id: Some(q.customer_id.clone()).filter(|c| !c.is_empty()),
        product_id: Some(q.product_id.clone()).filter(|c| !c.is_empty()),
    };
    let found = s
        .store
        .list_purchases(&scope, &filter, paging.rows())
        .await
        .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let mut page = Sheet::new(f.clone(), t.t("pur-title"));
    page.lead.push(t.t("pur-lead"));
    page.pager = Some(pager);
    if v.staff.allow(BUYERS).is_ok() {
        page.actions
            .push(Action::new("/purchases/new", t.t("pur-new")).primary());
    }
    page.filters = Some(Form {
        method: "get",
        ..Form::post(
            "filters",
            "/purchases",
            vec![
                Field::text(
                    "customer_id",
                    t.t("pur-customer"),
                    String::new(),
                    q.customer_id,
                )
                .select(names.customer_options(Some(t.t("pur-any")))),
                Field::text(
                    "product_id",
                    t.t("pur-product"),
                    String::new(),
                    q.product_id,
                )
                .select(names.product_options(Some(t.t("pur-any")))),
            ],
            t.t("show"),
        )
    });
    let rows = items
        .iter()
        .map(|p| {
            vec![
                Cell::link(&p.purchased_on, format!("/purchases/{}", p.id)),
                Cell::text(names.customer(&p.customer_id)),
                Cell::text(names.product(&p.product_id)),
                Cell::num(p.quantity),
                Cell::num(p.rebilled),
                Cell::num(p.not_rebilled),
                Cell::text(p.serial.clone().unwrap_or_default()),
                Cell::text(p.renews_on.clone().unwrap_or_default()),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.n("pur-count", items.len() as i64),
        vec![
            t.t("pur-purchased-on"),
            t.t("pur-customer"),
            t.t("pur-product"),
            t.t("pur-quantity"),
            t.t("pur-rebilled"),
            t.t("pur-not-rebilled"),
            t.t("pur-serial"),
            t.t("pur-renews-on"),
        ],
        rows,
        t.t("pur-none"),
    ));
    Ok(page.page())
}

/// The fields of a lot, in the form's order: (name, input).
const LOT_FIELDS: [(&str, &str); 13] = [
    ("customer_id", "select"),
    ("product_id", "select"),
    ("quantity", "number"),
    ("serial", "text"),
    ("version", "text"),
    ("purchased_on", "date"),
    ("renews_on", "date"),
    ("cost", "text"),
    ("currency", "text"),
    ("po_number", "text"),
    ("invoice_number", "text"),
    ("notes", "textarea"),
    ("contract_id", "select"),
];

/// The form recording a lot, with what was typed.
fn purchase_form(f: &Frame, names: &Names, typed: &dyn Fn(&str) -> String) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("pur-new"));
    page.lead.push(t.t("pur-new-lead"));
    let fields = LOT_FIELDS
        .iter()
        .map(|(name, input)| {
            let id = format!("pur-{}", name.replace('_', "-"));
            let field = Field::text(name, t.t(&id), t.t(&format!("{id}-rule")), typed(name));
            let field = match *name {
                "customer_id" => field.select(names.buyer_options()),
                "product_id" => field.select(names.product_options(None)),
                "contract_id" => field.select(
                    std::iter::once((String::new(), t.t("pur-no-contract")))
                        .chain(names.contracts.iter().cloned())
                        .collect(),
                ),
                _ => field.kind(input),
            };
            if ["customer_id", "product_id", "quantity", "purchased_on"].contains(name) {
                field.required()
            } else {
                field
            }
        })
        .collect();
    let mut form = Form::post("purchase", "/purchases", fields, t.t("pur-record"));
    form.cancel = Some(Action::new("/purchases", t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// `GET /purchases/new` (admin, finance).
async fn new_purchase(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = frame(&v);
    v.staff.allow(BUYERS).or_refuse(&f)?;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(&s, &scope).await.or_refuse(&f)?;
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let typed = |name: &str| {
        if name == "purchased_on" {
            today.clone()
        } else {
            String::new()
        }
    };
    Ok(purchase_form(&f, &names, &typed).page())
}

/// A quantity typed (refused, with its rule, when not a whole number).
fn quantity(text: &str) -> Result<i64, ApiError> {
    let n = whole("quantity", text, 1_000_000_000)?
        .ok_or_else(|| ApiError::invalid(purchases::QUANTITY_RULE))?;
    Ok(n as i64)
}

/// `POST /purchases`: the lot's page, or the form again with the rule that
/// refused it and what was typed.
async fn create_purchase(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let made = async {
        let new = NewPurchase {
            customer_id: form.get("customer_id"),
            product_id: form.get("product_id"),
            quantity: quantity(&form.get("quantity"))?,
            serial: form.opt("serial"),
            version: form.opt("version"),
            purchased_on: form.get("purchased_on"),
            renews_on: form.opt("renews_on"),
            cost: form.opt("cost"),
            currency: form.opt("currency"),
            po_number: form.opt("po_number"),
            invoice_number: form.opt("invoice_number"),
            notes: form.opt("notes"),
            contract_id: form.opt("contract_id"),
        };
        let purchase = purchases::new_purchase(&s, &v.staff, &new).await?;
        let made = s
            .store
            .create_purchase(purchase, &v.staff.actor(), None)
            .await?
            .unkeyed()?;
        Ok::<_, ApiError>(made)
    };
    match made.await {
        Ok(p) => Ok(Redirect::to(&format!("/purchases/{}", p.id)).into_response()),
        Err(e) => {
            let scope = v.staff.scope(READERS).or_refuse(&f)?;
            let names = Names::read(&s, &scope).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || purchase_form(&f, &names, &typed)))
        }
    }
}

/// A lot's page: its terms, its re-billings, and (for admin and finance)
/// the re-billing form with what was typed.
async fn lot_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    typed: &(dyn Fn(&str) -> String + Sync),
) -> Result<(Sheet, Purchase), axum::response::Response> {
    let f = frame(v);
    let t = f.t;
    let p = s.store.purchase(id).await.or_refuse(&f)?;
    let rebillings = s.store.rebillings(id).await.or_refuse(&f)?;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(s, &scope).await.or_refuse(&f)?;
    let mut page = Sheet::new(
        f.clone(),
        t.t1("pur-lot-title", "product", names.product(&p.product_id)),
    );
    page.actions = vec![Action::new(
        format!("/purchases?customer_id={}", p.customer_id),
        t.t("pur-back"),
    )];
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    page.terms = vec![
        (t.t("pur-customer-id"), names.customer(&p.customer_id)),
        (t.t("pur-product-id"), names.product(&p.product_id)),
        (t.t("pur-quantity"), p.quantity.to_string()),
        (t.t("pur-rebilled"), p.rebilled.to_string()),
        (t.t("pur-not-rebilled"), p.not_rebilled.to_string()),
        (t.t("pur-serial"), or_dash(&p.serial)),
        (t.t("pur-version"), or_dash(&p.version)),
        (t.t("pur-purchased-on"), p.purchased_on.clone()),
        (t.t("pur-renews-on"), or_dash(&p.renews_on)),
        (
            t.t("pur-cost"),
            match (&p.cost, &p.currency) {
                (Some(cost), Some(cur)) => format!("{cost} {cur}"),
                _ => "—".to_owned(),
            },
        ),
        (t.t("pur-po-number"), or_dash(&p.po_number)),
        (t.t("pur-invoice-number"), or_dash(&p.invoice_number)),
        (t.t("pur-notes"), or_dash(&p.notes)),
        (
            t.t("pur-contract-id"),
            p.contract_id
                .as_ref()
                .and_then(|id| names.contracts.iter().find(|(c, _)| c == id))
                .map_or_else(|| "—".to_owned(), |(_, reference)| reference.clone()),
        ),
        (t.t("cat-id"), p.id.clone()),
    ];
    let rows = rebillings
        .iter()
        .map(|r| {
            vec![
                Cell::text(t.date(r.created_at)),
                Cell::text(names.customer(&r.customer_id)),
                Cell::num(r.quantity),
                Cell::text(r.invoice_number.clone().unwrap_or_default()),
                Cell::text(r.notes.clone().unwrap_or_default()),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("pur-rebillings"),
        vec![
            t.t("pur-when"),
            t.t("pur-customer"),
            t.t("pur-quantity"),
            t.t("pur-invoice-number"),
            t.t("pur-notes"),
        ],
        rows,
        t.t("pur-no-rebillings"),
    ));
    if v.staff.allow(BUYERS).is_ok() {
        let customers: Vec<(String, String)> = names
            .nodes
            .iter()
            .filter(|(c, _, _)| *c != p.customer_id)
            .map(|(c, name, _)| (c.clone(), name.clone()))
            .collect();
        let field = |name: &'static str, id: &str| {
            Field::text(name, t.t(id), t.t(&format!("{id}-rule")), typed(name))
        };
        let mut form = Form::post(
            "rebill",
            format!("/purchases/{}/rebillings", p.id),
            vec![
                field("customer_id", "pur-rebill-customer")
                    .required()
                    .select(customers),
                field("quantity", "pur-rebill-quantity")
                    .required()
                    .kind("number"),
                field("invoice_number", "pur-invoice-number"),
                field("notes", "pur-notes").kind("textarea"),
            ],
            t.t("pur-rebill"),
        );
        form.heading = Some(t.t("pur-rebill"));
        form.lead = vec![t.n("pur-rebill-lead", p.not_rebilled)];
        page.forms.push(form);
    }
    Ok((page, p))
}

/// `GET /purchases/{id}`.
async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let (page, _) = lot_page(&s, &v, &id, &|_| String::new()).await?;
    Ok(page.page())
}

/// `POST /purchases/{id}/rebillings`: back to the lot, or its page again
/// with the refusal (beyond the lot: its numbers) and what was typed.
async fn rebill(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = frame(&v);
    let made = async {
        let new = NewRebilling {
            customer_id: form.get("customer_id"),
            quantity: quantity(&form.get("quantity"))?,
            invoice_number: form.opt("invoice_number"),
            notes: form.opt("notes"),
        };
        let rebilling = purchases::new_rebilling(&s, &v.staff, &id, &new).await?;
        s.store
            .rebill(rebilling, &v.staff.actor(), None)
            .await
            .map_err(ApiError::from)
    };
    match made.await {
        Ok(_) => Ok(Redirect::to(&format!("/purchases/{id}")).into_response()),
        Err(e) => {
            let typed = |name: &str| form.get(name);
            let (page, _) = lot_page(&s, &v, &id, &typed).await?;
            if page.forms.is_empty() {
                return Err(refusal(&f, e));
            }
            Ok(redraw(&f, e, || page))
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_field_of_a_lot_is_said_with_its_rule() {
        let ids = super::LOT_FIELDS.iter().flat_map(|(name, _)| {
            let id = format!("pur-{}", name.replace('_', "-"));
            [format!("{id}-rule"), id]
        });
        let rebill = ["pur-rebill-customer", "pur-rebill-quantity"]
            .into_iter()
            .flat_map(|id| [id.to_owned(), format!("{id}-rule")]);
        crate::console::sheet::assert_said(ids.chain(rebill));
    }
}
