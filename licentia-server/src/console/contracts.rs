//! Contracts (Octopus, HARMONY): the suppliers and contract types, the
//! renewal contracts by end date, one contract with its last day to cancel
//! and the lots it covers (edited there), and the billing follow-up items
//! re-billings open, closed when invoiced.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::frame::{Frame, OrRefuse, PageResult, Params, Viewer};
use super::paging::Paging;
use super::sheet::{redraw, Action, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::error::ApiError;
use crate::service::contracts::{self, NamedBody, NewContract};
use crate::service::purchases::BUYERS;
use crate::store::{Page as Rows, Register, RenewalContract, Scope};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/suppliers", Signed, registers),
        Page::post("/suppliers", Signed, create_supplier),
        Page::post("/contract-types", Signed, create_contract_type),
        Page::get("/contracts", Signed, list),
        Page::get("/contracts/new", Signed, new_contract),
        Page::post("/contracts", Signed, create_contract),
        Page::get("/contracts/{id}", Signed, show),
        Page::post("/contracts/{id}", Signed, update),
        Page::get("/follow-ups", Signed, follow_ups),
        Page::get("/follow-ups/{id}/close", Signed, confirm_close),
        Page::post("/follow-ups/{id}/close", Signed, close),
    ]
}

/// The most records read for the selects and the names rows are drawn
/// with: a hard cap, they are not paged.
const ROWS: Rows = Rows::first(500);

fn frame(v: &Viewer) -> Frame {
    v.frame.at("contracts")
}

/// Names of the suppliers, contract types and customers within reach.
struct Names {
    suppliers: Vec<(String, String)>,
    types: Vec<(String, String)>,
    /// Customers in reach: (id, name, whether it has no parent).
    customers: Vec<(String, String, bool)>,
    all: HashMap<String, String>,
}

impl Names {
    async fn read(s: &AppState, scope: &Scope) -> Result<Names, ApiError> {
        let pairs = |records: Vec<crate::store::Named>| {
            records
                .into_iter()
                .map(|n| (n.id, n.name))
                .collect::<Vec<_>>()
        };
        let suppliers = pairs(s.store.list_named(Register::Supplier, ROWS).await?.items);
        let types = pairs(
            s.store
                .list_named(Register::ContractType, ROWS)
                .await?
                .items,
        );
        let customers: Vec<(String, String, bool)> = s
            .store
            .list_customers(scope, None, None, ROWS)
            .await?
            .items
            .into_iter()
            .map(|c| (c.id, c.name, c.parent_id.is_none()))
            .collect();
        let all = suppliers
            .iter()
            .chain(&types)
            .cloned()
            .chain(
                customers
                    .iter()
                    .map(|(id, name, _)| (id.clone(), name.clone())),
            )
            .collect();
        Ok(Names {
            suppliers,
            types,
            customers,
            all,
        })
    }

    /// The name of the record `id` (its id when out of reach).
    fn of(&self, id: &str) -> String {
        self.all.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

/// `GET /suppliers`: the suppliers and contract types, with the forms
/// adding one (admin, finance).
async fn registers(State(s): State<AppState>, v: Viewer) -> PageResult {
    registers_page(&s, &v, None).await
}

/// The registers' page; `refused` is a refusal of one of its forms: (form
/// id, error, what was typed).
async fn registers_page(
    s: &AppState,
    v: &Viewer,
    refused: Option<(&'static str, ApiError, String)>,
) -> PageResult {
    let f = frame(v);
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("ctr-registers-title"));
    page.lead.push(t.t("ctr-registers-lead"));
    page.actions
        .push(Action::new("/contracts", t.t("ctr-back")));
    for (register, heading, action) in [
        (Register::Supplier, "ctr-suppliers", "/suppliers"),
        (Register::ContractType, "ctr-types", "/contract-types"),
    ] {
        let records = s
            .store
            .list_named(register, ROWS)
            .await
            .or_refuse(&f)?
            .items;
        let rows = records
            .iter()
            .map(|n| vec![Cell::text(&n.name), Cell::text(t.date(n.created_at))])
            .collect();
        page.tables.push(Table::new(
            t.t(heading),
            vec![t.t("ctr-name"), t.t("ctr-recorded")],
            rows,
            t.t("ctr-none"),
        ));
        if v.staff.allow(BUYERS).is_ok() {
            let id = match register {
                Register::Supplier => "supplier",
                Register::ContractType => "contract-type",
            };
            let typed = match &refused {
                Some((form, _, typed)) if *form == id => typed.clone(),
                _ => String::new(),
            };
            let mut form = Form::post(
                id,
                action,
                vec![Field::text("name", t.t("ctr-name"), t.t("ctr-name-rule"), typed).required()],
                t.t(&format!("ctr-add-{id}")),
            );
            form.heading = Some(t.t(&format!("ctr-add-{id}")));
            if let Some((form_id, e, _)) = &refused {
                if *form_id == id {
                    form = form.refused(&t, e);
                }
            }
            page.forms.push(form);
        }
    }
    Ok(page.page())
}

/// Records a supplier or contract type from the form, then back to the
/// registers (or them again, with the rule that refused it).
async fn create_named(s: &AppState, v: &Viewer, register: Register, form: &Posted) -> PageResult {
    let body = NamedBody {
        name: form.get("name"),
    };
    let made = async {
        let record = contracts::new_named(&v.staff, register, &body)?;
        s.store
            .create_named(register, record, &v.staff.actor())
            .await
            .map_err(ApiError::from)
    };
    match made.await {
        Ok(_) => Ok(Redirect::to("/suppliers").into_response()),
        Err(e) => {
            let id = match register {
                Register::Supplier => "supplier",
                Register::ContractType => "contract-type",
            };
            registers_page(s, v, Some((id, e, body.name))).await
        }
    }
}

/// `POST /suppliers` (admin, finance).
async fn create_supplier(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    create_named(&s, &v, Register::Supplier, &form).await
}

/// `POST /contract-types` (admin, finance).
async fn create_contract_type(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    create_named(&s, &v, Register::ContractType, &form).await
}

/// `GET /contracts`: the contracts in the viewer's part of the tree, by
/// end date.
async fn list(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(&s, &scope).await.or_refuse(&f)?;
    let found = s
        .store
        .list_contracts(&scope, paging.rows())
        .await
        .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let mut page = Sheet::new(f.clone(), t.t("ctr-title"));
    page.lead.push(t.t("ctr-lead"));
    page.pager = Some(pager);
    if v.staff.allow(BUYERS).is_ok() {
        page.actions
            .push(Action::new("/contracts/new", t.t("ctr-new")).primary());
    }
    page.actions
        .push(Action::new("/suppliers", t.t("ctr-registers-title")));
    page.actions
        .push(Action::new("/follow-ups", t.t("fup-title")));
    let rows = items
        .iter()
        .map(|c| {
            vec![
                Cell::link(&c.reference, format!("/contracts/{}", c.id)),
                Cell::text(names.of(&c.supplier_id)),
                Cell::text(names.of(&c.contract_type_id)),
                Cell::text(names.of(&c.customer_id)),
                Cell::text(&c.starts_on),
                Cell::text(&c.ends_on),
                Cell::text(c.last_day_to_cancel.clone().unwrap_or_default()),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.n("ctr-count", items.len() as i64),
        vec![
            t.t("ctr-reference"),
            t.t("ctr-supplier-id"),
            t.t("ctr-contract-type-id"),
            t.t("ctr-customer-id"),
            t.t("ctr-starts-on"),
            t.t("ctr-ends-on"),
            t.t("ctr-last-day-to-cancel"),
        ],
        rows,
        t.t("ctr-none"),
    ));
    Ok(page.page())
}

/// The fields of a contract, in the form's order: (name, input).
const CONTRACT_FIELDS: [(&str, &str); 11] = [
    ("customer_id", "select"),
    ("supplier_id", "select"),
    ("contract_type_id", "select"),
    ("reference", "text"),
    ("starts_on", "date"),
    ("ends_on", "date"),
    ("notice_period", "text"),
    ("cost", "text"),
    ("currency", "text"),
    ("po_number", "text"),
    ("invoice_number", "text"),
];

/// The contract form posting to `action`, with what was typed.
fn contract_form(
    f: &Frame,
    names: &Names,
    action: String,
    submit: &str,
    typed: &dyn Fn(&str) -> String,
) -> Form {
    let t = f.t;
    let fields = CONTRACT_FIELDS
        .iter()
        .map(|(name, input)| {
            let id = format!("ctr-{}", name.replace('_', "-"));
            let field = Field::text(name, t.t(&id), t.t(&format!("{id}-rule")), typed(name));
            let field = match *name {
                "customer_id" => field.select(
                    names
                        .customers
                        .iter()
                        .filter(|(_, _, top)| *top)
                        .map(|(id, name, _)| (id.clone(), name.clone()))
                        .collect(),
                ),
                "supplier_id" => field.select(names.suppliers.clone()),
                "contract_type_id" => field.select(names.types.clone()),
                _ => field.kind(input),
            };
            if [
                "cost",
                "currency",
                "po_number",
                "invoice_number",
                "notice_period",
            ]
            .contains(name)
            {
                field
            } else {
                field.required()
            }
        })
        .collect();
    let mut form = Form::post("contract", action, fields, t.t(submit));
    form.cancel = Some(Action::new("/contracts", t.t("sheet-cancel")));
    form
}

/// The new contract's page, with what was typed.
fn new_page(f: &Frame, names: &Names, typed: &dyn Fn(&str) -> String) -> Sheet {
    let mut page = Sheet::new(f.clone(), f.t.t("ctr-new"));
    page.lead.push(f.t.t("ctr-new-lead"));
    page.forms.push(contract_form(
        f,
        names,
        "/contracts".into(),
        "ctr-record",
        typed,
    ));
    page
}

/// `GET /contracts/new` (admin, finance).
async fn new_contract(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = frame(&v);
    v.staff.allow(BUYERS).or_refuse(&f)?;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(&s, &scope).await.or_refuse(&f)?;
    let typed = |name: &str| match name {
        "notice_period" => "3 months before term end".to_owned(),
        _ => String::new(),
    };
    Ok(new_page(&f, &names, &typed).page())
}

/// The contract the form describes.
fn posted(form: &Posted) -> NewContract {
    NewContract {
        customer_id: form.get("customer_id"),
        supplier_id: form.get("supplier_id"),
        contract_type_id: form.get("contract_type_id"),
        reference: form.get("reference"),
        starts_on: form.get("starts_on"),
        ends_on: form.get("ends_on"),
        cost: form.opt("cost"),
        currency: form.opt("currency"),
        po_number: form.opt("po_number"),
        invoice_number: form.opt("invoice_number"),
        notice_period: form.opt("notice_period"),
    }
}

/// `POST /contracts`: the contract's page, or the form again with the rule
/// that refused it and what was typed.
async fn create_contract(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let made = async {
        let contract = contracts::new_contract(&s, &v.staff, &posted(&form)).await?;
        let made = s
            .store
            .create_contract(contract, &v.staff.actor(), None)
            .await?
            .unkeyed()?;
        Ok::<_, ApiError>(made)
    };
    match made.await {
        Ok(c) => Ok(Redirect::to(&format!("/contracts/{}", c.id)).into_response()),
        Err(e) => {
            let scope = v.staff.scope(READERS).or_refuse(&f)?;
            let names = Names::read(&s, &scope).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || new_page(&f, &names, &typed)))
        }
    }
}

/// What the form shows of a stored contract.
fn stored(c: &RenewalContract, name: &str) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match name {
        "customer_id" => c.customer_id.clone(),
        "supplier_id" => c.supplier_id.clone(),
        "contract_type_id" => c.contract_type_id.clone(),
        "reference" => c.reference.clone(),
        "starts_on" => c.starts_on.clone(),
        "ends_on" => c.ends_on.clone(),
        "notice_period" => text(&c.notice_period),
        "cost" => text(&c.cost),
        "currency" => text(&c.currency),
        "po_number" => text(&c.po_number),
        "invoice_number" => text(&c.invoice_number),
        _ => String::new(),
    }
}

/// A contract's page: its terms, its last day to cancel, its lots, and (for
/// admin and finance) the form changing its terms, with what was typed
/// (none: as stored).
async fn contract_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    typed: Option<&(dyn Fn(&str) -> String + Sync)>,
) -> Result<Sheet, axum::response::Response> {
    let f = frame(v);
    let t = f.t;
    let c = s.store.contract(id).await.or_refuse(&f)?;
    let lots = s.store.contract_lots(id).await.or_refuse(&f)?;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let names = Names::read(s, &scope).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t1("ctr-one-title", "reference", &c.reference));
    page.actions = vec![Action::new("/contracts", t.t("ctr-back"))];
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    page.terms = vec![
        (t.t("ctr-customer-id"), names.of(&c.customer_id)),
        (t.t("ctr-supplier-id"), names.of(&c.supplier_id)),
        (t.t("ctr-contract-type-id"), names.of(&c.contract_type_id)),
        (t.t("ctr-starts-on"), c.starts_on.clone()),
        (t.t("ctr-ends-on"), c.ends_on.clone()),
        (t.t("ctr-notice-period"), or_dash(&c.notice_period)),
        (
            t.t("ctr-last-day-to-cancel"),
            or_dash(&c.last_day_to_cancel),
        ),
        (
            t.t("ctr-cost"),
            match (&c.cost, &c.currency) {
                (Some(cost), Some(cur)) => format!("{cost} {cur}"),
                _ => "—".to_owned(),
            },
        ),
        (t.t("ctr-po-number"), or_dash(&c.po_number)),
        (t.t("ctr-invoice-number"), or_dash(&c.invoice_number)),
        (t.t("cat-id"), c.id.clone()),
    ];
    let rows = lots
        .iter()
        .map(|p| {
            vec![
                Cell::link(&p.purchased_on, format!("/purchases/{}", p.id)),
                Cell::text(p.serial.clone().unwrap_or_default()),
                Cell::num(p.quantity),
                Cell::num(p.rebilled),
                Cell::text(p.renews_on.clone().unwrap_or_default()),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("ctr-lots"),
        vec![
            t.t("pur-purchased-on"),
            t.t("pur-serial"),
            t.t("pur-quantity"),
            t.t("pur-rebilled"),
            t.t("pur-renews-on"),
        ],
        rows,
        t.t("ctr-no-lots"),
    ));
    if v.staff.allow(BUYERS).is_ok() {
        let as_stored = |name: &str| stored(&c, name);
        let typed: &(dyn Fn(&str) -> String + Sync) = typed.unwrap_or(&as_stored);
        let mut form = contract_form(&f, &names, format!("/contracts/{id}"), "ctr-save", typed);
        form.heading = Some(t.t("ctr-edit"));
        page.forms.push(form);
    }
    Ok(page)
}

/// `GET /contracts/{id}`.
async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    Ok(contract_page(&s, &v, &id, None).await?.page())
}

/// `POST /contracts/{id}` (admin, finance): its page with the new terms,
/// or with the rule that refused them and what was typed.
async fn update(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = frame(&v);
    match contracts::update_contract(&s, &v.staff, &id, &posted(&form)).await {
        Ok(_) => Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
        Err(e) => {
            let typed = |name: &str| form.get(name);
            let page = contract_page(&s, &v, &id, Some(&typed)).await?;
            Ok(redraw(&f, e, || page))
        }
    }
}

/// The follow-up list's filter, in the address.
#[derive(Deserialize, Default)]
struct Status {
    #[serde(default)]
    status: String,
}

/// `GET /follow-ups`: the billing follow-up items in the viewer's part of
/// the tree (open ones unless asked otherwise), newest first.
async fn follow_ups(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<Status>,
) -> PageResult {
    let f = v.frame.at("contracts");
    let t = f.t;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let customers: HashMap<String, String> = s
        .store
        .list_customers(&scope, None, None, ROWS)
        .await
        .or_refuse(&f)?
        .items
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let status = if q.status == "done" { "done" } else { "open" };
    let found = s
        .store
        .list_follow_ups(&scope, Some(status), paging.rows())
        .await
        .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let mut page = Sheet::new(f.clone(), t.t("fup-title"));
    page.lead.push(t.t("fup-lead"));
    page.pager = Some(pager);
    page.filters = Some(Form {
        method: "get",
        ..Form::post(
            "filters",
            "/follow-ups",
            vec![
                Field::text("status", t.t("fup-status"), String::new(), status.into()).select(
                    vec![
                        ("open".into(), t.t("fup-open")),
                        ("done".into(), t.t("fup-done")),
                    ],
                ),
            ],
            t.t("show"),
        )
    });
    let name = |id: &str| customers.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let closes = v.staff.allow(BUYERS).is_ok();
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::text(t.date(i.created_at)),
                Cell::text(name(&i.client_id)),
                Cell::link(t.t("fup-lot"), format!("/purchases/{}", i.purchase_id)),
                Cell::text(name(&i.customer_id)),
                if closes && i.status == "open" {
                    Cell::link(t.t("fup-close"), format!("/follow-ups/{}/close", i.id))
                } else {
                    Cell::text(t.t(&format!("fup-{}", i.status)))
                },
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.n("fup-count", items.len() as i64),
        vec![
            t.t("fup-opened"),
            t.t("fup-client"),
            t.t("fup-lot"),
            t.t("fup-buyer"),
            t.t("fup-status"),
        ],
        rows,
        t.t("fup-none"),
    ));
    Ok(page.page())
}

/// `GET /follow-ups/{id}/close`: asks before closing (admin, finance).
async fn confirm_close(v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    v.staff.allow(BUYERS).or_refuse(&f)?;
    let form = Form::confirm(
        &f,
        format!("/follow-ups/{id}/close"),
        Vec::new(),
        f.t.t("fup-close"),
        "/follow-ups",
    );
    let (title, what) = (f.t.t("fup-close-title"), f.t.t("fup-close-consequence"));
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /follow-ups/{id}/close` (admin, finance).
async fn close(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    contracts::close_follow_up(&s, &v.staff, &id)
        .await
        .or_refuse(&f)?;
    Ok(Redirect::to("/follow-ups").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_field_of_a_contract_is_said_with_its_rule() {
        let ids = super::CONTRACT_FIELDS.iter().flat_map(|(name, _)| {
            let id = format!("ctr-{}", name.replace('_', "-"));
            [format!("{id}-rule"), id]
        });
        crate::console::sheet::assert_said(ids);
    }
}
