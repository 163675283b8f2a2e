//! Utilihive dynamic tables: rows, lookups, get-or-add (one row under concurrency), deletes,
//! problem+json naming the field.

use crate::support::TestApp;
use crate::utilihive_flows::{assert_problem, management_token, request};
use actix_web::http::StatusCode;
use serde_json::{Value, json};

const BASE: &str = "/acme/management/registry/tables";

#[actix_web::test]
async fn rows_are_added_looked_up_updated_and_deleted() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let rows = format!("{BASE}/meters/rows");

    assert_problem(&app.send(request("GET", &token, &rows, None)).await, 404, None);
    for (meter, site, kwh) in [("M-1", "north", json!(10)), ("M-2", "north", json!(12.5)), ("M-3", "south", json!("7"))]
    {
        let added = app
            .send(request("POST", &token, &rows, Some(&json!({"cells": {"meter": meter, "site": site, "kwh": kwh}}))))
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    let tables = app.send(request("GET", &token, BASE, None)).await.json();
    assert_eq!(tables, json!([{"name": "meters", "rowCount": 3}]));

    let all = app.send(request("GET", &token, &rows, None)).await.json();
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[1], json!({"rowId": 2, "cells": {"kwh": "12.5", "meter": "M-2", "site": "north"}}));
    let page = app.send(request("GET", &token, &format!("{rows}?offset=1&limit=1"), None)).await.json();
    assert_eq!(page[0]["rowId"], 2);
    let north = app.send(request("GET", &token, &format!("{rows}?column=site&value=north"), None)).await.json();
    let ids: Vec<&Value> = north.as_array().unwrap().iter().map(|r| &r["rowId"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2)]);
    assert_problem(&app.send(request("GET", &token, &format!("{rows}?column=site"), None)).await, 400, Some("column"));
    assert_problem(&app.send(request("GET", &token, &format!("{rows}?limit=x"), None)).await, 400, None);

    let row = app.send(request("GET", &token, &format!("{rows}/meter/M-3"), None)).await;
    assert_eq!(row.status, StatusCode::OK, "{}", row.text());
    assert_eq!(row.json()["cells"]["site"], "south");
    let cell = app.send(request("GET", &token, &format!("{rows}/meter/M-3/kwh"), None)).await;
    assert_eq!(cell.json(), json!({"column": "kwh", "value": "7"}));
    assert_problem(&app.send(request("GET", &token, &format!("{rows}/meter/M-9"), None)).await, 404, None);
    assert_problem(&app.send(request("GET", &token, &format!("{rows}/meter/M-3/nope"), None)).await, 404, None);

    // Get-or-add: found and updated; missing and added; missing and not added.
    let update = json!({"lookup": {"column": "meter", "value": "M-1"}, "cells": {"kwh": 11}});
    let updated = app.send(request("PATCH", &token, &rows, Some(&update))).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(updated.json()["cells"], json!({"kwh": "11", "meter": "M-1", "site": "north"}));
    let add = json!({"lookup": {"column": "meter", "value": "M-4"}, "cells": {"site": "east"}, "createRow": true});
    let added = app.send(request("PATCH", &token, &rows, Some(&add))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    assert_eq!(added.json()["cells"], json!({"meter": "M-4", "site": "east"}));
    let get_only = json!({"lookup": {"column": "meter", "value": "M-5"}});
    assert_problem(&app.send(request("PATCH", &token, &rows, Some(&get_only))).await, 404, None);
    let new_table = json!({"lookup": {"column": "code", "value": "NL"}, "cells": {"name": "Netherlands"}, "createTable": true, "createRow": true});
    let created = app.send(request("PATCH", &token, &format!("{BASE}/countries/rows"), Some(&new_table))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let no_table = json!({"lookup": {"column": "code", "value": "NL"}, "createRow": true});
    assert_problem(
        &app.send(request("PATCH", &token, &format!("{BASE}/nowhere/rows"), Some(&no_table))).await,
        404,
        None,
    );

    // Deletes: cells of matching rows, a column, rows, the table.
    let cells = app.send(request("DELETE", &token, &format!("{rows}/site/north/kwh"), None)).await;
    assert_eq!(cells.json(), json!({"deleted": 2}));
    assert_eq!(
        app.send(request("GET", &token, &format!("{rows}/meter/M-1"), None)).await.json()["cells"],
        json!({"meter": "M-1", "site": "north"})
    );
    let column = app.send(request("DELETE", &token, &format!("{BASE}/meters/columns/site"), None)).await;
    assert_eq!(column.json(), json!({"deleted": 4}));
    let removed = app.send(request("DELETE", &token, &format!("{rows}/meter/M-2"), None)).await;
    assert_eq!(removed.json(), json!({"deleted": 1}));
    let tables = app.send(request("GET", &token, BASE, None)).await.json();
    assert_eq!(tables, json!([{"name": "countries", "rowCount": 1}, {"name": "meters", "rowCount": 3}]));
    assert_eq!(
        app.send(request("DELETE", &token, &format!("{BASE}/meters"), None)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_problem(&app.send(request("DELETE", &token, &format!("{BASE}/meters"), None)).await, 404, None);
    assert_eq!(
        app.send(request("GET", &token, BASE, None)).await.json(),
        json!([{"name": "countries", "rowCount": 1}])
    );
}

#[actix_web::test]
async fn concurrent_get_or_add_of_one_key_adds_one_row() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let rows = format!("{BASE}/sessions/rows");
    let body = json!({"lookup": {"column": "session", "value": "S-1"}, "cells": {"state": "open"}, "createTable": true, "createRow": true});
    let (a, b, c) = futures_util::join!(
        app.send(request("PATCH", &token, &rows, Some(&body))),
        app.send(request("PATCH", &token, &rows, Some(&body))),
        app.send(request("PATCH", &token, &rows, Some(&body)))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16(), c.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 201], "{} / {} / {}", a.text(), b.text(), c.text());
    let all = app.send(request("GET", &token, &rows, None)).await.json();
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
    assert_eq!(app.send(request("GET", &token, BASE, None)).await.json(), json!([{"name": "sessions", "rowCount": 1}]));
}

#[actix_web::test]
async fn bad_names_and_cells_are_problems_naming_the_field_and_owners_are_separate() {
    let app = TestApp::start().await;
    let acme = app.realm("acme").await;
    let globex = app.realm("globex").await;
    let token = management_token(&app, &acme, "deployer@acme.test", &["Deployer"]).await;
    let theirs = management_token(&app, &globex, "deployer@globex.test", &["Deployer"]).await;
    let cases = [
        (format!("{BASE}/bad%20name/rows"), json!({"cells": {"a": "1"}}), Some("table")),
        (format!("{BASE}/t/rows"), json!({"cells": {"bad column": "1"}}), Some("cells.bad column")),
        (format!("{BASE}/t/rows"), json!({"cells": {"a": [1]}}), Some("cells.a")),
        (format!("{BASE}/t/rows"), json!({"cells": {"a": "x\u{0}"}}), None),
        (format!("{BASE}/t/rows"), json!({"cells": [1]}), Some("cells")),
        (format!("{BASE}/t/rows"), json!({"cells": {}}), Some("cells")),
        (format!("{BASE}/t/rows"), json!({"cells": {"a": "1"}, "extra": 1}), None),
    ];
    for (path, body, field) in cases {
        let response = app.send(request("POST", &token, &path, Some(&body))).await;
        assert_problem(&response, 400, field);
    }
    let no_lookup =
        app.send(request("PATCH", &token, &format!("{BASE}/t/rows"), Some(&json!({"createRow": true})))).await;
    assert_problem(&no_lookup, 400, Some("lookup"));
    assert_eq!(app.send(request("GET", &token, BASE, None)).await.json(), json!([]));

    let added = app.send(request("POST", &token, &format!("{BASE}/t/rows"), Some(&json!({"cells": {"a": "1"}})))).await;
    assert_eq!(added.status, StatusCode::CREATED);
    assert_problem(&app.send(request("GET", &theirs, &format!("{BASE}/t/rows"), None)).await, 403, None);
    assert_problem(
        &app.send(request("GET", &theirs, "/globex/management/registry/tables/t/rows", None)).await,
        404,
        None,
    );
    assert_eq!(app.send(request("GET", &theirs, "/globex/management/registry/tables", None)).await.json(), json!([]));
    assert_problem(&app.get(BASE).await, 401, None);
}
