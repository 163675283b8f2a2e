//! Diesel schema of the flows tables (`migrations/flows/{sqlite,postgres}`).

diesel::table! {
    flows (realm_id, flow_id) {
        realm_id -> Text,
        flow_id -> Text,
        version_label -> Text,
        source_type -> Text,
        definition -> Text,
        revision -> BigInt,
        enabled -> Bool,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    flow_revisions (realm_id, flow_id, revision) {
        realm_id -> Text,
        flow_id -> Text,
        revision -> BigInt,
        definition -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    flow_status_events (id) {
        id -> Text,
        realm_id -> Text,
        flow_id -> Text,
        action -> Text,
        principal_id -> Text,
        reason -> Nullable<Text>,
        changed_at -> Timestamp,
        changed_by -> Text,
    }
}

diesel::table! {
    flow_secrets (realm_id, secret_key) {
        realm_id -> Text,
        secret_key -> Text,
        secret_type -> Text,
        description -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    flow_secret_versions (realm_id, secret_key, version) {
        realm_id -> Text,
        secret_key -> Text,
        version -> BigInt,
        sealed_value -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    flow_tables (realm_id, table_name) {
        realm_id -> Text,
        table_name -> Text,
        next_row -> BigInt,
        row_count -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    flow_table_cells (realm_id, table_name, row_id, column_name) {
        realm_id -> Text,
        table_name -> Text,
        row_id -> BigInt,
        column_name -> Text,
        value -> Text,
    }
}

diesel::table! {
    flow_resources (realm_id, resource_type, resource_id) {
        id -> Text,
        realm_id -> Text,
        resource_type -> Text,
        resource_id -> Text,
        latest_revision -> BigInt,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    flow_resource_revisions (realm_id, resource_type, resource_id, revision) {
        realm_id -> Text,
        resource_type -> Text,
        resource_id -> Text,
        revision -> BigInt,
        content -> Text,
        sha256 -> Text,
        title -> Nullable<Text>,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    flow_resource_trigrams (realm_id, trigram, entity_id) {
        realm_id -> Text,
        trigram -> Text,
        entity_id -> Text,
    }
}

diesel::table! {
    flow_resource_trigram_counts (realm_id, trigram) {
        realm_id -> Text,
        trigram -> Text,
        n -> BigInt,
    }
}

portico_core::schema_tables!(
    flows,
    flow_revisions,
    flow_status_events,
    flow_secrets,
    flow_secret_versions,
    flow_tables,
    flow_table_cells,
    flow_resources,
    flow_resource_revisions,
    flow_resource_trigrams,
    flow_resource_trigram_counts,
);
