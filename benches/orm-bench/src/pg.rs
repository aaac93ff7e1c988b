//! A PostgreSQL schema of its own for one fixture: created when the fixture is built,
//! dropped (with its tables) when the fixture drops.

use crate::harness::{pg_schema_name, pg_schema_url};

pub struct Schema {
    admin: postgres::Client,
    name: String,
    /// The server's URL with `search_path` set to this schema.
    pub url: String,
}

impl Schema {
    pub fn create(server: &str) -> Schema {
        let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("connect to PostgreSQL");
        let name = pg_schema_name();
        admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}")).expect("schema");
        let url = pg_schema_url(server, &name);
        Schema { admin, name, url }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}
