//! The console's members import (issue 13: "bulk import with a progress
//! bar and a per-row error report before anything is written; export"):
//! a bad file is reported row by row with nothing written; a good one is
//! checked, confirmed and written once, however often the confirmation is
//! posted; a customer admin's rows naming another customer are refused as
//! if it did not exist; a form without its CSRF token is refused. On
//! SQLite, and on PostgreSQL when `LICENTIA_TEST_POSTGRES` is set.

mod support;

use serde_json::json;
use support::console::{hidden, Console, Part};
use support::{s, Backend, Server, Wazo};

/// How many members the node `id` has (through the API).
async fn members(srv: &Server, id: &str) -> usize {
    srv.items(&format!("/v1/customers/{id}/members"), &srv.admin)
        .await
        .len()
}

async fn story(backend: Backend) {
    let srv = Server::start(backend).await;
    let vendor = srv.admin.clone();
    let Wazo {
        wazo, alpha, beta, ..
    } = srv.wazo().await;
    // A site below Alpha, and Beta's reference, for rows to name.
    let site = s(&srv
        .post_ok(
            "/v1/customers",
            &vendor,
            json!({"kind": "site", "name": "Alpha Lyon", "parent_id": alpha, "external_ref": "ALPHA-LYON"}),
            201,
        )
        .await["id"]);
    let bravo = s(&srv
        .post_ok(
            "/v1/customers",
            &vendor,
            json!({"kind": "customer", "name": "Bravo Secret", "parent_id": wazo, "external_ref": "BRAVO-1"}),
            201,
        )
        .await["id"]);
    let cleo = srv
        .person(
            "Cleo",
            "cleo@alpha.test",
            json!([{"role": "admin", "customer_id": alpha}]),
        )
        .await;
    let cleo_b = Console::of(&srv, &cleo);
    let import = format!("/customers/{alpha}/import");

    // Alpha's page leads to the import and to the export.
    let page = cleo_b.get(&format!("/customers/{alpha}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("href=\"{import}\"")));
    assert!(page
        .body
        .contains(&format!("href=\"/customers/{alpha}/members.csv\"")));
    let form = cleo_b.get(&import).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("accept=\".csv,text/csv\""));
    assert!(form.body.contains("<progress"));

    // A bad file: every line the file itself gets wrong is in the report
    // (the database is asked only once the file reads); nothing is written.
    let bad = format!(
        "customer,name,email\r\n\
         {alpha},Ann,ann@alpha.test\r\n\
         {alpha},Bob,not-an-address\r\n\
         ,Cy,cy@alpha.test\r\n\
         NOWHERE,Dee,dee@alpha.test\r\n"
    );
    let report = cleo_b
        .upload(
            &import,
            &[Part::File("file", "bad.csv", bad.as_bytes())],
            true,
        )
        .await;
    assert_eq!(report.status, 422, "{}", report.body);
    let said = report.text();
    assert!(
        said.contains("2 rows are refused: nothing was written"),
        "{said}"
    );
    assert!(said.contains("3 email not an e-mail address"), "{said}");
    assert!(said.contains("4 customer required"), "{said}");
    assert!(
        report.body.contains(">customer,name,email\r\n"),
        "the CSV is back in the form to correct"
    );
    assert_eq!(members(&srv, &alpha).await, 0);

    // Once the file reads, the database's checks report the rest: a
    // customer that does not exist.
    let unknown =
        format!("customer,name,email\n{alpha},Ann,ann@alpha.test\nNOWHERE,Dee,dee@alpha.test\n");
    let report = cleo_b
        .upload(&import, &[Part::Field("csv", &unknown)], true)
        .await;
    assert_eq!(report.status, 422);
    let said = report.text();
    assert!(said.contains("1 row is refused"), "{said}");
    assert!(
        said.contains("3 customer no customer has the id or external_ref 'NOWHERE'"),
        "{said}"
    );
    assert_eq!(members(&srv, &alpha).await, 0);

    // Alpha's admin naming Bravo's reference: the same words as for a
    // customer that does not exist, and nothing of Bravo shown.
    let elsewhere = format!("customer,name,email\n{alpha},Ann,ann@alpha.test\nBRAVO-1,Eve,eve@bravo.test\n{beta},Fay,fay@beta.test\n");
    let report = cleo_b
        .upload(&import, &[Part::Field("csv", &elsewhere)], true)
        .await;
    assert_eq!(report.status, 422);
    let said = report.text();
    assert!(
        said.contains("3 customer no customer has the id or external_ref 'BRAVO-1'"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "4 customer no customer has the id or external_ref '{beta}'"
        )),
        "{said}"
    );
    assert!(!said.contains("Bravo Secret") && !report.body.contains(&bravo));
    assert_eq!(members(&srv, &bravo).await, 0);
    assert_eq!(members(&srv, &beta).await, 0);

    // A good file (Alpha and its site, by id and by reference): checked,
    // nothing written yet, then confirmed.
    let good = format!(
        "customer,name,email,external_ref\n\
         {alpha},Ann,ann@alpha.test,E-1\n\
         {alpha},Bob,bob@alpha.test,\n\
         ALPHA-LYON,Cy,cy@alpha.test,\n"
    );
    let checked = cleo_b
        .upload(
            &import,
            &[
                Part::File("file", "good.csv", good.as_bytes()),
                Part::Field("csv", "ignored when a file is chosen"),
            ],
            true,
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    let said = checked.text();
    assert!(
        said.contains("Every row passed: 3 members will be created in Alpha."),
        "{said}"
    );
    assert!(said.contains("Create 3 members"), "{said}");
    assert_eq!(members(&srv, &alpha).await, 0, "a check writes nothing");
    let csv = hidden(&checked.body, "csv");
    let idem = hidden(&checked.body, "_idem");
    assert_eq!(csv, good);
    let confirm = format!("/customers/{alpha}/import/confirm");
    let fields = [Part::Field("csv", &csv), Part::Field("_idem", &idem)];

    // Without its CSRF token the confirmation is refused, nothing written.
    let forged = cleo_b.upload(&confirm, &fields, false).await;
    assert_eq!(forged.status, 403);
    let forged = cleo_b
        .upload(&import, &[Part::Field("csv", &good)], false)
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(members(&srv, &alpha).await, 0);

    let done = cleo_b.upload(&confirm, &fields, true).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let said = done.text();
    assert!(said.contains("3 members are created in Alpha."), "{said}");
    assert!(said.contains("Ann ann@alpha.test"), "{said}");
    assert!(done
        .body
        .contains(&format!("href=\"/customers/{alpha}#members\"")));
    assert_eq!(members(&srv, &alpha).await, 2);
    assert_eq!(members(&srv, &site).await, 1);

    // The same confirmation again: the first result, no second import.
    let again = cleo_b.upload(&confirm, &fields, true).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.text().contains("3 members are created in Alpha."));
    assert_eq!(members(&srv, &alpha).await, 2);
    assert_eq!(members(&srv, &site).await, 1);
    // Checked and confirmed anew, the same file is refused row by row.
    let anew = cleo_b
        .upload(
            &confirm,
            &[Part::Field("csv", &csv), Part::Field("_idem", "form_other")],
            true,
        )
        .await;
    assert_eq!(anew.status, 422);
    assert!(anew
        .text()
        .contains("this customer already has a member with this e-mail"));
    assert_eq!(members(&srv, &alpha).await, 2);

    // The export: the node's members in the columns an import reads.
    let export = cleo_b.get(&format!("/customers/{alpha}/members.csv")).await;
    assert_eq!(export.status, 200);
    assert!(export.disposition.starts_with("attachment;"));
    let rows = support::rows(&export.body);
    assert_eq!(
        rows[0],
        [
            "customer",
            "name",
            "email",
            "external_ref",
            "plan_id",
            "options"
        ]
    );
    assert_eq!(
        rows[1][..4],
        [
            alpha.clone(),
            "Ann".into(),
            "ann@alpha.test".into(),
            "E-1".into()
        ]
    );
    assert_eq!(rows.len(), 3, "{rows:?}");
    // Beta's pages are not Alpha's admin's to open.
    assert_eq!(
        cleo_b
            .get(&format!("/customers/{beta}/import"))
            .await
            .status,
        404
    );
    assert_eq!(
        cleo_b
            .get(&format!("/customers/{beta}/members.csv"))
            .await
            .status,
        404
    );

    // In French, the page's own words are French; the rules keep the API's.
    let (status, _) = cleo
        .call(
            &srv,
            "PUT",
            "/v1/session/profile",
            Some(json!({"locale": "fr"})),
        )
        .await;
    assert_eq!(status, 200);
    let report = cleo_b
        .upload(
            &import,
            &[Part::Field(
                "csv",
                "customer,name,email\nNOWHERE,Dee,dee@alpha.test\n",
            )],
            true,
        )
        .await;
    let said = report.text();
    assert!(
        said.contains("1 ligne est refusée : rien n'a été écrit"),
        "{said}"
    );
    assert!(said.contains("Ligne Colonne Problème"), "{said}");
    srv.stop().await;
}

support::on_both_backends! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    story => members_import_on_sqlite, members_import_on_postgres
}
