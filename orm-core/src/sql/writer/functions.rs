//! Writing conditional expressions (`CASE`), function calls, casts and filtered
//! aggregates: one text for every backend, with the differences asked of the
//! [`Dialect`](crate::sql::Dialect).

use super::{Ctx, Reuse, Writer};
use crate::ast::{agg_name, AggFunc, Cond, ExprNode, Func, NullsOrder};
use crate::sql::Extremum;
use crate::value::{ColumnType, Value};

impl Writer {
    /// `FUNC([DISTINCT] arg) [FILTER (WHERE filter)]`. An aggregate's joins (its
    /// filter's too) are the annotation's, LEFT OUTER (rows without a related row count
    /// 0), wherever the aggregate is written.
    pub(super) fn aggregate_call(
        &mut self,
        func: AggFunc,
        arg: Option<&ExprNode>,
        distinct: bool,
        filter: Option<&Cond>,
    ) {
        self.push(agg_name(func));
        self.push("(");
        if distinct {
            self.push("DISTINCT ");
        }
        let inner = Ctx { negated: false, required: false, reuse: self.aggregate_reuse };
        match arg {
            Some(arg) => self.expr_in(arg, Some(inner)),
            None => self.push("*"),
        }
        self.push(")");
        if let Some(filter) = filter {
            // SQLite 3.30+ and PostgreSQL both take the standard clause, as Django writes it.
            self.push(" FILTER (WHERE ");
            let was = std::mem::replace(&mut self.aggregating, true);
            self.cond(filter, inner, true);
            self.aggregating = was;
            self.push(")");
        }
        if func == AggFunc::Avg {
            self.push(self.dialect.avg_cast());
        }
    }

    /// A function call, `CASE`, `CAST` or filtered aggregate; `ctx` is `Some` inside a
    /// condition.
    pub(super) fn function(&mut self, node: &ExprNode, ctx: Option<Ctx>) {
        // Where a NULL can become a value (COALESCE, CASE, Concat, ..), the joins of the
        // columns inside are never required: a row without the related row stays. A
        // function that is NULL of NULL (LOWER, CAST, ..) keeps them as its context has
        // them (INNER in a filter, as Django joins them).
        let strict = match node {
            ExprNode::Func { func, .. } => func.is_strict(),
            ExprNode::Cast { .. } => true,
            _ => false,
        };
        let inner = if strict { ctx } else { ctx.map(|c| Ctx { required: false, ..c }) };
        match node {
            ExprNode::Func { func, args } => self.call(*func, args, inner),
            ExprNode::Case { whens, default } => {
                // A branch's condition is a plain test: NULL is not true, the next
                // branch is tried.
                let test = Ctx { negated: false, required: false, reuse: ctx.map_or(Reuse::Latest, |c| c.reuse) };
                self.push("CASE");
                for (cond, value) in whens {
                    self.push(" WHEN ");
                    self.cond(cond, test, true);
                    self.push(" THEN ");
                    self.operand(value, inner);
                }
                if let Some(default) = default {
                    self.push(" ELSE ");
                    self.operand(default, inner);
                }
                self.push(" END");
            }
            ExprNode::Cast { expr, to } => {
                self.push("CAST(");
                self.expr_in(expr, inner);
                self.push(" AS ");
                self.sql_type(*to);
                self.push(")");
            }
            ExprNode::FilteredAggregate { func, arg, distinct, filter } => {
                self.aggregate_call(*func, arg.as_deref(), *distinct, Some(&**filter))
            }
            other => self.expr_in(other, ctx),
        }
    }

    /// `NULLS FIRST`/`NULLS LAST` after an ordering term's direction (SQLite 3.30+ and
    /// PostgreSQL; Django writes it on both).
    pub(in crate::sql) fn nulls_order(&mut self, nulls: Option<NullsOrder>) {
        match nulls {
            Some(NullsOrder::First) => self.push(" NULLS FIRST"),
            Some(NullsOrder::Last) => self.push(" NULLS LAST"),
            None => {}
        }
    }

    fn call(&mut self, func: Func, args: &[ExprNode], ctx: Option<Ctx>) {
        match func {
            Func::Coalesce | Func::NullIf | Func::Abs | Func::Length => {
                self.push(func.name());
                self.operands(args, ctx);
            }
            Func::Greatest | Func::Least => self.extremum(func == Func::Greatest, args, ctx),
            Func::Lower | Func::Upper => {
                self.push(self.dialect.case_function(func == Func::Upper));
                self.operands(args, ctx);
            }
            Func::Concat => {
                // Django's Concat: a NULL part reads as ''.
                self.push("(");
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        self.push(" || ");
                    }
                    if arg.nullable() {
                        self.push("COALESCE(");
                        self.operand(arg, ctx);
                        self.push(", '')");
                    } else {
                        self.operand(arg, ctx);
                    }
                }
                self.push(")");
            }
            Func::Now => self.push(self.dialect.now()),
            Func::Round => {
                self.push("ROUND(");
                if let Some(first) = args.first() {
                    match self.dialect.round_operand() {
                        Some(numeric) => {
                            self.push("CAST(");
                            self.expr_in(first, ctx);
                            self.push(" AS ");
                            self.sql_type(numeric);
                            self.push(")");
                        }
                        None => self.expr_in(first, ctx),
                    }
                }
                for arg in args.iter().skip(1) {
                    self.push(", ");
                    self.operand(arg, ctx);
                }
                self.push(")");
            }
        }
    }

    /// The largest (`greatest`) or smallest argument, NULLs ignored on every backend.
    fn extremum(&mut self, greatest: bool, args: &[ExprNode], ctx: Option<Ctx>) {
        match self.dialect.extremum() {
            Extremum::Native => {
                self.push(if greatest { "GREATEST" } else { "LEAST" });
                self.operands(args, ctx);
            }
            Extremum::Scalar => {
                // MAX(a, b) is NULL if either is: a nullable argument falls back on the
                // others, which leaves the extremum of the values that are not NULL.
                self.push(if greatest { "MAX(" } else { "MIN(" });
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    if arg.nullable() {
                        self.push("COALESCE(");
                        self.operand(arg, ctx);
                        for (j, other) in args.iter().enumerate() {
                            if j != i {
                                self.push(", ");
                                self.operand(other, ctx);
                            }
                        }
                        self.push(")");
                    } else {
                        self.operand(arg, ctx);
                    }
                }
                self.push(")");
            }
        }
    }

    /// `(a, b, ..)`.
    fn operands(&mut self, args: &[ExprNode], ctx: Option<Ctx>) {
        self.push("(");
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.operand(arg, ctx);
        }
        self.push(")");
    }

    /// An argument or branch value: a parameter is typed by its value where the
    /// dialect cannot infer it (PostgreSQL takes `CASE WHEN .. THEN $1` as text).
    fn operand(&mut self, node: &ExprNode, ctx: Option<Ctx>) {
        self.expr_in(node, ctx);
        if let ExprNode::Value(value) = node {
            if let (Some(column_type), false) = (value_type(value), self.planning) {
                self.dialect.param_type(column_type, &mut self.sql);
            }
        }
    }

    /// A column type as the dialect writes it in `CREATE TABLE`.
    fn sql_type(&mut self, column_type: ColumnType) {
        if !self.planning {
            self.dialect.column_type(column_type, None, &mut self.sql);
        }
    }
}

/// The column type a bound value has on its own (`None` for NULL and lists).
fn value_type(value: &Value) -> Option<ColumnType> {
    Some(match value {
        Value::Null | Value::Array(_) => return None,
        Value::Bool(_) => ColumnType::Bool,
        Value::Int16(_) => ColumnType::Int16,
        Value::Int32(_) => ColumnType::Int32,
        Value::Integer(_) => ColumnType::Int64,
        Value::Float32(_) => ColumnType::Float32,
        Value::Real(_) => ColumnType::Float64,
        Value::Text(_) => ColumnType::Text,
        Value::Blob(_) => ColumnType::Bytes,
        Value::Date(_) => ColumnType::Date,
        Value::Timestamp(_) => ColumnType::Timestamp,
        Value::TimestampTz(_) => ColumnType::TimestampTz,
        Value::Decimal(_) => ColumnType::Decimal,
        Value::Uuid(_) => ColumnType::Uuid,
        Value::Json(_) => ColumnType::Json,
    })
}
