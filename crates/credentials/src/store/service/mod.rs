//! The credential service: validation, sealing, versions and authorization. Credential
//! inputs are resolved in `inputs.rs`, provider definitions and store writes in
//! `definitions.rs`; the trait implementation is here.

mod definitions;
mod inputs;

use crate::service::{READ, WRITE};
use definitions::{ProviderChange, StoreValues};
use inputs::{CredentialChange, Placement};
use portico_core::RealmId;

use super::credentials::{self as credential_rows, CredentialFields, CredentialRecord};
use super::stores::StoreFields;
use super::{CredentialStore, providers, stores};
use crate::error::{CredentialsError, not_found};
use crate::model::{
    Credential, CredentialDraft, CredentialPatch, CredentialQuery, Provider, ProviderDraft, ProviderPatch,
    ProviderQuery, Store, StoreDraft, StorePatch, StoreQuery, validate_description, validate_name,
};
use crate::service::CredentialService;
use portico_core::audit::audited_write;
use portico_core::write::Precondition;
use portico_core::{DbConnection, RequestContext};

pub(super) fn seal_context(realm: RealmId, credential: i64, def: i64) -> String {
    format!("credentials/input/{realm}/{credential}/{def}")
}

impl CredentialStore {
    fn reader(&self, ctx: &RequestContext) -> Result<(), CredentialsError> {
        Ok(ctx.require(READ)?)
    }

    fn writer(&self, ctx: &RequestContext) -> Result<(), CredentialsError> {
        Ok(ctx.require(WRITE)?)
    }

    fn existing_store(&self, conn: &mut DbConnection, realm: RealmId, id: i64) -> Result<Store, CredentialsError> {
        stores::get(conn, realm, id)?.ok_or_else(|| not_found("Credential store", id))
    }

    fn existing_provider(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        id: i64,
    ) -> Result<Provider, CredentialsError> {
        providers::get(conn, realm, id)?.ok_or_else(|| not_found("Credential store provider", id))
    }

    fn existing_credential(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        id: i64,
    ) -> Result<CredentialRecord, CredentialsError> {
        credential_rows::get(conn, realm, id)?.ok_or_else(|| not_found("Credential", id))
    }
}

impl CredentialService for CredentialStore {
    fn credential(&self, ctx: &RequestContext, id: i64) -> Result<Credential, CredentialsError> {
        self.reader(ctx)?;
        self.db.read(|conn| {
            let record = self.existing_credential(conn, ctx.realm.id, id)?;
            self.open(ctx, record)
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
            self.open_all(ctx, records)
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
            Ok((self.open(ctx, saved)?, id.to_string()))
        })
    }

    fn replace_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: CredentialDraft,
        precondition: &Precondition,
    ) -> Result<Credential, CredentialsError> {
        self.writer(ctx)?;
        self.save_credential(ctx, id, precondition, |_| {
            Ok(CredentialChange {
                name: draft.name.clone(),
                active: draft.active,
                scope: draft.scope,
                store_id: draft.store_id,
                values: draft.inputs.clone(),
                keep_unlisted: false,
            })
        })
    }

    fn patch_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: CredentialPatch,
        precondition: &Precondition,
    ) -> Result<Credential, CredentialsError> {
        self.writer(ctx)?;
        self.save_credential(ctx, id, precondition, |current| {
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
            Ok(CredentialChange {
                name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
                active: patch.active.unwrap_or(current.active),
                scope: current.scope,
                store_id: current.store_id,
                values: patch.inputs.clone().unwrap_or_default(),
                keep_unlisted: true,
            })
        })
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
        validate_description("description", draft.description.as_deref())?;
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
        precondition: &Precondition,
    ) -> Result<Store, CredentialsError> {
        self.writer(ctx)?;
        self.save_store(ctx, id, precondition, false, |_| StoreValues {
            name: draft.name.clone(),
            description: draft.description.clone(),
            provider_id: draft.provider_id,
            active: draft.active,
        })
    }

    fn patch_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: StorePatch,
        precondition: &Precondition,
    ) -> Result<Store, CredentialsError> {
        self.writer(ctx)?;
        self.save_store(ctx, id, precondition, true, |current| StoreValues {
            name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
            description: patch.description.clone().or_else(|| current.description.clone()),
            provider_id: patch.provider_id.unwrap_or(current.provider_id),
            active: patch.active.unwrap_or(current.active),
        })
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
        validate_description("description", draft.description.as_deref())?;
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_provider.create", "credential_provider", |conn| {
            if providers::name_taken(conn, realm, &draft.name, None)? {
                return Err(CredentialsError::invalid(
                    "credentialStoreProviderName",
                    format!("A provider named '{}' already exists", draft.name),
                ));
            }
            let fields = providers::ProviderFields {
                name: &draft.name,
                description: draft.description.as_deref(),
                active: draft.active,
            };
            let id = providers::insert(conn, realm, fields, false, Some(ctx.actor()), now)?;
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
        precondition: &Precondition,
    ) -> Result<Provider, CredentialsError> {
        self.writer(ctx)?;
        self.save_provider(ctx, id, precondition, |_| ProviderChange {
            name: draft.name.clone(),
            description: draft.description.clone(),
            active: draft.active,
            defs: Some(draft.input_defs.clone()),
            remove_unlisted: true,
        })
    }

    fn patch_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: ProviderPatch,
        precondition: &Precondition,
    ) -> Result<Provider, CredentialsError> {
        self.writer(ctx)?;
        self.save_provider(ctx, id, precondition, |current| ProviderChange {
            name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
            description: patch.description.clone().or_else(|| current.description.clone()),
            active: patch.active.unwrap_or(current.active),
            defs: patch.input_defs.clone(),
            remove_unlisted: false,
        })
    }
}
