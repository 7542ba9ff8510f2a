//! Issuing a licence from a plan (with its options) or a policy; a double
//! submit replays the first answer from the API's idempotency store.

use super::*;

/// `?from=plan:ID` or `policy:ID`, to draw the form for it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    from: String,
    customer: String,
}

/// One add-on option of the chosen plan.
struct OptionBox {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "console/license_new.html")]
struct New {
    f: Frame,
    idem: String,
    plans: Vec<Choice>,
    policies: Vec<Choice>,
    from: String,
    options: Vec<OptionBox>,
    customers: Vec<Choice>,
    licensee: String,
    email: String,
    seats: String,
    expires: String,
    refusal: Option<Refused>,
}

#[derive(Template)]
#[template(path = "console/license_issued.html")]
struct IssuedPage {
    f: Frame,
    key: String,
    href: String,
    licensee: String,
}

/// The issue form, with what was typed (`fields`) and a refusal.
async fn new_page(
    s: &AppState,
    v: &Viewer,
    f: &Frame,
    fields: &Fields,
    refusal: Option<Refused>,
) -> Result<New, Response> {
    // The plans and policies offered by the form's select: a hard cap
    // of 500 each, not paged (the catalogue's lists are).
    let all = Window::first(500);
    let from = fields.get("from").to_owned();
    // A retired plan or policy is offered for no new licence.
    let mut plans = s.store.list_plans(None, all.clone()).await.or_refuse(f)?;
    plans.retain(|p| p.retired_at.is_none());
    let mut policies = s
        .store
        .list_policies(None, all.clone())
        .await
        .or_refuse(f)?;
    policies.retain(|p| p.retired_at.is_none());
    let chosen = fields.all("options");
    let options = plans
        .iter()
        .find(|p| from == format!("plan:{}", p.id))
        .map(|p| {
            p.options
                .iter()
                .map(|o| OptionBox {
                    checked: chosen.contains(&o.code),
                    code: o.code.clone(),
                    name: o.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let choice = |value: String, label: String| Choice {
        selected: value == from,
        value,
        label,
    };
    let scope = v.staff.scope(READERS).or_refuse(f)?;
    let customers: Vec<(String, String)> = s
        .store
        .list_customers(&scope, None, None, all)
        .await
        .or_refuse(f)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(New {
        f: f.clone(),
        idem: fields
            .opt("_idem")
            .unwrap_or_else(|| secret::new_id("form")),
        plans: plans
            .into_iter()
            .map(|p| choice(format!("plan:{}", p.id), p.name))
            .collect(),
        policies: policies
            .into_iter()
            .map(|p| choice(format!("policy:{}", p.id), p.name))
            .collect(),
        from,
        options,
        customers: select(f.t.t("no-customer"), &customers, fields.get("customer")),
        licensee: fields.get("licensee").to_owned(),
        email: fields.get("email").to_owned(),
        seats: fields.get("seats").to_owned(),
        expires: fields.get("expires").to_owned(),
        refusal,
    })
}

/// `GET /licenses/new`: issue from a plan (with its options) or a policy.
pub(super) async fn new_form(
    State(s): State<AppState>,
    v: Viewer,
    Params(q): Params<NewQuery>,
) -> PageResult {
    let f = v.frame.at("licenses");
    v.staff.scope(WRITERS).or_refuse(&f)?;
    let fields = Fields(vec![
        ("from".to_owned(), q.from),
        ("customer".to_owned(), q.customer),
    ]);
    Ok(render(&new_page(&s, &v, &f, &fields, None).await?))
}

/// What the issue form asks for, checked: the idempotency route and the
/// request.
async fn issue_request(
    s: &AppState,
    fields: &Fields,
) -> Result<(String, IssueOverrides), ApiError> {
    let seats = match fields.opt("seats") {
        None => None,
        Some(n) => Some(
            n.parse::<u32>()
                .map_err(|_| ApiError::invalid("seats must be a whole number"))?,
        ),
    };
    let from = fields.get("from");
    if let Some(plan) = from.strip_prefix("plan:") {
        let req = PlanIssue {
            licensee: fields.get("licensee").to_owned(),
            email: fields.opt("email"),
            customer_id: fields.opt("customer"),
            seats,
            machines: None,
            user: None,
            metadata: None,
            expires: fields.opt("expires"),
            options: fields.all("options"),
        };
        let overrides = licenses::plan_license(s, plan, req)
            .await
            .map_err(|e| match e.status {
                StatusCode::NOT_FOUND => ApiError::invalid("no such plan"),
                _ => e,
            })?;
        Ok((format!("issue:{plan}"), overrides))
    } else if let Some(policy) = from.strip_prefix("policy:") {
        Ok((
            "issue".to_owned(),
            IssueOverrides {
                policy_id: policy.to_owned(),
                licensee: fields.get("licensee").to_owned(),
                email: fields.opt("email"),
                customer_id: fields.opt("customer"),
                seats,
                expires: fields.opt("expires"),
                ..IssueOverrides::default()
            },
        ))
    } else {
        Err(ApiError::invalid("choose a plan or a policy to issue from"))
    }
}

/// `POST /licenses/new`: the licence is issued, its key shown once; a
/// second submit of the same form shows the same licence.
pub(super) async fn issue(State(s): State<AppState>, v: Viewer, body: Bytes) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let key = form_key(&fields);
    let answer = async {
        v.staff.scope(WRITERS)?;
        let (route, req) = issue_request(&s, &fields).await?;
        match licenses::issue(&s, &v.staff, &key, &route, &form_hash(&body), req).await? {
            Reply::Fresh(issued) => Ok(issued),
            Reply::Replayed(response) => replayed::<Issued>(response).await,
        }
    }
    .await;
    match answer {
        Ok(issued) => Ok(render(&IssuedPage {
            f,
            key: issued.license_key,
            href: format!("/licenses/{}", issued.license.id),
            licensee: issued.license.licensee,
        })),
        Err(e) => {
            let refused = Refused::of(&f, e);
            let page = new_page(&s, &v, &f, &fields, Some(refused)).await?;
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}
