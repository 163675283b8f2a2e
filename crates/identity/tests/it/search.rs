//! Users' "contains" searches through the trigram index: the same answers as `LIKE` over the
//! realm, after creates, renames and deletes, with counts kept exact, a realm's entries gone
//! with it, and the migration's backfill indexing existing users as the store does.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use portico_core::hooks::RealmHooks;
use portico_core::page::PageRequest;
use portico_core::testing::TestDatabase;
use portico_core::write::Precondition;
use portico_core::{Database, DbConnection, DbError, RealmRef, RequestContext};
use portico_identity::service::{NewUser, UserFilter, UserPatch, UserService};
use portico_identity::testing::TestRealms;

const SETS: [&portico_core::db::Migrations; 2] = [&portico_core::db::MIGRATIONS, &portico_identity::MIGRATIONS];

const PEOPLE: [(&str, &str, Option<&str>, &str); 7] = [
    ("Ada", "Lovelace", Some("King"), "ada@analytical.test"),
    ("Grace", "Hopper", None, "grace@cobol.test"),
    ("Zoë", "Ångström", None, "zoe@umlaut.test"),
    ("Kathleen", "Booth", Some("Hylda"), "kbooth@assembly.test"),
    ("Margaret", "Hamilton", None, "margaret@apollo.test"),
    ("Annie", "Easley", None, "annie@centaur.test"),
    ("Karen", "Spärck Jones", None, "ksj@idf.test"),
];

fn new_user((first, last, middle, email): (&str, &str, Option<&str>, &str)) -> NewUser {
    NewUser {
        first_name: first.into(),
        last_name: last.into(),
        middle_name: middle.map(str::to_owned),
        email: email.into(),
        password: None,
        phone_number: None,
    }
}

fn names(identity: &impl UserService, ctx: &RequestContext, filter: UserFilter) -> Vec<String> {
    let request = PageRequest { page: 0, size: 100, sort: Vec::new() };
    let page = identity.users(ctx, &filter, &request).unwrap();
    let mut found: Vec<String> = page.items.into_iter().map(|u| u.email).collect();
    assert_eq!(page.total, found.len() as u64, "the total counts the same matches");
    found.sort();
    found
}

/// What `LIKE` over the realm answers: the users whose field contains `text`, ignoring case —
/// on SQLite, whose `lower()` folds ASCII letters only, the case of other letters in the stored
/// value counts.
fn expected(
    sqlite: bool,
    people: &[(String, String, Option<String>, String)],
    text: &str,
    field: usize,
) -> Vec<String> {
    let text = text.to_lowercase();
    let fold = |value: &str| if sqlite { value.to_ascii_lowercase() } else { value.to_lowercase() };
    let mut found: Vec<String> = people
        .iter()
        .filter(|(first, last, middle, email)| {
            let fields = [first.as_str(), last.as_str(), middle.as_deref().unwrap_or(""), email.as_str()];
            let searched: &[&str] = if field == 4 { &fields } else { &fields[field..=field] };
            searched.iter().any(|value| fold(value).contains(&text))
        })
        .map(|(_, _, _, email)| email.clone())
        .collect();
    found.sort();
    found
}

fn rows(db: &Database, statement: &str, realm: &RealmRef) -> Vec<(String, String, i64)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        a: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        b: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut found: Vec<(String, String, i64)> = db
        .read(|conn| {
            diesel::sql_query(statement)
                .bind::<diesel::sql_types::Text, _>(realm.id.to_string())
                .load::<Row>(conn)
                .map_err(DbError::from)
        })
        .unwrap()
        .into_iter()
        .map(|r| (r.a, r.b, r.n))
        .collect();
    found.sort();
    found
}

const INDEXED: &str =
    "SELECT trigram AS a, entity_id AS b, CAST(1 AS BIGINT) AS n FROM identity_user_trigrams WHERE realm_id = $1";
const COUNTED: &str = "SELECT trigram AS a, '' AS b, n FROM identity_user_trigram_counts WHERE realm_id = $1";
const RECOUNTED: &str =
    "SELECT trigram AS a, '' AS b, COUNT(*) AS n FROM identity_user_trigrams WHERE realm_id = $1 GROUP BY trigram";

#[test]
fn user_searches_answer_what_like_answers_through_the_index() {
    let test_db = TestDatabase::migrated(&SETS);
    let db = test_db.database();
    let realms = TestRealms::open(&db, RealmHooks::new());
    let (acme, other) = (realms.create("acme"), realms.create("other"));
    let identity = &realms.identity;
    let admin = realms.platform_admin_in(&acme);
    let sqlite = db.backend() == portico_core::db::Backend::Sqlite;
    let mut people: Vec<(String, String, Option<String>, String)> = Vec::new();
    let mut ids = Vec::new();
    for person in PEOPLE {
        ids.push(identity.create_user(&admin, new_user(person)).unwrap().id);
        let (first, last, middle, email) = person;
        people.push((first.into(), last.into(), middle.map(str::to_owned), email.into()));
    }
    // The same names in another realm are never found from acme.
    identity.create_user(&realms.platform_admin_in(&other), new_user(PEOPLE[0])).unwrap();
    let check = |people: &[(String, String, Option<String>, String)]| {
        for text in
            ["ada", "LOVE", "ope", "zoë", "ÅNG", "arck", "ärck", "king", "hyl", "test", "an", "e", "a%", "_", "nobody"]
        {
            assert_eq!(
                names(identity, &admin, UserFilter::FirstNameContains(text.into())),
                expected(sqlite, people, text, 0),
                "first name {text}"
            );
            assert_eq!(
                names(identity, &admin, UserFilter::LastNameContains(text.into())),
                expected(sqlite, people, text, 1),
                "last name {text}"
            );
            assert_eq!(
                names(identity, &admin, UserFilter::Search(text.into())),
                expected(sqlite, people, text, 4),
                "search {text}"
            );
        }
        assert_eq!(rows(&db, COUNTED, &acme), rows(&db, RECOUNTED, &acme), "the counts are exact");
    };
    check(&people);

    // A rename moves the user's trigrams; a delete removes them.
    let patch = UserPatch { first_name: Some("Augusta".into()), middle_name: Some(None), ..UserPatch::default() };
    identity.update_user(&admin, ids[0], patch, &Precondition::none()).unwrap();
    people[0].0 = "Augusta".into();
    people[0].2 = None;
    identity.delete_user(&admin, ids[1], &Precondition::none()).unwrap();
    people.remove(1);
    check(&people);
    assert_eq!(names(identity, &admin, UserFilter::FirstNameContains("gust".into())), ["ada@analytical.test"]);

    // The migration's backfill indexes existing users as the store does (for text whose case
    // both fold alike).
    let before = rows(&db, INDEXED, &acme);
    let (down, up) = match db.backend() {
        portico_core::db::Backend::Sqlite => (
            include_str!("../../../../migrations/identity/sqlite/2026-12-07-010000_identity_user_search/down.sql"),
            include_str!("../../../../migrations/identity/sqlite/2026-12-07-010000_identity_user_search/up.sql"),
        ),
        portico_core::db::Backend::Postgres => (
            include_str!("../../../../migrations/identity/postgres/2026-12-07-010000_identity_user_search/down.sql"),
            include_str!("../../../../migrations/identity/postgres/2026-12-07-010000_identity_user_search/up.sql"),
        ),
    };
    db.write(|conn: &mut DbConnection| conn.batch_execute(&format!("{down}\n{up}")).map_err(DbError::from)).unwrap();
    let ascii = |rows: Vec<(String, String, i64)>| -> Vec<(String, String, i64)> {
        rows.into_iter().filter(|(trigram, _, _)| trigram.is_ascii()).collect()
    };
    assert_eq!(ascii(rows(&db, INDEXED, &acme)), ascii(before));
    check(&people);

    // Deleting a realm removes its entries, and only its.
    realms.delete(&acme);
    assert!(rows(&db, INDEXED, &acme).is_empty());
    assert!(rows(&db, COUNTED, &acme).is_empty());
    assert!(!rows(&db, INDEXED, &other).is_empty());
}
