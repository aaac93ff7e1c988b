use orm::prelude::*;

#[derive(Model)]
#[orm(primary_key(tenant_id, numbr))]
pub struct Invoice {
    pub tenant_id: i64,
    pub number: i64,
}

fn main() {}
