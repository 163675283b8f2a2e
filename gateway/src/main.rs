//! The `portico` binary.

fn main() -> std::process::ExitCode {
    portico_gateway::cli::main()
}
