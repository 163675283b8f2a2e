//! The catalog's tables.

diesel::table! {
    catalog_levels (id) {
        id -> Text,
        realm_id -> Text,
        kind -> Text,
        level -> Text,
        description -> Nullable<Text>,
        color -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_support_tiers (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    catalog_clusters (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        location -> Nullable<Text>,
        api_url -> Nullable<Text>,
        cluster_browse_url -> Nullable<Text>,
        bootstrap_servers -> Text,
        billing_cloud_enabled -> Nullable<Bool>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_instances (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        short_name -> Text,
        description -> Nullable<Text>,
        api_url -> Text,
        support_tier_id -> Nullable<Text>,
        connect_enabled -> Bool,
        connect_urls -> Nullable<Text>,
        ca_certs -> Text,
        properties -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
        connect_checked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    catalog_instance_clusters (instance_id, cluster_id) {
        instance_id -> Text,
        cluster_id -> Text,
        realm_id -> Text,
        position -> BigInt,
        schema_registry_urls -> Nullable<Text>,
    }
}

diesel::table! {
    catalog_environments (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        short_name -> Text,
        description -> Nullable<Text>,
        color -> Nullable<Text>,
        auto_approved -> Bool,
        private -> Bool,
        instance_id -> Nullable<Text>,
        owner_id -> Text,
        retention_time -> BigInt,
        partitions -> BigInt,
        properties -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_schemas (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        compatibility -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_schema_versions (id) {
        id -> Text,
        realm_id -> Text,
        schema_id -> Text,
        label -> Text,
        body -> Text,
        canonical -> Nullable<Text>,
        fingerprint -> Nullable<Text>,
        position -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_streams (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        properties -> Text,
        owner_id -> Text,
        retention_policy -> Text,
        key_type -> Text,
        value_type -> Text,
        key_schema_id -> Nullable<Text>,
        value_schema_id -> Nullable<Text>,
        integrity_id -> Nullable<Text>,
        confidentiality_id -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_stream_configs (id) {
        id -> Text,
        realm_id -> Text,
        stream_id -> Text,
        environment_id -> Text,
        retention_time -> BigInt,
        partitions -> BigInt,
        properties -> Text,
        key_schema_version_id -> Nullable<Text>,
        value_schema_version_id -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    catalog_topic_outbox (realm_id, cluster_id, topic) {
        realm_id -> Text,
        cluster_id -> Text,
        topic -> Text,
        action -> Text,
        partitions -> BigInt,
        configs -> Text,
        revision -> BigInt,
        attempts -> BigInt,
        due_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_connect_plugins (id) {
        id -> Text,
        realm_id -> Text,
        instance_id -> Text,
        plugin_class -> Text,
        plugin_type -> Text,
        plugin_version -> Text,
        plugin_configs -> Text,
        created_at -> Timestamp,
        modified_at -> Timestamp,
    }
}

diesel::joinable!(catalog_schema_versions -> catalog_schemas (schema_id));

portico_core::schema_tables!(
    catalog_levels,
    catalog_support_tiers,
    catalog_clusters,
    catalog_instances,
    catalog_instance_clusters,
    catalog_environments,
    catalog_schemas,
    catalog_schema_versions,
    catalog_streams,
    catalog_stream_configs,
    catalog_topic_outbox,
    catalog_connect_plugins,
);
