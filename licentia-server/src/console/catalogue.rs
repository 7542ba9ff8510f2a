//! The catalogue: products, policies (licence templates) and plans (a
//! policy with add-on options) — their lists, their pages and the forms
//! that make them. None of them changes once made (licences name them),
//! which each page says; to change terms, one makes a new policy or plan.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::frame::{Frame, OrRefuse, PageResult, Params, Viewer};
use super::sheet::{redraw, whole_u32, Action, Cell, Field, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::WRITERS;
use crate::error::ApiError;
use crate::service::catalogue::{self, NewPlan, NewPolicy, NewProduct};
use crate::store::{Page as Rows, Plan, PlanOption, Policy, Product};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/products", Signed, products),
        Page::get("/products/new", Signed, new_product),
        Page::post("/products", Signed, create_product),
        Page::get("/products/{id}", Signed, product),
        Page::get("/policies", Signed, policies),
        Page::get("/policies/new", Signed, new_policy),
        Page::post("/policies", Signed, create_policy),
        Page::get("/policies/{id}", Signed, policy),
        Page::get("/plans", Signed, plans),
        Page::get("/plans/new", Signed, new_plan),
        Page::post("/plans", Signed, create_plan),
        Page::get("/plans/{id}", Signed, plan),
    ]
}

/// The most rows a catalogue list shows.
const ALL: Rows = Rows {
    limit: 500,
    offset: 0,
};

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
        .map(|p| (p.id.clone(), product_label(p)))
        .collect())
}

/// A number or a dash.
fn or_dash(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

// Products.

/// `GET /products`.
async fn products(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = frame(&v);
    let items = s.store.list_products(ALL).await.or_refuse(&f)?;
    let t = f.t;
    let rows = items
        .iter()
        .map(|p| {
            vec![
                Cell::link(&p.code, format!("/products/{}", p.id)),
                Cell::text(&p.name),
                Cell::text(t.date(p.created_at)),
            ]
        })
        .collect();
    let mut page = Sheet::new(f.clone(), t.t("cat-products"));
    if items.len() as i64 >= ALL.limit {
        page.notice = Some(t.n("sheet-first-rows", ALL.limit));
    }
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

/// The product form, with what was typed.
fn product_form(f: &Frame, code: &str, name: &str) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("cat-new-product"));
    page.lead.push(t.t("cat-product-lead"));
    let mut form = Form::post(
        "product",
        "/products",
        vec![
            Field::text("code", t.t("cat-code"), t.t("cat-code-rule"), code.into()).required(),
            Field::text("name", t.t("cat-name"), t.t("cat-name-rule"), name.into()).required(),
        ],
        t.t("cat-create"),
    );
    form.cancel = Some(Action::new("/products", t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// `GET /products/new`.
async fn new_product(v: Viewer) -> PageResult {
    let f = frame(&v);
    v.staff.allow(WRITERS).or_refuse(&f)?;
    Ok(product_form(&f, "", "").page())
}

/// `POST /products`: the product's page, or the form again with the rule
/// that refused it.
async fn create_product(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let new = NewProduct {
        code: form.get("code"),
        name: form.get("name"),
    };
    match catalogue::create_product(&s, &v.staff, &new).await {
        Ok(p) => Ok(Redirect::to(&format!("/products/{}", p.id)).into_response()),
        Err(e) => Ok(redraw(&f, e, |e| {
            let mut page = product_form(&f, &new.code, &new.name);
            page.forms = page.forms.into_iter().map(|form| form.refused(e)).collect();
            page
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
    page.notice = Some(t.t("cat-product-fixed"));
    page.actions = tabs(&f);
    if writes(&v) {
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
    Ok(page.page())
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
                Cell::link(&p.name, format!("/policies/{}", p.id)),
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
async fn policies(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let items = s.store.list_policies(None, ALL).await.or_refuse(&f)?;
    let products = s.store.list_products(ALL).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t("cat-policies"));
    if items.len() as i64 >= ALL.limit {
        page.notice = Some(t.n("sheet-first-rows", ALL.limit));
    }
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
const POLICY_FIELDS: [(&str, &str); 19] = [
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
    ("entitlements", ""),
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
    products: Vec<(String, String)>,
    typed: &dyn Fn(&str) -> String,
) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("cat-new-policy"));
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
    fields.push(field("entitlements").kind("textarea"));
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
    let mut form = Form::post("policy", "/policies", fields, t.t("cat-create"));
    form.cancel = Some(Action::new("/policies", t.t("sheet-cancel")));
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
    Ok(policy_form(&f, products, &typed).page())
}

/// The policy a form asks for; its numbers are refused here, with their
/// rule, when they are not whole numbers.
fn posted_policy(form: &Posted) -> Result<NewPolicy, ApiError> {
    let text = |name: &str| form.get(name);
    let number = |name: &str| whole_u32(name, &text(name));
    let or_default = |name: &str| -> Result<u32, ApiError> {
        Ok(number(name)?.unwrap_or_else(|| default_of(name).parse().unwrap_or(0)))
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
        entitlements: text("entitlements")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        temp_quota: or_default("temp_quota")?,
        temp_period_days: or_default("temp_period_days")?,
        temp_duration_days: or_default("temp_duration_days")?,
        lease_ttl_secs: or_default("lease_ttl_secs")?,
        max_transfers: number("max_transfers")?,
        transfer_period_days: or_default("transfer_period_days")?,
    })
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
            Ok(redraw(&f, e, |e| {
                let mut page = policy_form(&f, products, &typed);
                page.forms = page.forms.into_iter().map(|form| form.refused(e)).collect();
                page
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
    page.notice = Some(t.t("cat-policy-fixed"));
    page.actions = vec![Action::new(
        format!("/products/{}", product.id),
        t.t1("cat-open-product", "product", &product.code),
    )];
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
            t.t("cat-f-entitlements"),
            if p.entitlements.is_empty() {
                "—".to_owned()
            } else {
                p.entitlements.join(", ")
            },
        ),
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
                Cell::link(&p.name, format!("/plans/{}", p.id)),
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
async fn plans(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let items = s.store.list_plans(None, ALL).await.or_refuse(&f)?;
    let policies = s.store.list_policies(None, ALL).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t("cat-plans"));
    if items.len() as i64 >= ALL.limit {
        page.notice = Some(t.n("sheet-first-rows", ALL.limit));
    }
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
fn plan_form(f: &Frame, policies: Vec<(String, String)>, typed: &dyn Fn(&str) -> String) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("cat-new-plan"));
    page.lead.push(t.t("cat-plan-lead"));
    page.notice = Some(t.t("cat-plan-fixed"));
    let mut form = Form::post(
        "plan",
        "/plans",
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
        ],
        t.t("cat-create"),
    );
    form.cancel = Some(Action::new("/plans", t.t("sheet-cancel")));
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
    Ok(plan_form(&f, policies, &typed).page())
}

/// The rule an option line obeys.
const OPTION_LINE_RULE: &str =
    "each line of 'options' is CODE | Name | FEATURE, FEATURE (the features may be left out)";

/// The options typed, one per line: `CODE | Name | FEATURE, FEATURE`.
fn posted_options(text: &str) -> Result<Vec<PlanOption>, ApiError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (code, name, features) = match parts.as_slice() {
                [code, name] => (code, name, ""),
                [code, name, features] => (code, name, *features),
                _ => {
                    return Err(ApiError::invalid(format!(
                        "{OPTION_LINE_RULE}, not '{line}'"
                    )))
                }
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
            })
        })
        .collect()
}

/// `POST /plans`: the plan's page, or the form again with the rule that
/// refused it and what was typed.
async fn create_plan(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let made = match posted_options(&form.get("options")) {
        Ok(options) => {
            let new = NewPlan {
                name: form.get("name"),
                policy_id: form.get("policy_id"),
                options,
            };
            catalogue::create_plan(&s, &v.staff, new).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}", p.id)).into_response()),
        Err(e) => {
            let policies = policy_options(&s).await.or_refuse(&f)?;
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, |e| {
                let mut page = plan_form(&f, policies, &typed);
                page.forms = page.forms.into_iter().map(|form| form.refused(e)).collect();
                page
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
    page.notice = Some(t.t("cat-plan-fixed"));
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
    page.terms = vec![
        (t.t("cat-id"), p.id.clone()),
        (t.t("cat-product"), product_label(&product)),
        (t.t("cat-policy"), policy.name.clone()),
        (t.t("cat-f-name"), p.name.clone()),
        (t.t("cat-created"), t.date(p.created_at)),
    ];
    let rows = p
        .options
        .iter()
        .map(|o| {
            vec![
                Cell::text(&o.code),
                Cell::text(&o.name),
                Cell::text(o.entitlements.join(", ")),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("cat-options"),
        vec![t.t("cat-code"), t.t("cat-name"), t.t("cat-features")],
        rows,
        t.t("cat-no-options"),
    ));
    Ok(page.page())
}

#[cfg(test)]
mod tests {
    use super::posted_options;

    #[test]
    fn option_lines_read_code_name_and_features() {
        let options = posted_options("pro | Pro pack | sso, audit=3\n\nbasic|Basic").unwrap();
        assert_eq!(options.len(), 2);
        assert_eq!(options[0].code, "pro");
        assert_eq!(options[0].entitlements, ["sso", "audit=3"]);
        assert!(options[1].entitlements.is_empty());
        let e = posted_options("just-a-code").unwrap_err();
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
        crate::console::sheet::assert_said(ids);
    }
}
