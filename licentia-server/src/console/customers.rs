//! The customer tree: the partner -> customer -> site nodes the person
//! reaches, each with its seats per product (allocated, given on, used,
//! free); a node's page with its children, its members and the forms that
//! move seats down the tree or add a node; a node's entitlement history.
//! The Wazo screens of issue 13.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::frame::{refusal, render, with_status, Frame, OrRefuse, PageResult, Params, Viewer};
use super::history::{history_page, HistoryQuery, Shown};
use super::i18n::Tr;
use super::members::{member_lines, MemberForm, MemberLine};
use super::paging::{Pager, Paging, PER_PAGE};
use super::problems::said;
use super::sheet::{self, Sheet};
use super::{Page, PageAccess};
use crate::api::{MEMBER_WRITERS, READERS, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::service::customers::{self, NewCustomer, ALLOCATORS};
use crate::store::{
    Allocation, HistoryFilter, NodePick, NodeSeats, Page as Window, Placement, Scope,
};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/customers", Signed, tree),
        Page::post("/customers/allocation", Signed, allocate_top),
        Page::get(
            "/customers/allocation/confirm",
            Signed,
            confirm_top_allocation,
        ),
        Page::get("/customers/{id}", Signed, node),
        Page::post("/customers/{id}/allocation", Signed, allocate),
        Page::get(
            "/customers/{id}/allocation/confirm",
            Signed,
            confirm_allocation,
        ),
        Page::post("/customers/{id}/children", Signed, create_child),
        Page::get("/customers/{id}/history", Signed, history),
    ]
}

/// The section of the navigation these pages belong to.
const SECTION: &str = "customers";

/// The seats of one product at one node, as drawn.
pub(crate) struct SeatRow {
    /// The product's name.
    pub product: String,
    /// The product's id.
    pub product_id: String,
    pub allocated: i64,
    pub given: i64,
    pub used: i64,
    pub free: i64,
    /// Given on plus used: what the meter shows against `meter_max`.
    pub consumed: i64,
    /// The meter's top (at least 1).
    pub meter_max: i64,
    /// "45 of 60 consumed", for the meter's text.
    pub summary: String,
}

/// Product names by id, read once per page.
pub(crate) struct Products {
    names: HashMap<String, String>,
}

impl Products {
    /// The names of the products `ids` name (an unknown one keeps its id).
    pub async fn of(s: &AppState, ids: impl IntoIterator<Item = &str>) -> Products {
        let mut names = HashMap::new();
        for id in ids {
            if names.contains_key(id) {
                continue;
            }
            let name = match s.store.product(id).await {
                Ok(p) => p.name,
                Err(_) => id.to_owned(),
            };
            names.insert(id.to_owned(), name);
        }
        Products { names }
    }

    /// The name of `id`.
    pub fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

/// A seat row of `a`.
pub(crate) fn seat_row(t: &Tr, products: &Products, a: &Allocation) -> SeatRow {
    let consumed = a.given + a.used;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("consumed", consumed);
    args.set("allocated", a.allocated);
    SeatRow {
        product: products.name(&a.product_id),
        product_id: a.product_id.clone(),
        allocated: a.allocated,
        given: a.given,
        used: a.used,
        free: a.free,
        consumed,
        meter_max: a.allocated.max(consumed).max(1),
        summary: t.args("seats-consumed", &args),
    }
}

/// One line of a table of nodes: the node's cell on its first product's
/// line only (spanning its other products' lines).
pub(crate) struct TreeLine {
    /// The node's cell: (href, name, kind, depth, rowspan); on the first
    /// line of the node only.
    pub node: Option<NodeCell>,
    /// The product's seats (none: the node holds no seats).
    pub seats: Option<SeatRow>,
}

/// The node's cell of a [`TreeLine`].
pub(crate) struct NodeCell {
    pub href: String,
    pub name: String,
    pub kind: String,
    /// Its depth below the first node drawn (indents the name).
    pub depth: usize,
    /// How many lines it spans.
    pub rowspan: usize,
    /// The page of its children, when its kind has any.
    pub children: Option<String>,
}

/// The lines of `nodes` (each followed by its subtree, depth first), from
/// the nodes among them whose parent is not among them.
fn tree_lines(t: &Tr, products: &Products, nodes: &[NodeSeats]) -> Vec<TreeLine> {
    let ids: Vec<&str> = nodes.iter().map(|n| n.customer_id.as_str()).collect();
    let mut children: HashMap<&str, Vec<&NodeSeats>> = HashMap::new();
    let mut roots = Vec::new();
    for n in nodes {
        match n.parent_id.as_deref() {
            Some(p) if ids.contains(&p) => children.entry(p).or_default().push(n),
            _ => roots.push(n),
        }
    }
    let mut lines = Vec::new();
    let mut stack: Vec<(&NodeSeats, usize)> = roots.into_iter().rev().map(|n| (n, 0)).collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((n, depth)) = stack.pop() {
        if !seen.insert(n.customer_id.as_str()) {
            continue;
        }
        node_lines(t, products, n, depth, &mut lines);
        if let Some(kids) = children.get(n.customer_id.as_str()) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    lines
}

/// The lines of one node at `depth`.
fn node_lines(t: &Tr, products: &Products, n: &NodeSeats, depth: usize, out: &mut Vec<TreeLine>) {
    let cell = NodeCell {
        href: format!("/customers/{}", n.customer_id),
        name: n.name.clone(),
        kind: t.t(&format!("node-{}", n.kind)),
        depth: depth.min(3),
        rowspan: n.allocations.len().max(1),
        children: (!child_kinds(&n.kind).is_empty())
            .then(|| format!("/customers?under={}", n.customer_id)),
    };
    if n.allocations.is_empty() {
        out.push(TreeLine {
            node: Some(cell),
            seats: None,
        });
        return;
    }
    let mut cell = Some(cell);
    for a in &n.allocations {
        out.push(TreeLine {
            node: cell.take(),
            seats: Some(seat_row(t, products, a)),
        });
    }
}

/// Every product the nodes hold.
fn product_ids(nodes: &[NodeSeats]) -> Vec<&str> {
    nodes
        .iter()
        .flat_map(|n| &n.allocations)
        .map(|a| a.product_id.as_str())
        .collect()
}

#[derive(Template)]
#[template(path = "console/customers.html")]
struct TreePage {
    f: Frame,
    lines: Vec<TreeLine>,
    pager: Pager,
    /// The node whose children are listed: (its page, its name), and the
    /// level above it.
    under: Option<(String, String, String)>,
    /// The name searched for.
    name: String,
    notice: Option<String>,
    refusal: Option<String>,
    /// The form giving seats to a top node, for finance, admin or issuer at
    /// the vendor root.
    allocation: Option<AllocationFields>,
}

/// `GET /customers` query: whose children to list (default: the top of
/// the tree), or the name to search for; and what was just done.
#[derive(Deserialize, Default)]
pub(crate) struct TreeQuery {
    #[serde(default)]
    under: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    done: Done,
}

/// The tree page: one page of the top nodes the person reaches, of one
/// node's children, or of the nodes named like `q.name`, each with its
/// seats; with the top allocation form as typed.
async fn tree_page(
    s: &AppState,
    v: &Viewer,
    (q, paging): (&TreeQuery, &Paging),
    form: &AllocationForm,
    refusal: Option<String>,
) -> ApiResult<Response> {
    let f = v.frame.at(SECTION);
    let scope = v.staff.scope(READERS)?;
    let name = q.name.as_deref().map(str::trim).unwrap_or_default();
    let under = q.under.as_deref().filter(|u| !u.is_empty());
    let (pick, under) = match (name, under) {
        ("", Some(id)) => {
            v.staff.place(s, Some(id)).await?;
            let node = s.store.customer(id).await?;
            let up = match &node.parent_id {
                Some(p) if v.staff.place(s, Some(p)).await.is_ok() => {
                    format!("/customers?under={p}")
                }
                _ => "/customers".to_owned(),
            };
            let here = (format!("/customers/{id}"), node.name, up);
            (NodePick::Children(id), Some(here))
        }
        ("", None) => (NodePick::Top, None),
        (name, _) => (NodePick::Named(name), None),
    };
    let found = s.store.seat_nodes(&scope, pick, paging.rows()).await?;
    let (nodes, pager) = paging.cut(&f.t, found);
    let products = Products::of(s, product_ids(&nodes)).await;
    let lines = tree_lines(&f.t, &products, &nodes);
    let vendor = Placement::Vendor;
    let top = matches!(pick, NodePick::Top);
    let allocation = if top && v.staff.holding(ALLOCATORS, &vendor).next().is_some() {
        // The form's product select: a hard cap of 500 products, not paged.
        let all = s.store.list_products(Window::first(500)).await?;
        let tops = nodes.iter().filter(|n| n.parent_id.is_none());
        Some(AllocationFields {
            action: "/customers/allocation".into(),
            heading: f.t.t("allocate-top-heading"),
            node_label: f.t.t("col-node"),
            children: choices(
                tops.map(|n| (n.customer_id.clone(), n.name.clone()))
                    .collect(),
                &form.child,
            ),
            products: choices(
                all.into_iter().map(|p| (p.id, p.name)).collect(),
                &form.product,
            ),
            seats: form.seats.clone(),
        })
    } else {
        None
    };
    Ok(render(&TreePage {
        notice: notice(&f.t, &q.done),
        f,
        lines,
        pager,
        under,
        name: name.to_owned(),
        refusal,
        allocation,
    }))
}

/// `GET /customers`: the tree the person reaches, a level and a page at a
/// time, with its seats.
async fn tree(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<TreeQuery>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    tree_page(&s, &v, (&q, &paging), &AllocationForm::default(), None)
        .await
        .or_refuse(&f)
}

/// `POST /customers/allocation`: sets a top node's seats of a product (a
/// cut through its confirm page first).
async fn allocate_top(
    State(s): State<AppState>,
    v: Viewer,
    Form(form): Form<AllocationForm>,
) -> Response {
    let result = match allocation_asked(&s, None, &form).await {
        Ok(asked) if asked.cut() && form.confirm != "yes" => {
            return Redirect::to(&format!("/customers/allocation/confirm?{}", asked.query()))
                .into_response();
        }
        Ok(asked) => {
            customers::set_allocation(&s, &v.staff, &asked.child, &asked.product, asked.seats).await
        }
        Err(e) => Err(e),
    };
    let f = v.frame.at(SECTION);
    match result {
        Ok(_) => Redirect::to("/customers?done=allocation").into_response(),
        Err(e) if e.status.is_server_error() => refusal(&f, e),
        Err(e) => {
            let status = e.status;
            let first = (&TreeQuery::default(), &Paging::first("/customers"));
            match tree_page(&s, &v, first, &form, Some(said(&f.t, &e))).await {
                Ok(page) => with_status(page, status),
                Err(_) => refusal(&f, e),
            }
        }
    }
}

/// One option of a select.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The options of a select: (value, label), `current` selected.
pub(crate) fn choices(options: Vec<(String, String)>, current: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// What the allocation form holds.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct AllocationForm {
    /// The child node.
    #[serde(default)]
    pub child: String,
    /// The product's id.
    #[serde(default)]
    pub product: String,
    /// The seats the child is to hold.
    #[serde(default)]
    pub seats: String,
    /// `yes` once a cut was confirmed.
    #[serde(default)]
    pub confirm: String,
}

/// What the new-node form holds.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct ChildForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// The state of the node page's forms: what was typed into the one that was
/// refused, and why.
#[derive(Default)]
pub(crate) struct NodeForms {
    /// The refusal's text (the rule, in the API's words).
    pub refusal: Option<String>,
    pub allocation: AllocationForm,
    pub child: ChildForm,
    pub member: MemberForm,
}

#[derive(Template)]
#[template(path = "console/customer.html")]
struct NodePage {
    f: Frame,
    id: String,
    name: String,
    kind: String,
    parent: Option<(String, String)>,
    email: String,
    external_ref: String,
    /// "Retired on …: takes nothing new", when it is.
    retired: Option<String>,
    /// Its billing cycle, and the change waiting for its next one.
    cycle: Option<String>,
    /// Whether the person may edit and retire it.
    may_change: bool,
    notice: Option<String>,
    refusal: Option<String>,
    own: Vec<SeatRow>,
    children: Vec<TreeLine>,
    /// The tree page of all its children, when they span pages.
    more_children: Option<String>,
    /// The allocation form, when the person may move seats to a child.
    allocation: Option<AllocationFields>,
    /// The new-node form, when a child may be added here by this person.
    child: Option<ChildFields>,
    members: Vec<MemberLine>,
    /// "12 members" (none when they span pages: the pager says which
    /// of them are shown).
    members_count: Option<String>,
    /// The pages of the members.
    pager: Pager,
    /// The add-member form, when the person may add members here.
    member: Option<MemberFields>,
}

/// The allocation form as drawn.
pub(crate) struct AllocationFields {
    /// Where the form posts.
    action: String,
    /// Its heading.
    heading: String,
    /// What the node select is called.
    node_label: String,
    children: Vec<Choice>,
    products: Vec<Choice>,
    seats: String,
}

/// The new-node form as drawn.
pub(crate) struct ChildFields {
    kinds: Vec<Choice>,
    name: String,
    email: String,
}

/// The add-member form as drawn.
pub(crate) struct MemberFields {
    pub name: String,
    pub email: String,
    /// The default plan's name, when the node has one.
    pub default_plan: Option<String>,
    pub service: bool,
}

/// `?done=` after a form: which notice to show.
#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

/// The notice of `?done=what`, for the known ones.
pub(crate) fn notice(t: &Tr, done: &Done) -> Option<String> {
    let id = match done.done.as_deref()? {
        "allocation" => "done-allocation",
        "child" => "done-child",
        "member" => "done-member",
        "deleted" => "done-deleted",
        "unassigned" => "done-unassigned",
        "seats" => "done-seats",
        "renewal" => "done-renewal",
        "star" => "done-star",
        "edited" => "done-edited",
        "retired" => "done-retired",
        _ => return None,
    };
    Some(t.t(id))
}

/// The kinds of node that may sit under a node of `kind`.
fn child_kinds(kind: &str) -> &'static [&'static str] {
    match kind {
        "partner" => &["customer"],
        "customer" => &["site"],
        _ => &[],
    }
}

/// The node page, with `forms` as typed (and a refusal, if one).
pub(crate) async fn node_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    paging: &Paging,
    forms: NodeForms,
    notice: Option<String>,
) -> Result<Response, ApiError> {
    let f = v.frame.at(SECTION);
    let t = f.t;
    let customer = s.store.customer(id).await?;
    let this = Scope::Under(vec![id.to_owned()]);
    let mut nodes = s
        .store
        .seat_nodes(&this, NodePick::Top, Window::first(1))
        .await?
        .items;
    // Its first children; the tree page lists them all, a page at a time.
    let kids = s
        .store
        .seat_nodes(&this, NodePick::Children(id), Window::first(PER_PAGE))
        .await?;
    let more_children = kids
        .next
        .is_some()
        .then(|| format!("/customers?under={id}"));
    let kids = kids.items;
    nodes.extend(kids.iter().cloned());
    let products = Products::of(s, product_ids(&nodes)).await;
    let own: Vec<SeatRow> = nodes
        .iter()
        .filter(|n| n.customer_id == id)
        .flat_map(|n| &n.allocations)
        .map(|a| seat_row(&t, &products, a))
        .collect();
    let children = tree_lines(&t, &products, &kids);
    let parent = match &customer.parent_id {
        Some(p) if v.staff.place(s, Some(p)).await.is_ok() => {
            let parent = s.store.customer(p).await?;
            Some((format!("/customers/{}", parent.id), parent.name))
        }
        _ => None,
    };
    let here = v.staff.placement();
    let may = |roles| v.staff.holding(roles, &here).next().is_some();
    let allocation = (may(ALLOCATORS) && !kids.is_empty() && !own.is_empty()).then(|| {
        let form = &forms.allocation;
        AllocationFields {
            action: format!("/customers/{id}/allocation"),
            heading: f.t.t("allocate-heading"),
            node_label: f.t.t("field-child"),
            children: choices(
                kids.iter()
                    .map(|k| (k.customer_id.clone(), k.name.clone()))
                    .collect(),
                &form.child,
            ),
            products: choices(
                own.iter()
                    .map(|r| (r.product_id.clone(), r.product.clone()))
                    .collect(),
                &form.product,
            ),
            seats: form.seats.clone(),
        }
    });
    let kinds = child_kinds(&customer.kind);
    let child = (may(WRITERS) && !kinds.is_empty()).then(|| ChildFields {
        kinds: choices(
            kinds
                .iter()
                .map(|k| ((*k).to_owned(), t.t(&format!("node-{k}"))))
                .collect(),
            &forms.child.kind,
        ),
        name: forms.child.name.clone(),
        email: forms.child.email.clone(),
    });
    let star = s.store.default_plan(id).await?;
    let default_plan = match &star {
        Some(d) => Some(s.store.plan(&d.plan_id).await?),
        None => None,
    };
    let listed = s.store.list_members(id, paging.rows()).await?;
    let found = member_lines(s, &t, listed, star.as_ref()).await?;
    let (members, pager) = paging.cut(&t, found);
    let members_count = (!pager.paged()).then(|| t.n("members-count", members.len() as i64));
    let member = may(MEMBER_WRITERS).then(|| MemberFields {
        name: forms.member.name.clone(),
        email: forms.member.email.clone(),
        default_plan: default_plan.as_ref().map(|p| p.name.clone()),
        // Ticked unless the refused form was sent unticked.
        service: forms.refusal.is_none() || !forms.member.service.is_empty(),
    });
    let page = NodePage {
        id: customer.id,
        name: customer.name,
        kind: t.t(&format!("node-{}", customer.kind)),
        parent,
        email: customer.email.unwrap_or_default(),
        external_ref: customer.external_ref.unwrap_or_default(),
        retired: customer
            .retired_at
            .map(|at| t.t1("node-retired", "date", t.date(at))),
        cycle: customer.billing_interval.as_deref().map(|now| {
            let now = t.t(&format!("cycle-{now}"));
            match (&customer.billing_next, &customer.billing_next_on) {
                (Some(next), Some(on)) => {
                    let mut args = fluent_bundle::FluentArgs::new();
                    args.set("now", now);
                    args.set("next", t.t(&format!("cycle-{next}")));
                    args.set("date", on.clone());
                    t.args("cycle-changing", &args)
                }
                _ => now,
            }
        }),
        may_change: customer.retired_at.is_none()
            && v.staff.allow_at(s, WRITERS, Some(id)).await.is_ok(),
        notice,
        refusal: forms.refusal,
        own,
        children,
        more_children,
        allocation,
        child,
        members_count,
        members,
        pager,
        member,
        f,
    };
    Ok(render(&page))
}

/// The node page redrawn with a refusal, in the refusal's status; a
/// server failure is the refusal page.
pub(crate) async fn refused_on_node(
    s: &AppState,
    v: &Viewer,
    id: &str,
    e: ApiError,
    mut forms: NodeForms,
) -> Response {
    let f = v.frame.at(SECTION);
    if e.status.is_server_error() {
        return refusal(&f, e);
    }
    let status = e.status;
    forms.refusal = Some(said(&f.t, &e));
    let paging = Paging::first(&format!("/customers/{id}"));
    match node_page(s, v, id, &paging, forms, None).await {
        Ok(page) => with_status(page, status),
        Err(_) => refusal(&f, e),
    }
}

/// `GET /customers/{id}`.
async fn node(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    paging: Paging,
    Params(done): Params<Done>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let notice = notice(&f.t, &done);
    node_page(&s, &v, &id, &paging, NodeForms::default(), notice)
        .await
        .or_refuse(&f)
}

/// A count of seats typed into a form: a whole number from 0.
pub(crate) fn seats_field(text: &str) -> ApiResult<u32> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::invalid("seats must be a whole number, 0 or more"))
}

/// The seats `child` holds of `product` now.
async fn held(s: &AppState, child: &str, product: &str) -> ApiResult<i64> {
    Ok(s.store
        .seats(child)
        .await?
        .into_iter()
        .filter(|n| n.customer_id == child)
        .flat_map(|n| n.allocations)
        .find(|a| a.product_id == product)
        .map_or(0, |a| a.allocated))
}

/// What an allocation form asks, checked: the child (one of `parent`'s,
/// or a top node for none), the product, the seats, and the seats the child
/// holds now.
struct Asked {
    child: String,
    product: String,
    seats: u32,
    now: i64,
}

impl Asked {
    /// A cut: it goes through a confirm page first.
    fn cut(&self) -> bool {
        i64::from(self.seats) < self.now
    }

    /// The same request as a query string, for its confirm page.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("child", &self.child)
            .append_pair("product", &self.product)
            .append_pair("seats", &self.seats.to_string())
            .finish()
    }
}

async fn allocation_asked(
    s: &AppState,
    parent: Option<&str>,
    form: &AllocationForm,
) -> ApiResult<Asked> {
    let seats = seats_field(&form.seats)?;
    let child = s.store.customer(form.child.trim()).await.ok();
    let Some(child) = child.filter(|c| c.parent_id.as_deref() == parent) else {
        return Err(ApiError::invalid("pick one of this node's children"));
    };
    let product = s
        .store
        .product(form.product.trim())
        .await
        .map_err(|_| ApiError::invalid("pick a product this node holds"))?;
    let now = held(s, &child.id, &product.id).await?;
    Ok(Asked {
        child: child.id,
        product: product.id,
        seats,
        now,
    })
}

/// `POST /customers/{id}/allocation`: sets a child's seats of a product; a
/// cut goes through its confirm page first.
async fn allocate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<AllocationForm>,
) -> Response {
    let result = match allocation_asked(&s, Some(&id), &form).await {
        Ok(asked) if asked.cut() && form.confirm != "yes" => {
            return Redirect::to(&format!(
                "/customers/{id}/allocation/confirm?{}",
                asked.query()
            ))
            .into_response();
        }
        Ok(asked) => {
            customers::set_allocation(&s, &v.staff, &asked.child, &asked.product, asked.seats).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=allocation")).into_response(),
        Err(e) => {
            let forms = NodeForms {
                allocation: form,
                ..NodeForms::default()
            };
            refused_on_node(&s, &v, &id, e, forms).await
        }
    }
}

/// `GET /customers/{id}/allocation/confirm`: what a cut of a child's seats
/// will do.
async fn confirm_allocation(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(form): Params<AllocationForm>,
) -> PageResult {
    confirm_cut(&s, &v, Some(&id), &form).await
}

/// `GET /customers/allocation/confirm`: what a cut of a top node's seats
/// will do.
async fn confirm_top_allocation(
    State(s): State<AppState>,
    v: Viewer,
    Params(form): Params<AllocationForm>,
) -> PageResult {
    confirm_cut(&s, &v, None, &form).await
}

/// The confirm page of a cut of a child of `parent` (none: a top node).
async fn confirm_cut(
    s: &AppState,
    v: &Viewer,
    parent: Option<&str>,
    form: &AllocationForm,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let asked = allocation_asked(s, parent, form).await.or_refuse(&f)?;
    let child_name = s.store.customer(&asked.child).await.or_refuse(&f)?.name;
    let product_name = s.store.product(&asked.product).await.or_refuse(&f)?.name;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("child", child_name);
    args.set("product", product_name);
    args.set("from", asked.now);
    args.set("to", asked.seats);
    args.set("back", asked.now - i64::from(asked.seats));
    let (action, back) = match parent {
        Some(id) => (
            format!("/customers/{id}/allocation"),
            format!("/customers/{id}"),
        ),
        None => ("/customers/allocation".to_owned(), "/customers".to_owned()),
    };
    let form = sheet::Form::confirm(
        &f,
        action,
        vec![
            ("child".into(), asked.child),
            ("product".into(), asked.product),
            ("seats".into(), asked.seats.to_string()),
            ("confirm".into(), "yes".into()),
        ],
        f.t.t("lower-seats"),
        back,
    );
    let title = f.t.t("confirm-lower-allocation");
    let what = f.t.args("confirm-lower-allocation-what", &args);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /customers/{id}/children`: a new node under this one.
async fn create_child(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ChildForm>,
) -> Response {
    let email = form.email.trim();
    let request = NewCustomer {
        kind: form.kind.trim().to_owned(),
        name: form.name.trim().to_owned(),
        parent_id: Some(id.clone()),
        email: (!email.is_empty()).then(|| email.to_owned()),
        ..NewCustomer::default()
    };
    match customers::create(&s, &v.staff, request).await {
        Ok(made) => Redirect::to(&format!("/customers/{}?done=child", made.id)).into_response(),
        Err(e) => {
            let forms = NodeForms {
                child: form,
                ..NodeForms::default()
            };
            refused_on_node(&s, &v, &id, e, forms).await
        }
    }
}

/// `GET /customers/{id}/history`: the node's entitlement history, as
/// `GET /v1/customers/{id}/history` answers it.
async fn history(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(q): Params<HistoryQuery>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let customer = s.store.customer(&id).await.or_refuse(&f)?;
    let filter = HistoryFilter {
        customer_id: Some(id.clone()),
        ..HistoryFilter::default()
    };
    let shown = Shown {
        title: f.t.t1("history-of", "name", &customer.name),
        back: format!("/customers/{id}"),
        back_label: customer.name,
        path: format!("/customers/{id}/history"),
    };
    history_page(&s, &v, f, shown, filter, q.after).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_whole_numbers() {
        assert_eq!(seats_field(" 40 ").ok(), Some(40));
        assert!(seats_field("-1").is_err());
        assert!(seats_field("forty").is_err());
        assert!(seats_field("").is_err());
    }

    #[test]
    fn the_tree_is_drawn_depth_first() {
        let n = |id: &str, parent: Option<&str>| NodeSeats {
            customer_id: id.into(),
            parent_id: parent.map(Into::into),
            kind: "customer".into(),
            name: id.into(),
            allocations: Vec::new(),
        };
        let nodes = [
            n("wazo", None),
            n("alpha", Some("wazo")),
            n("beta", Some("wazo")),
            n("site", Some("alpha")),
        ];
        let t = Tr::new(super::super::i18n::Lang::En);
        let products = Products {
            names: HashMap::new(),
        };
        let drawn: Vec<(String, usize)> = tree_lines(&t, &products, &nodes)
            .into_iter()
            .filter_map(|l| l.node.map(|c| (c.name, c.depth)))
            .collect();
        assert_eq!(
            drawn,
            [
                ("wazo".into(), 0),
                ("alpha".into(), 1),
                ("site".into(), 2),
                ("beta".into(), 1)
            ]
        );
    }
}
