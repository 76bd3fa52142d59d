//! The command line shared by the `volley-resp` binary and the `resp_server` example.

use crate::server::{Config, Server};
use std::io::Write;
use std::process::ExitCode;

/// Sends tracing events to stderr, filtered by `RUST_LOG` (warnings and errors when it is unset):
/// what the binary and the example call before [`main`].
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// Runs the server as a command: parses `args` (without the program name) with
/// [`Config::from_args`], listens, prints `listening on ADDR` on stdout once it accepts, and
/// serves until the scheduler stops. Mistakes are printed on stderr prefixed with `program`:
/// exit status 2 for bad flags (and `--help`), 1 when it cannot listen or the scheduler stops.
pub fn main(program: &str, args: impl IntoIterator<Item = String>) -> ExitCode {
    let config = match Config::from_args(program, args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{program}: {message}");
            return ExitCode::from(2);
        }
    };
    let (bind, port) = (config.bind.clone(), config.port);
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("{program}: cannot listen on {bind}:{port}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let address = server
        .local_addr()
        .map_or_else(|_| "?".into(), |a| a.to_string());
    println!("listening on {address}");
    let _ = std::io::stdout().flush();
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{program}: scheduler stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
