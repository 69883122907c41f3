//! SQL text built with `$n` placeholders numbered as values are added, portable across both
//! backends: for IN lists and multi-row VALUES whose length is known only at run time.
use super::{Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection};

/// A value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub(super) enum Arg {
    Int(i64),
    Text(String),
    OptText(Option<String>),
}

impl Arg {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Arg::Int(v) => (*v).into(),
            Arg::Text(v) => v.as_str().into(),
            Arg::OptText(v) => v.as_deref().into(),
        }
    }
}

#[derive(Default)]
pub(super) struct Sql {
    pub(super) text: String,
    args: Vec<Arg>,
    /// Planned for its actual values each time rather than cached as a prepared statement.
    pub(super) one_off: bool,
}

impl Sql {
    pub(super) fn new(text: &str) -> Self {
        Self { text: text.to_owned(), args: Vec::new(), one_off: false }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(super) fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Binds values for placeholders the text already holds (`$1`, `$2`, … in order).
    pub(super) fn args_only(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.args.extend(args);
        self
    }

    /// `(v1, v2, …)` for an IN list (never empty: callers return early for no keys).
    pub(super) fn bind_list(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.push("(");
        for (i, arg) in args.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(arg);
        }
        self.push(")")
    }

    /// `VALUES (a, b), (c, d), …` (never empty). Both backends name the columns `column1`, `column2`…
    /// A statement of several rows changes shape with their count, so it is not kept as a prepared
    /// statement; one of a single row is (PostgreSQL writes status reports one at a time).
    pub(super) fn bind_rows(&mut self, rows: impl IntoIterator<Item = Vec<Arg>>) -> &mut Self {
        self.push("VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
                self.one_off = true;
            }
            self.bind_list(row);
        }
        self
    }

    /// Rows as one JSON array of arrays, for a statement of fixed shape on PostgreSQL
    /// (`jsonb_array_elements($n::jsonb) AS v(r)`, fields `r->>0`, `r->>1`, …; jsonb is parsed
    /// once, json again at each `->>`): it is prepared once and kept, where a `VALUES` list
    /// changes shape with its length and costs a round trip more to prepare each time.
    pub(super) fn json_rows(rows: &[Vec<Arg>]) -> String {
        let rows: Vec<Vec<serde_json::Value>> = rows.iter().map(|row| row.iter().map(Arg::to_json).collect()).collect();
        serde_json::Value::from(rows).to_string()
    }

    fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        let mut query = sqlx::query::<Any>(&self.text).persistent(!self.one_off);
        for arg in &self.args {
            query = match arg {
                Arg::Int(v) => query.bind(*v),
                Arg::Text(v) => query.bind(v.as_str()),
                Arg::OptText(v) => query.bind(v.as_deref()),
            };
        }
        query
    }

    pub(super) async fn fetch(&self, store: &Store) -> Result<Vec<AnyRow>, StoreError> {
        store.count_statement();
        Ok(self.query().fetch_all(store.pool()).await?)
    }

    /// Writes on the pool; returns nothing.
    pub(super) async fn execute(&self, store: &Store) -> Result<(), StoreError> {
        store.count_statement();
        self.query().execute(store.pool()).await?;
        Ok(())
    }

    /// Reads inside the caller's transaction.
    pub(super) async fn fetch_in(&self, conn: &mut AnyConnection) -> Result<Vec<AnyRow>, StoreError> {
        Ok(self.query().fetch_all(conn).await?)
    }

    /// Writes inside the caller's transaction; returns the rows affected.
    pub(super) async fn execute_in(&self, conn: &mut AnyConnection) -> Result<u64, StoreError> {
        Ok(self.query().execute(conn).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_in_order() {
        let mut sql = Sql::new("INSERT INTO t (a, b) ");
        sql.bind_rows([vec![Arg::Int(1), Arg::Text("x".into())], vec![Arg::Int(2), Arg::OptText(None)]]);
        assert_eq!(sql.text, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert!(sql.one_off);
        let mut one = Sql::new("INSERT INTO t (a) ");
        one.bind_rows([vec![Arg::Int(1)]]);
        assert!(!one.one_off, "a single row keeps one shape: prepared once");
    }

    #[test]
    fn rows_as_json_keep_types_and_nulls() {
        let rows = [vec![Arg::Text("a\"b".into()), Arg::Int(7), Arg::OptText(None)]];
        assert_eq!(Sql::json_rows(&rows), r#"[["a\"b",7,null]]"#);
    }
}
