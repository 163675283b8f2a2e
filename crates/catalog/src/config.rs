//! The catalog module's configuration (the host provides it; defaults otherwise).

use crate::kafka::ClientIdentity;

/// How the catalog reaches its Kafka clusters.
#[derive(Clone, Debug, Default)]
pub struct CatalogConfig {
    /// The certificate and key presented to TLS listeners that require client authentication;
    /// `None`: no client certificate (such listeners refuse the catalog).
    pub kafka_client: Option<ClientIdentity>,
}
