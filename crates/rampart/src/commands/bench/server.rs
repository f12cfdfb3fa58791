//! A `rampart serve` child process for benchmarks: a separate process, as a real
//! sender would talk to, on a temporary data directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rampart_store::Scope;

pub struct ServerProcess {
    pub child: Child,
    pub addr: String,
    /// Time from spawn to listening (includes WAL replay).
    pub startup: Duration,
}

/// A temporary data directory with an ingest token; deleted on drop.
pub struct Workspace {
    pub dir: PathBuf,
    pub token: String,
}

impl Workspace {
    pub async fn new(name: &str) -> Result<Workspace> {
        let dir = std::env::temp_dir().join(format!("rampart-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let store = rampart_store::Store::open_sqlite(&dir.join("state.db")).await?;
        let (_, token) = store.create_token("bench", &[Scope::Ingest], "bench").await?;
        store.close().await;
        Ok(Workspace { dir, token })
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl ServerProcess {
    /// Starts `rampart serve` on a free port and waits until it listens.
    pub fn spawn(data_dir: &Path, env: &[(&str, String)]) -> Result<ServerProcess> {
        let exe = std::env::current_exe().context("locating the rampart binary")?;
        let started = Instant::now();
        let mut child = Command::new(exe)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RAMPART_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting rampart serve")?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let Some(addr) = first.trim().strip_prefix("Rampart is listening on http://") else {
            let _ = child.kill();
            bail!("the server did not start: {first:?}");
        };
        Ok(ServerProcess { addr: addr.to_string(), child, startup: started.elapsed() })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no chance to flush or finish anything.
    pub fn kill9(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// Resident memory now and at its peak (VmRSS, VmHWM), in bytes.
pub fn memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU seconds (user + system) a process has used so far.
pub fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
