//! Composite primary keys (Django 5.2's CompositePrimaryKey).

#[path = "support/backends.rs"]
mod backends;
use orm::prelude::*;
use orm::ForeignKey;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(primary_key(tenant, number))]
pub struct Invoice {
    pub tenant: ForeignKey<Tenant>,
    pub number: i64,
    pub total_cents: i64,
}

/// The tables and two tenants on a test's database.
fn setup(db: &Db) -> orm::Result<(Tenant, Tenant)> {
    db.create_tables::<(Tenant, Invoice)>()?;
    let a = Tenant::objects().create(db, NewTenant { name: "a".into() })?;
    let b = Tenant::objects().create(db, NewTenant { name: "b".into() })?;
    Ok((a, b))
}

backend_tests! {
    fn the_table_has_a_composite_primary_key(db) {
        let (a, b) = setup(db)?;
        let ddl = db.capture(|| db.create_tables::<(Invoice,)>())?;
        assert!(ddl.queries.iter().any(|q| q.sql.contains("PRIMARY KEY (\"tenant_id\", \"number\")")), "{:?}", ddl.queries);
        // The same number under two tenants is fine; twice under one is not.
        Invoice::objects().create(&db, NewInvoice { tenant: (&a).into(), number: 1, total_cents: 100 })?;
        Invoice::objects().create(&db, NewInvoice { tenant: (&b).into(), number: 1, total_cents: 200 })?;
        let err =
            Invoice::objects().create(&db, NewInvoice { tenant: (&a).into(), number: 1, total_cents: 0 }).unwrap_err();
        assert!(matches!(err, orm::Error::Integrity { kind: orm::ConstraintKind::PrimaryKey, .. }), "{err}");
        Ok(())
    }

    fn get_filter_save_refresh_and_delete_by_the_composite_key(db) {
        let (a, b) = setup(db)?;
        for (t, n) in [(&a, 1), (&a, 2), (&b, 1)] {
            Invoice::objects().create(&db, NewInvoice { tenant: t.into(), number: n, total_cents: n * 10 })?;
        }
        let mut inv = Invoice::objects().get(&db, |i| i.tenant.eq(&b) & i.number.eq(1))?;
        assert_eq!(inv.pk_values(), [orm::Value::Integer(b.id), orm::Value::Integer(1)]);
        inv.total_cents = 999;
        let captured = db.capture(|| inv.save(&db))?;
        assert_eq!(
            captured.queries[0].sql,
            db.sql(
                "UPDATE \"invoice\" SET \"total_cents\" = ? WHERE \"invoice\".\"tenant_id\" = ? AND \"invoice\".\"number\" = ?"
            )
        );
        let totals: Vec<i64> =
            Invoice::objects().order_by(|i| (i.tenant.asc(), i.number.asc())).values(|i| i.total_cents).all(&db)?;
        assert_eq!(totals, [10, 20, 999], "only the one row changed");
        let mut stale = inv.clone();
        stale.total_cents = 0;
        stale.refresh_from_db(&db)?;
        assert_eq!(stale.total_cents, 999);
        assert_eq!(inv.delete(&db)?.0, 1);
        assert_eq!(Invoice::objects().count(&db)?, 2);
        // first() orders by every key column.
        let first = Invoice::objects().first(&db)?.unwrap();
        assert_eq!((first.tenant.id(), first.number), (&a.id, 1));
        // A row whose key no row has is inserted by save(), as in Django.
        let new = Invoice { tenant: (&b).into(), number: 7, total_cents: 1 };
        new.save(&db)?;
        assert_eq!(Invoice::objects().filter(|i| i.tenant.eq(&b)).count(&db)?, 1);
        Ok(())
    }

    fn deleting_the_parent_cascades_to_composite_key_rows(db) {
        let (a, _) = setup(db)?;
        Invoice::objects().create(&db, NewInvoice { tenant: (&a).into(), number: 1, total_cents: 1 })?;
        let (total, per_model) = a.delete(&db)?;
        assert_eq!((total, per_model.get("Invoice")), (2, Some(&1)));
        Ok(())
    }
}
