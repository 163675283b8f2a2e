//! OAuth clients.

use super::schema::clients;
use crate::model::Client;
use diesel::prelude::*;
use portico_core::DbConnection;
use time::PrimitiveDateTime;

#[derive(Queryable, Insertable)]
#[diesel(table_name = clients)]
pub(crate) struct ClientRow {
    id: String,
    realm_id: String,
    client_id: String,
    name: String,
    roles: String,
    secret_hash: String,
    created_at: PrimitiveDateTime,
    modified_at: PrimitiveDateTime,
    version: i64,
}

impl ClientRow {
    fn into_client(self) -> (Client, String) {
        let client = Client {
            id: super::uuid(&self.id),
            realm_id: super::uuid(&self.realm_id),
            client_id: self.client_id,
            name: self.name,
            roles: serde_json::from_str(&self.roles).unwrap_or_default(),
            created_at: self.created_at.into(),
            modified_at: self.modified_at.into(),
            version: self.version,
        };
        (client, self.secret_hash)
    }
}

/// Creates a client whose secret hashes to `secret_hash`.
pub fn insert(conn: &mut DbConnection, client: &Client, secret_hash: &str) -> QueryResult<()> {
    diesel::insert_into(clients::table)
        .values(ClientRow {
            id: client.id.to_string(),
            realm_id: client.realm_id.to_string(),
            client_id: client.client_id.clone(),
            name: client.name.clone(),
            roles: serde_json::to_string(&client.roles).unwrap_or_else(|_| "[]".into()),
            secret_hash: secret_hash.to_owned(),
            created_at: client.created_at.as_primitive(),
            modified_at: client.modified_at.as_primitive(),
            version: client.version,
        })
        .execute(conn)?;
    Ok(())
}

/// The client with public id `client_id` (any realm) and its secret hash.
pub fn by_client_id(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<(Client, String)>> {
    clients::table
        .filter(clients::client_id.eq(client_id))
        .first::<ClientRow>(conn)
        .optional()
        .map(|row| row.map(ClientRow::into_client))
}
