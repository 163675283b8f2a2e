//! Diesel schema of the identity tables (`migrations/identity/{sqlite,postgres}`).
//!
//! Written for both backends: text UUIDs, JSON as text, naive UTC timestamps.

diesel::table! {
    environments (id) {
        id -> Text,
        name -> Text,
        domain -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    realms (id) {
        id -> Text,
        name -> Text,
        display_name -> Text,
        environment_id -> Text,
        domain -> Nullable<Text>,
        logo -> Nullable<Text>,
        issuer_url -> Nullable<Text>,
        data_classification_enabled -> Bool,
        feature_config -> Nullable<Text>,
        retention_time -> BigInt,
        partitions -> BigInt,
        properties -> Text,
        contact_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        realm_id -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        middle_name -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> Text,
        realm_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    user_groups (id) {
        id -> Text,
        realm_id -> Text,
        name -> Text,
        email -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Nullable<Timestamp>,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
        realm_id -> Text,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        realm_id -> Text,
        client_id -> Text,
        name -> Text,
        roles -> Text,
        secret_hash -> Nullable<Text>,
        created_at -> Timestamp,
        modified_at -> Timestamp,
        version -> BigInt,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        realm_id -> Text,
        client_id -> Text,
        user_id -> Text,
        redirect_uri -> Text,
        code_challenge -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        session_id -> Text,
        auth_time -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key -> Text,
        public_jwk -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        realm_id -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        realm_id -> Text,
        family_id -> Text,
        user_id -> Text,
        client_id -> Nullable<Text>,
        scope -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (account, source) {
        account -> Text,
        source -> Text,
        failures -> BigInt,
        last_failure_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> realms (realm_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(group_members -> user_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(clients -> realms (realm_id));
diesel::joinable!(realms -> environments (environment_id));

portico_core::schema_tables!(
    environments,
    realms,
    users,
    user_roles,
    user_groups,
    group_members,
    clients,
    signing_keys,
    revoked_tokens,
    refresh_tokens,
    login_failures,
    authorization_codes,
);
