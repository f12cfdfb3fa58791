//! Syntax: text → tokens → tree. No names are resolved here.

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod script;
pub mod token;
