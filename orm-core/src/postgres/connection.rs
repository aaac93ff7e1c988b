//! A connection to a PostgreSQL server over the `postgres` crate (the synchronous
//! client): statements prepared once per connection and cached by their text, rows
//! decoded from the binary format straight into the runtime's sinks.

use super::row::Row;
use crate::backend::{self, Bind, BindParams, RowCursor, RowSink};
use crate::error::Result;
use crate::options::Options;
use crate::value::Value;
use postgres::types::Type;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// How many prepared statements a connection keeps.
const STATEMENT_CACHE_CAPACITY: usize = 256;

/// A PostgreSQL connection.
pub(crate) struct Connection {
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, Prepared>>,
    /// Whether a transaction is open: the client does not say, so the statements
    /// sent are watched (`BEGIN`, `COMMIT`, `ROLLBACK`, and their synonyms).
    in_transaction: Cell<bool>,
    /// The connection was lost (an I/O error, the server closed it).
    broken: Cell<bool>,
    describe: String,
}

/// A prepared statement, and whether it returns a NUMERIC column (read as text).
#[derive(Clone)]
struct Prepared {
    statement: postgres::Statement,
    numeric: bool,
}

impl Connection {
    /// Connects to the server at `url` (`postgres://user@host:port/db`) and applies
    /// `options`: the busy timeout as `lock_timeout`, `read_only` as
    /// `default_transaction_read_only`, and each pragma as a run-time parameter.
    pub(crate) fn connect(url: &str, options: &Options) -> Result<Connection> {
        let config: postgres::Config = url.parse().map_err(super::error::from_postgres)?;
        let describe = describe(&config);
        let mut client = connect(&config, options)?;
        let mut settings: Vec<(String, String)> = vec![
            ("lock_timeout".into(), format!("{}ms", options.busy_timeout.as_millis())),
            ("default_transaction_read_only".into(), if options.read_only { "on" } else { "off" }.into()),
        ];
        settings.extend(options.pragmas.iter().cloned());
        for (name, value) in &settings {
            client.execute("SELECT set_config($1, $2, false)", &[name, value]).map_err(super::error::from_postgres)?;
        }
        Ok(Connection {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            broken: Cell::new(false),
            describe,
        })
    }

    fn prepared(&self, sql: &str) -> Result<Prepared> {
        if let Some(p) = self.statements.borrow().get(sql) {
            return Ok(p.clone());
        }
        let statement = self.client.borrow_mut().prepare(sql).map_err(|e| self.fail(e))?;
        let numeric = statement.columns().iter().any(|c| *c.type_() == Type::NUMERIC);
        let prepared = Prepared { statement, numeric };
        let mut statements = self.statements.borrow_mut();
        if statements.len() >= STATEMENT_CACHE_CAPACITY {
            statements.clear();
        }
        statements.insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }

    /// The crate's error for a failed statement; a lost connection is remembered, so
    /// that a pool replaces it.
    fn fail(&self, err: postgres::Error) -> crate::error::Error {
        let err = super::error::from_postgres(err);
        if matches!(err, crate::error::Error::Database { kind: crate::error::DatabaseErrorKind::Connection, .. }) {
            self.broken.set(true);
        }
        err
    }

    /// Follows the transaction state through the statements sent.
    fn watch(&self, sql: &str) {
        let word = sql.trim_start().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
        let opens = word.eq_ignore_ascii_case("BEGIN") || word.eq_ignore_ascii_case("START");
        let rest = sql.trim_start()[word.len()..].trim_start();
        let closes = word.eq_ignore_ascii_case("COMMIT")
            || word.eq_ignore_ascii_case("END")
            || word.eq_ignore_ascii_case("ABORT")
            || (word.eq_ignore_ascii_case("ROLLBACK") && !rest.to_ascii_uppercase().starts_with("TO"));
        if opens {
            self.in_transaction.set(true);
        } else if closes {
            self.in_transaction.set(false);
        }
        // A schema change may change what a cached statement returns: PostgreSQL
        // would refuse it ("cached plan must not change result type").
        if ["ALTER", "DROP", "CREATE"].iter().any(|w| word.eq_ignore_ascii_case(w)) {
            self.statements.borrow_mut().clear();
        }
    }

    /// Runs `f` with the statement prepared for `sql`; if the server refuses the
    /// cached statement because another connection changed the schema since, and no
    /// transaction is open (whose work the error would have aborted), prepares it
    /// again and runs `f` once more.
    fn with_statement<T>(
        &self,
        sql: &str,
        mut f: impl FnMut(&Prepared) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        let prepared = self.prepared(sql)?;
        match f(&prepared) {
            Err(err) if is_stale_plan(&err) && !self.in_transaction.get() => {
                self.statements.borrow_mut().remove(sql);
                let prepared = self.prepared(sql)?;
                f(&prepared).map_err(|e| self.fail(e))
            }
            other => other.map_err(|e| self.fail(e)),
        }
    }

    fn run_execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let result = self.with_statement(sql, |prepared| self.client.borrow_mut().execute(&prepared.statement, &refs));
        self.watch(sql);
        Ok(usize::try_from(result?).unwrap_or(usize::MAX))
    }
}

/// Connects without TLS (the `postgres-tls` feature is off): a URL that asks for
/// `sslmode=require` fails with the server's refusal.
#[cfg(not(feature = "postgres-tls"))]
fn connect(config: &postgres::Config, options: &Options) -> Result<postgres::Client> {
    if options.tls_root_certificate.is_some() {
        return Err(crate::error::Error::InvalidQuery {
            message: "a TLS root certificate needs the `postgres-tls` feature",
        });
    }
    config.connect(postgres::NoTls).map_err(connect_error)
}

/// Connects with OpenSSL where the URL's `sslmode` asks for TLS (`prefer`, the
/// default, uses it when the server offers it). The server is authenticated only
/// against [`Options::tls_root_certificate`], as libpq's `verify-full`; otherwise the
/// channel is encrypted, as libpq's `require`.
#[cfg(feature = "postgres-tls")]
fn connect(config: &postgres::Config, options: &Options) -> Result<postgres::Client> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let tls_error = |err: openssl::error::ErrorStack| crate::error::Error::Database {
        kind: crate::error::DatabaseErrorKind::Connection,
        code: None,
        message: format!("TLS setup: {err}"),
        source: Box::new(err),
    };
    let mut builder = SslConnector::builder(SslMethod::tls()).map_err(tls_error)?;
    let verify = options.tls_root_certificate.is_some();
    match &options.tls_root_certificate {
        Some(ca) => builder.set_ca_file(ca).map_err(tls_error)?,
        None => builder.set_verify(SslVerifyMode::NONE),
    }
    let mut connector = postgres_openssl::MakeTlsConnector::new(builder.build());
    connector.set_callback(move |tls, _| {
        tls.set_verify_hostname(verify);
        Ok(())
    });
    config.connect(connector).map_err(connect_error)
}

/// A failure to connect: the server's own error (a refused login is classified by
/// its SQLSTATE), or anything before it spoke (no server, a TLS handshake) as
/// [`DatabaseErrorKind::Connection`](crate::DatabaseErrorKind::Connection).
fn connect_error(err: postgres::Error) -> crate::error::Error {
    if err.as_db_error().is_some() {
        return super::error::from_postgres(err);
    }
    crate::error::Error::Database {
        kind: crate::error::DatabaseErrorKind::Connection,
        code: None,
        message: err.to_string(),
        source: Box::new(err),
    }
}

/// Whether the server refused a cached statement whose tables changed since it was
/// prepared.
fn is_stale_plan(err: &postgres::Error) -> bool {
    err.as_db_error().is_some_and(|db| db.code().code() == "0A000" && db.message().contains("cached plan"))
}

/// `postgres://user@host:port/db`, without the password.
fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{}@{host}:{port}/{}", config.get_user().unwrap_or(""), config.get_dbname().unwrap_or(""))
}

/// Collects streamed parameters: the client takes them as one slice.
struct Collect(Vec<Value>);

impl Bind for Collect {
    fn bind(&mut self, value: Value) -> Result<()> {
        self.0.push(value);
        Ok(())
    }
}

impl backend::Connection for Connection {
    type Statement<'c> = Statement;

    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        self.run_execute(sql, params)
    }

    fn execute_streaming<P: BindParams>(&self, sql: &str, params: P) -> Result<usize> {
        let mut values = Collect(Vec::new());
        params.bind_all(&mut values)?;
        self.run_execute(sql, &values.0)
    }

    /// The whole result is read in one pass through the client (`Client::query`),
    /// then decoded: streaming row by row enters the client's runtime once per row,
    /// about 2,300 instructions each (measured; see BENCHMARKS.md).
    fn query<S: RowSink>(&self, sql: &str, params: &[Value], sink: &mut S) -> Result<usize> {
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let (rows, numeric) = self.with_statement(sql, |prepared| {
            Ok((self.client.borrow_mut().query(&prepared.statement, &refs)?, prepared.numeric))
        })?;
        for row in &rows {
            sink.row(&Row::new(row, numeric))?;
        }
        Ok(rows.len())
    }

    /// The rows are read when the statement runs: a server-side cursor needs a
    /// transaction, and this one is read by the caller at its own pace.
    fn prepare(&self, sql: &str, params: &[Value]) -> Result<Statement> {
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        self.with_statement(sql, |prepared| {
            let rows = self.client.borrow_mut().query(&prepared.statement, &refs)?;
            Ok(Statement { rows, numeric: prepared.numeric })
        })
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn in_transaction(&self) -> bool {
        self.in_transaction.get()
    }

    fn dialect(&self) -> &'static dyn crate::sql::Dialect {
        &super::POSTGRES
    }

    fn is_broken(&self) -> bool {
        self.broken.get() || self.client.borrow().is_closed()
    }

    fn introspect(&self, fetch: backend::Fetch<'_>) -> Result<Vec<backend::LiveTable>> {
        super::introspect::tables(fetch)
    }
}

/// A query's rows, read when it ran.
pub(crate) struct Statement {
    rows: Vec<postgres::Row>,
    numeric: bool,
}

impl backend::Statement for Statement {
    type Rows<'s> = Rows<'s>;

    fn rows(&mut self) -> Rows<'_> {
        Rows { rows: self.rows.iter(), numeric: self.numeric }
    }
}

/// The rows of a statement, one at a time.
pub(crate) struct Rows<'s> {
    rows: std::slice::Iter<'s, postgres::Row>,
    numeric: bool,
}

impl RowCursor for Rows<'_> {
    fn next<S: RowSink>(&mut self, sink: &mut S) -> Result<bool> {
        match self.rows.next() {
            Some(row) => sink.row(&Row::new(row, self.numeric)).map(|()| true),
            None => Ok(false),
        }
    }
}
