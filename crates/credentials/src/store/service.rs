//! The credential service: validation, sealing, versions and authorization.

use super::credentials::{self as credential_rows, CredentialFields, CredentialRecord, SealedInput};
use super::stores::StoreFields;
use super::{CredentialStore, providers, stores};
use crate::error::CredentialsError;
use crate::model::{
    Credential, CredentialDraft, CredentialInput, CredentialPatch, CredentialQuery, InputDef, InputDefDraft,
    InputValue, Provider, ProviderDraft, ProviderPatch, ProviderQuery, Store, StoreDraft, StorePatch, StoreQuery,
    validate_name,
};
use crate::service::{ADMINS, CredentialService, READERS};
use portico_core::audit::audited_write;
use portico_core::context::Requirement;
use portico_core::etag::IfMatch;
use portico_core::{DbConnection, RequestContext};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

fn seal_context(realm: Uuid, credential: i64, def: i64) -> String {
    format!("credentials/input/{realm}/{credential}/{def}")
}

fn check_version(
    what: &'static str,
    id: i64,
    current: i64,
    sent: Option<i64>,
    precondition: &IfMatch,
) -> Result<(), CredentialsError> {
    precondition.check(current)?;
    match sent {
        Some(sent) if sent != current => Err(CredentialsError::VersionConflict { what, id, current, sent }),
        _ => Ok(()),
    }
}

fn concurrent(what: &'static str, id: i64, expected: i64) -> CredentialsError {
    CredentialsError::VersionConflict { what, id, current: expected + 1, sent: expected }
}

/// Where a credential's inputs are resolved: its realm, id, store and the store's provider.
#[derive(Clone, Copy)]
struct Placement<'a> {
    realm: Uuid,
    credential: i64,
    store: &'a Store,
    provider: &'a Provider,
}

/// A provider write: its own fields, its definitions (PUT removes those left out), the
/// `versionNumber` it is based on.
struct ProviderChange<'a> {
    name: &'a str,
    description: Option<&'a str>,
    active: bool,
    defs: Option<&'a [InputDefDraft]>,
    remove_unlisted: bool,
    sent: Option<i64>,
}

impl CredentialStore {
    fn reader(&self, ctx: &RequestContext) -> Result<(), CredentialsError> {
        ctx.require(Requirement::AnyRole(READERS))?;
        self.ensure_builtins(&ctx.realm)
    }

    fn writer(&self, ctx: &RequestContext) -> Result<(), CredentialsError> {
        ctx.require(Requirement::AnyRole(ADMINS))?;
        self.ensure_builtins(&ctx.realm)
    }

    fn existing_store(&self, conn: &mut DbConnection, realm: Uuid, id: i64) -> Result<Store, CredentialsError> {
        stores::get(conn, realm, id)?.ok_or(CredentialsError::NotFound { what: "Credential store", id })
    }

    fn existing_provider(&self, conn: &mut DbConnection, realm: Uuid, id: i64) -> Result<Provider, CredentialsError> {
        providers::get(conn, realm, id)?.ok_or(CredentialsError::NotFound { what: "Credential store provider", id })
    }

    fn existing_credential(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
        id: i64,
    ) -> Result<CredentialRecord, CredentialsError> {
        credential_rows::get(conn, realm, id)?.ok_or(CredentialsError::NotFound { what: "Credential", id })
    }

    /// The store a credential is put in: it must exist in the realm and be active.
    fn usable_store(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
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
    fn open(
        &self,
        ctx: &RequestContext,
        conn: &mut DbConnection,
        record: CredentialRecord,
    ) -> Result<Credential, CredentialsError> {
        let clear_secrets = ctx.require(Requirement::AnyRole(ADMINS)).is_ok();
        let store = self.existing_store(conn, ctx.realm.id, record.store_id)?;
        let provider = self.existing_provider(conn, ctx.realm.id, store.provider_id)?;
        let inputs = record
            .inputs
            .iter()
            .map(|input| {
                let secret = provider.input_defs.iter().find(|d| d.id == input.def_id).is_none_or(|d| d.secret);
                let value = if secret && !clear_secrets {
                    None
                } else {
                    Some(self.sealer.unseal_str(&input.sealed, &seal_context(ctx.realm.id, record.id, input.def_id))?)
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
    }

    /// Checks `values` against the provider's definitions and builds the credential's new input
    /// set: `keep` are the current inputs that stay (PATCH keeps all, PUT none), then every
    /// required definition must have a value.
    fn resolve_inputs(
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
            let field = format!("credentialInputs[{index}].credentialStoreInputDefId");
            if !provider.input_defs.iter().any(|d| d.id == value.def_id) {
                return Err(CredentialsError::invalid(
                    &field,
                    format!(
                        "Input definition {} is not an input of credential store {} ('{}')",
                        value.def_id, store.id, store.name
                    ),
                ));
            }
            if !seen.insert(value.def_id) {
                return Err(CredentialsError::invalid(
                    &field,
                    format!("Input definition {} is given twice", value.def_id),
                ));
            }
            let context = seal_context(realm, credential, value.def_id);
            let version = match current.iter().find(|i| i.def_id == value.def_id) {
                Some(old) if self.sealer.unseal_str(&old.sealed, &context).is_ok_and(|v| v == value.value) => {
                    old.version
                }
                Some(old) => old.version + 1,
                None => 1,
            };
            next.insert(
                value.def_id,
                SealedInput { def_id: value.def_id, sealed: self.sealer.seal_str(&value.value, &context), version },
            );
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

    fn write_inputs(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
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

    fn unique_credential_name(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
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

    fn save_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        current: CredentialRecord,
        fields: CredentialFields<'_>,
        values: &[InputValue],
        keep_unlisted: bool,
    ) -> Result<Credential, CredentialsError> {
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential.update", "credential", |conn| {
            validate_name("credentialName", fields.name)?;
            self.unique_credential_name(conn, realm, fields.name, Some(id))?;
            let (store, provider) = if fields.store_id == current.store_id {
                let store = self.existing_store(conn, realm, current.store_id)?;
                let provider = self.existing_provider(conn, realm, store.provider_id)?;
                (store, provider)
            } else {
                self.usable_store(conn, realm, fields.store_id)?
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
                values,
                &carried,
                keep_unlisted,
            )?;
            if !credential_rows::update(conn, realm, id, current.version, fields, ctx.actor(), now)? {
                return Err(concurrent("Credential", id, current.version));
            }
            self.write_inputs(conn, realm, id, &current.inputs, &inputs)?;
            let saved = self.existing_credential(conn, realm, id)?;
            Ok((self.open(ctx, conn, saved)?, id.to_string()))
        })
    }

    fn resolve_defs(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
        provider: &Provider,
        drafts: &[InputDefDraft],
        remove_unlisted: bool,
    ) -> Result<(), CredentialsError> {
        let mut names = HashSet::new();
        for (index, draft) in drafts.iter().enumerate() {
            let field = format!("credentialStoreInputDefs[{index}]");
            validate_name(&format!("{field}.inputName"), &draft.name)?;
            if !names.insert(draft.name.clone()) {
                return Err(CredentialsError::invalid(&field, format!("Input name '{}' is given twice", draft.name)));
            }
            if let Some(id) = draft.id
                && !provider.input_defs.iter().any(|d| d.id == id)
            {
                return Err(CredentialsError::invalid(
                    &field,
                    format!("Input definition {id} is not an input of provider {}", provider.id),
                ));
            }
        }
        let kept: Vec<&InputDef> =
            provider.input_defs.iter().filter(|d| !drafts.iter().any(|draft| draft.id == Some(d.id))).collect();
        if remove_unlisted {
            for def in kept {
                if providers::def_in_use(conn, realm, def.id)? {
                    return Err(CredentialsError::invalid(
                        "credentialStoreInputDefs",
                        format!(
                            "Input definition {} ('{}') is used by credentials and cannot be removed",
                            def.id, def.name
                        ),
                    ));
                }
                providers::delete_def(conn, realm, def.id)?;
            }
        } else if let Some(clash) = kept.iter().find(|d| names.contains(&d.name)) {
            return Err(CredentialsError::invalid(
                "credentialStoreInputDefs",
                format!("Input name '{}' is already used", clash.name),
            ));
        }
        let base_order = provider.input_defs.iter().map(|d| d.display_order).max().unwrap_or(0);
        for (index, draft) in drafts.iter().enumerate() {
            let order = draft.display_order.unwrap_or(base_order + index as i64 + 1);
            match draft.id {
                Some(id) => providers::update_def(
                    conn,
                    realm,
                    provider.id,
                    id,
                    &draft.name,
                    draft.description.as_deref(),
                    draft.required,
                    draft.secret,
                    order,
                )?,
                None => {
                    providers::insert_def(
                        conn,
                        realm,
                        provider.id,
                        &draft.name,
                        draft.description.as_deref(),
                        draft.required,
                        draft.secret,
                        order,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn mutable_provider(&self, conn: &mut DbConnection, realm: Uuid, id: i64) -> Result<Provider, CredentialsError> {
        let provider = self.existing_provider(conn, realm, id)?;
        if provider.builtin {
            return Err(CredentialsError::invalid(
                "credentialStoreProviderId",
                format!("The built-in provider {id} cannot be changed"),
            ));
        }
        Ok(provider)
    }

    fn save_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        change: ProviderChange<'_>,
        precondition: &IfMatch,
    ) -> Result<Provider, CredentialsError> {
        let ProviderChange { name, description, active, defs, remove_unlisted, sent } = change;
        validate_name("credentialStoreProviderName", name)?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_provider.update", "credential_provider", |conn| {
            let provider = self.mutable_provider(conn, realm, id)?;
            check_version("Credential store provider", id, provider.version, sent, precondition)?;
            if providers::name_taken(conn, realm, name, Some(id))? {
                return Err(CredentialsError::invalid(
                    "credentialStoreProviderName",
                    format!("A provider named '{name}' already exists"),
                ));
            }
            if let Some(defs) = defs {
                self.resolve_defs(conn, realm, &provider, defs, remove_unlisted)?;
            }
            if !providers::update(conn, realm, id, provider.version, name, description, active, ctx.actor(), now)? {
                return Err(concurrent("Credential store provider", id, provider.version));
            }
            Ok((self.existing_provider(conn, realm, id)?, id.to_string()))
        })
    }

    fn save_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        fields: StoreFields<'_>,
        provider_locked: bool,
        sent: Option<i64>,
        precondition: &IfMatch,
    ) -> Result<Store, CredentialsError> {
        validate_name("credentialStoreName", fields.name)?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_store.update", "credential_store", |conn| {
            let store = self.existing_store(conn, realm, id)?;
            if store.builtin {
                return Err(CredentialsError::invalid(
                    "credentialStoreId",
                    format!("The built-in store {id} cannot be changed"),
                ));
            }
            check_version("Credential store", id, store.version, sent, precondition)?;
            if stores::name_taken(conn, realm, fields.name, Some(id))? {
                return Err(CredentialsError::invalid(
                    "credentialStoreName",
                    format!("A store named '{}' already exists", fields.name),
                ));
            }
            if fields.provider_id != store.provider_id {
                if provider_locked {
                    return Err(CredentialsError::invalid(
                        "credentialStoreProviderId",
                        "The provider of a store cannot be changed with PATCH",
                    ));
                }
                if stores::credential_count(conn, realm, id)? > 0 {
                    return Err(CredentialsError::invalid(
                        "credentialStoreProviderId",
                        format!("Store {id} holds credentials; its provider cannot change"),
                    ));
                }
                let provider = providers::get(conn, realm, fields.provider_id)?.ok_or_else(|| {
                    CredentialsError::invalid(
                        "credentialStoreProviderId",
                        format!("Credential store provider {} does not exist", fields.provider_id),
                    )
                })?;
                if !provider.active {
                    return Err(CredentialsError::invalid(
                        "credentialStoreProviderId",
                        format!("Credential store provider {} is inactive", provider.id),
                    ));
                }
            }
            if !stores::update(conn, realm, id, store.version, fields, ctx.actor(), now)? {
                return Err(concurrent("Credential store", id, store.version));
            }
            Ok((self.existing_store(conn, realm, id)?, id.to_string()))
        })
    }
}

impl CredentialService for CredentialStore {
    fn require_writer(&self, ctx: &RequestContext) -> Result<(), CredentialsError> {
        Ok(ctx.require(Requirement::AnyRole(ADMINS))?)
    }

    fn credential(&self, ctx: &RequestContext, id: i64) -> Result<Credential, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| {
            let record = self.existing_credential(conn, ctx.realm.id, id)?;
            self.open(ctx, conn, record)
        })
    }

    fn credentials(&self, ctx: &RequestContext, query: &CredentialQuery) -> Result<Vec<Credential>, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| {
            let records = credential_rows::list(
                conn,
                ctx.realm.id,
                query.id,
                query.name.as_deref(),
                query.scope,
                query.store_id,
            )?;
            records.into_iter().map(|record| self.open(ctx, conn, record)).collect()
        })
    }

    fn create_credential(&self, ctx: &RequestContext, draft: CredentialDraft) -> Result<Credential, CredentialsError> {
        self.writer(ctx)?;
        validate_name("credentialName", &draft.name)?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential.create", "credential", |conn| {
            self.unique_credential_name(conn, realm, &draft.name, None)?;
            let (store, provider) = self.usable_store(conn, realm, draft.store_id)?;
            let fields = CredentialFields {
                name: &draft.name,
                active: draft.active,
                scope: draft.scope,
                store_id: draft.store_id,
            };
            let id = credential_rows::insert(conn, realm, fields, ctx.actor(), now)?;
            let inputs = self.resolve_inputs(
                &Placement { realm, credential: id, store: &store, provider: &provider },
                &draft.inputs,
                &[],
                false,
            )?;
            self.write_inputs(conn, realm, id, &[], &inputs)?;
            let saved = self.existing_credential(conn, realm, id)?;
            Ok((self.open(ctx, conn, saved)?, id.to_string()))
        })
    }

    fn replace_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: CredentialDraft,
        precondition: &IfMatch,
    ) -> Result<Credential, CredentialsError> {
        self.writer(ctx)?;
        let current = self.db.read(|conn| self.existing_credential(conn, ctx.realm.id, id))?;
        check_version("Credential", id, current.version, draft.version, precondition)?;
        let fields =
            CredentialFields { name: &draft.name, active: draft.active, scope: draft.scope, store_id: draft.store_id };
        self.save_credential(ctx, id, current, fields, &draft.inputs, false)
    }

    fn patch_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: CredentialPatch,
        precondition: &IfMatch,
    ) -> Result<Credential, CredentialsError> {
        self.writer(ctx)?;
        let current = self.db.read(|conn| self.existing_credential(conn, ctx.realm.id, id))?;
        check_version("Credential", id, current.version, patch.version, precondition)?;
        if patch.scope.is_some_and(|scope| scope != current.scope) {
            return Err(CredentialsError::invalid(
                "credentialScope",
                "The scope of a credential is locked after creation and cannot be changed with PATCH",
            ));
        }
        if patch.store_id.is_some_and(|store| store != current.store_id) {
            return Err(CredentialsError::invalid(
                "credentialStoreId",
                "The store of a credential is locked after creation and cannot be changed with PATCH",
            ));
        }
        let name = patch.name.clone().unwrap_or_else(|| current.name.clone());
        let fields = CredentialFields {
            name: &name,
            active: patch.active.unwrap_or(current.active),
            scope: current.scope,
            store_id: current.store_id,
        };
        let inputs = patch.inputs.unwrap_or_default();
        self.save_credential(ctx, id, current.clone(), fields, &inputs, true)
    }

    fn store(&self, ctx: &RequestContext, id: i64) -> Result<Store, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| self.existing_store(conn, ctx.realm.id, id))
    }

    fn stores(&self, ctx: &RequestContext, query: &StoreQuery) -> Result<Vec<Store>, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| Ok(stores::list(conn, ctx.realm.id, query)?))
    }

    fn create_store(&self, ctx: &RequestContext, draft: StoreDraft) -> Result<Store, CredentialsError> {
        self.writer(ctx)?;
        validate_name("credentialStoreName", &draft.name)?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_store.create", "credential_store", |conn| {
            if stores::name_taken(conn, realm, &draft.name, None)? {
                return Err(CredentialsError::invalid(
                    "credentialStoreName",
                    format!("A store named '{}' already exists", draft.name),
                ));
            }
            let provider = providers::get(conn, realm, draft.provider_id)?.ok_or_else(|| {
                CredentialsError::invalid(
                    "credentialStoreProviderId",
                    format!("Credential store provider {} does not exist", draft.provider_id),
                )
            })?;
            if !provider.active {
                return Err(CredentialsError::invalid(
                    "credentialStoreProviderId",
                    format!("Credential store provider {} is inactive", provider.id),
                ));
            }
            let fields = StoreFields {
                name: &draft.name,
                description: draft.description.as_deref(),
                provider_id: provider.id,
                active: draft.active,
            };
            let id = stores::insert(conn, realm, fields, false, Some(ctx.actor()), now)?;
            Ok((self.existing_store(conn, realm, id)?, id.to_string()))
        })
    }

    fn replace_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: StoreDraft,
        precondition: &IfMatch,
    ) -> Result<Store, CredentialsError> {
        self.writer(ctx)?;
        let fields = StoreFields {
            name: &draft.name,
            description: draft.description.as_deref(),
            provider_id: draft.provider_id,
            active: draft.active,
        };
        self.save_store(ctx, id, fields, false, draft.version, precondition)
    }

    fn patch_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: StorePatch,
        precondition: &IfMatch,
    ) -> Result<Store, CredentialsError> {
        self.writer(ctx)?;
        let current = self.db.read(|conn| self.existing_store(conn, ctx.realm.id, id))?;
        let name = patch.name.clone().unwrap_or(current.name.clone());
        let description = patch.description.clone().or(current.description.clone());
        let fields = StoreFields {
            name: &name,
            description: description.as_deref(),
            provider_id: patch.provider_id.unwrap_or(current.provider_id),
            active: patch.active.unwrap_or(current.active),
        };
        self.save_store(ctx, id, fields, true, patch.version, precondition)
    }

    fn provider(&self, ctx: &RequestContext, id: i64) -> Result<Provider, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| self.existing_provider(conn, ctx.realm.id, id))
    }

    fn providers(&self, ctx: &RequestContext, query: &ProviderQuery) -> Result<Vec<Provider>, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| Ok(providers::list(conn, ctx.realm.id, query)?))
    }

    fn create_provider(&self, ctx: &RequestContext, draft: ProviderDraft) -> Result<Provider, CredentialsError> {
        self.writer(ctx)?;
        validate_name("credentialStoreProviderName", &draft.name)?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_provider.create", "credential_provider", |conn| {
            if providers::name_taken(conn, realm, &draft.name, None)? {
                return Err(CredentialsError::invalid(
                    "credentialStoreProviderName",
                    format!("A provider named '{}' already exists", draft.name),
                ));
            }
            let id = providers::insert(
                conn,
                realm,
                &draft.name,
                draft.description.as_deref(),
                draft.active,
                false,
                Some(ctx.actor()),
                now,
            )?;
            let created = self.existing_provider(conn, realm, id)?;
            self.resolve_defs(conn, realm, &created, &draft.input_defs, false)?;
            Ok((self.existing_provider(conn, realm, id)?, id.to_string()))
        })
    }

    fn replace_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: ProviderDraft,
        precondition: &IfMatch,
    ) -> Result<Provider, CredentialsError> {
        self.writer(ctx)?;
        let change = ProviderChange {
            name: &draft.name,
            description: draft.description.as_deref(),
            active: draft.active,
            defs: Some(&draft.input_defs),
            remove_unlisted: true,
            sent: draft.version,
        };
        self.save_provider(ctx, id, change, precondition)
    }

    fn patch_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: ProviderPatch,
        precondition: &IfMatch,
    ) -> Result<Provider, CredentialsError> {
        self.writer(ctx)?;
        let current = self.db.read(|conn| self.existing_provider(conn, ctx.realm.id, id))?;
        let name = patch.name.clone().unwrap_or(current.name.clone());
        let description = patch.description.clone().or(current.description.clone());
        let change = ProviderChange {
            name: &name,
            description: description.as_deref(),
            active: patch.active.unwrap_or(current.active),
            defs: patch.input_defs.as_deref(),
            remove_unlisted: false,
            sent: patch.version,
        };
        self.save_provider(ctx, id, change, precondition)
    }
}
