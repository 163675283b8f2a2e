//! Axual Management API 6.0.1, identity part: `/user`, `/group`, `/tenant`, `/users`,
//! `/groups`, `/tenants`. HAL+JSON, page/size/sort, ETags and Spring Data REST's
//! Accept-dependent bodies come from the core kit (`portico_core::http::axual`); the index and
//! profiles are served by core from [`COLLECTIONS`] and [`ENTRIES`].

pub mod current;
pub mod groups;
pub mod tenants;
pub mod users;
pub mod wire;

use portico_core::http::{AxualCollection, AxualEntry};

/// The Axual collections this crate serves.
pub const COLLECTIONS: &[AxualCollection] = &[
    portico_core::http::collection::indexed::<tenants::TenantCollection>(
        Some("Access or create tenants"),
        wire::tenants_profile,
    ),
    portico_core::http::collection::indexed::<groups::GroupCollection>(
        Some("Access or create groups"),
        wire::groups_profile,
    ),
    AxualCollection { rel: "users", title: Some("Access or create users"), profile: Some(wire::users_profile) },
];

/// The caller's own resources, linked from the index.
pub const ENTRIES: &[AxualEntry] = &[
    AxualEntry { rel: "group", path: "/group", title: "A group" },
    AxualEntry { rel: "user", path: "/user", title: "A user" },
    AxualEntry { rel: "tenant", path: "/tenant", title: "A tenant" },
];
