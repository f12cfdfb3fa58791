//! Command-line interface: the user's vocabulary, with help that teaches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "Rampart — a self-hosted XDR portal: telemetry in Defender's hunting schema, hunting, detection and response.",
    long_about = "Rampart — a self-hosted XDR portal.\n\n\
        Telemetry from endpoints, identities, email and cloud apps is stored in the tables and \
        columns of Microsoft Defender XDR's advanced-hunting schema, so the queries analysts \
        already know keep working.\n\n\
        Start here:   rampart demo              (a simulated organisation under attack)\n\
        Then:         rampart hunt --sql 'SELECT count(*) FROM \"DeviceProcessEvents\"'",
    after_help = "Configuration: ./rampart.toml, RAMPART_* environment variables and flags (in rising order \
        of precedence). `rampart config --default` prints every key with its default."
)]
pub struct Cli {
    /// Configuration file (default: ./rampart.toml if it exists).
    #[arg(short, long, global = true, env = "RAMPART_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: write-ahead log, Parquet lake and state store [default: ./rampart-data].
    #[arg(short, long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start Rampart with a simulated organisation and attack scenarios (try this first).
    ///
    /// Generates a day of history for 60 devices and 200 users, including multi-stage
    /// attacks, then keeps producing live telemetry. Prints the URL and a token.
    /// The scenarios' ground truth is written to <data-dir>/demo/_ground-truth.json.
    Demo(DemoArgs),
    /// Run the server: HTTP API, ingest, write-ahead log and lake.
    Serve(ServeArgs),
    /// Load NDJSON or Windows EVTX files into the data directory.
    ///
    /// NDJSON lines go to the table given by --table, or named by the file
    /// (DeviceProcessEvents.ndjson), or named by a "$table" field in the line, or to the table of Defender's streaming-API shape
    /// ({"category":"AdvancedHunting-<Table>","properties":{…}}). EVTX records
    /// (Sysmon, Security, PowerShell, …) are mapped onto Defender tables; see
    /// docs/mappings/evtx.md. Directories are read recursively.
    Ingest(IngestArgs),
    /// Hunt with KQL (or SQL) over the stored telemetry; --check measures KQL compatibility.
    Hunt(HuntArgs),
    /// Show the hunting schema: all tables, or one table's columns.
    Schema(SchemaArgs),
    /// Create, list and revoke API tokens for agents and scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print the configuration in effect, or the documented defaults.
    Config(ConfigArgs),
    /// Measure Rampart on this machine and print a table.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Triage EVTX and JSON files with Sigma rules, offline: a detection timeline.
    ///
    /// Like Hayabusa or Chainsaw: no server, no data directory. Windows events are
    /// matched by Sigma's own field names; rows with a "$table" field through the
    /// mapping in docs/mappings/sigma.md. Files are read in parallel.
    Scan(ScanArgs),
    /// Sigma rules: `rampart rules check DIR` lists every rule that does not load.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// EVTX or JSON files (.evtx, .json, .jsonl, .ndjson), or directories (read recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Sigma rule files or directories, e.g. rules/windows of a SigmaHQ checkout (repeatable; required).
    #[arg(short, long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Output: a table, CSV, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Only detections of this level or above (informational, low, medium, high, critical).
    #[arg(long, value_name = "LEVEL")]
    pub min_level: Option<String>,
    /// Threads reading files [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load Sigma rules and list every one that does not load, with its reason.
    Check(RulesCheckArgs),
}

#[derive(Debug, Args)]
pub struct RulesCheckArgs {
    /// Rule files or directories.
    #[arg(required = true, value_name = "DIR")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides server.listen).
    #[arg(short, long, value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the simulation: the same seed gives the same organisation and attacks.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Address to listen on.
    #[arg(short, long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Hours of history to generate before going live.
    #[arg(long, default_value_t = 24)]
    pub history_hours: u32,
    /// Mean benign events per second for the whole organisation.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Write NDJSON per table instead of serving (needs --out). The data ends now, or at
    /// --end; use --end for byte-identical output across runs.
    #[arg(long, requires = "out")]
    pub generate: bool,
    /// With --generate: how many events to write.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// With --generate: output directory for <Table>.ndjson and _ground-truth.json.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --generate: the simulated time the data ends at (RFC 3339), default now.
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or directories (.evtx, .json, .ndjson, .jsonl; .gz for compressed NDJSON).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Table for NDJSON lines that do not name one.
    #[arg(short, long)]
    pub table: Option<String>,
    /// Print at most this many rejected rows (all are counted).
    #[arg(long, default_value_t = 20)]
    pub show_errors: usize,
}

/// Run a hunting query (KQL by default) on the data directory or a running server.
///
/// Examples:
///   rampart hunt 'DeviceProcessEvents | where FileName =~ "powershell.exe" | take 10'
///   rampart hunt -f suspicious-logons.kql --timespan 7d --format csv > out.csv
///   rampart hunt --server http://127.0.0.1:8080 'DeviceLogonEvents | count'   (token: $RAMPART_TOKEN)
///   rampart hunt --sql 'SELECT "DeviceName", count(*) FROM "DeviceProcessEvents" GROUP BY 1'
///   rampart hunt --check ../queries --run      (how many .kql files parse, bind and run)
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct HuntArgs {
    /// The query.
    #[arg(value_name = "QUERY", required_unless_present_any = ["file", "check"])]
    pub query: Option<String>,
    /// Read the query from a file.
    #[arg(short, long, value_name = "FILE", conflicts_with = "query")]
    pub file: Option<PathBuf>,
    /// The query is DataFusion SQL (table and column names are case-sensitive: quote them).
    #[arg(long)]
    pub sql: bool,
    /// Time range: a duration back from now (7d, 12h, P30D) or start/end in RFC 3339.
    /// Default: hunting.default_lookback (30 days).
    #[arg(long, value_name = "RANGE")]
    pub timespan: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Return at most this many rows (default: hunting.max_rows).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Query a running server instead of the data directory.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// API token for --server (a token with the read scope).
    #[arg(long, env = "RAMPART_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Check every .kql file under DIR: does it parse, bind to the schema (and run with --run)?
    /// Prints a compatibility table and the most common failure reasons.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["query", "file", "sql", "server"])]
    pub check: Option<PathBuf>,
    /// With --check: also run each query that binds.
    #[arg(long, requires = "check")]
    pub run: bool,
    /// With --check: check every file, even those a query_tables.tsv in DIR marks as
    /// not Defender XDR queries (Sentinel, mixed).
    #[arg(long, requires = "check")]
    pub all: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Ndjson,
    Csv,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A table name (case-sensitive), e.g. DeviceProcessEvents.
    pub table: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (shown only once).
    Create {
        /// A name that says who uses the token, e.g. "edr-collector-1".
        #[arg(long, default_value = "cli")]
        name: String,
        /// Allow sending telemetry (POST /api/ingest/*).
        #[arg(long)]
        ingest: bool,
        /// Allow reading (queries, metrics).
        #[arg(long)]
        read: bool,
        /// Allow everything.
        #[arg(long)]
        admin: bool,
    },
    /// List tokens (secrets are never shown again).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the documented default configuration file instead.
    #[arg(long)]
    pub default: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Sustained HTTP ingest of DeviceProcessEvents NDJSON from this process into a
    /// `rampart serve` child process: events/s and the server's peak memory.
    Ingest(BenchIngestArgs),
    /// Send batches, kill -9 the server at random moments, restart, and check that
    /// every acknowledged row is queryable exactly once.
    Crash(BenchCrashArgs),
    /// Hunting queries over simulated telemetry in Parquet: Rampart (KQL) next to
    /// DuckDB (the same questions in SQL, same files; needs `pip install duckdb`).
    #[command(alias = "hunting")]
    Hunt(BenchHuntArgs),
}

#[derive(Debug, Args)]
pub struct BenchHuntArgs {
    /// Simulated events to generate (all tables; most land in the benchmark's three).
    #[arg(long, default_value_t = 10_000_000)]
    pub events: usize,
    /// Timed runs per query (after one warm-up); the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Python interpreter with the duckdb package.
    #[arg(long, default_value = "python3")]
    pub python: String,
}

#[derive(Debug, Args)]
pub struct BenchIngestArgs {
    /// Events to send.
    #[arg(long, default_value_t = 2_000_000)]
    pub events: usize,
    /// Rows per request.
    #[arg(long, default_value_t = 5000)]
    pub batch: usize,
    /// Concurrent connections.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Repeat the run this many times and report the median.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

#[derive(Debug, Args)]
pub struct BenchCrashArgs {
    /// Kill/restart rounds.
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Seed of the random kill moments.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
