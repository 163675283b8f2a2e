//! Every domain's migrations are reversible on the backend under test.

#[test]
fn all_migrations_go_up_down_and_up_again() {
    portico_core::testing::assert_migrations_reversible(&portico_gateway::server::migrations());
}
