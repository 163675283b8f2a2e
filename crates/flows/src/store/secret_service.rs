//! Reading and writing secrets: sealing per version, the clear value for `Admin`s only.

use super::secrets::{self, SecretFields};
use super::{FlowsStore, secret_not_found};
use crate::error::FlowsError;
use crate::model::check_text;
use crate::secrets::{Secret, SecretWrite, check_key, check_value};
use crate::service::SECRET_READER;
use portico_core::audit::audited_write;
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RealmId, RequestContext};

fn seal_context(realm: RealmId, key: &str, version: i64) -> String {
    format!("flows/secret/{realm}/{key}/{version}")
}

impl FlowsStore {
    fn open_value(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        key: &str,
        version: i64,
    ) -> Result<serde_json::Value, FlowsError> {
        let sealed = secrets::sealed(conn, realm, key, version)?.ok_or_else(|| secret_not_found(key))?;
        let text = self.sealer.unseal_str(&sealed, &seal_context(realm, key, version)).map_err(FlowsError::from)?;
        serde_json::from_str(&text)
            .map_err(|_| FlowsError::conflict("secret_unreadable", format!("secret '{key}' holds an unreadable value")))
    }

    fn with_value(&self, ctx: &RequestContext, conn: &mut DbConnection, key: &str) -> Result<Secret, FlowsError> {
        let realm = ctx.realm.id;
        let summary = secrets::get(conn, realm, key)?.ok_or_else(|| secret_not_found(key))?;
        let value = if ctx.principal.has_role(SECRET_READER) {
            Some(self.open_value(conn, realm, key, summary.version)?)
        } else {
            None
        };
        Ok(Secret { summary, value })
    }

    pub(super) fn read_secret(&self, ctx: &RequestContext, key: &str) -> Result<Secret, FlowsError> {
        check_key(key)?;
        self.db.read(|conn| self.with_value(ctx, conn, key))
    }

    pub(super) fn write_secret(
        &self,
        ctx: &RequestContext,
        key: &str,
        write: SecretWrite,
    ) -> Result<(Secret, bool), FlowsError> {
        check_key(key)?;
        let expires_at = check_value(write.kind, &write.value)?;
        if let Some(description) = &write.description {
            check_text("description", description, crate::model::MAX_TEXT)?;
        }
        let realm = ctx.realm.id;
        let text = write.value.to_string();
        let fields = SecretFields { kind: write.kind, description: write.description.as_deref(), expires_at };
        audited_write(&self.db, self.clock.as_ref(), ctx, "secret.put", "secret", |conn| {
            super::lock(conn, realm, super::SECRET, key)?;
            let now = self.clock.now();
            let created = match secrets::get(conn, realm, key)? {
                None => {
                    let sealed = self.sealer.seal_str(&text, &seal_context(realm, key, 1));
                    secrets::insert(conn, realm, key, &fields, &sealed, ctx.actor(), now)?;
                    true
                }
                Some(current) if current.kind != write.kind => {
                    return Err(FlowsError::conflict(
                        "secret_type",
                        format!(
                            "secret '{key}' is of type {}; a secret keeps the type it was created with",
                            current.kind.as_str()
                        ),
                    ));
                }
                Some(current) => {
                    let unchanged = current.description.as_deref() == fields.description
                        && self.open_value(conn, realm, key, current.version)? == write.value;
                    if !unchanged {
                        let sealed = self.sealer.seal_str(&text, &seal_context(realm, key, current.version + 1));
                        let written =
                            secrets::update(conn, realm, key, current.version, &fields, &sealed, ctx.actor(), now)?;
                        committed(&Precondition::none(), "secret", key, current.version, written)?;
                    }
                    false
                }
            };
            Ok(((self.with_value(ctx, conn, key)?, created), key.to_owned()))
        })
    }
}
