//! The catalogue: products, policies (licence templates) and plans (a
//! policy with add-on options) — their lists, their pages, the forms that
//! make and change them, and their retirement (through the confirm page).
//! A change passes the rules of a creation; licences already issued keep
//! the terms they were signed with. Nothing is deleted: a retired record
//! is marked so, and offered for nothing new.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde_json::Value;

use super::frame::{Frame, OrRefuse, PageResult, Params, Viewer};
use super::paging::Paging;
use super::sheet::{redraw, whole_u32, Action, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::WRITERS;
use crate::billing::{percent_bp, plain_amount, BillingError, Currency, Price};
use crate::error::ApiError;
use crate::service::catalogue::{self, Changes, NewPlan, NewPolicy, NewProduct};
use crate::service::releases::NewRelease;
use crate::store::{Catalogued, MeterPrice, Page as Window, Plan, PlanOption, Policy, Product};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/products", Signed, products),
        Page::get("/products/new", Signed, new_product),
        Page::post("/products", Signed, create_product),
        Page::get("/products/{id}", Signed, product),
        Page::get("/products/{id}/edit", Signed, edit_product_form),
        Page::post("/products/{id}/edit", Signed, edit_product),
        Page::get("/products/{id}/retire", Signed, confirm_retire_product),
        Page::post("/products/{id}/retire", Signed, retire_product),
        Page::get("/policies", Signed, policies),
        Page::get("/policies/new", Signed, new_policy),
        Page::post("/policies", Signed, create_policy),
        Page::get("/policies/{id}", Signed, policy),
        Page::get("/policies/{id}/edit", Signed, edit_policy_form),
        Page::post("/policies/{id}/edit", Signed, edit_policy),
        Page::get("/policies/{id}/retire", Signed, confirm_retire_policy),
        Page::post("/policies/{id}/retire", Signed, retire_policy),
        Page::get("/plans", Signed, plans),
        Page::get("/plans/new", Signed, new_plan),
        Page::post("/plans", Signed, create_plan),
        Page::get("/plans/{id}", Signed, plan),
        Page::get("/plans/{id}/edit", Signed, edit_plan_form),
        Page::post("/plans/{id}/edit", Signed, edit_plan),
        Page::get("/plans/{id}/retire", Signed, confirm_retire_plan),
        Page::post("/plans/{id}/retire", Signed, retire_plan),
    ]
}

/// Where a catalogue form goes: a new record, or a change of one.
struct Target {
    /// The page's heading.
    title: String,
    /// Where the form posts.
    action: String,
    /// The button's words.
    button: String,
    /// Where "cancel" goes.
    back: String,
}

impl Target {
    /// The form making a record of `kind` ("product", "policy", "plan").
    fn new(f: &Frame, kind: &str, list: &str) -> Target {
        Target {
            title: f.t.t(&format!("cat-new-{kind}")),
            action: list.to_owned(),
            button: f.t.t("cat-create"),
            back: list.to_owned(),
        }
    }

    /// The form changing the record at `page`, called `name`.
    fn edit(f: &Frame, page: &str, name: &str) -> Target {
        Target {
            title: f.t.t1("cat-edit-title", "name", name),
            action: format!("{page}/edit"),
            button: f.t.t("cat-save"),
            back: page.to_owned(),
        }
    }
}

/// A record's name as lists show it: with the retired mark when retired.
fn marked(f: &Frame, name: &str, retired_at: Option<i64>) -> String {
    match retired_at {
        Some(_) => format!("{name} ({})", f.t.t("cat-retired")),
        None => name.to_owned(),
    }
}

/// What a record's page says of it: retired (when), or what a change does.
fn standing(f: &Frame, retired_at: Option<i64>, live: &str) -> String {
    match retired_at {
        Some(at) => f.t.t1("cat-retired-notice", "date", f.t.date(at)),
        None => f.t.t(live),
    }
}

/// The edit and retire buttons of a record's page at `page`, for those
/// who may change the catalogue, while it is not retired.
fn change_actions(v: &Viewer, f: &Frame, page: &str, retired_at: Option<i64>) -> Vec<Action> {
    if !writes(v) || retired_at.is_some() {
        return Vec::new();
    }
    vec![
        Action::new(format!("{page}/edit"), f.t.t("cat-edit")),
        Action::new(format!("{page}/retire"), f.t.t("cat-retire")),
    ]
}

/// The confirm page of the retirement of the record at `page`.
fn retire_confirm(f: Frame, page: &str, name: &str) -> PageResult {
    let t = f.t;
    let form = Form::confirm(
        &f,
        format!("{page}/retire"),
        Vec::new(),
        t.t("cat-retire"),
        page,
    );
    let title = t.t1("cat-retire-title", "name", name);
    let what = t.t1("cat-retire-what", "name", name);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// Retires the record `id` of `kind` (its page at `page`), then shows it.
async fn retire_record(
    s: &AppState,
    v: &Viewer,
    kind: Catalogued,
    page: &str,
    id: &str,
) -> PageResult {
    let f = frame(v);
    catalogue::retire(s, &v.staff, kind, id)
        .await
        .or_refuse(&f)?;
    Ok(Redirect::to(page).into_response())
}

/// A change of a record from its form's fields (`NewX` as the form asks
/// it), as the API takes it.
fn changes_of<T: serde::Serialize>(new: &T) -> Result<Changes<T>, ApiError> {
    match serde_json::to_value(new).map_err(ApiError::internal)? {
        Value::Object(fields) => Ok(Changes::new(fields)),
        _ => Err(ApiError::internal("a form is a JSON object")),
    }
}

/// A record's field as its form shows it (a list: one item per line).
fn typed_of(record: &Value, name: &str) -> String {
    match &record[name] {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// The most rows read for a select's options, a record's own lists (the
/// policies and plans of one product) and the names a list's rows are
/// drawn with: a hard cap, these are not paged. The lists themselves are
/// paged ([`Paging`]).
const ALL: Window = Window::first(500);

/// The frame of a catalogue page.
fn frame(v: &Viewer) -> Frame {
    v.frame.at("catalogue")
}

/// Whether the viewer may make catalogue records.
fn writes(v: &Viewer) -> bool {
    v.staff.allow(WRITERS).is_ok()
}

/// The links between the three lists.
fn tabs(f: &Frame) -> Vec<Action> {
    vec![
        Action::new("/products", f.t.t("cat-products")),
        Action::new("/policies", f.t.t("cat-policies")),
        Action::new("/plans", f.t.t("cat-plans")),
    ]
}

/// A product as a select's option label.
fn product_label(p: &Product) -> String {
    format!("{} — {}", p.code, p.name)
}

/// The products, for a select: (id, label).
async fn product_options(s: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    let products = s.store.list_products(ALL).await?;
    Ok(products
        .iter()
        .filter(|p| p.retired_at.is_none())
        .map(|p| (p.id.clone(), product_label(p)))
        .collect())
}

/// A number or a dash.
fn or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

// Products.

/// `GET /products`.
async fn products(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let found = s.store.list_products(paging.rows()).await.or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let rows = items
        .iter()
        .map(|p| {
            vec![
                Cell::link(
                    marked(&f, &p.code, p.retired_at),
                    format!("/products/{}", p.id),
                ),
                Cell::text(&p.name),
                Cell::text(t.date(p.created_at)),
            ]
        })
        .collect();
    let mut page = Sheet::new(f.clone(), t.t("cat-products"));
    page.pager = Some(pager);
    page.actions = tabs(&f);
    if writes(&v) {
        page.actions
            .push(Action::new("/products/new", t.t("cat-new-product")).primary());
    }
    page.tables.push(Table::new(
        t.n("cat-count-products", items.len() as i64),
        vec![t.t("cat-code"), t.t("cat-name"), t.t("cat-created")],
        rows,
        t.t("cat-none"),
    ));
    Ok(page.page())
}

/// The product form, with what was typed; a change has no code field
/// (the code is signed into licences).
fn product_form(f: &Frame, to: Target, code: Option<&str>, name: &str) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), to.title);
    page.lead.push(t.t("cat-product-lead"));
    let mut fields = Vec::new();
    if let Some(code) = code {
        fields.push(
            Field::text("code", t.t("cat-code"), t.t("cat-code-rule"), code.into()).required(),
        );
    }
    fields.push(Field::text("name", t.t("cat-name"), t.t("cat-name-rule"), name.into()).required());
    let mut form = Form::post("product", to.action, fields, to.button);
    form.cancel = Some(Action::new(to.back, t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// `GET /products/new`.
async fn new_product(v: Viewer) -> PageResult {
    let f = frame(&v);
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let to = Target::new(&f, "product", "/products");
    Ok(product_form(&f, to, Some(""), "").page())
}

/// `POST /products`: the product's page, or the form again with the rule
/// that refused it.
async fn create_product(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let new = NewProduct {
        code: form.get("code"),
        name: form.get("name"),
        allocation_price: None,
    };
    match catalogue::create_product(&s, &v.staff, &new).await {
        Ok(p) => Ok(Redirect::to(&format!("/products/{}", p.id)).into_response()),
        Err(e) => Ok(redraw(&f, e, || {
            let to = Target::new(&f, "product", "/products");
            product_form(&f, to, Some(&new.code), &new.name)
        })),
    }
}

/// `GET /products/{id}`: the product, its policies and its plans.
async fn product(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let p = s.store.product(&id).await.or_refuse(&f)?;
    let policies = s
        .store
        .list_policies(Some(&p.id), ALL)
        .await
        .or_refuse(&f)?;
    let plans = s.store.list_plans(Some(&p.id), ALL).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), format!("{} — {}", p.code, p.name));
    page.notice = Some(standing(&f, p.retired_at, "cat-product-fixed"));
    page.actions = tabs(&f);
    let here = format!("/products/{}", p.id);
    page.actions
        .extend(change_actions(&v, &f, &here, p.retired_at));
    if writes(&v) && p.retired_at.is_none() {
        page.actions.push(Action::new(
            format!("/policies/new?product_id={}", p.id),
            t.t("cat-new-policy"),
        ));
        page.actions
            .push(Action::new("/plans/new", t.t("cat-new-plan")));
    }
    page.terms = vec![
        (t.t("cat-code"), p.code.clone()),
        (t.t("cat-name"), p.name.clone()),
        (t.t("cat-id"), p.id.clone()),
        (t.t("cat-created"), t.date(p.created_at)),
    ];
    page.tables
        .push(policy_table(&f, &policies, std::slice::from_ref(&p)));
    page.tables.push(plan_table(&f, &plans, &policies));
    let releases = s.store.releases(&p.id).await.or_refuse(&f)?;
    page.tables.push(super::releases::table(&f, &releases));
    if writes(&v) && p.retired_at.is_none() {
        page.forms
            .push(super::releases::form(&f, &p.id, &NewRelease::default()));
    }
    Ok(page.page())
}

/// `GET /products/{id}/edit`: the product's name (its code stays).
async fn edit_product_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.product(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let to = Target::edit(&f, &format!("/products/{}", p.id), &p.code);
    Ok(product_form(&f, to, None, &p.name).page())
}

/// `POST /products/{id}/edit`: the product's page, or the form again with
/// the rule that refused it.
async fn edit_product(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = frame(&v);
    let name = form.get("name");
    let changes = Changes::new(
        [("name".to_owned(), Value::String(name.clone()))]
            .into_iter()
            .collect(),
    );
    match catalogue::edit_product(&s, &v.staff, &id, &changes).await {
        Ok(p) => Ok(Redirect::to(&format!("/products/{}", p.id)).into_response()),
        Err(e) => Ok(redraw(&f, e, || {
            let to = Target::edit(&f, &format!("/products/{id}"), &id);
            product_form(&f, to, None, &name)
        })),
    }
}

/// `GET /products/{id}/retire`: what retiring the product does.
async fn confirm_retire_product(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.product(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    retire_confirm(f, &format!("/products/{}", p.id), &p.code)
}

/// `POST /products/{id}/retire`.
async fn retire_product(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    retire_record(&s, &v, Catalogued::Product, &format!("/products/{id}"), &id).await
}

// Policies.

/// The policies in a table; `products` name their product.
fn policy_table(f: &Frame, policies: &[Policy], products: &[Product]) -> Table {
    let t = f.t;
    let rows = policies
        .iter()
        .map(|p| {
            let product = products
                .iter()
                .find(|x| x.id == p.product_id)
                .map_or(p.product_id.clone(), |x| x.code.clone());
            vec![
                Cell::link(
                    marked(f, &p.name, p.retired_at),
                    format!("/policies/{}", p.id),
                ),
                Cell::text(product),
                Cell::text(t.t(&format!("cat-kind-{}", p.kind.name()))),
                Cell::text(t.t(&format!("cat-binding-{}", p.binding.name()))),
                Cell::num(p.seats),
                Cell::text(
                    p.duration_days
                        .map_or_else(|| t.t("cat-perpetual"), |d| t.n("days", d)),
                ),
            ]
        })
        .collect();
    Table::new(
        t.n("cat-count-policies", policies.len() as i64),
        vec![
            t.t("cat-name"),
            t.t("cat-product"),
            t.t("cat-kind"),
            t.t("cat-binding"),
            t.t("cat-seats"),
            t.t("cat-duration"),
        ],
        rows,
        t.t("cat-none"),
    )
}

/// `GET /policies`.
async fn policies(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let found = s
        .store
        .list_policies(None, paging.rows())
        .await
        .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let products = s.store.list_products(ALL).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t("cat-policies"));
    page.pager = Some(pager);
    page.lead.push(t.t("cat-policies-lead"));
    page.actions = tabs(&f);
    if writes(&v) {
        page.actions
            .push(Action::new("/policies/new", t.t("cat-new-policy")).primary());
    }
    page.tables.push(policy_table(&f, &items, &products));
    Ok(page.page())
}

/// The policy form's fields, as typed (`Posted` names them).
const POLICY_FIELDS: [(&str, &str); 22] = [
    ("product_id", ""),
    ("name", ""),
    ("kind", "standard"),
    ("binding", "node-locked"),
    ("match_rule", "all"),
    ("duration_days", ""),
    ("seats", "1"),
    ("grace_days", ""),
    ("check_in_days", ""),
    ("max_offline_days", ""),
    ("renew_soon_days", ""),
    ("maintenance_days", ""),
    ("allow_virtual_machines", "true"),
    ("allow_containers", "true"),
    ("entitlements", ""),
    ("meters", ""),
    ("temp_quota", "1"),
    ("temp_period_days", "30"),
    ("temp_duration_days", "7"),
    ("lease_ttl_secs", "3600"),
    ("max_transfers", ""),
    ("transfer_period_days", "365"),
];

/// The policy form, with what was typed (`typed` gives a field's text).
fn policy_form(
    f: &Frame,
    to: Target,
    products: Vec<(String, String)>,
    typed: &dyn Fn(&str) -> String,
) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), to.title);
    page.lead.push(t.t("cat-policy-lead"));
    page.notice = Some(t.t("cat-policy-fixed"));
    let field = |name: &'static str| {
        let id = format!("cat-f-{}", name.replace('_', "-"));
        Field::text(name, t.t(&id), t.t(&format!("{id}-rule")), typed(name))
    };
    let named = |prefix: &str, names: &[&str]| -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), t.t(&format!("{prefix}-{n}"))))
            .collect()
    };
    let mut fields = vec![
        field("product_id").required().select(products),
        field("name").required(),
        field("kind").select(named("cat-kind", &["standard", "trial"])),
        field("binding").select(named(
            "cat-binding",
            &["node-locked", "unbound", "floating", "named-user"],
        )),
        field("match_rule").select(named("cat-match", &["all", "most", "two", "any"])),
    ];
    for name in [
        "duration_days",
        "seats",
        "grace_days",
        "check_in_days",
        "max_offline_days",
        "renew_soon_days",
        "maintenance_days",
    ] {
        fields.push(field(name).kind("number"));
    }
    for name in ["allow_virtual_machines", "allow_containers"] {
        fields.push(field(name).select(named("cat-allow", &["true", "false"])));
    }
    fields.push(field("entitlements").kind("textarea"));
    fields.push(field("meters").kind("textarea"));
    for name in [
        "temp_quota",
        "temp_period_days",
        "temp_duration_days",
        "lease_ttl_secs",
        "max_transfers",
        "transfer_period_days",
    ] {
        fields.push(field(name).kind("number"));
    }
    let mut form = Form::post("policy", to.action, fields, to.button);
    form.cancel = Some(Action::new(to.back, t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// A policy's default term when left empty.
fn default_of(name: &str) -> &'static str {
    POLICY_FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, d)| d)
}

/// Which product the new policy is for, from the address.
#[derive(Deserialize, Default)]
struct ForProduct {
    #[serde(default)]
    product_id: String,
}

/// `GET /policies/new`.
async fn new_policy(
    State(s): State<AppState>,
    v: Viewer,
    Params(q): Params<ForProduct>,
) -> PageResult {
    let f = frame(&v);
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let products = product_options(&s).await.or_refuse(&f)?;
    let typed = |name: &str| {
        if name == "product_id" {
            q.product_id.clone()
        } else {
            default_of(name).to_owned()
        }
    };
    let to = Target::new(&f, "policy", "/policies");
    Ok(policy_form(&f, to, products, &typed).page())
}

/// The policy a form asks for; its numbers are refused here, with their
/// rule, when they are not whole numbers.
fn posted_policy(form: &Posted) -> Result<NewPolicy, ApiError> {
    let text = |name: &str| form.get(name);
    let number = |name: &str| whole_u32(name, &text(name));
    let or_default = |name: &str| -> Result<u32, ApiError> {
        Ok(number(name)?.unwrap_or_else(|| default_of(name).parse().unwrap_or(0)))
    };
    // A textarea: one item a line.
    let lines = |name: &str| -> Vec<String> {
        text(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(NewPolicy {
        product_id: text("product_id"),
        name: text("name"),
        kind: Some(text("kind"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(catalogue::standard),
        binding: Some(text("binding"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(catalogue::node_locked),
        match_rule: Some(text("match_rule"))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(catalogue::all),
        duration_days: number("duration_days")?,
        seats: or_default("seats")?,
        grace_days: number("grace_days")?,
        check_in_days: number("check_in_days")?,
        max_offline_days: number("max_offline_days")?,
        renew_soon_days: number("renew_soon_days")?,
        maintenance_days: number("maintenance_days")?,
        // A select of "true" and "false": anything else keeps the default.
        allow_virtual_machines: text("allow_virtual_machines") != "false",
        allow_containers: text("allow_containers") != "false",
        entitlements: lines("entitlements"),
        meters: lines("meters"),
        temp_quota: or_default("temp_quota")?,
        temp_period_days: or_default("temp_period_days")?,
        temp_duration_days: or_default("temp_duration_days")?,
        lease_ttl_secs: or_default("lease_ttl_secs")?,
        max_transfers: number("max_transfers")?,
        transfer_period_days: or_default("transfer_period_days")?,
    })
}

/// A list on a record's page: its items, or a dash.
fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_owned()
    } else {
        items.join(", ")
    }
}

/// `POST /policies`: the policy's page, or the form again with the rule
/// that refused it and what was typed.
async fn create_policy(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let made = match posted_policy(&form) {
        Ok(new) => catalogue::create_policy(&s, &v.staff, new).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(p) => Ok(Redirect::to(&format!("/policies/{}", p.id)).into_response()),
        Err(e) => {
            let products = product_options(&s).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || {
                let to = Target::new(&f, "policy", "/policies");
                policy_form(&f, to, products, &typed)
            }))
        }
    }
}

/// `GET /policies/{id}`: every term of the policy.
async fn policy(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let p = s.store.policy(&id).await.or_refuse(&f)?;
    let product = s.store.product(&p.product_id).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), format!("{} — {}", product.code, p.name));
    page.notice = Some(standing(&f, p.retired_at, "cat-policy-fixed"));
    page.actions = vec![Action::new(
        format!("/products/{}", product.id),
        t.t1("cat-open-product", "product", &product.code),
    )];
    page.actions.extend(change_actions(
        &v,
        &f,
        &format!("/policies/{}", p.id),
        p.retired_at,
    ));
    let days = |d: Option<i64>| d.map_or_else(|| "—".to_owned(), |d| t.n("days", d));
    page.terms = vec![
        (t.t("cat-id"), p.id.clone()),
        (t.t("cat-f-product-id"), product_label(&product)),
        (t.t("cat-f-name"), p.name.clone()),
        (
            t.t("cat-f-kind"),
            t.t(&format!("cat-kind-{}", p.kind.name())),
        ),
        (
            t.t("cat-f-binding"),
            t.t(&format!("cat-binding-{}", p.binding.name())),
        ),
        (
            t.t("cat-f-match-rule"),
            t.t(&format!("cat-match-{}", p.match_rule.name())),
        ),
        (
            t.t("cat-f-duration-days"),
            p.duration_days
                .map_or_else(|| t.t("cat-perpetual"), |d| t.n("days", d)),
        ),
        (t.t("cat-f-seats"), p.seats.to_string()),
        (t.t("cat-f-grace-days"), days(p.grace_days)),
        (t.t("cat-f-check-in-days"), days(p.check_in_days)),
        (t.t("cat-f-max-offline-days"), days(p.max_offline_days)),
        (t.t("cat-f-renew-soon-days"), days(p.renew_soon_days)),
        (t.t("cat-f-maintenance-days"), days(p.maintenance_days)),
        (
            t.t("cat-f-allow-virtual-machines"),
            t.t(&format!("cat-allow-{}", p.allow_virtual_machines)),
        ),
        (
            t.t("cat-f-allow-containers"),
            t.t(&format!("cat-allow-{}", p.allow_containers)),
        ),
        (t.t("cat-f-entitlements"), listed(&p.entitlements)),
        (t.t("cat-f-meters"), listed(&p.meters)),
        (t.t("cat-f-temp-quota"), p.temp_quota.to_string()),
        (
            t.t("cat-f-temp-period-days"),
            t.n("days", p.temp_period_days),
        ),
        (
            t.t("cat-f-temp-duration-days"),
            t.n("days", p.temp_duration_days),
        ),
        (t.t("cat-f-lease-ttl-secs"), p.lease_ttl_secs.to_string()),
        (t.t("cat-f-max-transfers"), or_dash(p.max_transfers)),
        (
            t.t("cat-f-transfer-period-days"),
            t.n("days", p.transfer_period_days),
        ),
        (t.t("cat-created"), t.date(p.created_at)),
    ];
    Ok(page.page())
}

/// `GET /policies/{id}/edit`: the policy's terms, to change.
async fn edit_policy_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.policy(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let products = product_options(&s).await.or_refuse(&f)?;
    let record = serde_json::to_value(&p)
        .map_err(ApiError::internal)
        .or_refuse(&f)?;
    let typed = |name: &str| typed_of(&record, name);
    let to = Target::edit(&f, &format!("/policies/{}", p.id), &p.name);
    Ok(policy_form(&f, to, products, &typed).page())
}

/// `POST /policies/{id}/edit`: the policy's page, or the form again with
/// the rule that refused it and what was typed.
async fn edit_policy(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = frame(&v);
    let changed = match posted_policy(&form).and_then(|new| changes_of(&new)) {
        Ok(changes) => catalogue::edit_policy(&s, &v.staff, &id, &changes).await,
        Err(e) => Err(e),
    };
    match changed {
        Ok(p) => Ok(Redirect::to(&format!("/policies/{}", p.id)).into_response()),
        Err(e) => {
            let products = product_options(&s).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || {
                let to = Target::edit(&f, &format!("/policies/{id}"), &form.get("name"));
                policy_form(&f, to, products, &typed)
            }))
        }
    }
}

/// `GET /policies/{id}/retire`: what retiring the policy does.
async fn confirm_retire_policy(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.policy(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    retire_confirm(f, &format!("/policies/{}", p.id), &p.name)
}

/// `POST /policies/{id}/retire`.
async fn retire_policy(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    retire_record(&s, &v, Catalogued::Policy, &format!("/policies/{id}"), &id).await
}

// Plans.

/// The plans in a table; `policies` name their policy.
fn plan_table(f: &Frame, plans: &[Plan], policies: &[Policy]) -> Table {
    let t = f.t;
    let rows = plans
        .iter()
        .map(|p| {
            let policy = policies
                .iter()
                .find(|x| x.id == p.policy_id)
                .map_or(p.policy_id.clone(), |x| x.name.clone());
            vec![
                Cell::link(marked(f, &p.name, p.retired_at), format!("/plans/{}", p.id)),
                Cell::link(policy, format!("/policies/{}", p.policy_id)),
                Cell::text(
                    p.options
                        .iter()
                        .map(|o| o.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::text(t.date(p.created_at)),
            ]
        })
        .collect();
    Table::new(
        t.n("cat-count-plans", plans.len() as i64),
        vec![
            t.t("cat-name"),
            t.t("cat-policy"),
            t.t("cat-options"),
            t.t("cat-created"),
        ],
        rows,
        t.t("cat-none"),
    )
}

/// `GET /plans`.
async fn plans(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let found = s
        .store
        .list_plans(None, paging.rows())
        .await
        .or_refuse(&f)?;
    let (items, pager) = paging.cut(&t, found);
    let policies = s.store.list_policies(None, ALL).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t("cat-plans"));
    page.pager = Some(pager);
    page.lead.push(t.t("cat-plans-lead"));
    page.actions = tabs(&f);
    if writes(&v) {
        page.actions
            .push(Action::new("/plans/new", t.t("cat-new-plan")).primary());
    }
    page.tables.push(plan_table(&f, &items, &policies));
    Ok(page.page())
}

/// The policies, for a select: (id, "product / policy").
async fn policy_options(s: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    let products = s.store.list_products(ALL).await?;
    let policies = s.store.list_policies(None, ALL).await?;
    Ok(policies
        .iter()
        .filter(|p| p.retired_at.is_none())
        .map(|p| {
            let product = products
                .iter()
                .find(|x| x.id == p.product_id)
                .map_or(p.product_id.as_str(), |x| x.code.as_str());
            (p.id.clone(), format!("{product} / {}", p.name))
        })
        .collect())
}

/// The plan form, with what was typed.
fn plan_form(
    f: &Frame,
    to: Target,
    policies: Vec<(String, String)>,
    typed: &dyn Fn(&str) -> String,
) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), to.title);
    page.lead.push(t.t("cat-plan-lead"));
    page.notice = Some(t.t("cat-plan-fixed"));
    let mut form = Form::post(
        "plan",
        to.action,
        vec![
            Field::text(
                "name",
                t.t("cat-f-name"),
                t.t("cat-plan-name-rule"),
                typed("name"),
            )
            .required(),
            Field::text(
                "policy_id",
                t.t("cat-policy"),
                t.t("cat-plan-policy-rule"),
                typed("policy_id"),
            )
            .required()
            .select(policies),
            Field::text(
                "options",
                t.t("cat-options"),
                t.t("cat-options-rule"),
                typed("options"),
            )
            .kind("textarea"),
            Field::text(
                "meter_prices",
                t.t("cat-meter-prices"),
                t.t("cat-meter-prices-rule"),
                typed("meter_prices"),
            )
            .kind("textarea"),
            Field::text(
                "currency",
                t.t("cat-currency"),
                t.t("cat-currency-rule"),
                typed("currency"),
            )
            .select(
                std::iter::once((String::new(), t.t("cat-unpriced")))
                    .chain(
                        Currency::all()
                            .into_iter()
                            .map(|c| (c.code().to_owned(), c.code().to_owned())),
                    )
                    .collect(),
            ),
            Field::text(
                "price",
                t.t("cat-price"),
                t.t("cat-price-rule"),
                typed("price"),
            ),
            Field::text(
                "tax_rate",
                t.t("cat-tax-rate"),
                t.t("cat-tax-rate-rule"),
                typed("tax_rate"),
            ),
        ],
        to.button,
    );
    form.cancel = Some(Action::new(to.back, t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// Which policy the new plan is made from, from the address.
#[derive(Deserialize, Default)]
struct ForPolicy {
    #[serde(default)]
    policy_id: String,
}

/// `GET /plans/new`.
async fn new_plan(
    State(s): State<AppState>,
    v: Viewer,
    Params(q): Params<ForPolicy>,
) -> PageResult {
    let f = frame(&v);
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let policies = policy_options(&s).await.or_refuse(&f)?;
    let typed = |name: &str| {
        if name == "policy_id" {
            q.policy_id.clone()
        } else {
            String::new()
        }
    };
    let to = Target::new(&f, "plan", "/plans");
    Ok(plan_form(&f, to, policies, &typed).page())
}

/// The rule an option line obeys.
const OPTION_LINE_RULE: &str =
    "each line of 'options' is CODE | Name | FEATURE, FEATURE | PRICE (the features and the price, in the plan's currency, may be left out)";

/// The options typed, one per line: `CODE | Name | FEATURE, FEATURE |
/// PRICE`, the price read in `currency` (none: the plan has no price, and
/// a priced option is refused).
fn posted_options(text: &str, currency: Option<Currency>) -> Result<Vec<PlanOption>, ApiError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (code, name, features, price) = match parts.as_slice() {
                [code, name] => (code, name, "", ""),
                [code, name, features] => (code, name, *features, ""),
                [code, name, features, price] => (code, name, *features, *price),
                _ => {
                    return Err(ApiError::invalid(format!(
                        "{OPTION_LINE_RULE}, not '{line}'"
                    )))
                }
            };
            let price = match (price, currency) {
                ("", _) => None,
                (_, None) => {
                    return Err(ApiError::invalid(format!(
                        "option {code} has a price but the plan has none: choose the plan's currency and price"
                    )))
                }
                (price, Some(c)) => Some(c.parse_amount(price).map_err(bad_price)?),
            };
            Ok(PlanOption {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                entitlements: features
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect(),
                price,
            })
        })
        .collect()
}

/// The rule a meter price line obeys.
const METER_PRICE_LINE_RULE: &str =
    "each line of 'meter prices' is METER | PRICE PER UNIT | UNITS INCLUDED (the units included may be left out)";

/// The meter prices typed, one per line: `METER | PRICE | INCLUDED`, the
/// price read in `currency` (none: the plan has no price, and any line is
/// refused).
fn posted_meter_prices(
    text: &str,
    currency: Option<Currency>,
) -> Result<Vec<MeterPrice>, ApiError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (meter, price, included) = match parts.as_slice() {
                [meter, price] => (*meter, *price, ""),
                [meter, price, included] => (*meter, *price, *included),
                _ => {
                    return Err(ApiError::invalid(format!(
                        "{METER_PRICE_LINE_RULE}, not '{line}'"
                    )))
                }
            };
            let Some(c) = currency else {
                return Err(ApiError::invalid(format!(
                    "meter price {meter}: the plan has no price: choose the plan's currency and price"
                )));
            };
            let included = match included {
                "" => 0,
                n => n.parse().map_err(|_| {
                    ApiError::invalid(format!(
                        "meter price {meter}: the units included are a whole number, not '{n}'"
                    ))
                })?,
            };
            Ok(MeterPrice {
                meter: meter.to_owned(),
                unit_amount: c.parse_amount(price).map_err(bad_price)?,
                included,
            })
        })
        .collect()
}

/// A plan's meter prices as its form shows them, one per line.
fn meter_price_lines(prices: &[MeterPrice], currency: Option<Currency>) -> String {
    prices
        .iter()
        .filter_map(|m| {
            let c = currency?;
            Some(format!(
                "{} | {} | {}",
                m.meter,
                plain_amount(c, m.unit_amount),
                m.included
            ))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A price the form refused: the rule, in the API's words.
fn bad_price(e: BillingError) -> ApiError {
    ApiError::invalid(e.to_string())
}

/// The plan's price a form asks for: none when no currency is chosen and
/// no price typed.
fn posted_price(form: &Posted) -> Result<Option<Price>, ApiError> {
    let (code, amount, rate) = (
        form.get("currency"),
        form.get("price"),
        form.get("tax_rate"),
    );
    if code.is_empty() && amount.trim().is_empty() {
        return Ok(None);
    }
    let currency: Currency = code.parse().map_err(bad_price)?;
    Ok(Some(Price {
        currency: currency.code().to_owned(),
        amount: currency.parse_amount(&amount).map_err(bad_price)?,
        tax_rate_bp: match rate.trim() {
            "" => 0,
            rate => percent_bp(rate).map_err(bad_price)?,
        },
    }))
}

/// `POST /plans`: the plan's page, or the form again with the rule that
/// refused it and what was typed.
async fn create_plan(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let made = match posted_plan(&form) {
        Ok(new) => catalogue::create_plan(&s, &v.staff, new).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(e) => {
            let policies = policy_options(&s).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || {
                let to = Target::new(&f, "plan", "/plans");
                plan_form(&f, to, policies, &typed)
            }))
        }
    }
}

/// `GET /plans/{id}`: the plan, its policy and its options.
async fn plan(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let p = s.store.plan(&id).await.or_refuse(&f)?;
    let policy = s.store.policy(&p.policy_id).await.or_refuse(&f)?;
    let product = s.store.product(&p.product_id).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), format!("{} — {}", product.code, p.name));
    page.notice = Some(standing(&f, p.retired_at, "cat-plan-fixed"));
    page.actions = vec![
        Action::new(
            format!("/products/{}", product.id),
            t.t1("cat-open-product", "product", &product.code),
        ),
        Action::new(
            format!("/policies/{}", policy.id),
            t.t1("cat-open-policy", "policy", &policy.name),
        ),
    ];
    page.actions.extend(change_actions(
        &v,
        &f,
        &format!("/plans/{}", p.id),
        p.retired_at,
    ));
    page.terms = vec![
        (t.t("cat-id"), p.id.clone()),
        (t.t("cat-product"), product_label(&product)),
        (t.t("cat-policy"), policy.name.clone()),
        (t.t("cat-f-name"), p.name.clone()),
        (t.t("cat-price"), price_label(&f, p.price.as_ref())),
        (t.t("cat-created"), t.date(p.created_at)),
    ];
    let currency: Option<Currency> = p.price.as_ref().and_then(|p| p.currency.parse().ok());
    let rows = p
        .options
        .iter()
        .map(|o| {
            vec![
                Cell::text(&o.code),
                Cell::text(&o.name),
                Cell::text(o.entitlements.join(", ")),
                Cell::text(match (o.price, currency) {
                    (Some(amount), Some(c)) => c.format(amount),
                    _ => String::new(),
                }),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("cat-options"),
        vec![
            t.t("cat-code"),
            t.t("cat-name"),
            t.t("cat-features"),
            t.t("cat-price"),
        ],
        rows,
        t.t("cat-no-options"),
    ));
    let rows = p
        .meter_prices
        .iter()
        .map(|m| {
            vec![
                Cell::text(&m.meter),
                Cell::text(
                    currency
                        .map(|c| c.format(m.unit_amount))
                        .unwrap_or_default(),
                ),
                Cell::num(m.included),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("cat-meter-prices"),
        vec![t.t("col-meter"), t.t("cat-unit-price"), t.t("cat-included")],
        rows,
        t.t("cat-no-meter-prices"),
    ));
    Ok(page.page())
}

/// A plan's options as its form shows them, one per line (the price in
/// the plan's `currency`).
fn option_lines(options: &[PlanOption], currency: Option<Currency>) -> String {
    options
        .iter()
        .map(|o| {
            let line = format!("{} | {} | {}", o.code, o.name, o.entitlements.join(", "));
            match (o.price, currency) {
                (Some(p), Some(c)) => format!("{line} | {}", plain_amount(c, p)),
                _ => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plan a form asks for.
fn posted_plan(form: &Posted) -> Result<NewPlan, ApiError> {
    let price = posted_price(form)?;
    let currency = price.as_ref().and_then(|p| p.currency.parse().ok());
    Ok(NewPlan {
        name: form.get("name"),
        policy_id: form.get("policy_id"),
        options: posted_options(&form.get("options"), currency)?,
        meter_prices: posted_meter_prices(&form.get("meter_prices"), currency)?,
        price,
    })
}

/// A price as a page shows it: `15.00 EUR, tax 20 %`.
fn price_label(f: &Frame, price: Option<&Price>) -> String {
    let Some(p) = price else {
        return f.t.t("cat-unpriced");
    };
    match p.currency.parse::<Currency>() {
        Ok(c) => format!(
            "{} ({})",
            c.format(p.amount),
            f.t.t1("cat-tax-shown", "rate", percent(p.tax_rate_bp))
        ),
        Err(_) => p.currency.clone(),
    }
}

/// A tax rate in basis points as a percentage (`20.00`), as
/// [`percent_bp`] reads it back.
fn percent(bp: u32) -> String {
    plain_amount("EUR".parse().expect("EUR is known"), i64::from(bp))
}

/// `GET /plans/{id}/edit`: the plan's name, policy and options, to change.
async fn edit_plan_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.plan(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    let policies = policy_options(&s).await.or_refuse(&f)?;
    let currency: Option<Currency> = p.price.as_ref().and_then(|p| p.currency.parse().ok());
    let options = option_lines(&p.options, currency);
    let meter_prices = meter_price_lines(&p.meter_prices, currency);
    let typed = |name: &str| match (name, &p.price, currency) {
        ("name", _, _) => p.name.clone(),
        ("policy_id", _, _) => p.policy_id.clone(),
        ("options", _, _) => options.clone(),
        ("meter_prices", _, _) => meter_prices.clone(),
        ("currency", Some(price), _) => price.currency.clone(),
        ("price", Some(price), Some(c)) => plain_amount(c, price.amount),
        ("tax_rate", Some(price), _) => percent(price.tax_rate_bp),
        _ => String::new(),
    };
    let to = Target::edit(&f, &format!("/plans/{}", p.id), &p.name);
    Ok(plan_form(&f, to, policies, &typed).page())
}

/// `POST /plans/{id}/edit`: the plan's page, or the form again with the
/// rule that refused it and what was typed.
async fn edit_plan(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = frame(&v);
    let changed = match posted_plan(&form).and_then(|new| changes_of(&new)) {
        Ok(changes) => catalogue::edit_plan(&s, &v.staff, &id, &changes).await,
        Err(e) => Err(e),
    };
    match changed {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(e) => {
            let policies = policy_options(&s).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || {
                let to = Target::edit(&f, &format!("/plans/{id}"), &form.get("name"));
                plan_form(&f, to, policies, &typed)
            }))
        }
    }
}

/// `GET /plans/{id}/retire`: what retiring the plan does.
async fn confirm_retire_plan(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let p = s.store.plan(&id).await.or_refuse(&f)?;
    v.staff.allow(WRITERS).or_refuse(&f)?;
    retire_confirm(f, &format!("/plans/{}", p.id), &p.name)
}

/// `POST /plans/{id}/retire`.
async fn retire_plan(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    retire_record(&s, &v, Catalogued::Plan, &format!("/plans/{id}"), &id).await
}

#[cfg(test)]
mod tests {
    use super::posted_options;

    #[test]
    fn option_lines_read_code_name_and_features() {
        let eur = "EUR".parse().ok();
        let options =
            posted_options("pro | Pro pack | sso, audit=3 | 4.50\n\nbasic|Basic", eur).unwrap();
        assert_eq!(options[0].price, Some(450));
        assert_eq!(options[1].price, None);
        let e = posted_options("pro | Pro | | 4.50", None).unwrap_err();
        assert!(e.detail.contains("has a price"), "{}", e.detail);
        assert_eq!(options.len(), 2);
        assert_eq!(options[0].code, "pro");
        assert_eq!(options[0].entitlements, ["sso", "audit=3"]);
        assert!(options[1].entitlements.is_empty());
        let e = posted_options("just-a-code", eur).unwrap_err();
        assert!(e.detail.contains("CODE | Name"), "{}", e.detail);
    }

    #[test]
    fn every_term_kind_binding_and_rule_is_said() {
        let mut ids = Vec::new();
        for (name, _) in super::POLICY_FIELDS {
            let id = format!("cat-f-{}", name.replace('_', "-"));
            ids.push(format!("{id}-rule"));
            ids.push(id);
        }
        for kind in ["standard", "trial"] {
            ids.push(format!("cat-kind-{kind}"));
        }
        for b in ["node-locked", "unbound", "floating", "named-user"] {
            ids.push(format!("cat-binding-{b}"));
        }
        for m in ["all", "most", "two", "any"] {
            ids.push(format!("cat-match-{m}"));
        }
        for a in ["true", "false"] {
            ids.push(format!("cat-allow-{a}"));
        }
        crate::console::sheet::assert_said(ids);
    }
}
