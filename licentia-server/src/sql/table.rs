//! Reading records: how a table's rows become records ([`Table`]), list
//! filters ([`Filter`]), and queries whose arguments are bound in order
//! ([`fetch_all`]). Every area's lookups, lists and exports go through
//! these, so "no such row" is the same 404 everywhere and a list's paging
//! is written once.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Executor, Row};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::Digest as _;

use crate::store::{Page, Rows, Scope, StoreError, StoreResult};

/// A record made from a row by reading each listed field from the column of
/// the same name; fields made otherwise follow a `;`, as in a struct
/// expression (`field: value`, or a variable's name).
///
/// `from_row!(r => Plan { id, name, created_at; options: json(&options)? })`
macro_rules! from_row {
    ($r:ident => $record:ident {
        $($field:ident),* $(,)?
        $(; $($made:ident $(: $value:expr)?),+ $(,)?)?
    }) => {{
        use ::sqlx::Row as _;
        $record {
            $($field: $r.try_get(stringify!($field))?,)*
            $($($made $(: $value)?,)+)?
        }
    }};
}
pub(super) use from_row;

/// A bound value of a query.
#[derive(Clone)]
pub(super) enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Int(n)
    }
}

/// `sql` with `args` bound to its placeholders, in order.
fn bound(sql: &str, args: impl IntoIterator<Item = Arg>) -> Query<'_, Any, AnyArguments<'_>> {
    args.into_iter().fold(sqlx::query(sql), |q, arg| match arg {
        Arg::Text(s) => q.bind(s),
        Arg::Int(i) => q.bind(i),
    })
}

/// Every row `sql` selects (with `args` bound), each made a record by `row`.
pub(super) async fn fetch_all<T>(
    pool: &AnyPool,
    sql: &str,
    args: impl IntoIterator<Item = Arg>,
    row: impl Fn(&AnyRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    bound(sql, args)
        .fetch_all(pool)
        .await?
        .iter()
        .map(row)
        .collect()
}

/// Every row `sql` selects (with `args` bound), as rows.
pub(super) async fn fetch_rows<'e>(
    db: impl Executor<'e, Database = Any>,
    sql: &str,
    args: impl IntoIterator<Item = Arg>,
) -> StoreResult<Vec<AnyRow>> {
    Ok(bound(sql, args).fetch_all(db).await?)
}

/// The number `sql` (`SELECT COUNT(*) AS n ...`, with `args` bound) counts.
pub(super) async fn count<'e>(
    db: impl Executor<'e, Database = Any>,
    sql: &str,
    args: impl IntoIterator<Item = Arg>,
) -> StoreResult<i64> {
    Ok(bound(sql, args).fetch_one(db).await?.try_get("n")?)
}

/// The row `sql` selects (with `args` bound), if any, made a record by `row`.
pub(super) async fn fetch_optional<'e, T>(
    db: impl Executor<'e, Database = Any>,
    sql: &str,
    args: impl IntoIterator<Item = Arg>,
    row: impl FnOnce(&AnyRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    bound(sql, args)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

/// How the records of one table are read: the columns a record is made of,
/// the noun its 404 names, and the function that makes it from a row.
pub(super) struct Table<T> {
    /// The table.
    name: &'static str,
    /// The columns `row` reads.
    columns: &'static str,
    /// What a missing record is called (`StoreError::not_found`).
    noun: &'static str,
    /// Makes a record from a row of `columns`.
    row: fn(&AnyRow) -> StoreResult<T>,
}

impl<T> Table<T> {
    /// The table `name`, whose records `row` makes from `columns`; a
    /// missing one is a 404 naming `noun`.
    pub const fn new(
        name: &'static str,
        columns: &'static str,
        noun: &'static str,
        row: fn(&AnyRow) -> StoreResult<T>,
    ) -> Table<T> {
        Table {
            name,
            columns,
            noun,
            row,
        }
    }

    /// `SELECT <columns> FROM <table>`, then `rest` (`WHERE`, `ORDER BY`...).
    pub fn select(&self, rest: &str) -> String {
        let mut sql = format!("SELECT {} FROM {}", self.columns, self.name);
        if !rest.is_empty() {
            sql.push(' ');
            sql.push_str(rest);
        }
        sql
    }

    /// The record `condition` finds with `key` as `$1`, if any.
    pub async fn lookup<'e>(
        &self,
        db: impl Executor<'e, Database = Any>,
        condition: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        let sql = self.select(&format!("WHERE {condition}"));
        fetch_optional(db, &sql, [key.into()], self.row).await
    }

    /// The record `condition` finds with `key` as `$1`; 404 naming the
    /// noun when there is none.
    pub async fn find<'e>(
        &self,
        db: impl Executor<'e, Database = Any>,
        condition: &str,
        key: &str,
    ) -> StoreResult<T> {
        self.lookup(db, condition, key)
            .await?
            .ok_or_else(|| StoreError::not_found(self.noun))
    }

    /// The record with this id; 404 naming the noun when there is none.
    pub async fn get<'e>(&self, db: impl Executor<'e, Database = Any>, id: &str) -> StoreResult<T> {
        self.find(db, "id = $1", id).await
    }

    /// A page of the records `filter` keeps, in `order` (columns, all
    /// ascending or all `DESC`, naming a row at most once): after or before
    /// the row a cursor names when the page gives one, so a page deep in the
    /// list costs what the first one does when an index holds `order`.
    pub async fn list(
        &self,
        pool: &AnyPool,
        filter: Filter,
        order: &str,
        page: Page,
    ) -> StoreResult<Rows<T>> {
        self.list_from(pool, self.name, filter, order, page).await
    }

    /// [`Table::list`] of the rows of `from` (this table's, or a derived
    /// table of its columns, whose placeholders the filter binds first).
    pub async fn list_from(
        &self,
        pool: &AnyPool,
        from: &str,
        mut filter: Filter,
        order: &str,
        page: Page,
    ) -> StoreResult<Rows<T>> {
        let sort = Sort::parse(order);
        let backwards = page.before.is_some();
        let cursor = page.after.as_deref().or(page.before.as_deref());
        if let Some(cursor) = cursor {
            filter = sort.beyond(filter, cursor, backwards)?;
        }
        // One row more than the page says whether the list goes on.
        let sql = filter.sql(
            &format!("SELECT {} FROM {from}", self.columns),
            &sort.order_by(backwards),
            page.limit + 1,
            page.offset,
        );
        let mut rows = match bound(&sql, filter.args).fetch_all(pool).await {
            // PostgreSQL refuses a cursor's value of the wrong type for its
            // column (text for a number): a cursor of another list.
            Err(sqlx::Error::Database(e))
                if cursor.is_some()
                    && matches!(e.code().as_deref(), Some("42883" | "42804" | "22P02")) =>
            {
                return Err(bad_cursor());
            }
            found => found?,
        };
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit.max(0) as usize);
        if backwards {
            rows.reverse();
        }
        let first = rows.first().map(|r| sort.cursor(r)).transpose()?;
        let last = rows.last().map(|r| sort.cursor(r)).transpose()?;
        let (next, prev) = if backwards {
            (last, first.filter(|_| more))
        } else {
            let after_some = page.after.is_some() || page.offset > 0;
            (
                last.filter(|_| more),
                first.or(page.after).filter(|_| after_some),
            )
        };
        Ok(Rows {
            items: rows.iter().map(self.row).collect::<StoreResult<_>>()?,
            next,
            prev,
        })
    }

    /// Every record `rest` (`WHERE`, `ORDER BY`, `LIMIT`) selects, with
    /// `args` bound to its placeholders in order.
    pub async fn all(
        &self,
        pool: &AnyPool,
        rest: &str,
        args: impl IntoIterator<Item = Arg>,
    ) -> StoreResult<Vec<T>> {
        fetch_all(pool, &self.select(rest), args, self.row).await
    }
}

/// `WHERE` clauses with numbered placeholders, for list filters; a filter
/// given no value adds no clause.
#[derive(Default)]
pub(super) struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// A filter whose first placeholders are `args`: a derived table's (from
    /// [`Filter::counting`]), which its statement reads first.
    pub fn binding(args: Vec<Arg>) -> Filter {
        Filter {
            clauses: Vec::new(),
            args,
        }
    }

    /// A clause that holds whatever the request asks.
    pub fn always(mut self, clause: &str) -> Filter {
        self.clauses.push(clause.to_owned());
        self
    }

    /// Binds `values` to the next placeholders, with no clause (for the
    /// rest of the statement: a derived table's); their placeholders.
    pub fn bind(&mut self, values: &[String]) -> Vec<String> {
        values
            .iter()
            .map(|v| {
                self.args.push(Arg::from(v.as_str()));
                format!("${}", self.args.len())
            })
            .collect()
    }

    /// `column` equal to a text value.
    pub fn text(self, column: &str, value: Option<&str>) -> Filter {
        self.compare(&format!("{column} ="), value)
    }

    /// `condition` (a column and an operator) against a text value.
    pub fn compare(self, condition: &str, value: Option<&str>) -> Filter {
        self.arg(condition, value.map(Arg::from))
    }

    /// `condition` (a column and an operator) against a number.
    pub fn int(self, condition: &str, value: Option<i64>) -> Filter {
        self.arg(condition, value.map(Arg::Int))
    }

    /// Only the records whose node (`column`, a customer id) is within
    /// `scope`; a record naming no node is the vendor root's.
    pub fn scope(mut self, column: &str, scope: &Scope) -> Filter {
        if let Scope::Under(nodes) = scope {
            let clause = within(column, nodes, self.args.len() + 1);
            self.args
                .extend(nodes.iter().map(|n| Arg::from(n.as_str())));
            self.clauses.push(clause);
        }
        self
    }

    /// `column` containing `value`, in any case (`%` and `_` in it are
    /// taken as themselves).
    ///
    /// A value of several words first asks for its words one by one, those
    /// with a digit first ([`search_words`]): a trigram index (PostgreSQL's
    /// GIN) takes its candidates from the first clause and only checks them
    /// against the next, so "Licensee 4821733" is found from the number's
    /// trigrams, not by walking those of "licensee", which every name
    /// holds. A row holding the whole value holds each of its words: the
    /// rows found are the same.
    pub fn contains(mut self, column: &str, value: Option<&str>) -> Filter {
        let Some(value) = value.map(str::to_lowercase) else {
            return self;
        };
        let clause = format!("LOWER({column}) LIKE ? ESCAPE '\\'");
        for part in search_words(&value).into_iter().chain([value.as_str()]) {
            self = self.any(&[&clause], Some(vec![format!("%{}%", like_escaped(part))]));
        }
        self
    }

    /// One clause of alternatives (each with one `?` where its value goes),
    /// any of which holds: `values` in the same order; none adds nothing.
    pub fn any(mut self, alternatives: &[&str], values: Option<Vec<String>>) -> Filter {
        let Some(values) = values else {
            return self;
        };
        let mut parts = Vec::with_capacity(alternatives.len());
        for (alternative, value) in alternatives.iter().zip(values) {
            self.args.push(Arg::Text(value));
            parts.push(alternative.replace('?', &format!("${}", self.args.len())));
        }
        self.clauses.push(format!("({})", parts.join(" OR ")));
        self
    }

    fn arg(mut self, condition: &str, value: Option<Arg>) -> Filter {
        if let Some(v) = value {
            self.args.push(v);
            self.clauses
                .push(format!("{condition} ${}", self.args.len()));
        }
        self
    }

    /// `select` (a `SELECT COUNT(*) AS n FROM ...`, or any `SELECT ...
    /// FROM ...`) with this filter's `WHERE`, and the values to bind.
    pub fn counting(self, select: &str) -> (String, Vec<Arg>) {
        let mut sql = select.to_owned();
        if !self.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.clauses.join(" AND "));
        }
        (sql, self.args)
    }

    /// `WHERE ...` (or nothing), then `ORDER BY`, `LIMIT` and `OFFSET`.
    fn sql(&mut self, select: &str, order: &str, limit: i64, offset: i64) -> String {
        let mut sql = select.to_owned();
        if !self.clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.clauses.join(" AND "));
        }
        self.args.push(Arg::Int(limit));
        self.args.push(Arg::Int(offset));
        let n = self.args.len();
        sql.push_str(&format!(" ORDER BY {order} LIMIT ${} OFFSET ${n}", n - 1));
        sql
    }
}

/// The longest cursor read (a sort key of a few ids and times is far
/// shorter).
const MAX_CURSOR: usize = 1024;

/// The refusal of a cursor that no page of the list gave.
pub(super) fn bad_cursor() -> StoreError {
    StoreError::invalid_as(
        "bad_cursor",
        "the cursor is not one this list gave (take `next` or `prev` from a page of it)",
    )
}

/// A list's sort: its columns, all ascending or all descending, so that
/// "after this row" is one row-value comparison an index serves.
struct Sort<'a> {
    /// The columns as the query names them (`t.created_at`).
    columns: Vec<&'a str>,
    /// Descending.
    desc: bool,
}

impl<'a> Sort<'a> {
    /// The sort `order` (`issued_at, id`, `created_at DESC, id DESC`).
    fn parse(order: &'a str) -> Sort<'a> {
        let mut desc = None;
        let columns = order
            .split(',')
            .map(|part| {
                let part = part.trim();
                let (column, down) = match part.strip_suffix(" DESC") {
                    Some(column) => (column.trim(), true),
                    None => (part, false),
                };
                debug_assert!(desc.is_none_or(|d| d == down), "mixed directions: {order}");
                desc = Some(down);
                column
            })
            .collect();
        Sort {
            columns,
            desc: desc.unwrap_or(false),
        }
    }

    /// `ORDER BY` this sort, or its reverse.
    fn order_by(&self, backwards: bool) -> String {
        let direction = if self.desc != backwards { " DESC" } else { "" };
        self.columns
            .iter()
            .map(|c| format!("{c}{direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `filter` keeping only the rows after (or, `backwards`, before) the
    /// row `cursor` names; a cursor this sort did not make is refused.
    fn beyond(&self, filter: Filter, cursor: &str, backwards: bool) -> StoreResult<Filter> {
        let refused = bad_cursor;
        let bytes = (cursor.len() <= MAX_CURSOR)
            .then(|| URL_SAFE_NO_PAD.decode(cursor).ok())
            .flatten()
            .ok_or_else(refused)?;
        let mut values: Vec<serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|_| refused())?;
        if values.len() != self.columns.len() + 1 || values.remove(0) != self.tag() {
            return Err(refused());
        }
        let args = values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(Arg::Text(s)),
                v => v.as_i64().map(Arg::Int).ok_or_else(refused),
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let op = if self.desc != backwards { "<" } else { ">" };
        let mut filter = filter;
        let first = filter.args.len() + 1;
        let marks: Vec<String> = (first..first + args.len())
            .map(|i| format!("${i}"))
            .collect();
        filter.args.extend(args);
        filter.clauses.push(format!(
            "({}) {op} ({})",
            self.columns.join(", "),
            marks.join(", ")
        ));
        Ok(filter)
    }

    /// What a cursor of this sort starts with: a list's cursor passed to
    /// another is refused, not read against columns of other types.
    fn tag(&self) -> serde_json::Value {
        let digest = sha2::Sha256::digest(self.columns.join(",").as_bytes());
        serde_json::Value::from(crate::secret::hex(&digest[..4]))
    }

    /// The cursor naming `row`: this sort's tag and the row's sort key, as
    /// base64url of a JSON array.
    fn cursor(&self, row: &AnyRow) -> StoreResult<String> {
        let key = std::iter::once(Ok(self.tag()))
            .chain(self.columns.iter().map(|c| {
                // The row names a column without its table (`t.id` is `id`).
                let name = c.rsplit('.').next().unwrap_or(c);
                match row.try_get::<Option<i64>, _>(name) {
                    Ok(Some(n)) => Ok(serde_json::Value::from(n)),
                    Ok(None) => Err(StoreError::internal(format!("sort key {name} is NULL"))),
                    Err(_) => Ok(serde_json::Value::from(row.try_get::<String, _>(name)?)),
                }
            }))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&key).map_err(StoreError::internal)?))
    }
}

/// The words of a search (its runs of letters and digits) worth a trigram
/// index's look on their own, in the order to ask for them: three
/// characters or more (a shorter one has no trigram of its own), at most
/// four, those holding a digit first (a number tells names apart; words
/// like "licensee" or "gmbh" do not), then as the user typed them. None
/// when the search is one such word: the whole is as good.
fn search_words(search: &str) -> Vec<&str> {
    let mut words: Vec<&str> = search
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && *w != search)
        .collect();
    words.sort_by_key(|w| !w.chars().any(|c| c.is_numeric()));
    words.truncate(4);
    words
}

/// `text` with the `LIKE` wildcards and the escape character escaped.
pub(super) fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `column IN <the subtrees under nodes>`, the nodes bound from placeholder
/// `$first` on (one each, in order): the one SQL that keeps a query within
/// a caller's part of the customer tree (a recursive walk down from the
/// caller's nodes, which SQLite and PostgreSQL both run).
pub(super) fn within(column: &str, nodes: &[String], first: usize) -> String {
    if nodes.is_empty() {
        return "1 = 0".to_owned();
    }
    let marks: Vec<String> = (first..first + nodes.len())
        .map(|i| format!("${i}"))
        .collect();
    format!(
        "{column} IN (WITH RECURSIVE subtree (id) AS (\
         SELECT id FROM customers WHERE id IN ({}) \
         UNION ALL SELECT c.id FROM customers c JOIN subtree ON c.parent_id = subtree.id) \
         SELECT id FROM subtree)",
        marks.join(", ")
    )
}

/// The bound values and clause (`AND ...`, or nothing for the vendor root)
/// that keep a hand-written query within `scope`, its placeholders numbered
/// from `first`.
pub(super) fn scope_clause(column: &str, scope: &Scope, first: usize) -> (String, Vec<Arg>) {
    match scope {
        Scope::All => (String::new(), Vec::new()),
        Scope::Under(nodes) => (
            format!(" AND {}", within(column, nodes, first)),
            nodes.iter().map(|n| Arg::from(n.as_str())).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::search_words;

    #[test]
    fn a_search_asks_for_its_numbers_first() {
        assert_eq!(search_words("licensee 4821733"), ["4821733", "licensee"]);
        assert_eq!(search_words("müller gmbh"), ["müller", "gmbh"]);
        // Too short for a trigram of its own: left to the whole.
        assert_eq!(search_words("acme ag 12"), ["acme"]);
        assert_eq!(search_words("ab, cd"), Vec::<&str>::new());
        // One word: the whole is that word.
        assert_eq!(search_words("acme"), Vec::<&str>::new());
        assert_eq!(search_words("a b c d e f g h i j k 1"), Vec::<&str>::new());
        assert_eq!(
            search_words("one two three four five 6666"),
            ["6666", "one", "two", "three"]
        );
    }
}
