// Every built-in field type, nullable and not, with every model and field option.
use orm::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[orm(table = "everything", ordering = "-big, small")]
#[orm(unique_together(small, medium), index_together(tiny, unsigned_small))]
pub struct Everything {
    pub id: i64,
    pub tiny: i8,
    pub small: i16,
    pub medium: i32,
    #[orm(index)]
    pub big: i64,
    pub unsigned_tiny: u8,
    pub unsigned_small: u16,
    #[orm(default = 7)]
    pub unsigned_medium: u32,
    pub single: f32,
    #[orm(default = -1.5)]
    pub double: f64,
    #[orm(default = true)]
    pub flag: bool,
    #[orm(max_length = 20, unique, default = "it's")]
    pub text: String,
    #[orm(column = "payload")]
    pub bytes: Vec<u8>,
    pub maybe_tiny: Option<i8>,
    pub maybe_small: Option<i16>,
    pub maybe_medium: Option<i32>,
    pub maybe_big: Option<i64>,
    pub maybe_unsigned_tiny: Option<u8>,
    pub maybe_unsigned_small: Option<u16>,
    pub maybe_unsigned_medium: Option<u32>,
    pub maybe_single: Option<f32>,
    pub maybe_double: Option<f64>,
    pub maybe_flag: Option<bool>,
    #[orm(max_length = 5)]
    pub maybe_text: Option<String>,
    pub maybe_bytes: Option<Vec<u8>>,
    pub r#type: String,
}

fn main() -> orm::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_tables::<(Everything,)>()?;
    let row = Everything::objects().create(
        &db,
        NewEverything {
            tiny: -8,
            small: -16,
            medium: -32,
            big: -64,
            unsigned_tiny: 8,
            unsigned_small: 16,
            unsigned_medium: 32,
            single: 1.5,
            double: 2.25,
            flag: true,
            text: "text".into(),
            bytes: vec![0, 1, 2],
            maybe_tiny: None,
            maybe_small: Some(1),
            maybe_medium: None,
            maybe_big: Some(2),
            maybe_unsigned_tiny: None,
            maybe_unsigned_small: Some(3),
            maybe_unsigned_medium: None,
            maybe_single: Some(0.5),
            maybe_double: None,
            maybe_flag: Some(false),
            maybe_text: Some("short".into()),
            maybe_bytes: None,
            r#type: "kind".into(),
        },
    )?;
    let back = Everything::objects().get(&db, |e| e.id.eq(row.id))?;
    assert_eq!(back, row);
    let found = Everything::objects()
        .filter(|e| e.flag.eq(true) & e.bytes.eq(vec![0u8, 1, 2]) & e.maybe_text.startswith("sh") & e.r#type.eq("kind"))
        .count(&db)?;
    assert_eq!(found, 1);
    Ok(())
}
