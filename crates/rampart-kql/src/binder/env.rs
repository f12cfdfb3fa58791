//! Names bound by `let` (and by function parameters): a persistent linked list, so a lazy
//! binding can be bound later with exactly the names that were visible where it was written.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Rel, Typed};
use crate::syntax::ast;

/// What a `let` name stands for once bound.
#[derive(Clone)]
pub(crate) enum Bound {
    Scalar(Typed),
    Table(Rel),
}

pub(crate) enum Lazy {
    /// Not bound yet: the expression and the names visible where it was written.
    Pending(ast::Expr, Env),
    /// Being bound (a reference to itself would loop).
    Busy,
    Done(Bound),
}

pub(crate) enum Binding {
    /// A `let x = …` value, bound on first use so unused `let`s cost nothing.
    Lazy(RefCell<Lazy>),
    Value(Bound),
    /// A `let f = (…) { … }` function and the names visible where it was defined.
    Function(Rc<ast::FunctionDef>, Env),
}

pub(crate) struct EnvNode {
    pub name: String,
    pub binding: Binding,
    pub parent: Env,
}

/// The names visible at some point of a query, innermost first.
#[derive(Clone, Default)]
pub(crate) struct Env(Option<Rc<EnvNode>>);

impl Env {
    pub fn with(&self, name: impl Into<String>, binding: Binding) -> Env {
        Env(Some(Rc::new(EnvNode { name: name.into(), binding, parent: self.clone() })))
    }

    pub fn lookup(&self, name: &str) -> Option<Rc<EnvNode>> {
        let mut cur = self.0.clone();
        while let Some(node) = cur {
            if node.name == name {
                return Some(node);
            }
            cur = node.parent.0.clone();
        }
        None
    }
}
