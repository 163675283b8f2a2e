//! Diesel schema of the gitsync tables (`migrations/gitsync/{sqlite,postgres}`).

diesel::table! {
    gitsync_instances (realm_id, instance_id) {
        realm_id -> Text,
        instance_id -> Text,
        created_at -> Timestamp,
        current_set -> Nullable<Text>,
    }
}

diesel::table! {
    gitsync_configs (realm_id, instance_id) {
        realm_id -> Text,
        instance_id -> Text,
        remote_url -> Text,
        authentication_type -> Text,
        username -> Nullable<Text>,
        password -> Nullable<Text>,
        synchronization_type -> Text,
        selected_reference -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        modified_at -> Timestamp,
        modified_by -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    gitsync_synchronizations (id) {
        id -> Text,
        realm_id -> Text,
        instance_id -> Text,
        reference -> Nullable<Text>,
        requested_commit -> Nullable<Text>,
        commit_id -> Nullable<Text>,
        file_count -> BigInt,
        bytes -> BigInt,
        digest -> Nullable<Text>,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        outcome -> Text,
        error -> Nullable<Text>,
        requested_by -> Text,
    }
}

diesel::table! {
    gitsync_files (realm_id, instance_id, set_id, path) {
        realm_id -> Text,
        instance_id -> Text,
        set_id -> Text,
        path -> Text,
        size -> BigInt,
        digest -> Text,
    }
}

diesel::table! {
    gitsync_locks (realm_id, instance_id) {
        realm_id -> Text,
        instance_id -> Text,
        holder -> Text,
        expires_at -> Timestamp,
    }
}

portico_core::schema_tables!(
    gitsync_instances,
    gitsync_configs,
    gitsync_synchronizations,
    gitsync_files,
    gitsync_locks
);
