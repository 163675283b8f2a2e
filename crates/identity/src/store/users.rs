//! Users and their roles.

use super::schema::{group_members, user_roles, users};
use crate::error::IdentityError;
use crate::model::{AuditStamp, User};
use crate::service::UserFilter;
use diesel::prelude::*;
use portico_core::RealmId;
use portico_core::db::DbBackend;
use portico_core::db::UniqueDsl;
use portico_core::db::counters;
use portico_core::db::text::{
    ESCAPE, TrigramIndex, contains, contains_pattern, lower, lower_nullable, planned_per_use,
};
use portico_core::page::{Page, PageRequest};
use portico_core::{DbConnection, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// Counter name of users per realm.
pub const COUNTER: &str = "users";

/// The trigram index of users' names and e-mail addresses (migration `identity_user_search`),
/// serving every "contains" search of users.
const SEARCH_INDEX: TrigramIndex = TrigramIndex {
    table: "identity_user_trigrams",
    counts: "identity_user_trigram_counts",
    realm: "users.realm_id",
    id: "users.id",
};

/// The text a user is indexed under: names and e-mail address joined by line feeds (which none
/// of them holds), so that a match in any one of them holds all its trigrams here.
fn search_text(first: &str, last: &str, middle: Option<&str>, email: &str) -> String {
    format!("{first}\n{last}\n{}\n{email}", middle.unwrap_or_default())
}

/// Indexes the user `id` of `realm` as it is now in the database.
fn index(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<()> {
    let (first, last, middle, email): (String, String, Option<String>, String) = users::table
        .filter(users::realm_id.eq(realm))
        .filter(users::id.eq(id.to_string()))
        .select((users::first_name, users::last_name, users::middle_name, users::email))
        .first(conn)?;
    SEARCH_INDEX.set(conn, realm, id, &search_text(&first, &last, middle.as_deref(), &email))
}

/// Removes the search index entries of every user of `realm` (the realm is being deleted; its
/// users go with it).
pub fn purge_search(conn: &mut DbConnection, realm: RealmId) -> QueryResult<()> {
    SEARCH_INDEX.purge(conn, realm)
}

portico_core::sort_map! {
    /// How users sort (Axual property names → columns).
    pub static USER_SORT: users::table {
        "firstName" => users::first_name,
        "lastName" => users::last_name,
        "middleName" => users::middle_name,
        "emailAddress" => users::email,
        "phoneNumber" => users::phone_number,
        "uid" => users::id,
        "created_at" => users::created_at,
        "modified_at" => users::modified_at,
    }
    default users::created_at, key users::id
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: String,
    realm_id: RealmId,
    email: String,
    first_name: String,
    last_name: String,
    middle_name: Option<String>,
    phone_number: Option<String>,
    password_hash: Option<String>,
    created_at: PrimitiveDateTime,
    created_by: Option<String>,
    modified_at: PrimitiveDateTime,
    modified_by: Option<String>,
    version: i64,
}

impl UserRow {
    fn into_user(self, roles: BTreeSet<String>) -> QueryResult<User> {
        Ok(User {
            id: super::uuid(&self.id)?,
            realm_id: self.realm_id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            middle_name: self.middle_name,
            phone_number: self.phone_number,
            roles,
            audit: AuditStamp {
                created_at: self.created_at.into(),
                created_by: self.created_by,
                modified_at: Some(self.modified_at.into()),
                modified_by: self.modified_by,
            },
            version: self.version,
        })
    }
}

/// A user together with its password hash (for authentication only).
pub struct UserWithSecret {
    /// The user.
    pub user: User,
    /// The Argon2id PHC string, if the user has a password.
    pub password_hash: Option<String>,
}

/// Creates a user with its roles and an optional password hash, and counts it.
pub fn insert(conn: &mut DbConnection, user: &User, password_hash: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(UserRow {
            id: user.id.to_string(),
            realm_id: user.realm_id,
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            middle_name: user.middle_name.clone(),
            phone_number: user.phone_number.clone(),
            password_hash: password_hash.map(str::to_owned),
            created_at: user.audit.created_at.as_primitive(),
            created_by: user.audit.created_by.clone(),
            modified_at: user.audit.modified_at.unwrap_or(user.audit.created_at).as_primitive(),
            modified_by: user.audit.modified_by.clone(),
            version: user.version,
        })
        .execute(conn)?;
    set_roles(conn, user.realm_id, user.id, &user.roles)?;
    let text = search_text(&user.first_name, &user.last_name, user.middle_name.as_deref(), &user.email);
    SEARCH_INDEX.set(conn, user.realm_id, user.id, &text)?;
    counters::adjust(conn, user.realm_id, COUNTER, 1)
}

/// Replaces the roles of a user.
pub fn set_roles(conn: &mut DbConnection, realm: RealmId, user: Uuid, roles: &BTreeSet<String>) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user.to_string()))).execute(conn)?;
    // One statement per role: MultiConnection has no batch insert (roles are few).
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user.to_string()),
                user_roles::realm_id.eq(realm),
                user_roles::role.eq(role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn roles_of_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<BTreeMap<String, BTreeSet<String>>> {
    let mut by_user: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(by_user);
    }
    // One user (the common read) is a statement the connection keeps prepared; a list of ids
    // (`IN (...)` of varying length) cannot be.
    let rows: Vec<(String, String)> = match ids {
        [id] => user_roles::table
            .filter(user_roles::user_id.eq(id))
            .select((user_roles::user_id, user_roles::role))
            .load(conn)?,
        _ => user_roles::table
            .filter(user_roles::user_id.eq_any(ids))
            .select((user_roles::user_id, user_roles::role))
            .load(conn)?,
    };
    for (user, role) in rows {
        by_user.entry(user).or_default().insert(role);
    }
    Ok(by_user)
}

fn with_roles(conn: &mut DbConnection, rows: Vec<UserRow>) -> QueryResult<Vec<User>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut roles = roles_of_many(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let user_roles = roles.remove(&row.id).unwrap_or_default();
            row.into_user(user_roles)
        })
        .collect()
}

/// The user `id` of `realm`, with their roles: one statement (a row per role).
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<User>> {
    // On every user read and bearer subject re-read: straight to the backend (`on_backend!`).
    let id = id.to_string();
    let rows: Vec<(UserRow, Option<String>)> = portico_core::on_backend!(conn, |c| users::table
        .left_join(
            user_roles::table.on(user_roles::user_id.eq(users::id).and(user_roles::realm_id.eq(users::realm_id))),
        )
        .filter(users::realm_id.eq(realm))
        .filter(users::id.eq(&id))
        .select((UserRow::as_select(), user_roles::role.nullable()))
        .load(c))?;
    let mut rows = rows.into_iter();
    let Some((row, first)) = rows.next() else { return Ok(None) };
    let roles: BTreeSet<String> = first.into_iter().chain(rows.filter_map(|(_, role)| role)).collect();
    row.into_user(roles).map(Some)
}

/// The users of `realm` with these ids (unknown ids are skipped).
pub fn get_many(conn: &mut DbConnection, realm: RealmId, ids: &[Uuid]) -> QueryResult<Vec<User>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows: Vec<UserRow> = users::table
        .filter(users::realm_id.eq(realm))
        .filter(users::id.eq_any(&ids))
        .select(UserRow::as_select())
        .load(conn)?;
    with_roles(conn, rows)
}

/// The business contacts of tenants: `(realm, user)` pairs → the user, by realm. A contact is
/// always a user of its own realm; pairs that do not match are skipped.
pub fn contacts(conn: &mut DbConnection, wanted: &[(RealmId, Uuid)]) -> QueryResult<BTreeMap<RealmId, User>> {
    let ids: Vec<String> = wanted.iter().map(|(_, user)| user.to_string()).collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<UserRow> = users::table.filter(users::id.eq_any(&ids)).select(UserRow::as_select()).load(conn)?;
    let found = with_roles(conn, rows)?;
    Ok(found
        .into_iter()
        .filter(|user| wanted.contains(&(user.realm_id, user.id)))
        .map(|user| (user.realm_id, user))
        .collect())
}

/// The user with `email` (ignoring case) in `realm`, with the password hash (authentication).
pub fn by_email_with_secret(
    conn: &mut DbConnection,
    realm: RealmId,
    email: &str,
) -> QueryResult<Option<UserWithSecret>> {
    let row: Option<UserRow> = users::table
        .filter(users::realm_id.eq(realm))
        .filter(lower(users::email).eq(email.to_lowercase()))
        .select(UserRow::as_select())
        .unique(conn)?;
    secrets(conn, row.into_iter().collect()).map(|mut found| found.pop())
}

/// Every user with `email` (ignoring case), in any realm, with password hashes (a login that
/// names no realm).
pub fn by_email_anywhere(conn: &mut DbConnection, email: &str) -> QueryResult<Vec<UserWithSecret>> {
    let rows: Vec<UserRow> = users::table
        .filter(lower(users::email).eq(email.to_lowercase()))
        .limit(10)
        .select(UserRow::as_select())
        .load(conn)?;
    secrets(conn, rows)
}

fn secrets(conn: &mut DbConnection, mut rows: Vec<UserRow>) -> QueryResult<Vec<UserWithSecret>> {
    let hashes: Vec<Option<String>> = rows.iter_mut().map(|r| r.password_hash.take()).collect();
    let users = with_roles(conn, rows)?;
    Ok(users.into_iter().zip(hashes).map(|(user, password_hash)| UserWithSecret { user, password_hash }).collect())
}

/// One page of the users of `realm` matching `filter`.
pub fn page(
    conn: &mut DbConnection,
    realm: RealmId,
    filter: &UserFilter,
    request: &PageRequest,
) -> Result<Page<User>, IdentityError> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let narrowing = match filter {
        UserFilter::FirstNameContains(text) | UserFilter::LastNameContains(text) | UserFilter::Search(text) => {
            SEARCH_INDEX.narrowing(conn, realm, text)?
        }
        _ => None,
    };
    let filtered = || {
        let query = match &narrowing {
            // The realm's users holding the text's rarest trigrams; LIKE decides below.
            Some(narrowing) => users::table.into_boxed().filter(SEARCH_INDEX.candidates(sqlite, realm, narrowing)),
            None => users::table.filter(users::realm_id.eq(realm)).into_boxed(),
        };
        matching(query, realm, filter)
    };
    let total = match filter {
        UserFilter::All => counters::get(conn, realm, COUNTER)?,
        _ => filtered().count().get_result::<i64>(conn)?.max(0) as u64,
    };
    let rows: Vec<UserRow> = USER_SORT.page(filtered(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(UserRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, with_roles(conn, rows)?, total))
}

/// `query` (the realm's users, or the candidates of a search) narrowed to `filter`.
fn matching<'a>(
    query: users::BoxedQuery<'a, DbBackend>,
    realm: RealmId,
    filter: &'a UserFilter,
) -> users::BoxedQuery<'a, DbBackend> {
    match filter {
        UserFilter::All => query,
        UserFilter::FirstNameContains(text) => query.filter(contains(users::first_name, text)),
        UserFilter::LastNameContains(text) => query.filter(contains(users::last_name, text)),
        UserFilter::Role(role) => query.filter(
            users::id.eq_any(
                user_roles::table
                    .filter(user_roles::realm_id.eq(realm))
                    .filter(user_roles::role.eq(role))
                    .select(user_roles::user_id),
            ),
        ),
        UserFilter::Search(text) => {
            let pattern = contains_pattern(text);
            query.filter(planned_per_use(
                lower(users::first_name)
                    .like(pattern.clone())
                    .escape(ESCAPE)
                    .or(lower(users::last_name).like(pattern.clone()).escape(ESCAPE))
                    .or(lower_nullable(users::middle_name).like(pattern.clone()).escape(ESCAPE).assume_not_null())
                    .or(lower(users::email).like(pattern).escape(ESCAPE)),
            ))
        }
        UserFilter::Email(email) => query.filter(lower(users::email).eq(email.to_lowercase())),
        UserFilter::MemberOf(group) => query.filter(
            users::id.eq_any(
                group_members::table
                    .filter(group_members::realm_id.eq(realm))
                    .filter(group_members::group_id.eq(group.to_string()))
                    .select(group_members::user_id),
            ),
        ),
    }
}

/// Fields a PATCH may change (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<Option<String>>,
    /// Phone number.
    pub phone_number: Option<Option<String>>,
    /// New password hash.
    pub password_hash: Option<String>,
}

/// Applies `changes` to the user when its version is `expected`; returns whether it changed.
pub fn update(
    conn: &mut DbConnection,
    realm: RealmId,
    id: Uuid,
    expected: i64,
    changes: &UserChanges,
    actor: &str,
    now: Timestamp,
) -> QueryResult<bool> {
    let target = users::table
        .filter(users::realm_id.eq(realm))
        .filter(users::id.eq(id.to_string()))
        .filter(users::version.eq(expected));
    let updated = diesel::update(target)
        .set((
            changes.first_name.as_ref().map(|v| users::first_name.eq(v)),
            changes.last_name.as_ref().map(|v| users::last_name.eq(v)),
            changes.middle_name.as_ref().map(|v| users::middle_name.eq(v)),
            changes.phone_number.as_ref().map(|v| users::phone_number.eq(v)),
            changes.password_hash.as_ref().map(|v| users::password_hash.eq(v)),
            users::modified_at.eq(now.as_primitive()),
            users::modified_by.eq(actor),
            users::version.eq(expected + 1),
        ))
        .execute(conn)?;
    let renamed = changes.first_name.is_some() || changes.last_name.is_some() || changes.middle_name.is_some();
    if updated == 1 && renamed {
        index(conn, realm, id)?;
    }
    Ok(updated == 1)
}

/// Deletes the user (roles, memberships and refresh tokens cascade); returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<bool> {
    let deleted = diesel::delete(users::table.filter(users::realm_id.eq(realm)).filter(users::id.eq(id.to_string())))
        .execute(conn)?;
    if deleted == 1 {
        SEARCH_INDEX.remove(conn, id)?;
        counters::adjust(conn, realm, COUNTER, -1)?;
    }
    Ok(deleted == 1)
}
