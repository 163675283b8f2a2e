//! Every domain's migrations are reversible on the backend under test.

#[test]
fn all_migrations_go_up_down_and_up_again() {
    portico_core::testing::assert_migrations_reversible(&portico_gateway::server::migrations());
}

#[test]
fn every_migrated_table_matches_its_declaration_on_this_backend() {
    let test_db = portico_core::testing::TestDatabase::migrated(&portico_gateway::server::migrations());
    let mut conn = test_db.database().conn().unwrap();
    let tables = portico_gateway::server::declared_tables();
    portico_core::testing::assert_schema_matches(&mut conn, &tables);
}

#[test]
fn realm_ids_bind_and_read_as_text_and_a_corrupt_one_fails_the_query() {
    use diesel::prelude::*;
    use portico_core::RealmId;
    use portico_core::db::counters::{self, resource_counts};
    let test_db = portico_core::testing::TestDatabase::migrated(&portico_gateway::server::migrations());
    let mut conn = test_db.database().conn().unwrap();
    let realm = RealmId::from(uuid::Uuid::new_v4());
    counters::adjust(&mut conn, realm, "things", 3).unwrap();
    assert_eq!(counters::get(&mut conn, realm, "things").unwrap(), 3);
    let stored: String = resource_counts::table
        .filter(resource_counts::resource.eq("things"))
        .select(resource_counts::realm_id)
        .first(&mut **conn)
        .unwrap();
    assert_eq!(stored, realm.uuid().hyphenated().to_string(), "stored as the hyphenated text");
    let read: RealmId = resource_counts::table
        .filter(resource_counts::resource.eq("things"))
        .select(resource_counts::realm_id)
        .first(&mut **conn)
        .unwrap();
    assert_eq!(read, realm);
    diesel::sql_query("INSERT INTO resource_counts (realm_id, resource, n) VALUES ('not-a-uuid', 'bad', 1)")
        .execute(&mut **conn)
        .unwrap();
    let corrupt = resource_counts::table
        .filter(resource_counts::resource.eq("bad"))
        .select(resource_counts::realm_id)
        .first::<RealmId>(&mut **conn);
    assert!(matches!(corrupt, Err(diesel::result::Error::DeserializationError(_))), "{corrupt:?}");
}
