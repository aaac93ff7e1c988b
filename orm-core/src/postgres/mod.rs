//! The PostgreSQL backend (feature `postgres`): the only module that names the
//! `postgres` crate.

mod connection;
mod dialect;
pub(crate) mod error;
pub(crate) mod introspect;
mod row;
#[cfg(test)]
mod tests;
mod value;

pub(crate) use connection::Connection;
pub(crate) use dialect::POSTGRES;
