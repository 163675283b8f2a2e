//! Domain types of the credentials domain (none yet).
