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

portico_core::schema_tables!(catalog_levels);
