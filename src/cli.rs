//! The command line: `hiroba serve`, `hiroba serve --demo`, `hiroba admin create-user`,
//! `hiroba config`, `hiroba migrate`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::demo;
use crate::domain::Role;
use crate::services::accounts::{self, SignupInput, random_token};
use crate::startup::{Application, shutdown_signal};
use crate::state::AppState;
use crate::storage::Db;
use crate::telemetry;

#[derive(Parser)]
#[command(
    name = "hiroba",
    version,
    about = "Federated participation server for municipalities"
)]
struct Cli {
    /// Configuration file (TOML); HIROBA_* variables override its keys.
    #[arg(long, env = "HIROBA_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default command).
    Serve {
        /// Serve a sample municipality from a separate demo database, reset at each start.
        #[arg(long)]
        demo: bool,
    },
    /// Administration tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the effective configuration, secrets redacted.
    Config,
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account, e.g. the first administrator, from a script.
    CreateUser(CreateUser),
}

#[derive(Args)]
struct CreateUser {
    /// Handle (a-z, 0-9, _); derived from the e-mail address when omitted.
    #[arg(long)]
    handle: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    /// resident, moderator, staff or administrator.
    #[arg(long, default_value = "resident")]
    role: String,
    /// Read the password from the first line of standard input; otherwise a random
    /// password is generated and printed once.
    #[arg(long)]
    password_stdin: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("hiroba: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hiroba: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve { demo: false }) {
            Command::Serve { demo } => serve(config, demo).await,
            Command::Admin {
                command: AdminCommand::CreateUser(args),
            } => create_user(config, args).await,
            Command::Config => {
                print!("{}", config.summary());
                Ok(())
            }
            Command::Migrate => {
                let db = Db::connect(&config.database, 1).await?;
                db.migrate().await?;
                println!("migrations applied to {}", config.database.describe());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hiroba: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, demo_mode: bool) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    let config = if demo_mode {
        let production = config.database.describe();
        let config = demo::demo_config(config);
        tracing::warn!(
            demo_database = %config.database.describe(),
            not_touched = %production,
            "demo mode: serving sample data from a separate database that is reset at every start"
        );
        if let crate::config::DatabaseTarget::Sqlite(path) = &config.database {
            demo::reset_demo_database(path).await?;
        }
        config
    } else {
        config
    };
    tracing::info!(database = %config.database.describe(), data_dir = %config.data_dir.display(), "starting");
    let app = Application::build(config).await?;
    if demo_mode {
        demo::load(app.state()).await?;
        tracing::warn!(
            accounts = "demo_admin, demo_staff, demo_moderator, hanako, taro, yuki, kenji, sakura, midori_npo",
            password = demo::DEMO_PASSWORD,
            "demo data loaded"
        );
    } else {
        app.announce_setup().await?;
    }
    app.run(shutdown_signal()).await
}

async fn create_user(config: Config, args: CreateUser) -> anyhow::Result<()> {
    let role =
        Role::parse(args.role.trim()).map_err(|e| anyhow::anyhow!("--role: {}", e.message))?;
    let (password, generated) = if args.password_stdin {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("password:");
        }
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the password")?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (random_token(15), true)
    };
    let db = Db::connect(&config.database, 2).await?;
    db.migrate().await?;
    let state = AppState::new(db, config)?;
    let input = SignupInput {
        handle: args.handle,
        email: args.email,
        password: password.clone(),
        display_name: args.display_name,
        accepted_terms: None,
    };
    let user = accounts::create_user_with_role(&state, input, role)
        .await
        .map_err(|e| match e {
            crate::error::AppError::Validation(errors) => anyhow::anyhow!(
                "{}",
                errors
                    .iter()
                    .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    println!(
        "created {} {} (id {})",
        user.role.as_str(),
        user.handle,
        user.id
    );
    if generated {
        println!("password: {password}");
    }
    // An administrator now exists: the setup link is spent.
    accounts::pending_setup_token(&state).await?;
    state.db.close().await;
    Ok(())
}
