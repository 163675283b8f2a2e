//! Domain types of the flows domain (none yet).
