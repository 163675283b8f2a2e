//! Provider input definitions and store writes.

use super::super::stores::StoreFields;
use super::super::{CredentialStore, providers, stores};
use super::{check_version, concurrent};
use crate::error::CredentialsError;
use crate::model::{InputDef, InputDefDraft, Provider, Store, validate_name};
use portico_core::audit::audited_write;
use portico_core::etag::IfMatch;
use portico_core::{DbConnection, RequestContext};
use std::collections::HashSet;
use uuid::Uuid;

/// A provider write: its own fields, its definitions (PUT removes those left out), the
/// `versionNumber` it is based on.
pub(super) struct ProviderChange<'a> {
    pub(super) name: &'a str,
    pub(super) description: Option<&'a str>,
    pub(super) active: bool,
    pub(super) defs: Option<&'a [InputDefDraft]>,
    pub(super) remove_unlisted: bool,
    pub(super) sent: Option<i64>,
}

impl CredentialStore {
    pub(super) fn resolve_defs(
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

    pub(super) fn mutable_provider(
        &self,
        conn: &mut DbConnection,
        realm: Uuid,
        id: i64,
    ) -> Result<Provider, CredentialsError> {
        let provider = self.existing_provider(conn, realm, id)?;
        if provider.builtin {
            return Err(CredentialsError::invalid(
                "credentialStoreProviderId",
                format!("The built-in provider {id} cannot be changed"),
            ));
        }
        Ok(provider)
    }

    pub(super) fn save_provider(
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

    pub(super) fn save_store(
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
