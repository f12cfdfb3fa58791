//! Running one query: a session per query (own memory pool, tables cut to the time
//! range), compile, execute under a time limit, and collect the statistics.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use datafusion::common::{Column as DfColumn, DataFusionError, ScalarValue, TableReference};
use datafusion::datasource::{ViewTable, provider_as_source};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, lit};
use datafusion::physical_plan::{ExecutionPlan, collect};
use datafusion::prelude::{SQLOptions, SessionContext};
use rampart_kql::{CompileOptions, KustoType};
use rampart_lake::Lake;

use crate::{Column, Error, Language, Limits, Outcome, Request, Result, Stats, Timespan};

/// Runs hunting queries over one lake.
#[derive(Clone)]
pub struct Hunter {
    lake: Lake,
    limits: Limits,
}

impl Hunter {
    pub fn new(lake: Lake, limits: Limits) -> Hunter {
        Hunter { lake, limits }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles and runs `req`. Dropping the returned future cancels the query.
    pub async fn run(&self, req: &Request) -> Result<Outcome> {
        let started = Instant::now();
        let now = req.now.unwrap_or_else(Utc::now);
        let range = req.timespan.unwrap_or(Timespan::Last(self.limits.default_lookback)).bounds(now);
        let ctx = self.session(range).await?;
        let (plan, columns, render) = match req.language {
            Language::Kql => {
                let c = rampart_kql::compile(&req.query, &ctx, &CompileOptions::at(now)).await.map_err(Error::Query)?;
                (c.plan, c.columns.into_iter().map(|(name, kind)| Column { name, kind }).collect(), c.render)
            }
            Language::Sql => {
                let read_only = SQLOptions::new().with_allow_ddl(false).with_allow_dml(false).with_allow_statements(false);
                let df = ctx.sql_with_options(&req.query, read_only).await.map_err(|e| Error::Sql(e.strip_backtrace()))?;
                let plan = df.into_unoptimized_plan();
                let columns = plan.schema().fields().iter().map(|f| Column { name: f.name().clone(), kind: KustoType::from_arrow(f.data_type()) }).collect();
                (plan, columns, None)
            }
        };
        let max_rows = self.limits.max_rows;
        let plan = LogicalPlanBuilder::from(plan).limit(0, Some(max_rows.saturating_add(1))).and_then(|b| b.build()).map_err(|e| self.failed(e))?;
        // In a task of its own, so that the answer comes on time even while an operator
        // computes without yielding; the abort then takes effect at its next yield.
        let mut task = AbortOnDrop(tokio::spawn(execute(ctx, plan)));
        let (physical, mut batches) = match tokio::time::timeout(self.limits.timeout, &mut task.0).await {
            Err(_) => return Err(Error::Timeout(self.limits.timeout)),
            Ok(Err(join)) => return Err(Error::Execution(format!("the query task failed: {join}"))),
            Ok(Ok(r)) => r.map_err(|e| self.failed(e))?,
        };
        let total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let truncated = total > max_rows;
        if truncated {
            cut(&mut batches, max_rows);
        }
        let rows = total.min(max_rows);
        let stats = Stats { rows, bytes_scanned: bytes_scanned(&physical), elapsed_ms: started.elapsed().as_millis() as u64 };
        tracing::debug!(rows, truncated, bytes_scanned = stats.bytes_scanned, elapsed_ms = stats.elapsed_ms, "hunting query");
        Ok(Outcome { columns, batches, truncated, stats, render, range })
    }

    /// A session over the lake in which every table with a `Timestamp` shows only `[start, end)`.
    async fn session(&self, (start, end): (DateTime<Utc>, DateTime<Utc>)) -> Result<SessionContext> {
        let runtime = RuntimeEnvBuilder::new().with_memory_limit(self.limits.memory_bytes, 1.0).build_arc().map_err(|e| self.failed(e))?;
        let ctx = SessionContext::new_with_config_rt(rampart_lake::session_config(), runtime);
        self.lake.register(&ctx)?;
        rampart_kql::register(&ctx);
        let bound = |t: DateTime<Utc>| lit(ScalarValue::TimestampMicrosecond(Some(t.timestamp_micros()), Some(rampart_schema::UTC.into())));
        for table in rampart_schema::catalog().tables().iter().filter(|t| t.timestamp_index().is_some()) {
            let name = TableReference::bare(table.name.as_str());
            let Some(provider) = ctx.table_provider(name.clone()).await.ok() else { continue };
            let ts = Expr::Column(DfColumn::new(Some(name.clone()), "Timestamp"));
            let view = LogicalPlanBuilder::scan(name.clone(), provider_as_source(provider), None)
                .and_then(|b| b.filter(ts.clone().gt_eq(bound(start)).and(ts.lt(bound(end)))))
                .and_then(|b| b.build())
                .map_err(|e| self.failed(e))?;
            ctx.deregister_table(name.clone()).map_err(|e| self.failed(e))?;
            ctx.register_table(name, Arc::new(ViewTable::new(view, None))).map_err(|e| self.failed(e))?;
        }
        Ok(ctx)
    }

    fn failed(&self, e: DataFusionError) -> Error {
        match e.find_root() {
            DataFusionError::ResourcesExhausted(_) => Error::Memory(self.limits.memory_bytes),
            root => Error::Execution(root.strip_backtrace()),
        }
    }
}

async fn execute(ctx: SessionContext, plan: LogicalPlan) -> datafusion::error::Result<(Arc<dyn ExecutionPlan>, Vec<datafusion::arrow::array::RecordBatch>)> {
    let physical = ctx.state().create_physical_plan(&plan).await?;
    let batches = collect(physical.clone(), ctx.task_ctx()).await?;
    Ok((physical, batches))
}

/// Aborts the query task when the caller stops waiting: on timeout, or when the
/// future of [`Hunter::run`] is dropped (an HTTP client went away).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keeps the first `n` rows.
fn cut(batches: &mut Vec<datafusion::arrow::array::RecordBatch>, n: usize) {
    let mut left = n;
    batches.retain_mut(|b| {
        if left == 0 {
            return false;
        }
        if b.num_rows() > left {
            *b = b.slice(0, left);
        }
        left -= b.num_rows();
        true
    });
}

/// Parquet bytes read by every scan of the plan.
fn bytes_scanned(plan: &Arc<dyn ExecutionPlan>) -> u64 {
    let own = plan.metrics().and_then(|m| m.sum_by_name("bytes_scanned")).map_or(0, |v| v.as_usize() as u64);
    own + plan.children().into_iter().map(bytes_scanned).sum::<u64>()
}
