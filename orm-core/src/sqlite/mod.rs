//! The SQLite backend: the only module that names rusqlite.

mod connection;
mod dialect;
pub(crate) mod error;
mod functions;
pub(crate) mod introspect;
mod row;
#[cfg(test)]
mod tests;
mod value;

pub(crate) use connection::Connection;
pub(crate) use dialect::SQLITE;
