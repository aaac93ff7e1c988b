//! A PostgreSQL schema of its own for one fixture: created when the fixture is built,
//! dropped (with its tables) when the fixture drops.

use crate::harness::{pg_cpu, pg_schema_name, pg_schema_url, pin};

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

    /// Pins the server processes of the fixture's connections (found by their
    /// `application_name`, the schema's name) to the benchmark's CPU ([`pg_cpu`]).
    pub fn pin_backends(&mut self) {
        let Some(cpu) = pg_cpu() else { return };
        let rows = self
            .admin
            .query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", &[&self.name])
            .expect("pg_stat_activity");
        for row in rows {
            pin(row.get::<_, i32>(0) as u32, cpu);
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}
