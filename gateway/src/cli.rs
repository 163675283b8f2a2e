//! The `portico` command line.
//!
//! ```text
//! portico [--config FILE] [serve]     run the server (default)
//! portico [--config FILE] migrate     apply pending database migrations and exit
//! portico [--config FILE] configtest  check the configuration, sealing key and database, then exit
//! portico openapi                     print the OpenAPI document and exit
//! portico [--config FILE] rotate-signing-key   sign new tokens with a new key (the old one stays published)
//! portico --help | --version
//! ```

use crate::settings::Settings;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: portico [--config FILE] [serve | migrate | configtest | openapi | rotate-signing-key]\n\
\n\
  serve       run the server (default)\n\
  migrate     apply pending database migrations and exit\n\
  configtest  check configuration, sealing key and database connectivity, then exit\n\
  openapi     print the OpenAPI 3.1 document and exit\n\
  rotate-signing-key  sign new tokens with a fresh key; the old key stays published until its tokens expire\n\
\n\
Configuration: defaults < --config FILE (TOML) < PORTICO_* environment variables.\n\
See portico.example.toml for every setting.";

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve,
    Migrate,
    ConfigTest,
    OpenApi,
    RotateSigningKey,
    Help,
    Version,
}

#[derive(Debug, PartialEq, Eq)]
struct Args {
    config: Option<PathBuf>,
    command: Command,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut config = None;
    let mut command = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => config = Some(PathBuf::from(args.next().ok_or("--config needs a file")?)),
            "--help" | "-h" | "help" => command = Some(Command::Help),
            "--version" | "-V" => command = Some(Command::Version),
            "serve" | "migrate" | "configtest" | "openapi" | "rotate-signing-key" if command.is_none() => {
                command = Some(match arg.as_str() {
                    "serve" => Command::Serve,
                    "migrate" => Command::Migrate,
                    "openapi" => Command::OpenApi,
                    "rotate-signing-key" => Command::RotateSigningKey,
                    _ => Command::ConfigTest,
                })
            }
            other => match other.strip_prefix("--config=") {
                Some(path) => config = Some(PathBuf::from(path)),
                None => return Err(format!("unexpected argument '{other}'")),
            },
        }
    }
    Ok(Args { config, command: command.unwrap_or(Command::Serve) })
}

/// Entry point of the `portico` binary.
pub fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(err) => {
            eprintln!("portico: {err}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match args.command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("portico {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::OpenApi => {
            return match crate::app::openapi().to_pretty_json() {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("portico: {err}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    let settings = match Settings::load(args.config.as_deref(), std::env::vars()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("portico: {err}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(&settings.log);
    let result = match args.command {
        Command::Migrate => migrate(&settings),
        Command::ConfigTest => configtest(&settings),
        Command::RotateSigningKey => rotate_signing_key(&settings),
        _ => actix_web::rt::System::new().block_on(crate::server::serve(settings)).map_err(|e| e.to_string()),
    };
    let code = match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "portico failed");
            crate::telemetry::flush();
            eprintln!("portico: {err}");
            ExitCode::FAILURE
        }
    };
    crate::telemetry::flush();
    code
}

fn migrate(settings: &Settings) -> Result<(), String> {
    let db = crate::server::open_database(settings).map_err(|e| e.to_string())?;
    let applied = crate::server::migrate(&db).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("portico: the database is up to date");
    } else {
        println!("portico: applied {} migration(s): {}", applied.len(), applied.join(", "));
    }
    Ok(())
}

fn rotate_signing_key(settings: &Settings) -> Result<(), String> {
    use portico_core::Clock;
    let sealer = crate::server::load_sealer(settings).map_err(|e| e.to_string())?;
    let db = crate::server::open_database(settings).map_err(|e| e.to_string())?;
    crate::server::migrate(&db).map_err(|e| e.to_string())?;
    let clock = std::sync::Arc::new(portico_core::time::SystemClock);
    let config = crate::server::identity_config(settings, None);
    let overlap = config.key_overlap;
    let identity =
        portico_identity::store::IdentityStore::open(db, sealer, clock.clone(), config).map_err(|e| e.to_string())?;
    let kid = identity.keys().rotate(clock.now(), overlap).map_err(|e| e.to_string())?;
    println!("portico: new signing key {kid}; earlier keys stay published for {overlap} seconds");
    Ok(())
}

fn configtest(settings: &Settings) -> Result<(), String> {
    let shown = toml::to_string(&settings.redacted()).map_err(|e| e.to_string())?;
    println!("{shown}");
    crate::server::load_sealer(settings).map_err(|e| e.to_string())?;
    // The Kafka client certificate and key, as the start reads and checks them.
    crate::server::catalog_config(settings).map_err(|e| e.to_string())?;
    let db = crate::server::open_database(settings).map_err(|e| e.to_string())?;
    db.ping().map_err(|e| format!("database: {e}"))?;
    println!("portico: configuration OK ({:?} database reachable)", db.backend());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn commands_and_config_file_are_parsed() {
        assert_eq!(args(&[]), Ok(Args { config: None, command: Command::Serve }));
        assert_eq!(args(&["migrate"]), Ok(Args { config: None, command: Command::Migrate }));
        assert_eq!(
            args(&["--config", "p.toml", "configtest"]),
            Ok(Args { config: Some("p.toml".into()), command: Command::ConfigTest })
        );
        assert_eq!(args(&["--config=p.toml"]).map(|a| a.config), Ok(Some("p.toml".into())));
        assert!(args(&["--config"]).is_err());
        assert!(args(&["frobnicate"]).is_err());
        assert_eq!(args(&["--version"]).map(|a| a.command), Ok(Command::Version));
        assert_eq!(args(&["openapi"]).map(|a| a.command), Ok(Command::OpenApi));
        assert_eq!(args(&["rotate-signing-key"]).map(|a| a.command), Ok(Command::RotateSigningKey));
    }
}
