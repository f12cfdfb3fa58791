//! One module per subcommand.

mod bench;
mod demo;
mod hunt;
mod ingest;
mod scan;
mod schema;
mod serve;
mod token;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::Command;
use crate::config::{self, Config};

/// `data_dir_given` says whether --data-dir was on the command line (the demo has its own default).
pub async fn dispatch(command: Command, config: Config, data_dir_given: bool) -> Result<ExitCode> {
    match command {
        Command::Demo(args) => demo::run(args, config, data_dir_given).await,
        Command::Serve(args) => serve::run(args, config).await,
        Command::Ingest(args) => ingest::run(args, config).await,
        Command::Hunt(args) => hunt::run(args, config).await,
        Command::Schema(args) => schema::run(args),
        Command::Token(cmd) => token::run(cmd, config).await,
        Command::Config(args) => {
            if args.default {
                print!("{}", config::EXAMPLE);
            } else {
                print!("{}", config.to_toml()?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cmd) => bench::run(cmd, config).await,
        Command::Scan(args) => scan::run(args),
        Command::Rules(crate::cli::RulesCommand::Check(args)) => scan::check_rules(args),
    }
}

/// Prints a long-running server's banner. A server must not die because whoever started
/// it closed stdout, so write errors are ignored (`println!` would panic).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
