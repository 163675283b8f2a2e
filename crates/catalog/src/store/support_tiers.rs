//! Support tiers: reference data seeded into every realm.

use super::schema::catalog_support_tiers as tiers;
use crate::model::SupportTier;
use diesel::prelude::*;
use portico_core::db::UniqueDsl;
use portico_core::ids::new_uuid;
use portico_core::page::{Page, PageRequest};
use portico_core::{CoreError, DbConnection, RealmId, Timestamp};
use time::PrimitiveDateTime;
use uuid::Uuid;

/// The tiers every realm has (the seed shows these two).
pub const SEEDED: &[(&str, &str)] = &[("GOLD", "This is gold"), ("SILVER", "This is silver")];

portico_core::sort_map! {
    /// How support tiers sort.
    pub static TIER_SORT: tiers::table {
        "name" => tiers::name,
        "description" => tiers::description,
        "uid" => tiers::id,
    }
    default tiers::created_at, key tiers::id
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = tiers)]
struct TierRow {
    id: String,
    name: String,
    description: Option<String>,
}

impl TryFrom<TierRow> for SupportTier {
    type Error = diesel::result::Error;

    fn try_from(row: TierRow) -> QueryResult<SupportTier> {
        Ok(SupportTier { id: super::uuid(&row.id)?, name: row.name, description: row.description })
    }
}

/// Seeds the realm's tiers that are missing (idempotent: it runs at every start).
pub fn seed(conn: &mut DbConnection, realm: RealmId, now: Timestamp) -> QueryResult<()> {
    for (offset, (name, description)) in (0_i64..).zip(SEEDED) {
        let exists: Option<String> = tiers::table
            .filter(tiers::realm_id.eq(realm))
            .filter(tiers::name.eq(*name))
            .select(tiers::id)
            .unique(conn)?;
        if exists.is_none() {
            // One microsecond apart, so the default order is the seeding order.
            let at: PrimitiveDateTime = now.plus(time::Duration::microseconds(offset)).as_primitive();
            diesel::insert_into(tiers::table)
                .values((
                    tiers::id.eq(new_uuid().to_string()),
                    tiers::realm_id.eq(realm),
                    tiers::name.eq(*name),
                    tiers::description.eq(*description),
                    tiers::created_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The tier `id` of `realm`.
pub fn get(conn: &mut DbConnection, realm: RealmId, id: Uuid) -> QueryResult<Option<SupportTier>> {
    tiers::table
        .filter(tiers::realm_id.eq(realm))
        .filter(tiers::id.eq(id.to_string()))
        .select(TierRow::as_select())
        .unique(conn)?
        .map(TryInto::try_into)
        .transpose()
}

/// One page of the tiers of `realm`.
pub fn page(conn: &mut DbConnection, realm: RealmId, request: &PageRequest) -> Result<Page<SupportTier>, CoreError> {
    let scoped = || tiers::table.filter(tiers::realm_id.eq(realm)).into_boxed();
    let total = scoped().count().get_result::<i64>(conn)?.max(0) as u64;
    let rows: Vec<TierRow> = TIER_SORT.page(scoped(), request, total, |query, offset, limit| {
        query.offset(offset).limit(limit).select(TierRow::as_select()).load(conn)
    })?;
    Ok(Page::new(request, rows.into_iter().map(TryInto::try_into).collect::<QueryResult<_>>()?, total))
}
