//! Users and their roles.

use super::schema::{user_roles, users};
use crate::model::{AuditStamp, User};
use diesel::prelude::*;
use portico_core::DbConnection;
use std::collections::BTreeSet;
use time::PrimitiveDateTime;
use uuid::Uuid;

#[derive(Queryable, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: String,
    realm_id: String,
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
    fn into_user(self, roles: BTreeSet<String>) -> User {
        User {
            id: super::uuid(&self.id),
            realm_id: super::uuid(&self.realm_id),
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
        }
    }
}

/// A user row together with its password hash (for authentication only).
pub struct UserWithSecret {
    /// The user.
    pub user: User,
    /// The Argon2id PHC string, if the user has a password.
    pub password_hash: Option<String>,
}

/// Creates a user with `roles` and an optional password hash.
pub fn insert(conn: &mut DbConnection, user: &User, password_hash: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(UserRow {
            id: user.id.to_string(),
            realm_id: user.realm_id.to_string(),
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
    set_roles(conn, user.realm_id, user.id, &user.roles)
}

/// Replaces the roles of a user.
pub fn set_roles(conn: &mut DbConnection, realm: Uuid, user: Uuid, roles: &BTreeSet<String>) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user.to_string()))).execute(conn)?;
    // One statement per role: MultiConnection has no batch insert (roles are few).
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user.to_string()),
                user_roles::realm_id.eq(realm.to_string()),
                user_roles::role.eq(role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn roles_of(conn: &mut DbConnection, user: &str) -> QueryResult<BTreeSet<String>> {
    let roles: Vec<String> =
        user_roles::table.filter(user_roles::user_id.eq(user)).select(user_roles::role).load(conn)?;
    Ok(roles.into_iter().collect())
}

/// The user `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: Uuid, id: Uuid) -> QueryResult<Option<User>> {
    let row: Option<UserRow> = users::table
        .filter(users::realm_id.eq(realm.to_string()))
        .filter(users::id.eq(id.to_string()))
        .first(conn)
        .optional()?;
    row.map(|row| {
        let roles = roles_of(conn, &row.id)?;
        Ok(row.into_user(roles))
    })
    .transpose()
}

/// The user with `email` in `realm`, with the password hash (authentication).
pub fn by_email_with_secret(conn: &mut DbConnection, realm: Uuid, email: &str) -> QueryResult<Option<UserWithSecret>> {
    let row: Option<UserRow> = users::table
        .filter(users::realm_id.eq(realm.to_string()))
        .filter(users::email.eq(email))
        .first(conn)
        .optional()?;
    row.map(|mut row| {
        let roles = roles_of(conn, &row.id)?;
        let password_hash = row.password_hash.take();
        Ok(UserWithSecret { user: row.into_user(roles), password_hash })
    })
    .transpose()
}
