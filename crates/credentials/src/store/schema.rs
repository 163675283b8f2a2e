//! Diesel schema of the credentials tables (`migrations/credentials/{sqlite,postgres}`).

diesel::table! {
    credential_store_providers (id) {
        id -> BigInt,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        builtin -> Bool,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    credential_store_input_defs (id) {
        id -> BigInt,
        realm_id -> Text,
        provider_id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        required -> Bool,
        secret -> Bool,
        display_order -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    credential_stores (id) {
        id -> BigInt,
        realm_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        provider_id -> BigInt,
        active -> Bool,
        builtin -> Bool,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    credentials (id) {
        id -> BigInt,
        realm_id -> Text,
        name -> Text,
        active -> Bool,
        scope -> Text,
        store_id -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    credential_inputs (credential_id, input_def_id) {
        credential_id -> BigInt,
        input_def_id -> BigInt,
        realm_id -> Text,
        value -> Text,
        version -> BigInt,
    }
}

portico_core::schema_tables!(
    credential_store_providers,
    credential_store_input_defs,
    credential_stores,
    credentials,
    credential_inputs,
);
