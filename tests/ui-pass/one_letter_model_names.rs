// Models may have the names the generated code could use for its own generics.
use orm::prelude::*;
use orm::{ForeignKey, HasMany};

#[derive(Model, Debug)]
pub struct C {
    pub id: i64,
    #[orm(related)]
    pub ts: HasMany<T>,
}

#[derive(Model, Debug)]
pub struct T {
    pub id: i64,
    pub c: ForeignKey<C>,
    pub m: Option<ForeignKey<M>>,
}

#[derive(Model, Debug)]
pub struct M {
    pub id: i64,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(C, T, M)>()?;
    let c = C::objects().create(&db, NewC {})?;
    T::objects().create(&db, NewT { c: (&c).into(), m: None })?;
    assert_eq!(T::objects().filter(|t| t.c().id.eq(c.id)).count(&db)?, 1);
    assert_eq!(C::objects().prefetch_related(|c| c.ts()).all(&db)?[0].ts.get()?.len(), 1);
    Ok(())
}
