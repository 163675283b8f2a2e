//! Identity domain types and their validation rules.

use crate::error::IdentityError;
use portico_core::{RealmId, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A platform-level deployment that holds realms (MATTR's environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Identifier.
    pub id: Uuid,
    /// Name, e.g. `local`.
    pub name: String,
    /// The DNS domain tenants of this environment live under (`<subdomain>.<domain>`).
    pub domain: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Who created and last changed something, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStamp {
    /// Creation time.
    pub created_at: Timestamp,
    /// Creator (e-mail or client id); `None` for seeded rows.
    pub created_by: Option<String>,
    /// Last change, `None` if never changed (groups).
    pub modified_at: Option<Timestamp>,
    /// Last changer.
    pub modified_by: Option<String>,
}

impl AuditStamp {
    /// A fresh stamp: created and last modified `now` by `actor` (`None`: seeded by Portico).
    pub fn created(now: Timestamp, actor: Option<String>) -> AuditStamp {
        AuditStamp { created_at: now, created_by: actor.clone(), modified_at: Some(now), modified_by: actor }
    }
}

/// A realm (tenant): the isolation boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realm {
    /// Identifier (MATTR tenant id; Axual uid without dashes).
    pub id: RealmId,
    /// Short name: Axual `shortName`, MATTR subdomain, `realm` header value.
    pub name: String,
    /// Full name (Axual `name`, MATTR `name`).
    pub display_name: String,
    /// The MATTR environment holding it.
    pub environment_id: Uuid,
    /// Axual `domain` (request-only in the API, kept anyway).
    pub domain: Option<String>,
    /// Axual `logo`.
    pub logo: Option<String>,
    /// Axual `issuerUrl`.
    pub issuer_url: Option<String>,
    /// Axual `dataClassificationEnabled`.
    pub data_classification_enabled: bool,
    /// Axual `featureConfig` (JSON text inside a string).
    pub feature_config: Option<String>,
    /// Axual `retentionTime` in milliseconds.
    pub retention_time: i64,
    /// Axual `partitions`.
    pub partitions: i64,
    /// Axual `properties`.
    pub properties: BTreeMap<String, String>,
    /// Axual `contact`: a user of this realm.
    pub contact_user_id: Option<Uuid>,
    /// Audit fields.
    pub audit: AuditStamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

impl Realm {
    /// A new realm with Axual's tenant defaults, created by `actor` (`None`: seeded).
    pub fn with_defaults(
        name: &str,
        display_name: &str,
        environment: Uuid,
        actor: Option<&str>,
        now: Timestamp,
    ) -> Realm {
        Realm {
            id: portico_core::ids::new_uuid().into(),
            name: name.to_owned(),
            display_name: display_name.to_owned(),
            environment_id: environment,
            domain: None,
            logo: None,
            issuer_url: None,
            data_classification_enabled: false,
            feature_config: None,
            retention_time: realm_defaults::RETENTION_TIME,
            partitions: realm_defaults::PARTITIONS,
            properties: realm_defaults::properties(),
            contact_user_id: None,
            audit: AuditStamp::created(now, actor.map(str::to_owned)),
            version: 0,
        }
    }

    /// The reference services pass around.
    pub fn reference(&self) -> portico_core::RealmRef {
        portico_core::RealmRef { id: self.id, name: self.name.clone() }
    }
}

/// Axual tenant defaults after create (seed: tenant create example).
pub mod realm_defaults {
    use std::collections::BTreeMap;

    /// `retentionTime`: 7 days.
    pub const RETENTION_TIME: i64 = 604_800_000;
    /// `partitions`.
    pub const PARTITIONS: i64 = 12;

    /// `properties`.
    pub fn properties() -> BTreeMap<String, String> {
        [
            ("replication.factor", "1"),
            ("cleanup.policy", "delete"),
            ("min.insync.replicas", "1"),
            ("segment.ms", "86400000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Identifier (Axual uid without dashes).
    pub id: Uuid,
    /// Home realm.
    pub realm_id: RealmId,
    /// E-mail address: the login name, unique per realm.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Middle name ("tussenvoegsel").
    pub middle_name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Role strings.
    pub roles: BTreeSet<String>,
    /// Audit fields.
    pub audit: AuditStamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// An OAuth client (machine identity) of a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Row identifier.
    pub id: Uuid,
    /// Realm.
    pub realm_id: RealmId,
    /// The 32-character public client id.
    pub client_id: String,
    /// Name.
    pub name: String,
    /// Roles granted to tokens of this client.
    pub roles: Vec<String>,
    /// A public client has no secret: it may only front the password grant (Axual's
    /// `self-service`), never `client_credentials`.
    pub public: bool,
    /// Where an authorization code may be sent (exact match; empty: no browser logins).
    pub redirect_uris: Vec<String>,
    /// Where a logout may return to (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub modified_at: Timestamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A freshly created client with its secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedClient {
    /// The client.
    pub client: Client,
    /// The clear secret (none for a public client); only its keyed hash is stored.
    pub secret: Option<String>,
}

/// A group of users in a realm (an Axual DevOps team).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Identifier.
    pub id: Uuid,
    /// Realm.
    pub realm_id: RealmId,
    /// Name, unique in the realm.
    pub name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Contact phone.
    pub phone_number: Option<String>,
    /// Audit fields (`modified_at` is `None` until the first change).
    pub audit: AuditStamp,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// The public client every realm has, for Axual's password grant (`client_id=self-service`).
pub const PUBLIC_CLIENT_ID: &str = "self-service";

/// OAuth scopes and the roles that grant them.
pub mod scopes {
    use std::collections::BTreeSet;

    /// Utilihive management APIs (roles `Admin`, `Deployer`).
    pub const MANAGEMENT: &str = "management";
    /// Onegini configuration APIs (role `css_configuration`).
    pub const CSS_CONFIGURATION: &str = "css_configuration";
    /// OpenID Connect (every user token).
    pub const OPENID: &str = "openid";

    /// Scopes a principal with `roles` may hold.
    pub fn allowed(roles: &BTreeSet<String>, platform_admin: bool) -> BTreeSet<String> {
        let mut scopes = BTreeSet::new();
        scopes.insert(OPENID.to_owned());
        if platform_admin || roles.contains("Admin") || roles.contains("Deployer") {
            scopes.insert(MANAGEMENT.to_owned());
        }
        if platform_admin || roles.contains(CSS_CONFIGURATION) {
            scopes.insert(CSS_CONFIGURATION.to_owned());
        }
        scopes
    }
}

/// Most redirect (or post-logout redirect) URIs one client may register.
pub const MAX_REDIRECT_URIS: usize = 20;

/// Checks a client's redirect URIs (RFC 6749 §3.1.2, OAuth 2.1 §2.3.1, RFC 8252 §7.3): each
/// absolute, `https` (or `http` to a loopback host, for native and development consoles),
/// without a fragment or credentials, at most 2,000 characters; compared exactly when used.
pub fn validate_redirect_uris(field: &str, uris: &[String]) -> Result<(), IdentityError> {
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(IdentityError::invalid(field, format!("at most {MAX_REDIRECT_URIS} URIs may be registered")));
    }
    for uri in uris {
        let invalid =
            |reason: &str| IdentityError::invalid(field, format!("'{uri}' is not a valid redirect URI: {reason}"));
        if uri.len() > 2000 || uri.chars().any(char::is_control) {
            return Err(invalid("at most 2000 characters, no control characters"));
        }
        let parsed = url::Url::parse(uri).map_err(|e| invalid(&e.to_string()))?;
        if parsed.fragment().is_some() {
            return Err(invalid("it must not have a fragment"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid("it must not carry credentials"));
        }
        let loopback = match parsed.host() {
            Some(url::Host::Domain(domain)) => domain == "localhost",
            Some(url::Host::Ipv4(address)) => address.is_loopback(),
            Some(url::Host::Ipv6(address)) => address.is_loopback(),
            None => false,
        };
        match parsed.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(invalid("use https (http only to localhost or a loopback address)")),
        }
    }
    Ok(())
}

/// Length of generated client ids (MATTR: "string = 32 characters").
pub const CLIENT_ID_LEN: usize = 32;
/// Length of generated client secrets (62^64 ≈ 2^381).
pub const CLIENT_SECRET_LEN: usize = 64;

/// Checks a realm short name: 1–63 lower-case letters, digits and inner hyphens (a DNS label,
/// so every realm can also be a MATTR subdomain).
pub fn validate_realm_name(field: &str, name: &str) -> Result<(), IdentityError> {
    let valid_chars = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if name.is_empty() || name.len() > 63 || !valid_chars || name.starts_with('-') || name.ends_with('-') {
        return Err(IdentityError::invalid(
            field,
            format!(
                "'{name}' is not valid: use 1-63 lower case letters (a-z), digits (0-9) and hyphens, not at the start or end"
            ),
        ));
    }
    Ok(())
}

/// Checks an e-mail address: one `@`, non-empty local part and domain, no spaces
/// (`admin@localhost` is allowed: it is the default bootstrap admin).
pub fn validate_email(field: &str, email: &str) -> Result<(), IdentityError> {
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && email.len() <= 254
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(IdentityError::invalid(field, format!("'{email}' is not a complete e-mail address")))
    }
}

/// Checks a name: one line, no control, invisible or direction-changing characters
/// ([`portico_core::text::check_name`]), `min..=max` characters.
pub fn validate_length(field: &str, value: &str, min: usize, max: usize) -> Result<(), IdentityError> {
    portico_core::text::check_name(field, value, max)?;
    let len = value.chars().count();
    if len < min || len > max {
        return Err(IdentityError::invalid(
            field,
            format!("'{field}' must be between {min} and {max} characters long"),
        ));
    }
    Ok(())
}

/// Checks a phone number: `+` and 10–14 digits, or `0` and 9 digits (Axual: `+31612345678`,
/// `0612345678`).
pub fn validate_phone(field: &str, phone: &str) -> Result<(), IdentityError> {
    let digits =
        |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let valid = match phone.strip_prefix('+') {
        Some(rest) => digits(rest, 10, 14),
        None => phone.starts_with('0') && digits(phone, 10, 10),
    };
    if valid {
        Ok(())
    } else {
        Err(IdentityError::invalid(
            field,
            format!("'{phone}' is not a valid phone number, e.g. +31612345678 or 0612345678"),
        ))
    }
}

/// Checks text against a character class: every character is an ASCII letter or digit, or one of `extra`.
pub fn validate_chars(field: &str, value: &str, extra: &[char]) -> Result<(), IdentityError> {
    if value.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(&c)) {
        return Ok(());
    }
    let allowed = match extra {
        [] => "letters and digits".to_owned(),
        _ => {
            let shown: Vec<String> =
                extra.iter().map(|c| if *c == ' ' { "space".into() } else { format!("'{c}'") }).collect();
            format!("letters, digits and {}", shown.join(", "))
        }
    };
    Err(IdentityError::invalid(field, format!("'{field}' may contain only {allowed}")))
}

/// The roles identity and the APIs it serves check: Axual's (its catalog roles included, as
/// Axual users hold them), Utilihive's (`Admin`, `Deployer`), Onegini's scope role, and the
/// platform admin.
pub const IDENTITY_ROLES: &[&str] = &[
    "TENANT_ADMIN",
    "GROUP_ADMIN",
    "STREAM_ADMIN",
    "APPLICATION_ADMIN",
    "ENVIRONMENT_ADMIN",
    "Admin",
    "Deployer",
    "css_configuration",
    portico_core::context::PLATFORM_ADMIN_ROLE,
];

/// The most roles one user or client may hold (their token carries them all).
pub const MAX_ROLES: usize = 100;

/// Checks a role list: at most [`MAX_ROLES`] roles, each a valid role name.
pub fn validate_roles<'a>(field: &str, roles: impl ExactSizeIterator<Item = &'a String>) -> Result<(), IdentityError> {
    if roles.len() > MAX_ROLES {
        return Err(IdentityError::invalid(field, format!("at most {MAX_ROLES} roles may be assigned")));
    }
    for role in roles {
        validate_role(field, role)?;
    }
    Ok(())
}

/// Checks a role string: 1–100 characters of letters, digits, `_`, `-`, `.` and `:`.
pub fn validate_role(field: &str, role: &str) -> Result<(), IdentityError> {
    let valid = !role.is_empty()
        && role.len() <= 100
        && role.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if valid { Ok(()) } else { Err(IdentityError::invalid(field, format!("'{role}' is not a valid role name"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_names_are_dns_labels() {
        for good in ["acme", "my-tenant", "a", "rabo", "t1"] {
            assert!(validate_realm_name("subdomain", good).is_ok(), "{good}");
        }
        for bad in ["", "-acme", "acme-", "Acme", "a_b", "a.b", &"a".repeat(64)] {
            assert!(validate_realm_name("subdomain", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(validate_email("email", "jeroen.van.disseldorp@rabobank.nl").is_ok());
        assert!(validate_email("email", "admin@localhost").is_ok());
        for bad in ["", "a", "a@", "@b.nl", "a@.nl", "a@b.nl.", "a b@c.nl", "a@b@c.nl"] {
            assert!(validate_email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_follow_the_seed_examples() {
        for good in ["+31612345678", "0612345678", "+31063433333"] {
            assert!(validate_phone("phoneNumber", good).is_ok(), "{good}");
        }
        for bad in ["", "12345", "+3161", "061234567", "+31 6123 45678", "abc"] {
            assert!(validate_phone("phoneNumber", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lengths_and_roles() {
        assert!(validate_length("firstName", "Jo", 2, 50).is_ok());
        assert!(validate_length("firstName", "J", 2, 50).is_err());
        assert!(validate_role("roles", "TENANT_ADMIN").is_ok());
        assert!(validate_role("roles", "bad role").is_err());
    }
}
