//! Who is calling, for which realm, and the one authorization check every crate uses.
//!
//! The gateway authenticates the request, resolves the target realm (path owner, `realm`
//! header, token claim) and refuses cross-realm calls; the result is a [`RequestContext`] that
//! handlers pass, first, to every service method. Services then state what they need with
//! [`RequestContext::require`], so embedders calling a service directly get the same checks.

use crate::error::{DomainError, ErrorKind};
use crate::ids::RealmId;
use std::collections::BTreeSet;

/// The name of the realm created on first start; its administrators are platform admins.
pub const MASTER_REALM: &str = "master";

/// A realm (tenant): the isolation boundary. Every customer row carries its `id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RealmRef {
    /// Stable identifier (also the MATTR tenant id and, without dashes, the Axual tenant uid).
    pub id: RealmId,
    /// The realm's short name: Axual `shortName`, MATTR `subdomain`, Utilihive `ownerId`.
    pub name: String,
}

/// Whether the caller is a person or a machine client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A realm user (password or Basic authentication).
    User,
    /// An OAuth client (`client_credentials`).
    Client,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// User or client.
    pub kind: PrincipalKind,
    /// The user's id or the client's `client_id`.
    pub id: String,
    /// What audit fields show: the user's e-mail address or the client's id.
    pub display_name: String,
    /// The realm the caller belongs to.
    pub realm: RealmRef,
    /// Role strings of every domain (Axual `TENANT_ADMIN`, Utilihive `Admin`, ...).
    pub roles: BTreeSet<String>,
    /// OAuth scopes of the token (`management`, `css_configuration`, ...).
    pub scopes: BTreeSet<String>,
    /// `jti` of the access token, when the caller used one.
    pub token_id: Option<String>,
}

impl Principal {
    /// Platform admins (administrators of realm `master`) may act in any realm.
    pub fn is_platform_admin(&self) -> bool {
        self.realm.name == MASTER_REALM && self.roles.contains(PLATFORM_ADMIN_ROLE)
    }

    /// Whether the caller holds `role` (platform admins hold every role).
    pub fn has_role(&self, role: &str) -> bool {
        self.is_platform_admin() || self.roles.contains(role)
    }
}

/// The role that makes a `master` realm principal a platform admin.
pub const PLATFORM_ADMIN_ROLE: &str = "PLATFORM_ADMIN";

/// What an operation requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement<'a> {
    /// Any authenticated caller of the realm.
    Authenticated,
    /// At least one of these roles.
    AnyRole(&'a [&'a str]),
    /// This OAuth scope (or, for users without scoped tokens, one of the roles that grant it).
    Scope(&'a str),
    /// This OAuth scope, or one of these roles (Onegini grants access by scope or by policy).
    ScopeOrRole(&'a str, &'a [&'a str]),
    /// A platform admin.
    PlatformAdmin,
}

/// The caller lacks what an operation requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    /// No caller at all.
    #[error("authentication is required")]
    Unauthenticated,
    /// The caller lacks a role, a scope, or belongs to another realm.
    #[error("{0}")]
    Forbidden(String),
}

impl DomainError for AccessDenied {
    fn kind(&self) -> ErrorKind {
        match self {
            AccessDenied::Unauthenticated => ErrorKind::Unauthenticated,
            AccessDenied::Forbidden(_) => ErrorKind::Forbidden,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AccessDenied::Unauthenticated => "unauthenticated",
            AccessDenied::Forbidden(_) => "forbidden",
        }
    }
}

/// The one authorization check: may `principal` do something requiring `requirement` in `realm`?
pub fn authorize(principal: &Principal, realm: &RealmRef, requirement: Requirement<'_>) -> Result<(), AccessDenied> {
    if principal.is_platform_admin() {
        return Ok(());
    }
    if principal.realm.id != realm.id {
        return Err(AccessDenied::Forbidden(format!("access to realm '{}' is not allowed", realm.name)));
    }
    let allowed = match requirement {
        Requirement::Authenticated => true,
        Requirement::AnyRole(roles) => roles.iter().any(|role| principal.roles.contains(*role)),
        Requirement::Scope(scope) => principal.scopes.contains(scope),
        Requirement::ScopeOrRole(scope, roles) => {
            principal.scopes.contains(scope) || roles.iter().any(|role| principal.roles.contains(*role))
        }
        Requirement::PlatformAdmin => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AccessDenied::Forbidden(match requirement {
            Requirement::AnyRole(roles) => format!("requires one of the roles {}", roles.join(", ")),
            Requirement::Scope(scope) => format!("requires the scope '{scope}'"),
            Requirement::ScopeOrRole(scope, roles) => {
                format!("requires the scope '{scope}' or one of the roles {}", roles.join(", "))
            }
            _ => "requires a platform administrator".to_owned(),
        }))
    }
}

/// Everything a service needs to know about the request it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The realm the request acts in.
    pub realm: RealmRef,
    /// The authenticated caller.
    pub principal: Principal,
    /// Correlates logs, audit events and the `X-Request-Id` response header.
    pub request_id: String,
}

impl RequestContext {
    /// Checks `requirement` for this request's caller and realm.
    pub fn require(&self, requirement: Requirement<'_>) -> Result<(), AccessDenied> {
        authorize(&self.principal, &self.realm, requirement)
    }

    /// The name audit fields record for this caller (`created_by`, `modified_by`).
    pub fn actor(&self) -> &str {
        &self.principal.display_name
    }

    /// The same caller, acting in another realm (platform-admin operations on a tenant).
    pub fn in_realm(&self, realm: RealmRef) -> RequestContext {
        RequestContext { realm, principal: self.principal.clone(), request_id: self.request_id.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realm(name: &str) -> RealmRef {
        RealmRef {
            id: RealmId::new(uuid::Uuid::from_u128(name.bytes().fold(0u128, |acc, b| acc * 31 + u128::from(b)))),
            name: name.to_owned(),
        }
    }

    fn principal(realm_name: &str, roles: &[&str], scopes: &[&str]) -> Principal {
        Principal {
            kind: PrincipalKind::User,
            id: "u1".into(),
            display_name: "u1@example.com".into(),
            realm: realm(realm_name),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            token_id: None,
        }
    }

    #[test]
    fn roles_scopes_and_platform_admin_are_checked() {
        let acme = realm("acme");
        let user = principal("acme", &["STREAM_ADMIN"], &["management"]);
        assert!(authorize(&user, &acme, Requirement::Authenticated).is_ok());
        assert!(authorize(&user, &acme, Requirement::AnyRole(&["TENANT_ADMIN", "STREAM_ADMIN"])).is_ok());
        assert!(authorize(&user, &acme, Requirement::AnyRole(&["TENANT_ADMIN"])).is_err());
        assert!(authorize(&user, &acme, Requirement::Scope("management")).is_ok());
        assert!(authorize(&user, &acme, Requirement::Scope("css_configuration")).is_err());
        assert!(authorize(&user, &acme, Requirement::PlatformAdmin).is_err());
        assert!(authorize(&user, &acme, Requirement::ScopeOrRole("management", &["Admin"])).is_ok());
        assert!(authorize(&user, &acme, Requirement::ScopeOrRole("css_configuration", &["STREAM_ADMIN"])).is_ok());
        assert!(authorize(&user, &acme, Requirement::ScopeOrRole("css_configuration", &["Admin"])).is_err());
    }

    #[test]
    fn another_realm_is_forbidden_unless_platform_admin() {
        let other = realm("other");
        let user = principal("acme", &["TENANT_ADMIN"], &[]);
        let denied = authorize(&user, &other, Requirement::Authenticated);
        assert_eq!(denied.map_err(|e| e.kind()), Err(ErrorKind::Forbidden));

        let admin = principal(MASTER_REALM, &[PLATFORM_ADMIN_ROLE], &[]);
        assert!(admin.is_platform_admin());
        assert!(authorize(&admin, &other, Requirement::PlatformAdmin).is_ok());
        assert!(admin.has_role("ANY_ROLE_AT_ALL"));

        let fake = principal("acme", &[PLATFORM_ADMIN_ROLE], &[]);
        assert!(!fake.is_platform_admin(), "the role only counts in the master realm");
    }
}
