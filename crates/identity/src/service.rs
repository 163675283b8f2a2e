//! The identity domain's public API: four small traits, all implemented by
//! [`crate::store::IdentityStore`]. Every method that acts for a caller takes the
//! [`RequestContext`] first and checks authorization itself.

use crate::error::IdentityError;
use crate::model::{Client, Environment, Group, IssuedClient, Realm, User};
use crate::oauth::{
    Authorization, AuthorizationError, AuthorizationRequest, ClientAuth, EndSessionRequest, GrantRequest,
    Introspection, IssuedTokens, OAuthError, SignInError,
};
use jsonwebtoken::jwk::JwkSet;
use portico_core::RealmId;
use portico_core::context::Requirement;
use portico_core::cursor::{CursorPage, CursorRequest};
use portico_core::dependents::DeletionConstraints;
use portico_core::page::{Page, PageRequest};
use portico_core::write::Precondition;
use portico_core::{Principal, RealmRef, RequestContext};
use uuid::Uuid;

/// Roles that administer the users of a realm.
pub const USER_ADMINS: &[&str] = &["TENANT_ADMIN"];
/// Roles that administer every group of a realm.
pub const GROUP_ADMINS: &[&str] = &["GROUP_ADMIN", "TENANT_ADMIN"];

// What each kind of operation requires, named once: the routes' early checks (`http::ACCESS`),
// the services' own checks (what embedders meet) and the HAL links' abilities use these.

/// Managing a realm's users (creating, deleting, assigning roles; any user for themself).
pub const MANAGE_USERS: Requirement<'static> = Requirement::AnyRole(USER_ADMINS);
/// Managing every group of a realm (members manage their own groups).
pub const MANAGE_GROUPS: Requirement<'static> = Requirement::AnyRole(GROUP_ADMINS);

/// Authenticates API calls (used by the gateway's middleware).
pub trait Authenticator: Send + Sync + 'static {
    /// The caller behind a Bearer token.
    fn authenticate_bearer(&self, token: &str) -> Result<Principal, IdentityError>;
    /// The realm user behind Basic credentials (`realm` disambiguates an e-mail in several realms).
    fn authenticate_basic(
        &self,
        realm: Option<&str>,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<Principal, IdentityError>;
    /// The realm named `name`.
    fn realm_by_name(&self, name: &str) -> Result<Option<RealmRef>, IdentityError>;
    /// [`authenticate_bearer`](Self::authenticate_bearer) from memory alone (no database, no
    /// blocking), when the answer is remembered and still current; `None` otherwise.
    fn bearer_cached(&self, _token: &str) -> Option<Principal> {
        None
    }
    /// [`authenticate_basic`](Self::authenticate_basic) from memory alone; `None` otherwise.
    fn basic_remembered(&self, _realm: Option<&str>, _username: &str, _password: &str) -> Option<Principal> {
        None
    }
    /// [`realm_by_name`](Self::realm_by_name) from memory alone; `None` otherwise.
    fn realm_cached(&self, _name: &str) -> Option<Option<RealmRef>> {
        None
    }
}

/// The OAuth 2.0 token service.
pub trait TokenService: Send + Sync + 'static {
    /// Runs a grant.
    fn grant(&self, request: &GrantRequest) -> Result<IssuedTokens, OAuthError>;
    /// RFC 7662 introspection by a client of `realm`.
    fn introspect(&self, realm: &str, client: &ClientAuth, token: &str) -> Result<Introspection, OAuthError>;
    /// RFC 7009 revocation by a client of `realm`.
    fn revoke(&self, realm: &str, client: &ClientAuth, token: &str) -> Result<(), OAuthError>;
    /// Axual logout: revokes an access token.
    fn logout(&self, token: &str) -> Result<(), IdentityError>;
    /// The published signing keys.
    fn jwks(&self) -> JwkSet;
    /// Whether realm `name` exists (discovery answers 404 otherwise).
    fn realm_exists(&self, name: &str) -> Result<bool, IdentityError>;
    /// The issuer (`iss`) of realm `name`'s tokens.
    fn issuer(&self, realm: &str) -> String;
    /// Checks an authorization request (code flow with PKCE) of `realm`.
    fn authorization(&self, realm: &str, request: &AuthorizationRequest) -> Result<Authorization, AuthorizationError>;
    /// The login form's anti-forgery value for the browser cookie `cookie`.
    fn login_form_token(&self, cookie: &str, authorization: &Authorization) -> String;
    /// Whether `token` is the login form's anti-forgery value for `cookie`.
    fn login_form_token_valid(&self, cookie: &str, authorization: &Authorization, token: &str) -> bool;
    /// Signs a user in on the login page; the location (with a one-time code) to redirect to.
    fn sign_in(
        &self,
        authorization: &Authorization,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<String, SignInError>;
    /// RP-initiated logout: ends the hinted session; where to redirect, if anywhere.
    fn end_session(&self, realm: &str, request: &EndSessionRequest) -> Result<Option<String>, AuthorizationError>;
}

/// A tenant as MATTR shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The realm.
    pub realm: Realm,
    /// Its environment.
    pub environment: Environment,
}

/// A created tenant with its first client (secret shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTenant {
    /// The tenant.
    pub tenant: Tenant,
    /// The tenant's first client.
    pub client: IssuedClient,
}

/// MATTR management: environments, tenants and their clients (platform admins only).
pub trait TenantService: Send + Sync + 'static {
    /// Environments, oldest first.
    fn environments(
        &self,
        ctx: &RequestContext,
        page: &CursorRequest,
    ) -> Result<CursorPage<Environment>, IdentityError>;
    /// Tenants (every realm except `master`), oldest first.
    fn tenants(&self, ctx: &RequestContext, page: &CursorRequest) -> Result<CursorPage<Tenant>, IdentityError>;
    /// One tenant.
    fn tenant(&self, ctx: &RequestContext, id: Uuid) -> Result<Tenant, IdentityError>;
    /// Creates a tenant (a realm named by its subdomain) with a first client.
    fn create_tenant(
        &self,
        ctx: &RequestContext,
        name: Option<String>,
        subdomain: &str,
        environment: Uuid,
    ) -> Result<CreatedTenant, IdentityError>;
    /// Deletes a tenant and its data in every domain.
    fn delete_tenant(&self, ctx: &RequestContext, id: Uuid) -> Result<(), IdentityError>;
    /// The clients of a tenant.
    fn clients(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        page: &CursorRequest,
    ) -> Result<CursorPage<Client>, IdentityError>;
    /// Creates a client; its secret is returned this once.
    fn create_client(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        client: ClientSettings,
    ) -> Result<IssuedClient, IdentityError>;
    /// Changes a client's name, roles or URIs (`None`: unchanged).
    fn update_client(
        &self,
        ctx: &RequestContext,
        tenant: Uuid,
        client_id: &str,
        changes: ClientSettings,
    ) -> Result<Client, IdentityError>;
    /// Deletes a client.
    fn delete_client(&self, ctx: &RequestContext, tenant: Uuid, client_id: &str) -> Result<(), IdentityError>;
}

/// A client's settings: everything given when creating one; when changing one, `None` keeps
/// what it has (`public` is fixed at creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    /// Name.
    pub name: Option<String>,
    /// Roles granted to its tokens.
    pub roles: Option<Vec<String>>,
    /// Exact redirect URIs for browser logins (authorization code + PKCE).
    pub redirect_uris: Option<Vec<String>>,
    /// Exact URIs a logout may return to.
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// A public client (a browser console): no secret, PKCE only.
    pub public: bool,
}

/// A new user (Axual `POST /users`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    /// First name (2–50).
    pub first_name: String,
    /// Last name (2–50).
    pub last_name: String,
    /// Middle name (0–16).
    pub middle_name: Option<String>,
    /// E-mail address.
    pub email: String,
    /// Password (0–72).
    pub password: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
}

/// A user PATCH (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<Option<String>>,
    /// Phone number.
    pub phone_number: Option<Option<String>>,
    /// New password.
    pub password: Option<String>,
}

/// A new group or a group PATCH (`None`: unchanged / not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupInput {
    /// Name (3–80, `[a-z0-9.-_ ]`).
    pub name: Option<String>,
    /// Contact e-mail (`Some(None)`: cleared).
    pub email: Option<Option<String>>,
    /// Contact phone (`Some(None)`: cleared).
    pub phone_number: Option<Option<String>>,
    /// Member user ids (create only).
    pub members: Option<Vec<Uuid>>,
}

/// A tenant as Axual creates or patches it (`None`: default / unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantInput {
    /// Full name.
    pub name: Option<String>,
    /// Short name (create only).
    pub short_name: Option<String>,
    /// Supported domain.
    pub domain: Option<Option<String>>,
    /// Variables, merged key by key into the current ones (`None` removes a key).
    pub properties: Option<portico_core::properties::PropertyPatch>,
    /// Retention in ms.
    pub retention_time: Option<i64>,
    /// Partitions.
    pub partitions: Option<i64>,
    /// Logo.
    pub logo: Option<Option<String>>,
    /// Issuer URL.
    pub issuer_url: Option<Option<String>>,
    /// Data classification.
    pub data_classification_enabled: Option<bool>,
    /// Feature configuration (JSON text).
    pub feature_config: Option<Option<String>>,
    /// Business contact (a user of the tenant).
    pub contact: Option<Option<Uuid>>,
}

/// The deletion-constraint counts of a group, in the seed's order. Other domains report them
/// through [`portico_core::dependents::Dependents`] for target collection `groups`.
pub const GROUP_DEPENDENT_COUNTS: &[&str] = &["environmentsCount", "applicationsCount", "streamsCount"];

/// Which users a listing returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    /// Every user of the realm.
    All,
    /// First name contains the text (case-insensitive).
    FirstNameContains(String),
    /// Last name contains the text (case-insensitive).
    LastNameContains(String),
    /// Holds this exact role.
    Role(String),
    /// First, middle or last name, or the e-mail address, contains the text (case-insensitive).
    Search(String),
    /// This e-mail address (case-insensitive).
    Email(String),
    /// Members of this group.
    MemberOf(Uuid),
}

/// Which groups a listing returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// Every group of the realm.
    All,
    /// Exactly this name.
    Name(String),
    /// Name contains the text (case-insensitive).
    NameContains(String),
    /// Groups this user is a member of.
    HasMember(Uuid),
}

/// Which realms a listing returns. `master` is the platform's own realm and is never listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealmFilter {
    /// Every tenant realm.
    All,
    /// Exactly this full name.
    DisplayName(String),
    /// Full name contains the text (case-insensitive).
    DisplayNameContains(String),
    /// Exactly this short name.
    Name(String),
    /// Only this realm (`GET /tenant`).
    Id(RealmId),
}

/// What the caller may do with one entity; Axual shows it as conditional links.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    /// Change it (`edit`).
    pub edit: bool,
    /// Delete it (`delete`).
    pub delete: bool,
    /// Assign roles to it (`assign_roles`, users only).
    pub assign_roles: bool,
}

/// Axual users of the caller's realm.
pub trait UserService: Send + Sync + 'static {
    /// The calling user.
    fn current_user(&self, ctx: &RequestContext) -> Result<User, IdentityError>;
    /// A page of users.
    fn users(&self, ctx: &RequestContext, filter: &UserFilter, page: &PageRequest)
    -> Result<Page<User>, IdentityError>;
    /// One user.
    fn user(&self, ctx: &RequestContext, id: Uuid) -> Result<User, IdentityError>;
    /// Creates a user (TENANT_ADMIN).
    fn create_user(&self, ctx: &RequestContext, user: NewUser) -> Result<User, IdentityError>;
    /// Patches a user (TENANT_ADMIN, or the user themself).
    fn update_user(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: UserPatch,
        precondition: &Precondition,
    ) -> Result<User, IdentityError>;
    /// Deletes a user (TENANT_ADMIN).
    fn delete_user(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), IdentityError>;
    /// Replaces a user's roles (TENANT_ADMIN; `PLATFORM_ADMIN` only by platform admins in `master`).
    fn assign_roles(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        roles: std::collections::BTreeSet<String>,
    ) -> Result<User, IdentityError>;
    /// Whether the caller may create users.
    fn may_create_users(&self, ctx: &RequestContext) -> bool;
    /// What the caller may do with `user`.
    fn user_allowed(&self, ctx: &RequestContext, user: &User) -> Allowed;
}

/// Axual groups of the caller's realm.
pub trait GroupService: Send + Sync + 'static {
    /// A page of groups.
    fn groups(
        &self,
        ctx: &RequestContext,
        filter: &GroupFilter,
        page: &PageRequest,
    ) -> Result<Page<Group>, IdentityError>;
    /// One group with its members.
    fn group(&self, ctx: &RequestContext, id: Uuid) -> Result<(Group, Vec<User>), IdentityError>;
    /// Creates a group (GROUP_ADMIN or TENANT_ADMIN).
    fn create_group(&self, ctx: &RequestContext, group: GroupInput) -> Result<(Group, Vec<User>), IdentityError>;
    /// Patches a group (GROUP_ADMIN, TENANT_ADMIN, or a member).
    fn update_group(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        patch: GroupInput,
        precondition: &Precondition,
    ) -> Result<(Group, Vec<User>), IdentityError>;
    /// What the group owns in other domains (Axual deletion constraints).
    fn group_usage(&self, ctx: &RequestContext, id: Uuid) -> Result<DeletionConstraints, IdentityError>;
    /// Deletes a group that owns nothing.
    fn delete_group(&self, ctx: &RequestContext, id: Uuid, precondition: &Precondition) -> Result<(), IdentityError>;
    /// Adds members (`replace`: the members become exactly `users`).
    fn set_members(&self, ctx: &RequestContext, id: Uuid, users: &[Uuid], replace: bool) -> Result<(), IdentityError>;
    /// Removes one member.
    fn remove_member(&self, ctx: &RequestContext, id: Uuid, user: Uuid) -> Result<(), IdentityError>;
    /// Whether the caller may create groups.
    fn may_create_groups(&self, ctx: &RequestContext) -> bool;
    /// What the caller may do with `group`, whose members are `members`.
    fn group_allowed(&self, ctx: &RequestContext, members: &[User]) -> Allowed;
}

/// A tenant with its business contact, as Axual shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantView {
    /// The realm.
    pub realm: Realm,
    /// The contact user, when one is set.
    pub contact: Option<User>,
}

/// Axual tenants (realms).
pub trait RealmService: Send + Sync + 'static {
    /// A page of tenants (platform admins), or only the caller's (`RealmFilter::Id`).
    fn realms(
        &self,
        ctx: &RequestContext,
        filter: &RealmFilter,
        page: &PageRequest,
    ) -> Result<Page<TenantView>, IdentityError>;
    /// One tenant (platform admins, or the caller's own).
    fn realm(&self, ctx: &RequestContext, id: Uuid) -> Result<TenantView, IdentityError>;
    /// Creates a tenant (platform admins).
    fn create_realm(&self, ctx: &RequestContext, input: TenantInput) -> Result<TenantView, IdentityError>;
    /// Patches a tenant (platform admins).
    fn update_realm(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        input: TenantInput,
        precondition: &Precondition,
    ) -> Result<TenantView, IdentityError>;
    /// What the caller may do with tenants (platform admins edit them).
    fn tenant_allowed(&self, ctx: &RequestContext) -> Allowed;
}
