use orm::prelude::*;

#[derive(Model)]
pub struct Author {
    pub id: i64,
}

fn main() {
    // Without annotate() the closure gets the field set, not (fields, annotations).
    let _ = Author::objects().filter(|(_, n)| n.gt(1));
}
