// A tuple holds up to 12 models; more are listed as nested tuples.
use orm::prelude::*;

macro_rules! models {
    ($($name:ident)*) => {$(
        #[derive(Model)]
        pub struct $name {
            pub id: i64,
        }
    )*};
}
models!(M1 M2 M3 M4 M5 M6 M7 M8 M9 M10 M11 M12 M13);

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(M1, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M12, M13)>()?;
    Ok(())
}
