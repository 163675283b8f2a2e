//! Domain types of the gitsync domain (none yet).
