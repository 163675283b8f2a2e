//! Connect plugins: reading an instance's Kafka Connect cluster into the catalog, on
//! synchronize and from the background worker, and serving what was read.

use super::schema::catalog_instances;
use super::{CatalogStore, connect_plugins, instances};
use crate::connect::{ConnectLimits, offered_plugins};
use crate::error::CatalogError;
use crate::model::ConnectPlugin;
use crate::service::ConnectPluginService;
use portico_core::context::Requirement;
use portico_core::page::{Page, PageRequest};
use portico_core::{RealmId, RequestContext, Timestamp};
use std::time::Duration;
use uuid::Uuid;

/// How often the worker reads each Connect cluster again.
pub(crate) const CONNECT_REFRESH: Duration = Duration::from_secs(600);
/// How soon the worker tries again after a Connect cluster could not be read.
const CONNECT_RETRY: Duration = Duration::from_secs(60);
/// Instances read per worker pass.
const CONNECT_PASS: i64 = 20;

fn earlier(now: Timestamp, by: Duration) -> Timestamp {
    now.plus(-time::Duration::try_from(by).unwrap_or(time::Duration::MINUTE))
}

impl CatalogStore {
    /// Reads the instance's Connect cluster and makes what it offers the instance's plugins (or
    /// removes them when its Connect is off). Nothing changes when Connect cannot be read; the
    /// error names the instance and each worker tried.
    pub(crate) fn read_connect_plugins(&self, realm: RealmId, instance: Uuid) -> Result<(), CatalogError> {
        let Some(found) = self.db.read(|conn| Ok::<_, CatalogError>(instances::get(conn, realm, instance)?))? else {
            return Ok(());
        };
        let offered = if found.connect_enabled {
            let urls = found.connect_urls.clone().unwrap_or_default();
            offered_plugins(&urls, &found.ca_pems(), &ConnectLimits::default()).map_err(|err| {
                CatalogError::upstream("connect_unavailable", format!("instance '{}': {err}", found.name))
            })?
        } else {
            Vec::new()
        };
        let now = self.clock.now();
        self.db.write_in(realm, |conn| {
            // One reading at a time per instance (a synchronize and the worker may race), and
            // written only if the instance still has the Connect settings that were read: a
            // change since then asked for a new reading already.
            portico_core::lock_row!(conn, catalog_instances, realm, instance.to_string())?;
            let current = instances::get(conn, realm, instance)?;
            if current
                .is_some_and(|c| c.connect_enabled == found.connect_enabled && c.connect_urls == found.connect_urls)
            {
                connect_plugins::replace(conn, realm, instance, &offered, now)?;
                connect_plugins::set_checked(conn, realm, instance, Some(now))?;
            }
            Ok::<_, CatalogError>(())
        })
    }

    /// The worker's pass: reads the Connect clusters not read for [`CONNECT_REFRESH`] (each
    /// by one replica); returns how many were read.
    pub(crate) fn refresh_connect_plugins(&self) -> Result<usize, CatalogError> {
        let now = self.clock.now();
        let before = earlier(now, CONNECT_REFRESH);
        let stale = self.db.read(|conn| Ok::<_, CatalogError>(connect_plugins::stale(conn, before, CONNECT_PASS)?))?;
        let mut read = 0;
        for (realm, instance) in stale {
            let claimed = self.db.write(|conn| {
                Ok::<_, CatalogError>(connect_plugins::claim_check(conn, realm, instance, before, now)?)
            })?;
            if !claimed {
                continue;
            }
            read += 1;
            if let Err(err) = self.read_connect_plugins(realm, instance) {
                tracing::warn!(error = %err, instance = %instance.simple(), "connect plugins not read");
                // Due again after CONNECT_RETRY rather than a whole refresh period.
                let retry = earlier(self.clock.now(), CONNECT_REFRESH.saturating_sub(CONNECT_RETRY));
                self.db.write(|conn| {
                    Ok::<_, CatalogError>(connect_plugins::set_checked(conn, realm, instance, Some(retry))?)
                })?;
            }
        }
        Ok(read)
    }
}

impl ConnectPluginService for CatalogStore {
    fn connect_plugins(&self, ctx: &RequestContext, page: &PageRequest) -> Result<Page<ConnectPlugin>, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.snapshot(|conn| connect_plugins::page(conn, ctx.realm.id, page))
    }

    fn connect_plugin(&self, ctx: &RequestContext, id: Uuid) -> Result<ConnectPlugin, CatalogError> {
        ctx.require(Requirement::Authenticated)?;
        self.db.read(|conn| {
            connect_plugins::get(conn, ctx.realm.id, id)?
                .ok_or_else(|| CatalogError::not_found("connect plugin", "not_found", id.simple()))
        })
    }
}
