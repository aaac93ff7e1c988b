// A user enum stored in a column, with an order, used in lookups and updates.
use orm::prelude::*;
use orm::{ColumnType, DecodeError, Ordered, Value, ValueRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
}

impl FieldType for Priority {
    const COLUMN: ColumnType = ColumnType::Int64;
    const RUST_TYPE: &'static str = "Priority";
    fn to_value(&self) -> Value {
        Value::Integer(*self as i64)
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(0) => Ok(Priority::Low),
            ValueRef::Integer(1) => Ok(Priority::Normal),
            ValueRef::Integer(2) => Ok(Priority::High),
            other => Err(DecodeError::unexpected(other)),
        }
    }
}

impl Ordered for Priority {}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub priority: Priority,
    pub escalated_to: Option<Priority>,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Task,)>()?;
    Task::objects().bulk_create(
        &db,
        [
            NewTask { title: "a".into(), priority: Priority::Low, escalated_to: None },
            NewTask { title: "b".into(), priority: Priority::High, escalated_to: Some(Priority::High) },
            NewTask { title: "c".into(), priority: Priority::Normal, escalated_to: Some(Priority::High) },
        ],
    )?;
    let urgent = Task::objects().filter(|t| t.priority.gte(Priority::Normal)).count(&db)?;
    assert_eq!(urgent, 2);
    let escalated = Task::objects().filter(|t| t.escalated_to.gt(t.priority)).count(&db)?;
    assert_eq!(escalated, 1);
    let in_range = Task::objects().filter(|t| t.priority.range(Priority::Low, Priority::Normal)).count(&db)?;
    assert_eq!(in_range, 2);
    let listed = Task::objects().filter(|t| t.priority.is_in([Priority::Low, Priority::High])).count(&db)?;
    assert_eq!(listed, 2);
    let (lowest, highest) = Task::objects().aggregate(&db, |t| (t.priority.min(), t.escalated_to.max()))?;
    assert_eq!((lowest, highest), (Some(Priority::Low), Some(Priority::High)));
    let n = Task::objects().filter(|t| t.escalated_to.eq(None)).update(&db, |t| t.escalated_to.set(t.priority))?;
    assert_eq!(n, 1);
    let sorted: Vec<String> = Task::objects().order_by(|t| (t.priority.desc(), t.title.asc())).values(|t| t.title).all(&db)?;
    assert_eq!(sorted, ["b", "c", "a"]);
    Ok(())
}
