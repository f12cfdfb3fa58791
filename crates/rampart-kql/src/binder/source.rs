//! Query sources: tables, `let` names, function calls, `datatable`, `range`, `print`,
//! `union` and `search`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{Column, ScalarValue, TableReference};
use datafusion::datasource::provider_as_source;
use datafusion::functions_table::generate_series::{GenSeriesArgs, GenerateSeriesTable};
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{Expr, LogicalPlanBuilder, cast, lit};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;

use super::expr::Scope;
use super::lower::{self, null_of, str_lit};
use super::rel::{Col, Rel, col, represents, unique_name, wildcard_match};
use super::{BResult, Binder, Binding, Bound, Env, Lazy, Typed, df, err};
use crate::syntax::ast::{self, ExprKind, ParamType};
use crate::types::KustoType;

/// Arrow field metadata key that declares the Kusto type of a column of a table that is not
/// in the Defender catalog (for example `dynamic` for a Utf8 column of JSON text).
pub const KQL_TYPE_METADATA: &str = "kql_type";

/// Renamed Defender tables: old name → current name.
pub(crate) const LEGACY_TABLES: &[(&str, &str)] =
    &[("AADSignInEventsBeta", "EntraIdSignInEvents"), ("AADSpnSignInEventsBeta", "EntraIdSpnSignInEvents")];

impl<'a> Binder<'a> {
    /// Whether `e` denotes a table rather than a scalar.
    pub fn is_tabular(&self, e: &ast::Expr, env: &Env) -> bool {
        match &e.kind {
            ExprKind::Pipe { .. }
            | ExprKind::Datatable { .. }
            | ExprKind::Range { .. }
            | ExprKind::Print(_)
            | ExprKind::Union(_)
            | ExprKind::Search(_)
            | ExprKind::Externaldata { .. }
            | ExprKind::Find(_)
            | ExprKind::UnsupportedSource(_) => true,
            ExprKind::Name(id) => match env.lookup(&id.name) {
                Some(node) => match &node.binding {
                    Binding::Value(b) => matches!(b, Bound::Table(_)),
                    Binding::Lazy(cell) => match &*cell.borrow() {
                        Lazy::Done(b) => matches!(b, Bound::Table(_)),
                        Lazy::Pending(e, env) => self.is_tabular(e, env),
                        Lazy::Busy => false,
                    },
                    Binding::Function(def, _) => def.params.is_empty() && function_is_tabular(def, self, env),
                },
                None => self.table_name(&id.name).is_some(),
            },
            ExprKind::Call { name, .. } => match name.name.as_str() {
                "materialize" | "view" | "table" => true,
                other => match env.lookup(other) {
                    Some(node) => match &node.binding {
                        Binding::Function(def, fenv) => function_is_tabular(def, self, fenv),
                        _ => false,
                    },
                    None => false,
                },
            },
            _ => false,
        }
    }

    /// The session name of a table called `name` (legacy names map to current ones).
    pub fn table_name(&self, name: &str) -> Option<String> {
        if self.tables.providers.contains_key(name) {
            return Some(name.to_string());
        }
        LEGACY_TABLES
            .iter()
            .find(|(old, _)| *old == name)
            .map(|(_, new)| new.to_string())
            .filter(|n| self.tables.providers.contains_key(n))
    }

    pub fn bind_tabular(&mut self, e: &ast::Expr, env: &Env) -> BResult<Rel> {
        match &e.kind {
            ExprKind::Name(id) => self.bind_table_name(&id.name, &e.span, env),
            ExprKind::Pipe { input, op } => {
                let rel = self.bind_tabular(input, env)?;
                self.apply_op(rel, op, env)
            }
            ExprKind::Datatable { columns, values } => self.datatable(columns, values, env, &e.span),
            ExprKind::Range { column, from, to, step } => self.range(column, from, to, step, env, &e.span),
            ExprKind::Print(items) => {
                let base = Rel { plan: df(&e.span, LogicalPlanBuilder::empty(true).build())?, cols: Vec::new() };
                self.print(base, items, env, &e.span)
            }
            ExprKind::Union(u) => self.union(None, u, env, &e.span),
            ExprKind::Search(s) => self.search(None, s, env, &e.span),
            ExprKind::Externaldata { .. } => {
                err(&e.span, "externaldata is not supported: Rampart does not download data from URLs during a query")
            }
            ExprKind::Find(f) => self.find(f, env, &e.span),
            ExprKind::UnsupportedSource(name) => err(&e.span, format!("`{name}` is not supported yet")),
            ExprKind::Call { name, args } => self.tabular_call(name, args, env, &e.span),
            _ => err(&e.span, "expected a tabular expression (a table, a `let` name or a query in parentheses)"),
        }
    }

    fn bind_table_name(&mut self, name: &str, span: &Range<usize>, env: &Env) -> BResult<Rel> {
        if let Some(node) = env.lookup(name) {
            if let Binding::Function(def, fenv) = &node.binding {
                let (def, fenv) = (def.clone(), fenv.clone());
                return match self.call_function(&def, &fenv, &[], None, &Scope::empty(env.clone()), span)? {
                    Bound::Table(rel) => Ok(rel),
                    Bound::Scalar(_) => err(span, format!("`{name}` is a scalar function, not a table")),
                };
            }
            return match self.force(&node, span)? {
                Bound::Table(rel) => Ok(rel),
                Bound::Scalar(_) => err(span, format!("`{name}` is a scalar value, not a table")),
            };
        }
        match self.table_name(name) {
            Some(real) => self.scan(&real, span),
            None => err(span, format!("unknown table `{name}`")),
        }
    }

    /// Scans a session table; its columns get Kusto types from the Defender catalog when
    /// the table is a Defender table, else from their Arrow types.
    pub fn scan(&mut self, name: &str, span: &Range<usize>) -> BResult<Rel> {
        let Some(provider) = self.tables.providers.get(name).cloned() else {
            return err(span, format!("unknown table `{name}`"));
        };
        let schema = provider.schema();
        let table = rampart_schema::catalog().table(name);
        let qualifier = TableReference::bare(name);
        let plan = df(span, LogicalPlanBuilder::scan(qualifier.clone(), provider_as_source(provider), None))?;
        let mut exprs = Vec::new();
        let mut cols = Vec::new();
        for field in schema.fields() {
            let fname = field.name();
            let hidden = fname.starts_with('$');
            let ty = match (fname.as_str(), table.and_then(|t| t.column(fname))) {
                (rampart_schema::INGESTION_TIME, _) => KustoType::DateTime,
                (rampart_schema::RAW, _) => KustoType::Dynamic,
                (_, Some((_, c))) => KustoType::from_column_type(c.kind),
                _ => match field.metadata().get(KQL_TYPE_METADATA).and_then(|t| KustoType::from_name(t)) {
                    Some(t) => t,
                    None => KustoType::from_arrow(field.data_type()),
                },
            };
            let e = Expr::Column(Column::new(Some(qualifier.clone()), fname.clone()));
            let e = if represents(ty, field.data_type()) { e } else { cast(e, ty.arrow()) };
            exprs.push(e.alias(fname));
            cols.push(Col { name: fname.clone(), ty, hidden });
        }
        let plan = df(span, plan.project(exprs).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols })
    }

    fn tabular_call(&mut self, name: &ast::Ident, args: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        match name.name.as_str() {
            "materialize" | "view" => match args {
                [a] => self.bind_tabular(a, env),
                _ => err(span, format!("{}() expects one tabular argument", name.name)),
            },
            "table" => match args {
                [ast::Expr { kind: ExprKind::Literal(ast::Literal::String(t)), span: s }] => self.bind_table_name(t, s, env),
                _ => err(span, "table() expects a table name string"),
            },
            other => {
                let Some(node) = env.lookup(other) else {
                    return err(&name.span, format!("unknown function `{other}`"));
                };
                let Binding::Function(def, fenv) = &node.binding else {
                    return err(&name.span, format!("`{other}` is not a function"));
                };
                let (def, fenv) = (def.clone(), fenv.clone());
                match self.call_function(&def, &fenv, args, None, &Scope::empty(env.clone()), span)? {
                    Bound::Table(rel) => Ok(rel),
                    Bound::Scalar(_) => err(span, format!("`{other}()` returns a scalar, not a table")),
                }
            }
        }
    }

    /// Calls a user function: binds arguments (the input of `invoke` first), then the body
    /// with the parameters and the function's local `let`s in scope.
    pub fn call_function(
        &mut self,
        def: &ast::FunctionDef,
        fenv: &Env,
        args: &[ast::Expr],
        invoke_input: Option<Rel>,
        caller: &Scope<'_>,
        span: &Range<usize>,
    ) -> BResult<Bound> {
        let mut env = fenv.clone();
        let mut args_iter = args.iter();
        let mut input = invoke_input;
        for p in &def.params {
            let bound = match &p.ty {
                ParamType::Tabular(_) => {
                    if let Some(rel) = input.take() {
                        Bound::Table(rel)
                    } else if let Some(a) = args_iter.next() {
                        Bound::Table(self.bind_tabular(a, &caller.env)?)
                    } else {
                        return err(span, format!("missing the tabular argument `{}`", p.name.name));
                    }
                }
                ParamType::Scalar(ty) => {
                    let t = match (args_iter.next(), &p.default) {
                        (Some(a), _) => self.bind_scalar(a, caller)?,
                        (None, Some(d)) => self.bind_scalar(d, &Scope::empty(fenv.clone()))?,
                        (None, None) => return err(span, format!("missing the argument `{}`", p.name.name)),
                    };
                    let t = match KustoType::from_name(&ty.name) {
                        Some(k) if k != t.ty && !(k.is_numeric() && t.ty.is_numeric()) => Typed::new(lower::convert(&t, k), k),
                        _ => t,
                    };
                    Bound::Scalar(t)
                }
            };
            env = env.with(&p.name.name, Binding::Value(bound));
        }
        if args_iter.next().is_some() {
            return err(span, "too many arguments for this function");
        }
        for l in &def.body.lets {
            env = self.bind_let(&env, l);
        }
        if self.is_tabular(&def.body.expr, &env) {
            return Ok(Bound::Table(self.bind_tabular(&def.body.expr, &env)?));
        }
        let scope = Scope { cols: caller.cols, locals: caller.locals.clone(), env, agg: caller.agg, join: caller.join };
        Ok(Bound::Scalar(self.bind_scalar(&def.body.expr, &scope)?))
    }

    fn datatable(&mut self, columns: &[(ast::Ident, ast::Ident)], values: &[ast::Expr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut cols = Vec::new();
        for (name, ty) in columns {
            let Some(k) = KustoType::from_name(&ty.name) else {
                return err(&ty.span, format!("unknown type `{}`", ty.name));
            };
            cols.push(Col::new(&name.name, k));
        }
        if cols.is_empty() {
            return err(span, "datatable needs at least one column");
        }
        if !values.len().is_multiple_of(cols.len()) {
            return err(span, format!("datatable has {} values, which is not a multiple of its {} columns", values.len(), cols.len()));
        }
        let scope = Scope::empty(env.clone());
        let mut rows = Vec::new();
        for chunk in values.chunks(cols.len()) {
            let mut row = Vec::new();
            for (v, c) in chunk.iter().zip(&cols) {
                let t = self.bind_scalar(v, &scope)?;
                let e = if t.ty == c.ty || (t.ty.is_stringy() && c.ty.is_stringy()) { t.expr } else { lower::convert(&t, c.ty) };
                row.push(cast(e, c.ty.arrow()));
            }
            rows.push(row);
        }
        let builder = if rows.is_empty() {
            let nulls: Vec<Expr> = cols.iter().enumerate().map(|(i, c)| null_of(c.ty).alias(format!("column{}", i + 1))).collect();
            df(span, LogicalPlanBuilder::empty(false).project(nulls))?
        } else {
            df(span, LogicalPlanBuilder::values(rows))?
        };
        let fields: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        let exprs: Vec<Expr> = fields.iter().zip(&cols).map(|(f, c)| cast(col(f), c.ty.arrow()).alias(&c.name)).collect();
        let plan = df(span, builder.project(exprs).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols })
    }

    fn range(&mut self, column: &ast::Ident, from: &ast::Expr, to: &ast::Expr, step: &ast::Expr, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let scope = Scope::empty(env.clone());
        let f = self.bind_scalar(from, &scope)?;
        let t = self.bind_scalar(to, &scope)?;
        let s = self.bind_scalar(step, &scope)?;
        let ty = f.ty;
        let as_i64 = |x: Typed| cast(x.expr, DataType::Int64);
        match ty {
            KustoType::Long | KustoType::Int | KustoType::DateTime | KustoType::Timespan => {}
            other => return err(span, format!("range over values of type {other} is not supported yet")),
        }
        let (f, t, s) = (as_i64(f), as_i64(t), as_i64(s));
        let b = match (constant_i64(&f), constant_i64(&t), constant_i64(&s)) {
            (Some(_), Some(_), Some(Some(0))) => return err(&step.span, "range step must not be zero"),
            // Constant bounds (the usual case): batches produced one at a time as they are
            // read, so a long range is neither held in memory nor uncancellable.
            (Some(start), Some(end), Some(step)) => {
                let args = match (start, end, step) {
                    (Some(start), Some(end), Some(step)) => GenSeriesArgs::Int64Args { start, end, step, include_end: true, name: "range" },
                    _ => GenSeriesArgs::ContainsNull { name: "range" },
                };
                let schema = Arc::new(Schema::new(vec![Field::new("__range", DataType::Int64, false)]));
                let table = Arc::new(GenerateSeriesTable::new(schema, args));
                df(span, LogicalPlanBuilder::scan("__range", provider_as_source(table), None))?
            }
            _ => {
                let series = datafusion::functions_nested::expr_fn::gen_series(f, t, s);
                let b = df(span, LogicalPlanBuilder::empty(true).project(vec![series.alias("__range")]))?;
                df(span, b.unnest_column("__range"))?
            }
        };
        let out_ty = if ty == KustoType::Int { KustoType::Long } else { ty };
        let value = cast(col("__range"), out_ty.arrow()).alias(&column.name);
        let plan = df(span, b.project(vec![value]).and_then(|b| b.build()))?;
        Ok(Rel { plan, cols: vec![Col::new(&column.name, out_ty)] })
    }

    pub fn print(&mut self, base: Rel, items: &[ast::NamedExpr], env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut out = Vec::new();
        let mut taken = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let scope = Scope::rows(&base.cols, env.clone());
            let t = self.bind_scalar(&item.expr, &scope)?;
            let name = match item.names.first() {
                Some(n) => n.name.clone(),
                None => super::project::infer_name(&item.expr).unwrap_or_else(|| format!("print_{i}")),
            };
            let name = unique_name(&name, &taken);
            taken.insert(name.clone());
            out.push((name, t, false));
        }
        base.project(out, span)
    }

    /// `union` as a source (`input` is None) or as an operator.
    pub fn union(&mut self, input: Option<Rel>, u: &ast::Union, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut kind_inner = false;
        let mut source_col = None;
        let mut fuzzy = false;
        for o in &u.options {
            let v = option_text(&o.value);
            match o.name.name.as_str() {
                "kind" => kind_inner = v == "inner",
                "withsource" => source_col = Some(v),
                "isfuzzy" => fuzzy = v == "true",
                _ => {}
            }
        }
        let mut inputs: Vec<(String, Rel)> = Vec::new();
        if let Some(rel) = input {
            inputs.push(("union_arg0".into(), rel));
        }
        for t in &u.tables {
            if let ExprKind::Name(id) = &t.kind
                && id.name.contains('*') {
                    let mut names: Vec<String> = self.tables.names.iter().filter(|n| wildcard_match(&id.name, n)).cloned().collect();
                    names.sort();
                    for n in names {
                        let rel = self.scan(&n, &t.span)?;
                        inputs.push((n, rel));
                    }
                    continue;
                }
            let label = match &t.kind {
                ExprKind::Name(id) => id.name.clone(),
                _ => format!("union_arg{}", inputs.len()),
            };
            match self.bind_tabular(t, env) {
                Ok(rel) => inputs.push((label, rel)),
                Err(e) if fuzzy && matches!(t.kind, ExprKind::Name(_)) => drop(e),
                Err(e) => return Err(e),
            }
        }
        if inputs.is_empty() {
            return err(span, "union has no tables to combine");
        }
        union_all(inputs, kind_inner, source_col, span)
    }

    /// `search`: rows of the given tables (all tables when none) where the predicate holds;
    /// a bare string matches any string column that has it as a term.
    pub fn search(&mut self, input: Option<Rel>, s: &ast::Search, env: &Env, span: &Range<usize>) -> BResult<Rel> {
        let mut inputs: Vec<(String, Rel)> = Vec::new();
        match input {
            Some(rel) => inputs.push(("".into(), rel)),
            None if s.tables.is_empty() => {
                let mut names = self.tables.names.clone();
                names.sort();
                for n in names {
                    let rel = self.scan(&n, span)?;
                    inputs.push((n, rel));
                }
            }
            None => {
                for t in &s.tables {
                    let label = match &t.kind {
                        ExprKind::Name(id) => id.name.clone(),
                        _ => format!("union_arg{}", inputs.len()),
                    };
                    inputs.push((label, self.bind_tabular(t, env)?));
                }
            }
        }
        let single = inputs.len() == 1 && inputs[0].0.is_empty();
        let mut filtered = Vec::new();
        for (label, rel) in inputs {
            let scope = Scope::rows(&rel.cols, env.clone());
            let cond = match &s.predicate.kind {
                ExprKind::Literal(ast::Literal::String(term)) => {
                    let parts: Vec<Expr> = rel
                        .visible()
                        .filter(|c| c.ty.is_stringy() || c.ty == KustoType::Dynamic)
                        .map(|c| lower::udf("kql_has", vec![col(&c.name), str_lit(term)]))
                        .collect();
                    parts.into_iter().reduce(Expr::or).unwrap_or(lit(false))
                }
                _ => match self.bind_condition(&s.predicate, &scope) {
                    Ok(t) => t.expr,
                    Err(e) if !single => {
                        drop(e);
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            let plan = df(span, LogicalPlanBuilder::from(rel.plan.clone()).filter(cond).and_then(|b| b.build()))?;
            filtered.push((label, rel.with_plan(plan)));
        }
        if single {
            return filtered.pop().map(|(_, r)| r).ok_or_else(|| super::BindError::At { span: span.clone(), message: "search found no table".into() });
        }
        if filtered.is_empty() {
            return err(span, "no table has the columns this search refers to");
        }
        union_all(filtered, false, Some("$table".into()), span)
    }
}

/// The value of an Int64 expression that needs no row (`Some(None)` for null), folded by
/// DataFusion's simplifier; None when it is not constant.
fn constant_i64(e: &Expr) -> Option<Option<i64>> {
    let folded = ExprSimplifier::new(SimplifyContext::default()).simplify(e.clone()).ok()?;
    match lower::literal(&folded)? {
        ScalarValue::Int64(v) => Some(*v),
        ScalarValue::Null => Some(None),
        _ => None,
    }
}

fn function_is_tabular(def: &ast::FunctionDef, b: &Binder<'_>, env: &Env) -> bool {
    if let ExprKind::Name(id) = &def.body.expr.kind
        && def.params.iter().any(|p| p.name.name == id.name && matches!(p.ty, ParamType::Tabular(_))) {
            return true;
        }
    let mut env = env.clone();
    for l in &def.body.lets {
        if let ast::LetValue::Expr(e) = &l.value {
            env = env.with(&l.name.name, Binding::Lazy(std::cell::RefCell::new(Lazy::Pending(e.clone(), env.clone()))));
        }
    }
    b.is_tabular(&def.body.expr, &env)
}

/// The text of an option value (`kind=inner`, `withsource=T`).
pub(crate) fn option_text(e: &ast::Expr) -> String {
    match &e.kind {
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::Literal(ast::Literal::String(s)) => s.clone(),
        ExprKind::Literal(ast::Literal::Bool(b)) => b.to_string(),
        ExprKind::Literal(ast::Literal::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

/// Combines relations by column name (outer by default); a name with several types becomes
/// one column per type (`x_long`, `x_string`), as in Kusto.
pub(crate) fn union_all(inputs: Vec<(String, Rel)>, inner: bool, source_col: Option<String>, span: &Range<usize>) -> BResult<Rel> {
    let mut order: Vec<(String, KustoType)> = Vec::new();
    let mut types_of: HashMap<String, Vec<KustoType>> = HashMap::new();
    for (_, rel) in &inputs {
        for c in rel.visible() {
            let tys = types_of.entry(c.name.clone()).or_default();
            if !tys.contains(&c.ty) {
                tys.push(c.ty);
                order.push((c.name.clone(), c.ty));
            }
        }
    }
    if inner {
        order.retain(|(n, t)| inputs.iter().all(|(_, r)| r.visible().any(|c| &c.name == n && c.ty == *t)));
    }
    let out_name = |n: &str, t: KustoType| if types_of[n].len() > 1 { format!("{n}_{}", t.name()) } else { n.to_string() };
    let hidden: Vec<Col> = match inputs.first() {
        Some((_, first)) => first
            .cols
            .iter()
            .filter(|c| c.hidden && inputs.iter().all(|(_, r)| r.cols.iter().any(|x| x.name == c.name && x.ty == c.ty)))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let mut cols = Vec::new();
    if let Some(s) = &source_col {
        cols.push(Col::new(s, KustoType::String));
    }
    for (n, t) in &order {
        cols.push(Col::new(out_name(n, *t), *t));
    }
    cols.extend(hidden.iter().cloned());
    let mut plans = Vec::new();
    for (label, rel) in inputs {
        let mut items = Vec::new();
        if let Some(s) = &source_col {
            items.push((s.clone(), Typed::new(str_lit(&label), KustoType::String), false));
        }
        for (n, t) in &order {
            let value = match rel.cols.iter().find(|c| &c.name == n && c.ty == *t && !c.hidden) {
                Some(c) => Typed::new(col(&c.name), c.ty),
                None => Typed::new(null_of(*t), *t),
            };
            items.push((out_name(n, *t), value, false));
        }
        for h in &hidden {
            items.push((h.name.clone(), Typed::new(col(&h.name), h.ty), true));
        }
        plans.push(rel.project(items, span)?.plan);
    }
    let mut it = plans.into_iter();
    let Some(first) = it.next() else { return err(span, "union has no inputs") };
    let mut b = LogicalPlanBuilder::from(first);
    for p in it {
        b = df(span, b.union(p))?;
    }
    Ok(Rel { plan: df(span, b.build())?, cols })
}
