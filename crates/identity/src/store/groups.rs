//! Groups and their members.

use super::schema::{group_members, user_groups, users};
use crate::error::IdentityError;
use crate::model::{AuditStamp, Group};
use crate::service::GroupFilter;
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::UniqueDsl;
use portico_core::db::text::contains;
use portico_core::db::{DbBackend, counters};
use portico_core::page::{Page, PageRequest};
use portico_core::{DbConnection, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// Counter name of groups per realm.
pub const COUNTER: &str = "groups";

portico_core::sort_map! {
    /// How groups sort (Axual property names → columns).
    pub static GROUP_SORT: user_groups::table {
        "name" => user_groups::name,
        "emailAddress" => user_groups::email,
        "phoneNumber" => user_groups::phone_number,
        "uid" => user_groups::id,
        "created_at" => user_groups::created_at,
        "modified_at" => user_groups::modified_at,
    }
    default user_groups::created_at, key user_groups::id
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = user_groups)]
pub(crate) struct GroupRow {
    id: String,
    realm_id: RealmId,
    name: String,
    email: Option<String>,
    phone_number: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: Option<PrimitiveDateTime>,
    modified_by: Option<String>,
    version: i64,
}

impl TryFrom<GroupRow> for Group {
    type Error = diesel::result::Error;

    fn try_from(row: GroupRow) -> QueryResult<Self> {
        Ok(Group {
            id: super::uuid(&row.id)?,
            realm_id: row.realm_id,
            name: row.name,
            email: row.email,
            phone_number: row.phone_number,
            audit: AuditStamp {
                created_at: row.created_at.into(),
                created_by: row.created_by,
                modified_at: row.modified_at.map(Into::into),
                modified_by: row.modified_by,
            },
            version: row.version,
        })
    }
}

/// Creates a group (without members) and counts it.
pub fn insert(conn: &mut DbConnection, group: &Group) -> QueryResult<()> {
    diesel::insert_into(user_groups::table)
        .values(GroupRow {
            id: group.id.to_string(),
            realm_id: group.realm_id,
            name: group.name.clone(),
            email: group.email.clone(),
            phone_number: group.phone_number.clone(),
            created_at: group.audit.created_at.as_primitive(),
            created_by: group.audit.created_by.clone(),
            modified_at: group.audit.modified_at.map(Timestamp::as_primitive),
            modified_by: group.audit.modified_by.clone(),
            version: group.version,
        })
        .execute(conn)?;
    counters::adjust(conn, group.realm_id, COUNTER, 1)
}

/// The group `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<Group>> {
    user_groups::table
        .filter(user_groups::realm_id.eq(realm))
        .filter(user_groups::id.eq(id.to_string()))
        .select(GroupRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// Whether `realm` has a group named `name` other than `except`.
pub fn name_taken(conn: &mut DbConnection, realm: RealmId, name: &str, except: Option<Uuid>) -> QueryResult<bool> {
    let found: Vec<String> = user_groups::table
        .filter(user_groups::realm_id.eq(realm))
        .filter(user_groups::name.eq(name))
        .select(user_groups::id)
        .load(conn)?;
    Ok(found
        .iter()
        .map(|id| super::uuid(id))
        .collect::<QueryResult<Vec<_>>>()?
        .into_iter()
        .any(|id| Some(id) != except))
}

/// One page of the groups of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &GroupFilter,
    request: &PageRequest,
) -> Result<Page<Group>, IdentityError> {
    let total = match filter {
        GroupFilter::All => counters::get(conn, realm, COUNTER)?,
        _ => filtered(realm, filter).count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<GroupRow> = GROUP_SORT.page(filtered(realm, filter), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(GroupRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

fn filtered<'a>(realm: RealmId, filter: &'a GroupFilter) -> user_groups::BoxedQuery<'a, DbBackend> {
    let query = user_groups::table.filter(user_groups::realm_id.eq(realm)).into_boxed();
    match filter {
        GroupFilter::All => query,
        GroupFilter::Name(name) => query.filter(user_groups::name.eq(name)),
        GroupFilter::NameContains(text) => query.filter(contains(user_groups::name, text)),
        GroupFilter::HasMember(user) => query.filter(
            user_groups::id.eq_any(
                group_members::table
                    .filter(group_members::realm_id.eq(realm))
                    .filter(group_members::user_id.eq(user.to_string()))
                    .select(group_members::group_id),
            ),
        ),
    }
}

/// Fields a PATCH may change (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupChanges {
    /// Name.
    pub name: Option<String>,
    /// Contact e-mail.
    pub email: Option<Option<String>>,
    /// Contact phone.
    pub phone_number: Option<Option<String>>,
}

/// Applies `changes` when the group's version is `expected`; returns whether it changed.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Uuid,
    expected: i64,
    changes: &GroupChanges,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let updated = diesel::update(
        user_groups::table
            .filter(user_groups::realm_id.eq(realm))
            .filter(user_groups::id.eq(id.to_string()))
            .filter(user_groups::version.eq(expected)),
    )
    .set((
        changes.name.as_ref().map(|v| user_groups::name.eq(v)),
        changes.email.as_ref().map(|v| user_groups::email.eq(v)),
        changes.phone_number.as_ref().map(|v| user_groups::phone_number.eq(v)),
        user_groups::modified_at.eq(Some(now.as_primitive())),
        user_groups::modified_by.eq(actor),
        user_groups::version.eq(expected + 1),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Marks the group changed (membership changes) when its version is `expected`.
pub fn touch(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Uuid,
    expected: i64,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    update(conn, realm, id, expected, &GroupChanges::default(), actor, now)
}

/// Deletes the group (memberships cascade); returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<bool> {
    let deleted = diesel::delete(
        user_groups::table.filter(user_groups::realm_id.eq(realm)).filter(user_groups::id.eq(id.to_string())),
    )
    .execute(conn)?;
    if deleted == 1 {
        counters::adjust(conn, realm, COUNTER, -1)?;
    }
    Ok(deleted == 1)
}

/// Ids of the members of a group.
pub fn member_ids(conn: &mut DbConnection, realm: RealmId, group: Uuid) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<String> = group_members::table
        .inner_join(users::table)
        .filter(group_members::realm_id.eq(realm))
        .filter(group_members::group_id.eq(group.to_string()))
        .order((users::created_at.asc(), users::id.asc()))
        .select(group_members::user_id)
        .load(conn)?;
    ids.iter().map(|id| super::uuid(id)).collect()
}

/// The groups of `realm` that `user` belongs to.
pub fn of_user(conn: &mut DbConnection, realm: RealmId, user: Uuid) -> QueryResult<Vec<Uuid>> {
    let ids: Vec<String> = group_members::table
        .filter(group_members::realm_id.eq(realm))
        .filter(group_members::user_id.eq(user.to_string()))
        .select(group_members::group_id)
        .load(conn)?;
    ids.iter().map(|id| super::uuid(id)).collect()
}

/// Adds users to a group (already-present members are kept once).
pub fn add_members(conn: &mut DbConnection, realm: RealmId, group: Uuid, users: &[Uuid]) -> QueryResult<usize> {
    let mut added = 0;
    // One statement per member (MultiConnection has no batch insert); a member added by a
    // concurrent request is simply already there.
    for user in users {
        added += diesel::sql_query(
            "INSERT INTO group_members (group_id, user_id, realm_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind::<diesel::sql_types::Text, _>(group.to_string())
        .bind::<diesel::sql_types::Text, _>(user.to_string())
        .bind::<diesel::sql_types::Text, _>(realm)
        .execute(conn)?;
    }
    Ok(added)
}

/// Removes users from a group; returns how many were members.
pub fn remove_members(conn: &mut DbConnection, realm: RealmId, group: Uuid, users: &[Uuid]) -> QueryResult<usize> {
    let ids: Vec<String> = users.iter().map(Uuid::to_string).collect();
    diesel::delete(
        group_members::table
            .filter(group_members::realm_id.eq(realm))
            .filter(group_members::group_id.eq(group.to_string()))
            .filter(group_members::user_id.eq_any(ids)),
    )
    .execute(conn)
}
