//! OAuth clients.

use super::schema::clients;
use crate::model::Client;
use diesel::prelude::*;
use portico_core::DbConnection;
use portico_core::RealmId;
use portico_core::cursor::{CursorPage, CursorRequest, Keyset};
use portico_core::db::UniqueDsl;
use time::PrimitiveDateTime;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = clients)]
pub(crate) struct ClientRow {
    id: String,
    realm_id: RealmId,
    client_id: String,
    name: String,
    roles: String,
    secret_hash: Option<String>,
    created_at: PrimitiveDateTime,
    modified_at: PrimitiveDateTime,
    version: i64,
    redirect_uris: String,
    post_logout_redirect_uris: String,
}

fn uri_list(text: &str) -> QueryResult<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| diesel::result::Error::DeserializationError(format!("client URIs are not JSON: {e}").into()))
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

impl ClientRow {
    fn into_client(self) -> QueryResult<(Client, Option<String>)> {
        let client = Client {
            id: super::uuid(&self.id)?,
            realm_id: self.realm_id,
            client_id: self.client_id,
            name: self.name,
            roles: serde_json::from_str(&self.roles).map_err(|e| {
                diesel::result::Error::DeserializationError(format!("client roles are not JSON: {e}").into())
            })?,
            public: self.secret_hash.is_none(),
            redirect_uris: uri_list(&self.redirect_uris)?,
            post_logout_redirect_uris: uri_list(&self.post_logout_redirect_uris)?,
            created_at: self.created_at.into(),
            modified_at: self.modified_at.into(),
            version: self.version,
        };
        Ok((client, self.secret_hash))
    }
}

/// Creates a client whose secret hashes to `secret_hash` (`None`: a public client).
pub fn insert(conn: &mut DbConnection, client: &Client, secret_hash: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(clients::table)
        .values(ClientRow {
            id: client.id.to_string(),
            realm_id: client.realm_id,
            client_id: client.client_id.clone(),
            name: client.name.clone(),
            roles: json_list(&client.roles),
            secret_hash: secret_hash.map(str::to_owned),
            created_at: client.created_at.as_primitive(),
            modified_at: client.modified_at.as_primitive(),
            version: client.version,
            redirect_uris: json_list(&client.redirect_uris),
            post_logout_redirect_uris: json_list(&client.post_logout_redirect_uris),
        })
        .execute(conn)?;
    Ok(())
}

/// The client with public id `client_id` (any realm) and its secret hash.
pub fn by_client_id(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<(Client, Option<String>)>> {
    clients::table
        .filter(clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .unique(conn)?
        .map(ClientRow::into_client)
        .transpose()
}

/// The client `client_id` of `realm`, with its secret hash.
pub fn in_realm(
    conn: &mut DbConnection,
    realm: RealmId,
    client_id: &str,
) -> QueryResult<Option<(Client, Option<String>)>> {
    clients::table
        .filter(clients::realm_id.eq(realm))
        .filter(clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .unique(conn)?
        .map(ClientRow::into_client)
        .transpose()
}

/// One cursor slice of the clients of `realm`, oldest first.
pub fn list(conn: &mut DbConnection, realm: RealmId, request: &CursorRequest) -> QueryResult<CursorPage<Client>> {
    let query = clients::table.filter(clients::realm_id.eq(realm)).into_boxed();
    let query = portico_core::keyset_after!(query, clients::created_at, clients::id, request.after);
    let rows: Vec<ClientRow> = query
        .order((clients::created_at.asc(), clients::id.asc()))
        .limit(i64::from(request.limit))
        .select(ClientRow::as_select())
        .load(conn)?;
    let items: Vec<Client> =
        rows.into_iter().map(|row| row.into_client().map(|(c, _)| c)).collect::<QueryResult<_>>()?;
    let last = items.last().map(|c| Keyset::of(c.created_at, c.id));
    Ok(CursorPage { items, last })
}

/// Replaces a client's name, roles and URIs with `client`'s when its stored version is
/// `expected`; returns whether it changed.
pub fn update(conn: &mut DbConnection, client: &Client, expected: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        clients::table
            .filter(clients::realm_id.eq(client.realm_id))
            .filter(clients::client_id.eq(&client.client_id))
            .filter(clients::version.eq(expected)),
    )
    .set((
        clients::name.eq(&client.name),
        clients::roles.eq(json_list(&client.roles)),
        clients::redirect_uris.eq(json_list(&client.redirect_uris)),
        clients::post_logout_redirect_uris.eq(json_list(&client.post_logout_redirect_uris)),
        clients::modified_at.eq(client.modified_at.as_primitive()),
        clients::version.eq(client.version),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes the client `client_id` of `realm`; returns whether it existed.
pub fn delete(conn: &mut DbConnection, realm: RealmId, client_id: &str) -> QueryResult<bool> {
    let deleted =
        diesel::delete(clients::table.filter(clients::realm_id.eq(realm)).filter(clients::client_id.eq(client_id)))
            .execute(conn)?;
    Ok(deleted == 1)
}
