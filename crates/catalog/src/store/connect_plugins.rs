//! Connect plugins: what each instance's Kafka Connect cluster offers, replaced as a whole
//! whenever the cluster is read (a class keeps its row and uid while it is offered).

use super::schema::{catalog_connect_plugins as plugins, catalog_instances as instances};
use crate::connect::{OfferedPlugin, PluginType};
use crate::model::ConnectPlugin;
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

portico_core::sort_map! {
    /// How connect plugins sort.
    pub static PLUGIN_SORT: plugins::table {
        "pluginClass" => plugins::plugin_class,
        "pluginType" => plugins::plugin_type,
        "pluginVersion" => plugins::plugin_version,
        "uid" => plugins::id,
    }
    default plugins::created_at, key plugins::id
}

/// A config key as stored.
#[derive(Serialize, Deserialize)]
struct StoredConfig {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

fn configs_column(configs: &[(String, String)]) -> String {
    let stored: Vec<StoredConfig> =
        configs.iter().map(|(name, kind)| StoredConfig { name: name.clone(), kind: kind.clone() }).collect();
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// The plugins of one instance.
#[diesel::dsl::auto_type(no_type_alias)]
fn of_instance(realm: RealmId, instance: String) -> _ {
    plugins::table.filter(plugins::realm_id.eq(realm)).filter(plugins::instance_id.eq(instance))
}

/// The row of one instance.
#[diesel::dsl::auto_type(no_type_alias)]
fn instance_row(realm: RealmId, instance: String) -> _ {
    instances::table.filter(instances::realm_id.eq(realm)).filter(instances::id.eq(instance))
}

/// "Its Connect was not read since `before` (or never)".
#[diesel::dsl::auto_type(no_type_alias)]
fn unread_since(before: time::PrimitiveDateTime) -> _ {
    instances::connect_checked_at.is_null().or(instances::connect_checked_at.lt(before))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = plugins)]
struct PluginRow {
    id: String,
    instance_id: String,
    plugin_class: String,
    plugin_type: String,
    plugin_version: String,
    plugin_configs: String,
}

impl TryFrom<PluginRow> for ConnectPlugin {
    type Error = diesel::result::Error;

    fn try_from(row: PluginRow) -> QueryResult<ConnectPlugin> {
        let bad = |what: String| diesel::result::Error::DeserializationError(what.into());
        let kind =
            PluginType::parse(&row.plugin_type).ok_or_else(|| bad(format!("plugin type '{}'", row.plugin_type)))?;
        let configs: Vec<StoredConfig> =
            serde_json::from_str(&row.plugin_configs).map_err(|err| bad(format!("stored plugin configs: {err}")))?;
        Ok(ConnectPlugin {
            id: super::uuid(&row.id)?,
            instance: super::uuid(&row.instance_id)?,
            class: row.plugin_class,
            kind,
            version: row.plugin_version,
            configs: configs.into_iter().map(|config| (config.name, config.kind)).collect(),
        })
    }
}

/// Makes `offered` the plugins of `instance`: changed classes updated in place, new ones
/// added, the rest removed. Call it in one transaction.
pub fn replace(
    conn: &mut DbConnection,
    realm: RealmId,
    instance: Uuid,
    offered: &[OfferedPlugin],
    now: Timestamp,
) -> QueryResult<()> {
    let of_instance = || of_instance(realm, instance.to_string());
    let existing: Vec<PluginRow> = of_instance().select(PluginRow::as_select()).load(conn)?;
    let gone: Vec<&str> = existing
        .iter()
        .filter(|row| !offered.iter().any(|plugin| plugin.class == row.plugin_class))
        .map(|row| row.id.as_str())
        .collect();
    if !gone.is_empty() {
        diesel::delete(of_instance().filter(plugins::id.eq_any(gone))).execute(conn)?;
    }
    // One microsecond apart, so the default order is Connect's.
    for (offset, plugin) in (0_i64..).zip(offered) {
        let configs = configs_column(&plugin.configs);
        let at = now.plus(time::Duration::microseconds(offset)).as_primitive();
        match existing.iter().find(|row| row.plugin_class == plugin.class) {
            Some(row)
                if row.plugin_type == plugin.kind.as_str()
                    && row.plugin_version == plugin.version
                    && row.plugin_configs == configs => {}
            Some(row) => {
                diesel::update(of_instance().filter(plugins::id.eq(&row.id)))
                    .set((
                        plugins::plugin_type.eq(plugin.kind.as_str()),
                        plugins::plugin_version.eq(&plugin.version),
                        plugins::plugin_configs.eq(&configs),
                        plugins::modified_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(plugins::table)
                    .values((
                        plugins::id.eq(new_uuid().to_string()),
                        plugins::realm_id.eq(realm),
                        plugins::instance_id.eq(instance.to_string()),
                        plugins::plugin_class.eq(&plugin.class),
                        plugins::plugin_type.eq(plugin.kind.as_str()),
                        plugins::plugin_version.eq(&plugin.version),
                        plugins::plugin_configs.eq(&configs),
                        plugins::created_at.eq(at),
                        plugins::modified_at.eq(at),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Removes the plugins of `instance` (its Connect is off).
pub fn remove_of_instance(conn: &mut DbConnection, realm: RealmId, instance: Uuid) -> QueryResult<()> {
    diesel::delete(of_instance(realm, instance.to_string())).execute(conn)?;
    Ok(())
}

/// The plugin `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<ConnectPlugin>> {
    plugins::table
        .filter(plugins::realm_id.eq(realm))
        .filter(plugins::id.eq(id.to_string()))
        .select(PluginRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// One page of the plugins of `realm`.
pub fn page(conn: &mut DbConnection, realm: RealmId, request: &PageRequest) -> Result<Page<ConnectPlugin>, CoreError> {
    let scoped = || plugins::table.filter(plugins::realm_id.eq(realm)).into_boxed();
    let total = scoped().count().get_result::<i64>(conn)?.max(0) as u64;
    let rows: Vec<PluginRow> = PLUGIN_SORT.page(scoped(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(PluginRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}

/// Connect-enabled instances whose Connect cluster was not read since `before` (or never):
/// `(realm, instance)`, oldest first.
pub fn stale(conn: &mut DbConnection, before: Timestamp, limit: i64) -> QueryResult<Vec<(RealmId, Uuid)>> {
    let rows: Vec<(String, String)> = instances::table
        .filter(instances::connect_enabled.eq(true))
        .filter(unread_since(before.as_primitive()))
        .order((instances::connect_checked_at.asc(), instances::id.asc()))
        .limit(limit)
        .select((instances::realm_id, instances::id))
        .load(conn)?;
    rows.into_iter().map(|(realm, id)| Ok((RealmId::from(super::uuid(&realm)?), super::uuid(&id)?))).collect()
}

/// Marks the instance's Connect cluster as read at `now` unless another replica did so since
/// `before`: `true` for the one caller that should read it.
pub fn claim_check(
    conn: &mut DbConnection,
    realm: RealmId,
    instance: Uuid,
    before: Timestamp,
    now: Timestamp,
) -> QueryResult<bool> {
    let claimed = diesel::update(instance_row(realm, instance.to_string()).filter(unread_since(before.as_primitive())))
        .set(instances::connect_checked_at.eq(now.as_primitive()))
        .execute(conn)?;
    Ok(claimed == 1)
}

/// Sets when the instance's Connect cluster was last read (`None`: read it soon).
pub fn set_checked(conn: &mut DbConnection, realm: RealmId, instance: Uuid, at: Option<Timestamp>) -> QueryResult<()> {
    diesel::update(instance_row(realm, instance.to_string()))
        .set(instances::connect_checked_at.eq(at.map(Timestamp::as_primitive)))
        .execute(conn)?;
    Ok(())
}
