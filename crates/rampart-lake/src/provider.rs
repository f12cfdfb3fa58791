//! DataFusion's view of a lake table: hot batches and Parquet files as one scan.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, ScalarValue, project_schema};
use datafusion::config::TableParquetOptions;
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Between, BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::union::UnionExec;

use crate::manifest::FileEntry;
use crate::storage::Storage;
use crate::table::TableState;

#[derive(Debug)]
pub struct LakeTable {
    state: Arc<TableState>,
    storage: Storage,
}

impl std::fmt::Debug for TableState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableState").field("table", &self.table.name).finish()
    }
}

impl LakeTable {
    pub fn new(state: Arc<TableState>, storage: Storage) -> Self {
        LakeTable { state, storage }
    }
}

#[async_trait]
impl TableProvider for LakeTable {
    fn schema(&self) -> SchemaRef {
        self.state.table.storage_schema().clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> DfResult<Vec<TableProviderFilterPushDown>> {
        // Filters prune files and row groups, but DataFusion still applies them to rows.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let schema = self.schema();
        let snapshot = self.state.snapshot();
        let partitions = state.config_options().execution.target_partitions.max(1);
        let filters: Vec<Expr> = filters.iter().cloned().map(unqualify).collect::<DfResult<_>>()?;
        let (lo, hi) = time_bounds(&filters);
        let files: Vec<&FileEntry> =
            snapshot.files.iter().filter(|f| lo.is_none_or(|lo| f.max_time >= lo) && hi.is_none_or(|hi| f.min_time <= hi)).collect();

        let mut children: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        if !files.is_empty() {
            let mut groups: Vec<Vec<PartitionedFile>> = vec![Vec::new(); partitions.min(files.len())];
            let mut sizes = vec![0u64; groups.len()];
            let mut by_size = files.clone();
            by_size.sort_by_key(|f| std::cmp::Reverse(f.bytes));
            for f in by_size {
                // Largest first into the lightest group keeps partitions balanced.
                let g = (0..sizes.len()).min_by_key(|&i| sizes[i]).unwrap_or(0);
                sizes[g] += f.bytes;
                groups[g].push(PartitionedFile::new(f.path.clone(), f.bytes));
            }
            let options = TableParquetOptions { global: state.config_options().execution.parquet.clone(), ..Default::default() };
            let mut source = ParquetSource::new(schema.clone()).with_table_parquet_options(options);
            if let Some(predicate) = conjunction(filters.clone()) {
                let df_schema = DFSchema::try_from(schema.clone())?;
                source = source.with_predicate(state.create_physical_expr(predicate, &df_schema)?);
            }
            let config = FileScanConfigBuilder::new(self.storage.url.clone(), Arc::new(source))
                .with_file_groups(groups.into_iter().map(FileGroup::new).collect())
                .with_projection_indices(projection.cloned())?
                .with_limit(limit)
                .build();
            children.push(DataSourceExec::from_data_source(config));
        }
        if !snapshot.hot.is_empty() {
            let n = partitions.min(snapshot.hot.len());
            let mut parts = vec![Vec::new(); n];
            for (i, b) in snapshot.hot.into_iter().enumerate() {
                parts[i % n].push(b);
            }
            let mut source = MemorySourceConfig::try_new(&parts, schema.clone(), projection.cloned())?;
            source = source.with_limit(limit);
            children.push(DataSourceExec::from_data_source(source));
        }
        Ok(match children.len() {
            0 => Arc::new(EmptyExec::new(project_schema(&schema, projection)?)),
            1 => children.remove(0),
            _ => UnionExec::try_new(children)?,
        })
    }
}

/// Drops table qualifiers so filters resolve against the provider's own schema.
fn unqualify(expr: Expr) -> DfResult<Expr> {
    expr.transform(|e| {
        Ok(match e {
            Expr::Column(c) if c.relation.is_some() => Transformed::yes(Expr::Column(Column::new_unqualified(c.name))),
            other => Transformed::no(other),
        })
    })
    .map(|t| t.data)
}

/// The inclusive `Timestamp` range that conjunctive filters allow, in µs, used to
/// skip whole files by their manifest min/max times.
pub(crate) fn time_bounds(filters: &[Expr]) -> (Option<i64>, Option<i64>) {
    let mut lo: Option<i64> = None;
    let mut hi: Option<i64> = None;
    let mut raise = |v: i64| lo = Some(lo.map_or(v, |l| l.max(v)));
    let mut lower = |v: i64| hi = Some(hi.map_or(v, |h| h.min(v)));
    let mut stack: Vec<&Expr> = filters.iter().collect();
    while let Some(e) = stack.pop() {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op: Operator::And, right }) => {
                stack.push(left);
                stack.push(right);
            }
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                let (op, value) = match (is_timestamp(left), micros(right), is_timestamp(right), micros(left)) {
                    (true, Some(v), _, _) => (*op, v),
                    (_, _, true, Some(v)) => match op.swap() {
                        Some(op) => (op, v),
                        None => continue,
                    },
                    _ => continue,
                };
                match op {
                    Operator::Gt | Operator::GtEq => raise(value),
                    Operator::Lt | Operator::LtEq => lower(value),
                    Operator::Eq => {
                        raise(value);
                        lower(value);
                    }
                    _ => {}
                }
            }
            Expr::Between(Between { expr, negated: false, low, high }) if is_timestamp(expr) => {
                if let Some(v) = micros(low) {
                    raise(v);
                }
                if let Some(v) = micros(high) {
                    lower(v);
                }
            }
            _ => {}
        }
    }
    (lo, hi)
}

fn is_timestamp(e: &Expr) -> bool {
    match e {
        Expr::Column(c) => c.name == "Timestamp",
        Expr::Cast(c) => is_timestamp(&c.expr),
        _ => false,
    }
}

/// A timestamp literal in µs (rounded outwards is not needed: bounds are inclusive
/// and only used to skip files that cannot match).
fn micros(e: &Expr) -> Option<i64> {
    let Expr::Literal(v, _) = e else { return None };
    match v {
        ScalarValue::TimestampSecond(Some(s), _) => s.checked_mul(1_000_000),
        ScalarValue::TimestampMillisecond(Some(ms), _) => ms.checked_mul(1_000),
        ScalarValue::TimestampMicrosecond(Some(us), _) => Some(*us),
        ScalarValue::TimestampNanosecond(Some(ns), _) => Some(ns.div_euclid(1_000)),
        _ => None,
    }
}
