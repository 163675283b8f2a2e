//! The gitsync queries. Every one filters on the realm.

use super::schema::{gitsync_configs, gitsync_files, gitsync_instances, gitsync_locks, gitsync_synchronizations};
use crate::model::{AuthenticationType, Instance, Outcome, SyncedFile, Synchronization, SynchronizationType};
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::{DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// Most manifest rows written by one statement (PostgreSQL allows 65,535 parameters).
const FILE_BATCH: usize = 1000;

#[derive(Queryable, Selectable)]
#[diesel(table_name = gitsync_instances)]
struct InstanceRow {
    instance_id: String,
    created_at: PrimitiveDateTime,
}

impl InstanceRow {
    fn into_instance(self) -> Option<Instance> {
        Some(Instance { id: Uuid::try_parse(&self.instance_id).ok()?, created_at: self.created_at.into() })
    }
}

/// The instances of `realm`, by id.
pub fn instances(conn: &mut DbConnection, realm: RealmId) -> QueryResult<Vec<Instance>> {
    let rows: Vec<InstanceRow> = gitsync_instances::table
        .filter(gitsync_instances::realm_id.eq(realm))
        .order(gitsync_instances::instance_id.asc())
        .select(InstanceRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().filter_map(InstanceRow::into_instance).collect())
}

/// One instance.
pub fn instance(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<Instance>> {
    let row: Option<InstanceRow> = gitsync_instances::table
        .filter(gitsync_instances::realm_id.eq(realm))
        .filter(gitsync_instances::instance_id.eq(id.to_string()))
        .select(InstanceRow::as_select())
        .unique(conn)?;
    Ok(row.and_then(InstanceRow::into_instance))
}

/// Creates the instance unless it exists.
pub fn ensure_instance(conn: &mut DbConnection, realm: RealmId, id: Uuid, now: Timestamp) -> QueryResult<()> {
    if instance(conn, realm, id)?.is_none() {
        diesel::insert_into(gitsync_instances::table)
            .values((
                gitsync_instances::realm_id.eq(realm),
                gitsync_instances::instance_id.eq(id.to_string()),
                gitsync_instances::created_at.eq(now.as_primitive()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The set of files the instance serves now.
pub fn current_set(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<Uuid>> {
    let set: Option<Option<String>> = gitsync_instances::table
        .filter(gitsync_instances::realm_id.eq(realm))
        .filter(gitsync_instances::instance_id.eq(id.to_string()))
        .select(gitsync_instances::current_set)
        .unique(conn)?;
    Ok(set.flatten().and_then(|set| Uuid::try_parse(&set).ok()))
}

/// Names `set` the instance's current set.
pub fn set_current(conn: &mut DbConnection, realm: RealmId, id: Uuid, set: Uuid) -> QueryResult<bool> {
    let changed = diesel::update(
        gitsync_instances::table
            .filter(gitsync_instances::realm_id.eq(realm))
            .filter(gitsync_instances::instance_id.eq(id.to_string())),
    )
    .set(gitsync_instances::current_set.eq(set.to_string()))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Removes the instance and every row that belongs to it; returns whether it existed.
pub fn delete_instance(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<bool> {
    let instance = id.to_string();
    diesel::delete(
        gitsync_files::table.filter(gitsync_files::realm_id.eq(realm)).filter(gitsync_files::instance_id.eq(&instance)),
    )
    .execute(conn)?;
    diesel::delete(
        gitsync_synchronizations::table
            .filter(gitsync_synchronizations::realm_id.eq(realm))
            .filter(gitsync_synchronizations::instance_id.eq(&instance)),
    )
    .execute(conn)?;
    diesel::delete(
        gitsync_configs::table
            .filter(gitsync_configs::realm_id.eq(realm))
            .filter(gitsync_configs::instance_id.eq(&instance)),
    )
    .execute(conn)?;
    let removed = diesel::delete(
        gitsync_instances::table
            .filter(gitsync_instances::realm_id.eq(realm))
            .filter(gitsync_instances::instance_id.eq(&instance)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

/// A stored configuration, as the service works with it (the password still sealed).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = gitsync_configs)]
pub struct ConfigRow {
    /// Remote.
    pub remote_url: String,
    /// `NONE` or `BASIC`.
    pub authentication_type: String,
    /// User name.
    pub username: Option<String>,
    /// Sealed password.
    pub password: Option<String>,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: String,
    /// The selected reference.
    pub selected_reference: Option<String>,
    /// Version.
    pub version: i64,
}

impl ConfigRow {
    /// The authentication type (rows only hold valid spellings).
    pub fn authentication(&self) -> AuthenticationType {
        AuthenticationType::parse(&self.authentication_type).unwrap_or(AuthenticationType::None)
    }

    /// The synchronisation type.
    pub fn synchronization(&self) -> SynchronizationType {
        SynchronizationType::parse(&self.synchronization_type).unwrap_or(SynchronizationType::Production)
    }
}

/// The columns a configuration write sets.
#[derive(Debug, Clone, Copy, Insertable, AsChangeset)]
#[diesel(table_name = gitsync_configs, treat_none_as_null = true)]
pub struct ConfigFields<'a> {
    /// Remote.
    pub remote_url: &'a str,
    /// `NONE` or `BASIC`.
    pub authentication_type: &'a str,
    /// User name.
    pub username: Option<&'a str>,
    /// Sealed password.
    pub password: Option<&'a str>,
    /// `PRODUCTION` or `DEVELOPMENT`.
    pub synchronization_type: &'a str,
    /// The selected reference.
    pub selected_reference: Option<&'a str>,
}

/// The configuration of an instance.
pub fn config(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<ConfigRow>> {
    gitsync_configs::table
        .filter(gitsync_configs::realm_id.eq(realm))
        .filter(gitsync_configs::instance_id.eq(id.to_string()))
        .select(ConfigRow::as_select())
        .unique(conn)
}

/// Saves a new configuration.
pub fn insert_config(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Uuid,
    fields: ConfigFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<()> {
    diesel::insert_into(gitsync_configs::table)
        .values((
            fields,
            gitsync_configs::realm_id.eq(realm),
            gitsync_configs::instance_id.eq(id.to_string()),
            portico_core::created_columns!(gitsync_configs, Some(actor), now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes the configuration when its version is `expected`; returns whether it did.
pub fn update_config(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Uuid,
    expected: i64,
    fields: ConfigFields<'_>,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let changed = diesel::update(
        gitsync_configs::table
            .filter(gitsync_configs::realm_id.eq(realm))
            .filter(gitsync_configs::instance_id.eq(id.to_string()))
            .filter(gitsync_configs::version.eq(expected)),
    )
    .set((fields, portico_core::modified_columns!(gitsync_configs, Some(actor), now, expected)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Removes the configuration; returns whether there was one.
/// Deletes the configuration while it is at `version`; `false` when it is not (gone, or
/// changed since it was read).
pub fn delete_config(conn: &mut DbConnection, realm: RealmId, id: Uuid, version: i64) -> QueryResult<bool> {
    let removed = diesel::delete(
        gitsync_configs::table
            .filter(gitsync_configs::realm_id.eq(realm))
            .filter(gitsync_configs::instance_id.eq(id.to_string()))
            .filter(gitsync_configs::version.eq(version)),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = gitsync_synchronizations)]
struct SyncRow {
    id: String,
    reference: Option<String>,
    requested_commit: Option<String>,
    commit_id: Option<String>,
    file_count: i64,
    bytes: i64,
    digest: Option<String>,
    started_at: PrimitiveDateTime,
    finished_at: Option<PrimitiveDateTime>,
    outcome: String,
    error: Option<String>,
    requested_by: String,
}

impl SyncRow {
    fn into_sync(self) -> Option<Synchronization> {
        Some(Synchronization {
            id: Uuid::try_parse(&self.id).ok()?,
            reference: self.reference,
            requested_commit: self.requested_commit,
            commit_id: self.commit_id,
            file_count: self.file_count,
            bytes: self.bytes,
            digest: self.digest,
            started_at: self.started_at.into(),
            finished_at: self.finished_at.map(Into::into),
            outcome: Outcome::parse(&self.outcome),
            error: self.error,
            requested_by: self.requested_by,
        })
    }
}

/// Records a synchronisation as it starts.
pub fn insert_sync(conn: &mut DbConnection, realm: RealmId, instance: Uuid, sync: &Synchronization) -> QueryResult<()> {
    diesel::insert_into(gitsync_synchronizations::table)
        .values((
            gitsync_synchronizations::id.eq(sync.id.to_string()),
            gitsync_synchronizations::realm_id.eq(realm),
            gitsync_synchronizations::instance_id.eq(instance.to_string()),
            gitsync_synchronizations::reference.eq(sync.reference.as_deref()),
            gitsync_synchronizations::requested_commit.eq(sync.requested_commit.as_deref()),
            gitsync_synchronizations::file_count.eq(0_i64),
            gitsync_synchronizations::bytes.eq(0_i64),
            gitsync_synchronizations::started_at.eq(sync.started_at.as_primitive()),
            gitsync_synchronizations::outcome.eq(Outcome::Running.as_str()),
            gitsync_synchronizations::requested_by.eq(&sync.requested_by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records how a synchronisation ended.
pub fn finish_sync(conn: &mut DbConnection, realm: RealmId, sync: &Synchronization) -> QueryResult<()> {
    diesel::update(
        gitsync_synchronizations::table
            .filter(gitsync_synchronizations::realm_id.eq(realm))
            .filter(gitsync_synchronizations::id.eq(sync.id.to_string())),
    )
    .set((
        gitsync_synchronizations::commit_id.eq(sync.commit_id.as_deref()),
        gitsync_synchronizations::file_count.eq(sync.file_count),
        gitsync_synchronizations::bytes.eq(sync.bytes),
        gitsync_synchronizations::digest.eq(sync.digest.as_deref()),
        gitsync_synchronizations::finished_at.eq(sync.finished_at.map(Timestamp::as_primitive)),
        gitsync_synchronizations::outcome.eq(sync.outcome.as_str()),
        gitsync_synchronizations::error.eq(sync.error.as_deref()),
    ))
    .execute(conn)?;
    Ok(())
}

/// The instance's synchronisations, newest first, at most `limit`.
pub fn syncs(conn: &mut DbConnection, realm: RealmId, instance: Uuid, limit: i64) -> QueryResult<Vec<Synchronization>> {
    let rows: Vec<SyncRow> = gitsync_synchronizations::table
        .filter(gitsync_synchronizations::realm_id.eq(realm))
        .filter(gitsync_synchronizations::instance_id.eq(instance.to_string()))
        .order((gitsync_synchronizations::started_at.desc(), gitsync_synchronizations::id.desc()))
        .limit(limit)
        .select(SyncRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().filter_map(SyncRow::into_sync).collect())
}

/// Writes the manifest of a set.
pub fn insert_files(
    conn: &mut DbConnection,
    realm: RealmId,
    instance: Uuid,
    set: Uuid,
    files: &[SyncedFile],
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Text};
    let (instance, set) = (instance.to_string(), set.to_string());
    let columns = ["realm_id", "instance_id", "set_id", "path", "size", "digest"];
    for batch in files.chunks(FILE_BATCH) {
        let sql = portico_core::db::insert_values_sql("gitsync_files", &columns, batch.len());
        let mut statement = diesel::sql_query(sql).into_boxed::<portico_core::db::DbBackend>();
        for file in batch {
            statement = statement
                .bind::<Text, _>(realm)
                .bind::<Text, _>(instance.clone())
                .bind::<Text, _>(set.clone())
                .bind::<Text, _>(file.path.clone())
                .bind::<BigInt, _>(file.size)
                .bind::<Text, _>(file.digest.clone());
        }
        statement.execute(conn)?;
    }
    Ok(())
}

/// Removes the manifest of a set.
pub fn delete_files(conn: &mut DbConnection, realm: RealmId, instance: Uuid, set: Uuid) -> QueryResult<()> {
    diesel::delete(
        gitsync_files::table
            .filter(gitsync_files::realm_id.eq(realm))
            .filter(gitsync_files::instance_id.eq(instance.to_string()))
            .filter(gitsync_files::set_id.eq(set.to_string())),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = gitsync_files)]
struct FileRow {
    path: String,
    size: i64,
    digest: String,
}

impl From<FileRow> for SyncedFile {
    fn from(row: FileRow) -> Self {
        SyncedFile { path: row.path, size: row.size, digest: row.digest }
    }
}

/// The manifest of a set, by path.
pub fn files(conn: &mut DbConnection, realm: RealmId, instance: Uuid, set: Uuid) -> QueryResult<Vec<SyncedFile>> {
    let rows: Vec<FileRow> = gitsync_files::table
        .filter(gitsync_files::realm_id.eq(realm))
        .filter(gitsync_files::instance_id.eq(instance.to_string()))
        .filter(gitsync_files::set_id.eq(set.to_string()))
        .order(gitsync_files::path.asc())
        .select(FileRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One file of a set.
pub fn file(
    conn: &mut DbConnection,
    realm: RealmId,
    instance: Uuid,
    set: Uuid,
    path: &str,
) -> QueryResult<Option<SyncedFile>> {
    let row: Option<FileRow> = gitsync_files::table
        .filter(gitsync_files::realm_id.eq(realm))
        .filter(gitsync_files::instance_id.eq(instance.to_string()))
        .filter(gitsync_files::set_id.eq(set.to_string()))
        .filter(gitsync_files::path.eq(path))
        .select(FileRow::as_select())
        .unique(conn)?;
    Ok(row.map(Into::into))
}

/// Takes the instance's lock for `holder` until `expires`, unless another holder has it and
/// it has not expired. Returns whether it was taken.
pub fn take_lock(
    conn: &mut DbConnection,
    realm: RealmId,
    instance: Uuid,
    holder: &str,
    now: Timestamp,
    expires: Timestamp,
) -> QueryResult<bool> {
    let instance = instance.to_string();
    let current: Option<(String, PrimitiveDateTime)> = gitsync_locks::table
        .filter(gitsync_locks::realm_id.eq(realm))
        .filter(gitsync_locks::instance_id.eq(&instance))
        .select((gitsync_locks::holder, gitsync_locks::expires_at))
        .unique(conn)?;
    match current {
        None => {
            diesel::insert_into(gitsync_locks::table)
                .values((
                    gitsync_locks::realm_id.eq(realm),
                    gitsync_locks::instance_id.eq(&instance),
                    gitsync_locks::holder.eq(holder),
                    gitsync_locks::expires_at.eq(expires.as_primitive()),
                ))
                .execute(conn)?;
            Ok(true)
        }
        Some((_, until)) if until > now.as_primitive() => Ok(false),
        Some((previous, _)) => {
            // Expired: its holder crashed. Taken over only if nobody else took it meanwhile.
            let changed = diesel::update(
                gitsync_locks::table
                    .filter(gitsync_locks::realm_id.eq(realm))
                    .filter(gitsync_locks::instance_id.eq(&instance))
                    .filter(gitsync_locks::holder.eq(previous)),
            )
            .set((gitsync_locks::holder.eq(holder), gitsync_locks::expires_at.eq(expires.as_primitive())))
            .execute(conn)?;
            Ok(changed == 1)
        }
    }
}

/// Gives the lock back (only `holder`'s).
pub fn release_lock(conn: &mut DbConnection, realm: RealmId, instance: Uuid, holder: &str) -> QueryResult<()> {
    diesel::delete(
        gitsync_locks::table
            .filter(gitsync_locks::realm_id.eq(realm))
            .filter(gitsync_locks::instance_id.eq(instance.to_string()))
            .filter(gitsync_locks::holder.eq(holder)),
    )
    .execute(conn)?;
    Ok(())
}
