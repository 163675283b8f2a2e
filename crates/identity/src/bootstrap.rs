//! First start: on an empty database, create the MATTR environment, realm `master`, the
//! bootstrap platform admin and (optionally) a platform management client.
//!
//! Runs in one transaction; a second start (or a second replica racing the first) finds the
//! realm and changes nothing.

use crate::error::IdentityError;
use crate::model::{AuditStamp, Client, Environment, Realm, User, validate_email};
use crate::password::PasswordHasher;
use crate::secrets::hash_client_secret;
use crate::store::{clients, environments, realms, users};
use portico_core::context::{MASTER_REALM, PLATFORM_ADMIN_ROLE};
use portico_core::ids::{new_uuid, random_alphanumeric};
use portico_core::seal::{Sealer, SecretString};
use portico_core::{Clock, Database};

/// What to create on first start (`PORTICO_BOOTSTRAP__*`).
#[derive(Debug, Clone)]
pub struct BootstrapConfig {
    /// E-mail (login) of the first platform admin.
    pub admin_email: String,
    /// Their password; generated and reported once when absent.
    pub admin_password: Option<SecretString>,
    /// A platform management client id (`client_credentials`), if wanted.
    pub client_id: Option<String>,
    /// Its secret; generated and reported once when absent.
    pub client_secret: Option<SecretString>,
    /// Name of the MATTR environment created on first start.
    pub environment: String,
}

/// What bootstrap did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// The database already had realm `master`; nothing changed.
    AlreadyInitialised,
    /// Realm `master` and the bootstrap principals were created.
    Created {
        /// The admin's e-mail.
        admin_email: String,
        /// The generated admin password, to print once (None if configured).
        generated_password: Option<String>,
        /// The bootstrap client id, if one was created.
        client_id: Option<String>,
        /// The generated client secret, to print once (None if configured).
        generated_client_secret: Option<String>,
    },
}

/// Creates realm `master` and the bootstrap principals if the database has no realm yet.
pub fn bootstrap(
    db: &Database,
    clock: &dyn Clock,
    hasher: &PasswordHasher,
    sealer: &Sealer,
    config: &BootstrapConfig,
) -> Result<BootstrapOutcome, IdentityError> {
    validate_email("PORTICO_BOOTSTRAP__ADMIN_EMAIL", &config.admin_email)?;
    if let Some(client_id) = &config.client_id
        && (client_id.is_empty() || client_id.len() > 128 || client_id.contains(':'))
    {
        return Err(IdentityError::invalid("PORTICO_BOOTSTRAP__CLIENT_ID", "must be 1-128 characters without ':'"));
    }
    if db.read(|conn| realms::any(conn).map_err(IdentityError::from))? {
        return Ok(BootstrapOutcome::AlreadyInitialised);
    }
    let generated_password = config.admin_password.is_none().then(|| random_alphanumeric(24));
    let password = config
        .admin_password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .or(generated_password.clone())
        .unwrap_or_default();
    let password_hash = hasher.hash(&password);
    let generated_client_secret = (config.client_id.is_some() && config.client_secret.is_none())
        .then(|| random_alphanumeric(crate::model::CLIENT_SECRET_LEN));
    let client_secret =
        config.client_secret.as_ref().map(|s| s.expose().to_owned()).or(generated_client_secret.clone());

    let now = clock.now();
    let created = db.write(|conn| {
        if realms::any(conn)? {
            return Ok(false);
        }
        let environment = Environment {
            id: new_uuid(),
            name: config.environment.clone(),
            domain: format!("{}.portico.local", config.environment),
            created_at: now,
        };
        environments::insert(conn, &environment)?;
        let stamp = AuditStamp::created(now, None);
        let realm = Realm::with_defaults(MASTER_REALM, "Master", environment.id, None, now);
        realms::insert(conn, &realm)?;
        let admin = User {
            id: new_uuid(),
            realm_id: realm.id,
            email: config.admin_email.clone(),
            first_name: "Platform".to_owned(),
            last_name: "Admin".to_owned(),
            middle_name: None,
            phone_number: None,
            roles: [PLATFORM_ADMIN_ROLE.to_owned()].into_iter().collect(),
            audit: stamp,
            version: 0,
        };
        users::insert(conn, &admin, Some(&password_hash))?;
        portico_core::db::counters::adjust(conn, realm.id, "users", 1)?;
        if let (Some(client_id), Some(secret)) = (&config.client_id, &client_secret) {
            let client = Client {
                id: new_uuid(),
                realm_id: realm.id,
                client_id: client_id.clone(),
                name: "Bootstrap management client".to_owned(),
                roles: vec![PLATFORM_ADMIN_ROLE.to_owned()],
                public: false,
                redirect_uris: Vec::new(),
                post_logout_redirect_uris: Vec::new(),
                created_at: now,
                modified_at: now,
                version: 0,
            };
            clients::insert(conn, &client, Some(&hash_client_secret(sealer, secret)))?;
            portico_core::db::counters::adjust(conn, realm.id, "clients", 1)?;
        }
        Ok::<bool, IdentityError>(true)
    });
    match created {
        Ok(true) => Ok(BootstrapOutcome::Created {
            admin_email: config.admin_email.clone(),
            generated_password,
            client_id: config.client_id.clone(),
            generated_client_secret,
        }),
        Ok(false) => Ok(BootstrapOutcome::AlreadyInitialised),
        // Another replica created realm `master` between our check and our insert.
        Err(err) if err.is_unique_violation() => Ok(BootstrapOutcome::AlreadyInitialised),
        Err(err) => Err(err),
    }
}
