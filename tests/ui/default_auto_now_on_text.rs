use orm::prelude::*;

#[derive(Model, Debug)]
struct Post {
    id: i64,
    // The current time is not text: auto_now needs a chrono type (feature `chrono`).
    #[orm(auto_now)]
    updated: String,
    #[orm(auto_now_add, default = 0)]
    created: i64,
}

fn main() {}
