//! `flow-server`: the session server. Its contract is `shared/spec/session-protocol.md`.
//!
//! ```text
//! flow-server serve [--addr 127.0.0.1:8080] [--data-dir ./data] [--public-url URL] [--widget-dir ./dist] [--demo]
//! flow-server flows create --data-dir ./data --technologies MRZ,DOCUMENT_RECOGNITION [--config flow.json]
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use flow_protocol::FlowConfig;
use flow_server::clock::SystemClock;
use flow_server::domain::flows;
use flow_server::store::Store;
use flow_server::{AppState, Config, Error};

#[derive(Parser)]
#[command(
    name = "flow-server",
    version,
    about = "Identity-verification session server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage flows.
    Flows {
        #[command(subcommand)]
        command: FlowsCommand,
    },
}

#[derive(Subcommand)]
enum FlowsCommand {
    /// Create a flow; prints {"id","api_key"} (the key is shown only this once).
    Create(CreateArgs),
}

/// Flags override the environment, which overrides the defaults of `Config`.
#[derive(Args)]
struct ServeArgs {
    #[arg(long, env = "FLOW_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[arg(long, env = "FLOW_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Base of absolute URLs (media links); default: the request's own host.
    #[arg(long, env = "FLOW_PUBLIC_URL")]
    public_url: Option<url::Url>,
    #[arg(long, env = "FLOW_WIDGET_DIR", default_value = "./dist")]
    widget_dir: PathBuf,
    /// Create the demo flow (if absent) and serve the demo host at /.
    #[arg(long, env = "FLOW_DEMO")]
    demo: bool,
    /// Largest capture upload, in bytes.
    #[arg(long, env = "FLOW_MAX_CAPTURE_BYTES", default_value_t = 10 * 1024 * 1024)]
    max_capture_bytes: u64,
}

#[derive(Args)]
struct CreateArgs {
    #[arg(long, env = "FLOW_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Comma-separated technology codes.
    #[arg(long, value_delimiter = ',', required = true)]
    technologies: Vec<String>,
    /// A JSON file with the flow's configuration.
    #[arg(long)]
    config: Option<PathBuf>,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("flow-server: {err}");
                ExitCode::FAILURE
            }
        },
        Command::Flows {
            command: FlowsCommand::Create(args),
        } => match create_flow(args).await {
            Ok(created) => {
                println!(
                    "{}",
                    serde_json::to_string(&created).unwrap_or_else(|_| "{}".to_owned())
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!(
                    "{}",
                    serde_json::to_string(&err.body()).unwrap_or_else(|_| err.to_string())
                );
                ExitCode::FAILURE
            }
        },
    }
}

async fn create_flow(args: CreateArgs) -> flow_server::Result<flow_protocol::FlowCreated> {
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::InvalidConfig(format!("cannot read {}: {e}", path.display()))
            })?;
            serde_json::from_str::<FlowConfig>(&text)
                .map_err(|e| Error::InvalidConfig(format!("{}: {e}", path.display())))?
        }
        None => FlowConfig::default(),
    };
    let technologies: Vec<String> = args
        .technologies
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    // Checked before the database is opened: a refused flow touches nothing.
    flows::parse_technologies(&technologies)?;
    flows::validate_config(&config)?;
    let store = Store::open(env_var("DATABASE_URL").as_deref(), &args.data_dir).await?;
    let created = flows::create_flow(&store, &SystemClock, &technologies, config).await;
    store.close().await;
    created
}

async fn serve(args: ServeArgs) -> flow_server::Result<()> {
    let config = Config {
        addr: args.addr,
        data_dir: args.data_dir,
        public_url: args.public_url,
        widget_dir: args.widget_dir,
        database_url: env_var("DATABASE_URL"),
        storage_url: env_var("STORAGE_URL"),
        operator_key: env_var("FLOW_OPERATOR_KEY"),
        demo: args.demo,
        limits: flow_server::config::Limits {
            max_capture_bytes: args.max_capture_bytes,
            ..Default::default()
        },
        ..Config::default()
    };
    tracing::info!(?config, "starting");
    if !config.widget_dir.join("flow-widget.js").is_file() {
        tracing::warn!(
            "widget directory {} has no flow-widget.js: /widget/ will answer 404 and the \
             hosted and demo pages cannot load the widget; build it with `npm run build` \
             or pass --widget-dir",
            config.widget_dir.display()
        );
        eprintln!(
            "flow-server: WARNING: no built widget in {} (run `npm run build`, or pass --widget-dir)",
            config.widget_dir.display()
        );
    }
    let addr = config.addr;
    let demo = config.demo;
    let state = AppState::open(config, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    eprintln!("flow-server: listening on http://{bound}");
    if demo {
        eprintln!("flow-server: demo host on http://{bound}/ (flow key in the data directory's demo-flow.json)");
    }
    flow_server::serve(listener, state, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
