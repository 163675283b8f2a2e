//! Provider input definitions and store writes.

use super::super::providers::{InputDefFields, ProviderFields};
use super::super::stores::StoreFields;
use super::super::{CredentialStore, providers, stores};
use crate::error::CredentialsError;
use crate::model::{InputDef, InputDefDraft, Provider, Store, validate_description, validate_name};
use crate::store::schema::credential_store_providers;
use crate::store::schema::credential_stores;
use portico_core::RealmId;
use portico_core::audit::audited_write;
use portico_core::write::{Precondition, committed};
use portico_core::{DbConnection, RequestContext};
use std::collections::HashSet;

/// A provider write, computed from the provider as read in the writing transaction: its own
/// fields and its definitions (PUT removes those left out).
pub(super) struct ProviderChange {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) active: bool,
    pub(super) defs: Option<Vec<InputDefDraft>>,
    pub(super) remove_unlisted: bool,
}

/// A store write, computed from the store as read in the writing transaction.
pub(super) struct StoreValues {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) provider_id: i64,
    pub(super) active: bool,
}

/// Whether `drafts` would leave the provider's definitions as they are.
fn defs_unchanged(provider: &Provider, drafts: &[InputDefDraft], remove_unlisted: bool) -> bool {
    let all_listed = !remove_unlisted || provider.input_defs.iter().all(|d| drafts.iter().any(|x| x.id == Some(d.id)));
    all_listed
        && drafts.iter().all(|draft| {
            provider.input_defs.iter().any(|def| {
                Some(def.id) == draft.id
                    && def.name == draft.name
                    && def.description == draft.description
                    && def.required == draft.required
                    && def.secret == draft.secret
                    && draft.display_order.is_none_or(|order| order == def.display_order)
            })
        })
}

impl CredentialStore {
    pub(super) fn resolve_defs(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
        provider: &Provider,
        drafts: &[InputDefDraft],
        remove_unlisted: bool,
    ) -> Result<(), CredentialsError> {
        let mut names = HashSet::new();
        for (index, draft) in drafts.iter().enumerate() {
            let field = format!("credentialStoreInputDefs[{index}]");
            validate_name(&format!("{field}.inputName"), &draft.name)?;
            validate_description(&format!("{field}.description"), draft.description.as_deref())?;
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
            let fields = InputDefFields {
                name: &draft.name,
                description: draft.description.as_deref(),
                required: draft.required,
                secret: draft.secret,
                display_order: order,
            };
            match draft.id {
                Some(id) => providers::update_def(conn, realm, provider.id, id, fields)?,
                None => {
                    providers::insert_def(conn, realm, provider.id, fields)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn mutable_provider(
        &self,
        conn: &mut DbConnection,
        realm: RealmId,
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

    /// Writes a provider: `change` is computed from the provider as read in the transaction.
    pub(super) fn save_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        precondition: &Precondition,
        change: impl Fn(&Provider) -> ProviderChange,
    ) -> Result<Provider, CredentialsError> {
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_provider.update", "credential_provider", |conn| {
            portico_core::lock_row!(conn, credential_store_providers, realm, id)?;
            let provider = self.mutable_provider(conn, realm, id)?;
            precondition.check("Credential store provider", id, provider.version)?;
            let ProviderChange { name, description, active, defs, remove_unlisted } = change(&provider);
            validate_name("credentialStoreProviderName", &name)?;
            validate_description("description", description.as_deref())?;
            let unchanged = name == provider.name
                && description == provider.description
                && active == provider.active
                && defs.as_deref().is_none_or(|defs| defs_unchanged(&provider, defs, remove_unlisted));
            if unchanged {
                return Ok((provider, id.to_string()));
            }
            if providers::name_taken(conn, realm, &name, Some(id))? {
                return Err(CredentialsError::invalid(
                    "credentialStoreProviderName",
                    format!("A provider named '{name}' already exists"),
                ));
            }
            if let Some(defs) = &defs {
                self.resolve_defs(conn, realm, &provider, defs, remove_unlisted)?;
            }
            let fields = ProviderFields { name: &name, description: description.as_deref(), active };
            let written = providers::update(conn, realm, id, provider.version, fields, ctx.actor(), now)?;
            committed(precondition, "Credential store provider", id, provider.version, written)?;
            Ok((self.existing_provider(conn, realm, id)?, id.to_string()))
        })
    }

    /// Writes a store: `change` is computed from the store as read in the transaction.
    pub(super) fn save_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        precondition: &Precondition,
        provider_locked: bool,
        change: impl Fn(&Store) -> StoreValues,
    ) -> Result<Store, CredentialsError> {
        let now = self.clock.now();
        let realm = ctx.realm.id;
        audited_write(&self.db, self.clock.as_ref(), ctx, "credential_store.update", "credential_store", |conn| {
            portico_core::lock_row!(conn, credential_stores, realm, id)?;
            let store = self.existing_store(conn, realm, id)?;
            if store.builtin {
                return Err(CredentialsError::invalid(
                    "credentialStoreId",
                    format!("The built-in store {id} cannot be changed"),
                ));
            }
            precondition.check("Credential store", id, store.version)?;
            let values = change(&store);
            validate_name("credentialStoreName", &values.name)?;
            validate_description("description", values.description.as_deref())?;
            let unchanged = values.name == store.name
                && values.description == store.description
                && values.provider_id == store.provider_id
                && values.active == store.active;
            if unchanged {
                return Ok((store, id.to_string()));
            }
            if stores::name_taken(conn, realm, &values.name, Some(id))? {
                return Err(CredentialsError::invalid(
                    "credentialStoreName",
                    format!("A store named '{}' already exists", values.name),
                ));
            }
            if values.provider_id != store.provider_id {
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
                let provider = providers::get(conn, realm, values.provider_id)?.ok_or_else(|| {
                    CredentialsError::invalid(
                        "credentialStoreProviderId",
                        format!("Credential store provider {} does not exist", values.provider_id),
                    )
                })?;
                if !provider.active {
                    return Err(CredentialsError::invalid(
                        "credentialStoreProviderId",
                        format!("Credential store provider {} is inactive", provider.id),
                    ));
                }
            }
            let fields = StoreFields {
                name: &values.name,
                description: values.description.as_deref(),
                provider_id: values.provider_id,
                active: values.active,
            };
            let written = stores::update(conn, realm, id, store.version, fields, ctx.actor(), now)?;
            committed(precondition, "Credential store", id, store.version, written)?;
            Ok((self.existing_store(conn, realm, id)?, id.to_string()))
        })
    }
}
