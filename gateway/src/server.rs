//! Start-up: open the database, migrate, load the sealing key, bootstrap the first realm, serve.

use crate::app::{AppState, app};
use crate::settings::Settings;
use actix_web::HttpServer;
use portico_catalog::config::CatalogConfig;
use portico_catalog::kafka::ClientIdentity;
use portico_core::db::{Migrations, PoolOptions};
use portico_core::http::module::AppData;
use portico_core::http::{Module, ModuleContext};
use portico_core::seal::{Sealer, SecretString};
use portico_core::time::SystemClock;
use portico_core::{Clock, Database};
use portico_gitsync::config::GitsyncConfig;
use portico_gitsync::files::{FileStore, S3Settings};
use portico_gitsync::git::GitLimits;
use portico_gitsync::model::ReferenceType;
use portico_identity::bootstrap::{BootstrapConfig, BootstrapOutcome, bootstrap};
use portico_identity::config::ConsoleClient;
use portico_identity::config::IdentityConfig;
use portico_identity::password::{PasswordCost, PasswordHasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

/// Every domain crate the gateway serves. Adding a crate is one line here.
pub const MODULES: &[&Module] = &[
    &portico_identity::http::MODULE,
    &portico_catalog::http::MODULE,
    &portico_credentials::http::MODULE,
    &portico_gitsync::http::MODULE,
    &portico_flows::http::MODULE,
];

/// Every migration set, in order: core's, then each module's.
pub fn migrations() -> Vec<&'static Migrations> {
    std::iter::once(&portico_core::db::MIGRATIONS).chain(MODULES.iter().map(|m| m.migrations)).collect()
}

/// Every table, core's and each module's, as its `table!` declaration has it.
pub fn declared_tables() -> Vec<(&'static str, String)> {
    let mut tables = portico_core::db::declared_tables();
    for module in MODULES {
        tables.extend((module.tables)());
    }
    tables
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    /// The sealing key could not be loaded.
    #[error(transparent)]
    Seal(#[from] portico_core::seal::SealError),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] portico_core::DbError),
    /// First-start bootstrap failed.
    #[error("bootstrap: {0}")]
    Bootstrap(#[from] portico_identity::IdentityError),
    /// A module could not start.
    #[error("module {0}: {1}")]
    Module(&'static str, portico_core::http::module::StartFailure),
    /// The listener could not be bound or the server failed.
    #[error("http server: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database named by `settings` (no migrations).
pub fn open_database(settings: &Settings) -> Result<Database, StartError> {
    let options = PoolOptions { max_connections: settings.database.max_connections, ..PoolOptions::default() };
    Ok(Database::open(&settings.database_url(), &options)?)
}

/// Applies every pending migration; returns the versions applied.
pub fn migrate(db: &Database) -> Result<Vec<String>, StartError> {
    Ok(db.migrate(&migrations())?)
}

/// Loads (or creates) the sealing key.
pub fn load_sealer(settings: &Settings) -> Result<Sealer, StartError> {
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| StartError::DataDir(settings.data_dir.display().to_string(), e))?;
    Ok(Sealer::load(Some(&settings.secrets.key), &settings.secrets.previous_keys, &settings.data_dir)?)
}

fn non_empty(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Creates realm `master` and the bootstrap principals on an empty database; prints generated
/// credentials once, to standard output (never to the log).
pub fn run_bootstrap(
    settings: &Settings,
    db: &Database,
    sealer: &Sealer,
    clock: &dyn Clock,
    cost: PasswordCost,
) -> Result<(), StartError> {
    let config = BootstrapConfig {
        admin_email: settings.bootstrap.admin_email.trim().to_owned(),
        admin_password: non_empty(&settings.bootstrap.admin_password).map(SecretString::new),
        client_id: non_empty(&settings.bootstrap.client_id),
        client_secret: non_empty(&settings.bootstrap.client_secret).map(SecretString::new),
        environment: settings.bootstrap.environment.trim().to_owned(),
    };
    let hasher = PasswordHasher::new(cost);
    match bootstrap(db, clock, &hasher, sealer, &config)? {
        BootstrapOutcome::AlreadyInitialised => tracing::info!("realm 'master' exists; bootstrap skipped"),
        BootstrapOutcome::Created { admin_email, generated_password, client_id, generated_client_secret } => {
            tracing::info!(admin = %admin_email, client = ?client_id, "first start: created realm 'master' and the bootstrap admin");
            if let Some(password) = generated_password {
                println!("portico: bootstrap admin {admin_email} has the generated password: {password}");
                println!("portico: it is shown only this once; store it now.");
            }
            if let (Some(client_id), Some(secret)) = (client_id, generated_client_secret) {
                println!("portico: bootstrap client {client_id} has the generated secret: {secret}");
            }
        }
    }
    Ok(())
}

/// The gitsync configuration from the settings: files in the S3 bucket `gitsync.s3_bucket` when
/// one is named, else under `gitsync.files_dir` (default `<data_dir>/objects`); scratch
/// repositories under `<data_dir>/tmp`.
pub fn gitsync_config(settings: &Settings) -> Result<GitsyncConfig, StartError> {
    let gitsync = &settings.gitsync;
    let unusable = |e: portico_gitsync::GitsyncError| StartError::Module("gitsync", e.to_string().into());
    let files = if gitsync.s3_bucket.trim().is_empty() {
        let files_dir = if gitsync.files_dir.trim().is_empty() {
            settings.data_dir.join("objects")
        } else {
            std::path::PathBuf::from(gitsync.files_dir.trim())
        };
        FileStore::local(&files_dir).map_err(unusable)?
    } else {
        FileStore::s3(&S3Settings {
            bucket: gitsync.s3_bucket.trim().to_owned(),
            region: gitsync.s3_region.trim().to_owned(),
            endpoint: gitsync.s3_endpoint.trim().to_owned(),
            access_key_id: gitsync.s3_access_key_id.trim().to_owned(),
            secret_access_key: gitsync.s3_secret_access_key.clone(),
            allow_http: gitsync.s3_allow_http,
        })
        .map_err(unusable)?
    };
    let scratch = settings.data_dir.join("tmp");
    std::fs::create_dir_all(&scratch)?;
    let reference_type = |value: &str| ReferenceType::parse(value).unwrap_or(ReferenceType::Tag);
    Ok(GitsyncConfig {
        allow_local_remotes: gitsync.allow_local_remotes,
        production_reference_type: reference_type(&gitsync.production_reference_type),
        development_reference_type: reference_type(&gitsync.development_reference_type),
        limits: GitLimits {
            connect_timeout: Duration::from_secs(gitsync.connect_timeout),
            timeout: Duration::from_secs(gitsync.timeout),
            max_bytes: gitsync.max_bytes,
            max_files: gitsync.max_files,
        },
        files: Some(files),
        scratch_dir: Some(scratch),
    })
}

/// The identity configuration from the settings (`listening`: the bound address, which names
/// the token issuer when no public URL is configured).
pub fn identity_config(settings: &Settings, listening: Option<std::net::SocketAddr>) -> IdentityConfig {
    IdentityConfig {
        issuer: settings.issuer(listening),
        management_audience: settings.identity.management_audience.clone(),
        access_token_ttl: settings.identity.access_token_ttl,
        refresh_token_ttl: settings.identity.refresh_token_ttl,
        key_overlap: settings.identity.access_token_ttl * 2,
        environments: settings.identity.environments.clone(),
        console_client: (!settings.identity.console_client_id.is_empty()).then(|| ConsoleClient {
            client_id: settings.identity.console_client_id.clone(),
            redirect_uris: settings.identity.console_redirect_uris.clone(),
            post_logout_redirect_uris: settings.identity.console_post_logout_redirect_uris.clone(),
        }),
        ..IdentityConfig::default()
    }
}

/// The catalog configuration from the settings: the Kafka client certificate and key, read
/// from their files and checked now (both or neither).
pub fn catalog_config(settings: &Settings) -> Result<CatalogConfig, StartError> {
    let catalog = &settings.catalog;
    let (certificate, key) = (catalog.kafka_client_certificate.trim(), catalog.kafka_client_key.trim());
    let unusable = |reason: String| StartError::Module("catalog", reason.into());
    let kafka_client = match (certificate.is_empty(), key.is_empty()) {
        (true, true) => None,
        (false, false) => {
            let read = |field: &str, path: &str| {
                std::fs::read_to_string(path).map_err(|err| unusable(format!("catalog.{field} '{path}': {err}")))
            };
            let identity = ClientIdentity::from_pem(
                &read("kafka_client_certificate", certificate)?,
                &read("kafka_client_key", key)?,
            )
            .map_err(|reason| unusable(format!("catalog.kafka_client_certificate/kafka_client_key: {reason}")))?;
            Some(identity)
        }
        _ => {
            return Err(unusable(
                "catalog.kafka_client_certificate and catalog.kafka_client_key go together".to_owned(),
            ));
        }
    };
    Ok(CatalogConfig { kafka_client })
}

/// The started modules: each one's app data, in [`MODULES`] order.
#[derive(Clone)]
pub struct Services {
    /// What each module registers as app data.
    pub app_data: Vec<AppData>,
}

/// Starts every module over a migrated, bootstrapped database (each registers its realm hooks),
/// then gives every existing realm the built-ins of every module.
pub fn open_services(
    db: &Database,
    sealer: &Sealer,
    clock: Arc<dyn Clock>,
    identity: IdentityConfig,
    gitsync: GitsyncConfig,
    catalog: CatalogConfig,
) -> Result<Services, StartError> {
    let ctx = ModuleContext::new(db.clone(), sealer.clone(), clock.clone())
        .with_config(identity)
        .with_config(gitsync)
        .with_config(catalog);
    let app_data = MODULES
        .iter()
        .map(|module| {
            ctx.hooks.add_roles(module.roles);
            (module.start)(&ctx).map_err(|e| StartError::Module(module.name, e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let realms = ctx.hooks.reconcile(db, clock.now())?;
    tracing::debug!(realms, "every realm has every module's built-ins");
    Ok(Services { app_data })
}

/// Runs the server until SIGTERM/SIGINT, then drains in-flight requests.
pub async fn serve(settings: Settings) -> Result<(), StartError> {
    let sealer = load_sealer(&settings)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Bound first: with no public URL configured the token issuer is this address (port 0 too).
    let listener = std::net::TcpListener::bind(&settings.http.bind)?;
    let listening = listener.local_addr()?;
    let (db, services) = {
        let settings = settings.clone();
        let sealer = sealer.clone();
        let clock = clock.clone();
        tokio::task::spawn_blocking(move || -> Result<(Database, Services), StartError> {
            let db = open_database(&settings)?;
            let applied = migrate(&db)?;
            if !applied.is_empty() {
                tracing::info!(?applied, "applied migrations");
            }
            run_bootstrap(&settings, &db, &sealer, clock.as_ref(), PasswordCost::Standard)?;
            let gitsync = gitsync_config(&settings)?;
            let catalog = catalog_config(&settings)?;
            let services =
                open_services(&db, &sealer, clock, identity_config(&settings, Some(listening)), gitsync, catalog)?;
            Ok((db, services))
        })
        .await
        .map_err(|e| StartError::Io(std::io::Error::other(e)))??
    };
    let workers = settings.http.workers;
    let shutdown = settings.http.shutdown_timeout;
    tracing::info!(backend = ?db.backend(), database = %portico_core::db::redact_url(&settings.database_url()), "database ready");
    let state = AppState::new(settings, db, sealer, clock, services);
    let metrics = state.metrics.clone();
    let answered = move || metrics.requests_total();
    let mut server = HttpServer::new(move || app(state.clone())).shutdown_timeout(shutdown);
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = server.listen(listener)?;
    let addrs = server.addrs();
    // Our own signal handling, registered before the address is announced: a SIGTERM that
    // arrives right after start-up still drains gracefully instead of killing the process.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let running = server.disable_signals().run();
    let handle = running.handle();
    actix_web::rt::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM: draining in-flight requests"),
            _ = interrupt.recv() => tracing::info!("SIGINT: draining in-flight requests"),
        }
        handle.stop(true).await;
    });
    actix_web::rt::spawn(crate::memory::release_periodically(
        Duration::from_secs(2),
        Duration::from_secs(10),
        answered,
    ));
    for addr in addrs {
        tracing::info!(%addr, "listening");
        println!("portico: listening on http://{addr}");
    }
    running.await?;
    tracing::info!("stopped");
    Ok(())
}
