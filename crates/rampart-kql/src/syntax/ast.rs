//! The syntax tree. Every node carries the byte span it was parsed from. The tree says what
//! was written, not what it means: names are unresolved and types unchecked (the binder does that).

use super::token::Span;

/// A name as written (brackets and quotes of `['a b']` removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole query: statements separated by `;`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Let(LetStmt),
    /// A tabular (or scalar) expression whose result is returned.
    Expr(Expr),
    /// `set name [= value]`: a request property; accepted and ignored.
    Set { name: Ident, span: Span },
    /// `declare query_parameters(…)`.
    Declare { span: Span },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetStmt {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    Expr(Expr),
    /// `(params) { body }` or `view (params) { body }`.
    Function(FunctionDef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub params: Vec<Param>,
    pub body: Body,
    pub is_view: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: ParamType,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    Scalar(Ident),
    /// `(*)` or `(col:type, …)`: a tabular parameter.
    Tabular(Vec<(Ident, Ident)>),
}

/// The body of a function: local `let`s, then the result expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub lets: Vec<LetStmt>,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A column, a `let` name, a table or a parameter.
    Name(Ident),
    Literal(Literal),
    /// `dynamic(…)`.
    Dynamic(DynLit),
    Unary { op: UnaryOp, expr: Box<Expr> },
    Binary { op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all` and their list.
    ListPredicate { op: ListOp, expr: Box<Expr>, list: Vec<Expr> },
    Between { expr: Box<Expr>, low: Box<Expr>, high: Box<Expr>, negated: bool },
    Call { name: Ident, args: Vec<Expr> },
    Member { expr: Box<Expr>, name: Ident },
    Index { expr: Box<Expr>, index: Box<Expr> },
    /// `*` as a function argument (`arg_max(x, *)`).
    Star,
    /// `source | operator`.
    Pipe { input: Box<Expr>, op: Box<Operator> },
    Datatable { columns: Vec<(Ident, Ident)>, values: Vec<Expr> },
    Range { column: Ident, from: Box<Expr>, to: Box<Expr>, step: Box<Expr> },
    Print(Vec<NamedExpr>),
    Union(Union),
    Search(Search),
    /// `find [withsource=C] [in (tables)] where predicate [project …]`.
    Find(Find),
    /// `externaldata (schema) [urls] with (…)`.
    Externaldata { columns: Vec<(Ident, Ident)>, urls: Vec<Expr> },
    /// A query source Rampart recognises but cannot run (`find`, …): its name.
    UnsupportedSource(String),
    /// Left where a parse error was reported.
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Real(f64),
    String(String),
    /// Microseconds (Kusto ticks are 100 ns; Rampart stores time at microsecond precision).
    Timespan(i64),
    /// The raw text inside `datetime(…)`.
    Datetime(String),
    /// The raw text inside `guid(…)`.
    Guid(String),
    /// The raw text inside `timespan(…)` in `d.hh:mm:ss` form.
    RawTimespan(String),
}

/// A `dynamic(…)` literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum DynLit {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    String(String),
    Timespan(i64),
    Datetime(String),
    Array(Vec<DynLit>),
    Object(Vec<(String, DynLit)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    /// `=~`
    EqCi,
    /// `!~`
    NeCi,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Str(StrPredicate),
}

/// A string predicate operator such as `has`, `!contains_cs` or `matches regex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrPredicate {
    pub op: StrOp,
    pub negated: bool,
    pub case_sensitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    MatchesRegex,
    Like,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

/// `name = expr` or a bare `expr` in project, extend, summarize, print.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedExpr {
    /// Empty when no name was given; several for `(a, b) = …`.
    pub names: Vec<Ident>,
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    /// `Some(true)` for `desc`; Kusto's default is descending.
    pub desc: Option<bool>,
    pub nulls_first: Option<bool>,
}

/// `name=value` options such as `kind=inner` or `hint.strategy=shuffle`.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionArg {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub options: Vec<OptionArg>,
    pub tables: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub options: Vec<OptionArg>,
    pub tables: Vec<Expr>,
    pub predicate: Box<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Find {
    pub options: Vec<OptionArg>,
    pub tables: Vec<Expr>,
    pub predicate: Box<Expr>,
    /// `project a, b:string`: names with an optional type; `None` is `project-smart`.
    pub project: Option<Vec<(Ident, Option<Ident>)>>,
    /// `project …, pack_all()`.
    pub pack_all: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub span: Span,
}

/// A name pattern in project-away / project-keep / project-reorder (`Init*`).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnPattern {
    pub pattern: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ParseElem {
    Star,
    Literal(String),
    Column { name: Ident, ty: Option<Ident> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MvExpandItem {
    pub name: Option<Ident>,
    pub expr: Expr,
    pub to_type: Option<Ident>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OperatorKind {
    Where(Expr),
    Project(Vec<NamedExpr>),
    ProjectAway(Vec<ColumnPattern>),
    ProjectKeep(Vec<ColumnPattern>),
    /// `new = old` pairs.
    ProjectRename(Vec<(Ident, Ident)>),
    ProjectReorder(Vec<(ColumnPattern, Option<bool>)>),
    Extend(Vec<NamedExpr>),
    Summarize { options: Vec<OptionArg>, aggs: Vec<NamedExpr>, by: Vec<NamedExpr> },
    Top { count: Expr, by: Vec<SortKey> },
    Take(Expr),
    Sort(Vec<SortKey>),
    /// Empty means `distinct *`.
    Distinct(Vec<NamedExpr>),
    Count,
    Join { options: Vec<OptionArg>, right: Expr, on: Vec<Expr> },
    Lookup { options: Vec<OptionArg>, right: Expr, on: Vec<Expr> },
    MvExpand { options: Vec<OptionArg>, items: Vec<MvExpandItem>, limit: Option<Expr> },
    MvApply { options: Vec<OptionArg>, items: Vec<MvExpandItem>, subquery: Vec<Operator> },
    Parse { options: Vec<OptionArg>, source: Expr, pattern: Vec<ParseElem>, filter: bool },
    Evaluate { options: Vec<OptionArg>, call: Expr },
    Render { chart: Ident, properties: Vec<OptionArg> },
    Invoke(Expr),
    As(Ident),
    Union(Union),
    Search(Search),
    Getschema,
    Serialize(Vec<NamedExpr>),
    Sample(Expr),
    /// `partition by column (subquery)`: the subquery runs on each partition.
    Partition { by: Expr, subquery: Vec<Operator> },
    /// `top-nested [N] of [name =] expr [with others = v] by [name =] aggregate [asc|desc], …`.
    TopNested(Vec<TopNestedLevel>),
    /// `make-series [name =] aggregate [default = v], … on axis [from a] [to b] step s [by …]`
    /// (or `on axis in range(a, b, s)`).
    MakeSeries(Box<MakeSeries>),
    /// An operator Rampart knows by name but cannot run yet.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopNestedLevel {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<Expr>,
    pub by: NamedExpr,
    pub desc: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MakeSeries {
    /// `kind = …`, `hint.… = …`.
    pub options: Vec<OptionArg>,
    /// Each aggregate with its `default =` value.
    pub aggs: Vec<(NamedExpr, Option<Expr>)>,
    pub axis: Expr,
    pub from: Option<Expr>,
    pub to: Option<Expr>,
    pub step: Expr,
    /// Written as `in range(from, to, step)`: `to` is inclusive and bins are aligned like
    /// `bin()` rather than at `from`.
    pub range_syntax: bool,
    pub by: Vec<NamedExpr>,
}

impl Expr {
    /// Calls `f` on this expression and every scalar sub-expression (not inside pipes or
    /// other tabular sources).
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Unary { expr, .. } => expr.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::ListPredicate { expr, list, .. } => {
                expr.walk(f);
                for e in list {
                    e.walk(f);
                }
            }
            ExprKind::Between { expr, low, high, .. } => {
                expr.walk(f);
                low.walk(f);
                high.walk(f);
            }
            ExprKind::Call { args, .. } => {
                for a in args {
                    a.walk(f);
                }
            }
            ExprKind::Member { expr, .. } => expr.walk(f),
            ExprKind::Index { expr, index } => {
                expr.walk(f);
                index.walk(f);
            }
            _ => {}
        }
    }
}
