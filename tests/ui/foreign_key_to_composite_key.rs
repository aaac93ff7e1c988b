use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model)]
#[orm(primary_key(tenant_id, number))]
pub struct Invoice {
    pub tenant_id: i64,
    pub number: i64,
}

#[derive(Model)]
pub struct Payment {
    pub id: i64,
    pub invoice: ForeignKey<Invoice>,
}

fn main() {}
