//! Domain types of the catalog domain (none yet).
