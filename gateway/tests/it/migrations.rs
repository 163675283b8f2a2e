//! Every domain's migrations are reversible on the backend under test.

#[test]
fn all_migrations_go_up_down_and_up_again() {
    portico_core::testing::assert_migrations_reversible(&portico_gateway::server::migrations());
}

#[test]
fn every_migrated_table_matches_its_declaration_on_this_backend() {
    let test_db = portico_core::testing::TestDatabase::migrated(&portico_gateway::server::migrations());
    let mut conn = test_db.database().conn().unwrap();
    let mut tables = portico_core::db::declared_tables();
    tables.extend(portico_identity::store::declared_tables());
    tables.extend(portico_credentials::store::declared_tables());
    portico_core::testing::assert_schema_matches(&mut conn, &tables);
}
