//! Cross-domain hooks: how a realm's life and an entity's dependents reach every domain.
//!
//! - [`RealmLifecycle`]: each domain creates its built-ins when a realm is created (the
//!   credentials `Local` provider and store, say) and removes its rows when the realm is
//!   deleted, inside identity's creating or deleting transaction.
//! - [`crate::dependents::Dependents`]: each domain counts what of it refers to another
//!   domain's entity (the catalog's streams owned by a group).
//!
//! - the roles each domain checks: together the closed set of roles users may be given.
//!
//! Every module registers its hooks in one shared [`RealmHooks`] when it starts; identity,
//! which owns realms, groups and roles, calls them.

use crate::RealmId;
use crate::context::RealmRef;
use crate::db::{Database, DbConnection, DbError};
use crate::dependents::{DeletionConstraints, Dependents, Target};
use crate::time::Timestamp;
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock, Weak};
use uuid::Uuid;

/// A domain's part in a realm's life.
pub trait RealmLifecycle: Send + Sync + 'static {
    /// The domain, for logs.
    fn domain(&self) -> &'static str;
    /// `realm` was created: create this domain's built-ins. Idempotent: it also runs at every
    /// start for every realm, so realms created before a domain existed get its built-ins.
    fn realm_created(&self, conn: &mut DbConnection, realm: &RealmRef, now: Timestamp) -> Result<(), DbError>;
    /// `realm` is being deleted (its row is locked): delete every row of it in this domain.
    fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError>;
}

/// A group as other domains show it (Axual's embedded owner: name, contact, uid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The group's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its contact e-mail.
    pub email: Option<String>,
    /// Its contact phone.
    pub phone_number: Option<String>,
    /// When it was created.
    pub created_at: crate::Timestamp,
    /// Who created it (`None`: seeded).
    pub created_by: Option<String>,
    /// When it last changed (`None`: never).
    pub modified_at: Option<crate::Timestamp>,
    /// Who last changed it.
    pub modified_by: Option<String>,
}

/// The groups of a realm as identity keeps them: other domains name groups as owners and ask
/// whether a user belongs to one. Identity registers it at start.
pub trait GroupDirectory: Send + Sync + 'static {
    /// The group `id` of `realm`.
    fn group(&self, conn: &mut DbConnection, realm: RealmId, id: Uuid) -> Result<Option<GroupRef>, DbError>;
    /// The groups of `realm` that `user` belongs to.
    fn groups_of(&self, conn: &mut DbConnection, realm: RealmId, user: Uuid) -> Result<Vec<Uuid>, DbError>;
}

/// Every module's hooks.
#[derive(Default)]
pub struct RealmHooks {
    // Weak: the domains' stores hold these hooks themselves, and a cycle would keep every store
    // (and its PostgreSQL listener thread) alive after the app is gone.
    groups: RwLock<Option<Weak<dyn GroupDirectory>>>,
    lifecycles: RwLock<Vec<Weak<dyn RealmLifecycle>>>,
    dependents: RwLock<Vec<Weak<dyn Dependents>>>,
    roles: RwLock<BTreeSet<&'static str>>,
}

impl std::fmt::Debug for RealmHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealmHooks").finish_non_exhaustive()
    }
}

impl RealmHooks {
    /// No hooks yet.
    pub fn new() -> Arc<RealmHooks> {
        Arc::new(RealmHooks::default())
    }

    /// Registers a domain's realm lifecycle. Hooks are held weakly (stores hold the hooks):
    /// the caller keeps the store alive, as a module's app data does.
    pub fn add_lifecycle(&self, lifecycle: Arc<dyn RealmLifecycle>) {
        self.lifecycles.write().unwrap_or_else(|poisoned| poisoned.into_inner()).push(Arc::downgrade(&lifecycle));
    }

    /// Registers the realm's group directory (identity's).
    pub fn set_groups(&self, groups: Arc<dyn GroupDirectory>) {
        *self.groups.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::downgrade(&groups));
    }

    /// The group directory; an error when no domain keeps groups (an embedder left it out).
    pub fn groups(&self) -> Result<Arc<dyn GroupDirectory>, DbError> {
        self.groups
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .as_ref()
            .and_then(Weak::upgrade)
            .ok_or_else(|| DbError::Migration("no group directory is registered (start the identity module)".into()))
    }

    /// Registers a domain's dependents.
    pub fn add_dependents(&self, dependents: Arc<dyn Dependents>) {
        self.dependents.write().unwrap_or_else(|poisoned| poisoned.into_inner()).push(Arc::downgrade(&dependents));
    }

    /// Registers the roles a domain's authorization checks (the closed set users may hold).
    pub fn add_roles(&self, roles: &[&'static str]) {
        self.roles.write().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(roles.iter().copied());
    }

    /// Whether some domain checks `role`.
    pub fn is_known_role(&self, role: &str) -> bool {
        self.roles.read().unwrap_or_else(|poisoned| poisoned.into_inner()).contains(role)
    }

    /// Every known role, sorted.
    pub fn known_roles(&self) -> Vec<&'static str> {
        self.roles.read().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().copied().collect()
    }

    fn lifecycles(&self) -> Vec<Arc<dyn RealmLifecycle>> {
        self.lifecycles
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Every domain creates its built-ins of `realm`.
    pub fn realm_created(&self, conn: &mut DbConnection, realm: &RealmRef, now: Timestamp) -> Result<(), DbError> {
        for lifecycle in self.lifecycles() {
            lifecycle.realm_created(conn, realm, now)?;
        }
        Ok(())
    }

    /// Runs every domain's `realm_created` for every realm, one transaction per realm: realms
    /// created before a domain existed get its built-ins. Called once at start, after every
    /// module has registered its hooks. Returns how many realms there are.
    pub fn reconcile(&self, db: &Database, now: Timestamp) -> Result<usize, DbError> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        // `realms` is the tenancy table (owned by identity).
        let rows: Vec<Row> = db.read(|conn| {
            diesel::RunQueryDsl::load(diesel::sql_query("SELECT id, name FROM realms ORDER BY id"), conn)
                .map_err(DbError::from)
        })?;
        for row in &rows {
            let id = Uuid::try_parse(&row.id)
                .map_err(|_| DbError::Migration(format!("realm id '{}' is not a UUID", row.id)))?;
            let realm = RealmRef { id: id.into(), name: row.name.clone() };
            db.write(|conn| self.realm_created(conn, &realm, now))?;
        }
        Ok(rows.len())
    }

    /// Every domain removes its rows of `realm`.
    pub fn realm_deleting(&self, conn: &mut DbConnection, realm: RealmId) -> Result<(), DbError> {
        for lifecycle in self.lifecycles() {
            lifecycle.realm_deleting(conn, realm)?;
        }
        Ok(())
    }

    /// The deletion constraints of `target` across every domain (`names`: the counts the API
    /// always shows).
    pub fn deletion_constraints(
        &self,
        conn: &mut DbConnection,
        target: &Target,
        names: &[&'static str],
    ) -> Result<DeletionConstraints, DbError> {
        let dependents: Vec<Arc<dyn Dependents>> = self
            .dependents
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        DeletionConstraints::of(conn, &dependents, target, names)
    }
}
