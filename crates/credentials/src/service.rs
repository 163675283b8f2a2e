//! The credentials domain's public API: [`CredentialService`], implemented by
//! [`crate::store::CredentialStore`]. Every method takes the caller's [`RequestContext`] first
//! and checks authorization itself:
//!
//! | action | roles |
//! |---|---|
//! | read credentials, stores, providers | `CREDENTIAL_ADMIN`, `CREDENTIAL_VIEWER`, `TENANT_ADMIN` |
//! | create and change them | `CREDENTIAL_ADMIN`, `TENANT_ADMIN` |
//! | read the clear value of a *secret* input | `CREDENTIAL_ADMIN`, `TENANT_ADMIN` (others see `null`) |
//!
//! Platform admins hold every role. No query reads or writes another realm's rows.

use crate::error::CredentialsError;
use crate::model::{
    Credential, CredentialDraft, CredentialPatch, CredentialQuery, Provider, ProviderDraft, ProviderPatch,
    ProviderQuery, Store, StoreDraft, StorePatch, StoreQuery,
};
use portico_core::RequestContext;
use portico_core::context::Requirement;
use portico_core::write::Precondition;

/// Roles that may read.
pub const READERS: &[&str] = &["CREDENTIAL_ADMIN", "CREDENTIAL_VIEWER", "TENANT_ADMIN"];
/// Roles that may write and read secret values.
pub const ADMINS: &[&str] = &["CREDENTIAL_ADMIN", "TENANT_ADMIN"];

/// What reading requires (the routes' early checks and the service's own, named once).
pub const READ: Requirement<'static> = Requirement::AnyRole(READERS);
/// What writing and reading secret values require.
pub const WRITE: Requirement<'static> = Requirement::AnyRole(ADMINS);

/// FlexDeploy credentials, credential stores and credential store providers.
pub trait CredentialService: Send + Sync + 'static {
    /// One credential.
    fn credential(&self, ctx: &RequestContext, id: i64) -> Result<Credential, CredentialsError>;
    /// Credentials matching every criterion of `query`, by id.
    fn credentials(&self, ctx: &RequestContext, query: &CredentialQuery) -> Result<Vec<Credential>, CredentialsError>;
    /// Creates a credential.
    fn create_credential(&self, ctx: &RequestContext, draft: CredentialDraft) -> Result<Credential, CredentialsError>;
    /// Replaces a credential: inputs not in `draft` are removed; scope and store may change.
    fn replace_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: CredentialDraft,
        precondition: &Precondition,
    ) -> Result<Credential, CredentialsError>;
    /// Patches a credential: inputs are added or updated, never removed; scope and store are locked.
    fn patch_credential(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: CredentialPatch,
        precondition: &Precondition,
    ) -> Result<Credential, CredentialsError>;

    /// One store.
    fn store(&self, ctx: &RequestContext, id: i64) -> Result<Store, CredentialsError>;
    /// Stores matching `query`.
    fn stores(&self, ctx: &RequestContext, query: &StoreQuery) -> Result<Vec<Store>, CredentialsError>;
    /// Creates a store.
    fn create_store(&self, ctx: &RequestContext, draft: StoreDraft) -> Result<Store, CredentialsError>;
    /// Replaces a store (its provider may change only while it holds no credentials).
    fn replace_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: StoreDraft,
        precondition: &Precondition,
    ) -> Result<Store, CredentialsError>;
    /// Patches a store (the provider is locked).
    fn patch_store(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: StorePatch,
        precondition: &Precondition,
    ) -> Result<Store, CredentialsError>;

    /// One provider.
    fn provider(&self, ctx: &RequestContext, id: i64) -> Result<Provider, CredentialsError>;
    /// Providers matching `query`.
    fn providers(&self, ctx: &RequestContext, query: &ProviderQuery) -> Result<Vec<Provider>, CredentialsError>;
    /// Creates a provider with its input definitions.
    fn create_provider(&self, ctx: &RequestContext, draft: ProviderDraft) -> Result<Provider, CredentialsError>;
    /// Replaces a provider; definitions left out are removed unless credentials use them.
    fn replace_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        draft: ProviderDraft,
        precondition: &Precondition,
    ) -> Result<Provider, CredentialsError>;
    /// Patches a provider; definitions are added or updated, never removed.
    fn patch_provider(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: ProviderPatch,
        precondition: &Precondition,
    ) -> Result<Provider, CredentialsError>;
}
