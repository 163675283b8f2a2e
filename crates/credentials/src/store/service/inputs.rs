//! Credential inputs: checked against the store's provider, sealed per realm, credential and
//! input, versioned by value.

use super::super::credentials::{self as credential_rows, CredentialFields, CredentialRecord, SealedInput};
use super::super::{CredentialStore, stores};
use super::seal_context;
use crate::error::CredentialsError;
use crate::model::{Credential, CredentialInput, CredentialScope, InputValue, Provider, Store, validate_name};
use crate::service::WRITE;
use crate::store::schema::credentials;
use portico_core::RealmId;
use portico_core::audit::audited_write;
use portico_core::db::DbError;
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RequestContext};
use std::collections::{BTreeMap, HashSet};

/// A credential write, computed from the credential as read in the writing transaction.
pub(super) struct CredentialChange {
    pub(super) name: String,
    pub(super) active: bool,
    pub(super) scope: CredentialScope,
    pub(super) store_id: i64,
    /// Input values given.
    pub(super) values: Vec<InputValue>,
    /// PATCH keeps the inputs not given; PUT removes them.
    pub(super) keep_unlisted: bool,
}

/// Where a credential's inputs are resolved: its realm, id, store and the store's provider.
#[derive(Clone, Copy)]
pub(super) struct Placement<'a> {
    pub(super) realm: RealmId,
    pub(super) credential: i64,
    pub(super) store: &'a Store,
    pub(super) provider: &'a Provider,
}

impl CredentialStore {
    /// The store a credential is put in: it must exist in the realm and be active.
    pub(super) fn usable_store(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        id: i64,
    ) -> Result<(Store, Provider), CredentialsError> {
        let store = stores::get(conn, realm, id)?.ok_or_else(|| {
            CredentialsError::invalid("credentialStoreId", format!("Credential store {id} does not exist"))
        })?;
        if !store.active {
            return Err(CredentialsError::invalid(
                "credentialStoreId",
                format!("Credential store {id} ('{}') is inactive", store.name),
            ));
        }
        let provider = self.existing_provider(conn, realm, store.provider_id)?;
        Ok((store, provider))
    }

    /// Opens a stored credential for `ctx`: secret inputs are `None` unless the caller administers credentials.
    pub(super) fn open(&self, ctx: &RequestContext, record: CredentialRecord) -> Result<Credential, CredentialsError> {
        let mut opened = self.open_all(ctx, vec![record])?;
        opened.pop().ok_or_else(|| CredentialsError::from(DbError::from(diesel::result::Error::NotFound)))
    }

    /// Opens stored credentials; each input's record says whether its definition is secret.
    pub(super) fn open_all(
        &self,
        ctx: &RequestContext,
        records: Vec<CredentialRecord>,
    ) -> Result<Vec<Credential>, CredentialsError> {
        let clear_secrets = ctx.require(WRITE).is_ok();
        records
            .into_iter()
            .map(|record| {
                let inputs = record
                    .inputs
                    .iter()
                    .map(|input| {
                        let value = if input.secret && !clear_secrets {
                            None
                        } else {
                            let context = seal_context(ctx.realm.id, record.id, input.def_id);
                            Some(self.sealer.unseal_str(&input.sealed, &context)?)
                        };
                        Ok(CredentialInput { def_id: input.def_id, value, version: input.version })
                    })
                    .collect::<Result<Vec<_>, CredentialsError>>()?;
                Ok(Credential {
                    id: record.id,
                    name: record.name,
                    active: record.active,
                    scope: record.scope,
                    store_id: record.store_id,
                    inputs,
                    version: record.version,
                    stamp: record.stamp,
                })
            })
            .collect()
    }

    /// Checks `values` against the provider's definitions and builds the credential's new input
    /// set: `keep` are the current inputs that stay (PATCH keeps all, PUT none), then every
    /// required definition must have a value.
    pub(super) fn resolve_inputs(
        &self,
        at: &Placement<'_>,
        values: &[InputValue],
        current: &[SealedInput],
        keep_unlisted: bool,
    ) -> Result<Vec<SealedInput>, CredentialsError> {
        let Placement { realm, credential, store, provider } = *at;
        let mut seen = HashSet::new();
        let mut next: BTreeMap<i64, SealedInput> =
            if keep_unlisted { current.iter().map(|i| (i.def_id, i.clone())).collect() } else { BTreeMap::new() };
        for (index, value) in values.iter().enumerate() {
            portico_core::text::check_field(
                &format!("credentialInputs[{index}].inputValue"),
                &value.value,
                crate::model::MAX_INPUT_VALUE,
                true,
            )?;
            let field = format!("credentialInputs[{index}].credentialStoreInputDefId");
            let Some(def) = provider.input_defs.iter().find(|d| d.id == value.def_id) else {
                return Err(CredentialsError::invalid(
                    &field,
                    format!(
                        "Input definition {} is not an input of credential store {} ('{}')",
                        value.def_id, store.id, store.name
                    ),
                ));
            };
            if !seen.insert(value.def_id) {
                return Err(CredentialsError::invalid(
                    &field,
                    format!("Input definition {} is given twice", value.def_id),
                ));
            }
            let context = seal_context(realm, credential, value.def_id);
            let input = match current.iter().find(|i| i.def_id == value.def_id) {
                // The same value stays as it is (same seal, same version): nothing changes.
                Some(old) if self.sealer.unseal_str(&old.sealed, &context).is_ok_and(|v| v == value.value) => {
                    old.clone()
                }
                Some(old) => SealedInput {
                    def_id: value.def_id,
                    sealed: self.sealer.seal_str(&value.value, &context),
                    version: old.version + 1,
                    secret: def.secret,
                },
                None => SealedInput {
                    def_id: value.def_id,
                    sealed: self.sealer.seal_str(&value.value, &context),
                    version: 1,
                    secret: def.secret,
                },
            };
            next.insert(value.def_id, input);
        }
        if let Some(missing) = provider.input_defs.iter().find(|d| d.required && !next.contains_key(&d.id)) {
            return Err(CredentialsError::invalid(
                "credentialInputs",
                format!(
                    "The required input '{}' ({}) of credential store {} is missing",
                    missing.name, missing.id, store.id
                ),
            ));
        }
        Ok(next.into_values().collect())
    }

    pub(super) fn write_inputs(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        credential: i64,
        before: &[SealedInput],
        after: &[SealedInput],
    ) -> Result<(), CredentialsError> {
        for old in before.iter().filter(|old| !after.iter().any(|new| new.def_id == old.def_id)) {
            credential_rows::remove_input(conn, realm, credential, old.def_id)?;
        }
        for input in after {
            credential_rows::put_input(conn, realm, credential, input)?;
        }
        Ok(())
    }

    pub(super) fn unique_credential_name(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        name: &str,
        except: Option<i64>,
    ) -> Result<(), CredentialsError> {
        if credential_rows::name_taken(conn, realm, name, except)? {
            return Err(CredentialsError::invalid(
                "credentialName",
                format!("A credential named '{name}' already exists"),
            ));
        }
        Ok(())
    }

    /// Writes a credential: `change` is computed from the credential as read in the
    /// transaction; a change that changes nothing keeps the version.
    pub(super) fn save_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        precondition: &Precondition,
        change: impl Fn(&CredentialRecord) -> Result<CredentialChange, CredentialsError>,
    ) -> Result<Credential, CredentialsError> {
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential.update", "credential", |conn| {
            portico_core::lock_row!(conn, credentials, realm, id)?;
            let current = self.existing_credential(conn, realm, id)?;
            precondition.check("Credential", id, current.version)?;
            let change = change(&current)?;
            validate_name("credentialName", &change.name)?;
            if change.name != current.name {
                self.unique_credential_name(conn, realm, &change.name, Some(id))?;
            }
            let (store, provider) = if change.store_id == current.store_id {
                let store = self.existing_store(conn, realm, current.store_id)?;
                let provider = self.existing_provider(conn, realm, store.provider_id)?;
                (store, provider)
            } else {
                self.usable_store(conn, realm, change.store_id)?
            };
            // Inputs of another store's provider cannot stay when the store changes.
            let carried: Vec<SealedInput> = current
                .inputs
                .iter()
                .filter(|i| provider.input_defs.iter().any(|d| d.id == i.def_id))
                .cloned()
                .collect();
            let inputs = self.resolve_inputs(
                &Placement { realm, credential: id, store: &store, provider: &provider },
                &change.values,
                &carried,
                change.keep_unlisted,
            )?;
            let unchanged = change.name == current.name
                && change.active == current.active
                && change.scope == current.scope
                && change.store_id == current.store_id
                && inputs == current.inputs;
            if unchanged {
                return Ok((self.open(ctx, current)?, id.to_string()));
            }
            let fields = CredentialFields {
                name: &change.name,
                active: change.active,
                scope: change.scope,
                store_id: change.store_id,
            };
            let written = credential_rows::update(conn, realm, id, current.version, fields, ctx.actor(), now)?;
            committed(precondition, "Credential", id, current.version, written)?;
            self.write_inputs(conn, realm, id, &current.inputs, &inputs)?;
            let saved = self.existing_credential(conn, realm, id)?;
            Ok((self.open(ctx, saved)?, id.to_string()))
        })
    }
}
