//! Schema parity: a fresh SQLite and a fresh PostgreSQL database, each migrated by its own
//! migration tree, must end with the same schema, so the two trees cannot drift apart.
//!
//! Each schema is read into a set of plain facts ("column members.email text not null",
//! "index handoffs_pending on handoffs(baton_id) unique partial", …) and the two sets are
//! compared; a failure lists the facts only one side has. What differs on purpose is in the
//! commented allow-lists below, and an entry that no longer differs fails the test too.
//!
//! Like the conformance suite, the PostgreSQL half needs `BATON_TEST_PG_URL`; without it the
//! test prints one `skipped: …` line and passes, except under `CI=true`, where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use baton_store::conformance::{Database, postgres_store, sqlite_store};

/// Facts only the SQLite schema has, each with why.
const ONLY_SQLITE: &[(&str, &str)] = &[
    // SQLite has no boolean type: `following` is INTEGER there, and the CHECK keeps it to 0
    // and 1, which PostgreSQL's BOOLEAN does by its type.
    ("checks read_cursors: 1", "boolean as INTEGER 0/1"),
];

/// Facts only the PostgreSQL schema has, each with why.
const ONLY_POSTGRES: &[(&str, &str)] = &[];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrate_to_the_same_schema() {
    let Some((pg_store, pg)) = postgres_store().await else {
        return;
    };
    let (sqlite_store, sqlite) = sqlite_store().await;
    // Migrated on open; only the schemas are read from here on.
    drop((pg_store, sqlite_store));

    let Database::Sqlite(path) = sqlite.database() else {
        panic!("a SQLite guard names a SQLite file");
    };
    let Database::Postgres { url, schema } = pg.database() else {
        panic!("a PostgreSQL guard names a PostgreSQL schema");
    };
    let sqlite_facts = sqlite_schema(&path);
    let pg_facts = postgres_schema(url, schema).await;

    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> BTreeSet<String> {
        a.difference(b).cloned().collect()
    };
    let allowed = |list: &[(&str, &str)]| -> BTreeSet<String> {
        list.iter().map(|(fact, _)| (*fact).to_owned()).collect()
    };
    let only_sqlite = only(&sqlite_facts, &pg_facts);
    let only_pg = only(&pg_facts, &sqlite_facts);
    assert!(
        only_sqlite == allowed(ONLY_SQLITE) && only_pg == allowed(ONLY_POSTGRES),
        "the schemas differ beyond the allow-lists\n\
         only in SQLite:\n  {}\n\
         only in PostgreSQL:\n  {}\n\
         allowed only in SQLite:\n  {}\n\
         allowed only in PostgreSQL:\n  {}",
        lines(&only_sqlite),
        lines(&only_pg),
        lines(&allowed(ONLY_SQLITE)),
        lines(&allowed(ONLY_POSTGRES)),
    );
    assert!(
        sqlite_facts.iter().any(|f| f.starts_with("table ")),
        "the schema was read: {sqlite_facts:?}"
    );
}

/// Every row `sql` returns on `c`, each read by `map`.
fn rows<T>(
    c: &rusqlite::Connection,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    c.prepare(sql)
        .and_then(|mut s| s.query_map([], map)?.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn lines(facts: &BTreeSet<String>) -> String {
    if facts.is_empty() {
        return "(none)".to_owned();
    }
    facts.iter().cloned().collect::<Vec<_>>().join("\n  ")
}

/// The migration tool's own bookkeeping, not part of the schema.
const HISTORY: &str = "refinery_schema_history";

/// A column type's family: what both backends must agree on, not how each spells it.
fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" {
        // SQLite stores booleans as INTEGER 0/1, so a PostgreSQL boolean counts as an integer.
        "integer"
    } else if t.contains("char") || t.contains("text") || t == "clob" {
        "text"
    } else if t.contains("blob") || t == "bytea" {
        "bytes"
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        "real"
    } else {
        "other"
    }
}

fn columns(list: &[String]) -> String {
    list.join(", ")
}

fn index_fact(name: &str, table: &str, cols: &[String], unique: bool, partial: bool) -> String {
    let mut fact = format!("index {name} on {table}({})", columns(cols));
    if unique {
        fact.push_str(" unique");
    }
    if partial {
        fact.push_str(" partial");
    }
    fact
}

/// The schema of the SQLite database at `path`, as facts.
fn sqlite_schema(path: &Path) -> BTreeSet<String> {
    let c = rusqlite::Connection::open(path).expect("open the SQLite file");
    let tables: Vec<(String, String)> = rows(
        &c,
        "SELECT name, sql FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    let mut facts = BTreeSet::new();
    for (table, sql) in tables.iter().filter(|(t, _)| t != HISTORY) {
        facts.insert(format!("table {table}"));
        sqlite_columns(&c, table, &mut facts);
        sqlite_indexes(&c, table, &mut facts);
        sqlite_foreign_keys(&c, table, &mut facts);
        sqlite_checks(table, sql, &mut facts);
    }
    facts
}

/// The columns and primary key of `table`.
fn sqlite_columns(c: &rusqlite::Connection, table: &str, facts: &mut BTreeSet<String>) {
    // (name, type, not null, position in the primary key)
    let cols: Vec<(String, String, bool, i64)> = rows(
        c,
        &format!("SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    let mut pk: Vec<(i64, String)> = Vec::new();
    for (name, declared, not_null, pk_pos) in &cols {
        // An INTEGER PRIMARY KEY is the rowid, which is never NULL, though SQLite does not
        // report it NOT NULL.
        let rowid = *pk_pos > 0 && declared.eq_ignore_ascii_case("integer");
        let null = if *not_null || rowid {
            "not null"
        } else {
            "null"
        };
        facts.insert(format!("column {table}.{name} {} {null}", family(declared)));
        if *pk_pos > 0 {
            pk.push((*pk_pos, name.clone()));
        }
    }
    pk.sort();
    let pk: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
    if !pk.is_empty() {
        facts.insert(format!("primary key {table}({})", columns(&pk)));
    }
}

/// The indexes of `table`, and its UNIQUE constraints (SQLite keeps no name for those).
fn sqlite_indexes(c: &rusqlite::Connection, table: &str, facts: &mut BTreeSet<String>) {
    // (name, unique, origin: c = CREATE INDEX, u = UNIQUE, pk = PRIMARY KEY, partial)
    let indexes: Vec<(String, bool, String, bool)> = rows(
        c,
        &format!("SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}')"),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    for (name, unique, origin, partial) in indexes {
        let cols: Vec<String> = rows(
            c,
            &format!(
                "SELECT coalesce(name, '<expression>') FROM pragma_index_info('{name}') ORDER BY seqno"
            ),
            |r| r.get(0),
        );
        match origin.as_str() {
            "pk" => {}
            // A UNIQUE constraint's index: SQLite keeps no name for it.
            "u" => {
                facts.insert(format!("unique {table}({})", columns(&cols)));
            }
            _ => {
                facts.insert(index_fact(&name, table, &cols, unique, partial));
            }
        }
    }
}

/// The foreign keys of `table`.
fn sqlite_foreign_keys(c: &rusqlite::Connection, table: &str, facts: &mut BTreeSet<String>) {
    // (constraint id, referenced table, from, to, on delete)
    let keys: Vec<(i64, String, String, Option<String>, String)> = rows(
        c,
        &format!(
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY id, seq"
        ),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    );
    let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
    for (id, target, from, to, on_delete) in keys {
        let key = by_id
            .entry(id)
            .or_insert_with(|| (target, Vec::new(), Vec::new(), on_delete));
        key.1.push(from);
        // A reference without columns is to the primary key; every reference here names them.
        key.2.push(to.unwrap_or_else(|| "<primary key>".to_owned()));
    }
    for (target, from, to, on_delete) in by_id.into_values() {
        facts.insert(fk_fact(
            table,
            &from,
            &target,
            &to,
            &on_delete.to_ascii_lowercase(),
        ));
    }
}

/// The CHECK constraints of `table`, whose SQL is `sql`.
fn sqlite_checks(table: &str, sql: &str, facts: &mut BTreeSet<String>) {
    // SQLite keeps CHECK constraints only in the table's SQL: count them, and name the
    // named ones.
    let upper = sql.to_ascii_uppercase();
    let checks = upper.matches("CHECK (").count() + upper.matches("CHECK(").count();
    if checks > 0 {
        facts.insert(format!("checks {table}: {checks}"));
    }
    let words: Vec<&str> = sql.split_whitespace().collect();
    for w in words.windows(3) {
        if w[0].eq_ignore_ascii_case("constraint") && w[2].to_ascii_uppercase().starts_with("CHECK")
        {
            facts.insert(format!("check {table}.{}", w[1]));
        }
    }
}

fn fk_fact(table: &str, from: &[String], target: &str, to: &[String], on_delete: &str) -> String {
    let mut fact = format!(
        "foreign key {table}({}) references {target}({})",
        columns(from),
        columns(to)
    );
    if on_delete != "no action" {
        fact.push_str(&format!(" on delete {on_delete}"));
    }
    fact
}

/// The schema `schema` on the PostgreSQL server at `url`, as facts.
async fn postgres_schema(url: &str, schema: &str) -> BTreeSet<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut facts = BTreeSet::new();

    let columns_sql = "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
                       FROM information_schema.columns c
                       WHERE table_schema = $1
                         AND EXISTS (SELECT 1 FROM information_schema.tables t
                                     WHERE t.table_schema = c.table_schema
                                       AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')";
    for row in client
        .query(columns_sql, &[&schema])
        .await
        .expect("read columns")
    {
        let (table, name, declared, nullable): (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if table == HISTORY {
            continue;
        }
        facts.insert(format!("table {table}"));
        let null = if nullable == "YES" {
            "null"
        } else {
            "not null"
        };
        facts.insert(format!(
            "column {table}.{name} {} {null}",
            family(&declared)
        ));
    }

    // Every index with its columns, and the constraint it backs, if any (p or u).
    let indexes_sql = "SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indpred IS NOT NULL,
                              ARRAY(SELECT coalesce(a.attname::text, '<expression>')
                                    FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                                    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                                    ORDER BY k.n),
                              (SELECT c.contype::text FROM pg_constraint c
                               WHERE c.conindid = ix.indexrelid AND c.conrelid = t.oid
                                 AND c.contype IN ('p', 'u'))
                       FROM pg_index ix
                       JOIN pg_class i ON i.oid = ix.indexrelid
                       JOIN pg_class t ON t.oid = ix.indrelid
                       JOIN pg_namespace ns ON ns.oid = t.relnamespace
                       WHERE ns.nspname = $1";
    for row in client
        .query(indexes_sql, &[&schema])
        .await
        .expect("read indexes")
    {
        let (table, name, unique, partial): (String, String, bool, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let cols: Vec<String> = row.get(4);
        let backs: Option<String> = row.get(5);
        if table == HISTORY {
            continue;
        }
        match backs.as_deref() {
            Some("p") => {
                facts.insert(format!("primary key {table}({})", columns(&cols)));
            }
            Some(_) => {
                facts.insert(format!("unique {table}({})", columns(&cols)));
            }
            None => {
                facts.insert(index_fact(&name, &table, &cols, unique, partial));
            }
        }
    }

    let keys_sql = "SELECT cl.relname::text, rt.relname::text, c.confdeltype::text,
                           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                                 ORDER BY k.n),
                           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                                 ORDER BY k.n)
                    FROM pg_constraint c
                    JOIN pg_class cl ON cl.oid = c.conrelid
                    JOIN pg_class rt ON rt.oid = c.confrelid
                    JOIN pg_namespace ns ON ns.oid = cl.relnamespace
                    WHERE ns.nspname = $1 AND c.contype = 'f'";
    for row in client
        .query(keys_sql, &[&schema])
        .await
        .expect("read foreign keys")
    {
        let (table, target, action): (String, String, String) =
            (row.get(0), row.get(1), row.get(2));
        let (from, to): (Vec<String>, Vec<String>) = (row.get(3), row.get(4));
        let on_delete = match action.as_str() {
            "c" => "cascade",
            "r" => "restrict",
            "n" => "set null",
            "d" => "set default",
            _ => "no action",
        };
        facts.insert(fk_fact(&table, &from, &target, &to, on_delete));
    }

    let checks_sql = "SELECT cl.relname::text, c.conname::text
                      FROM pg_constraint c
                      JOIN pg_class cl ON cl.oid = c.conrelid
                      JOIN pg_namespace ns ON ns.oid = cl.relnamespace
                      WHERE ns.nspname = $1 AND c.contype = 'c'";
    let mut checks: BTreeMap<String, usize> = BTreeMap::new();
    for row in client
        .query(checks_sql, &[&schema])
        .await
        .expect("read checks")
    {
        let (table, name): (String, String) = (row.get(0), row.get(1));
        *checks.entry(table.clone()).or_default() += 1;
        // PostgreSQL names every check; one named `<table>_<column>_check` may be its own
        // name for an unnamed check, which SQLite keeps no name for.
        if !name.ends_with("_check") {
            facts.insert(format!("check {table}.{name}"));
        }
    }
    for (table, n) in checks {
        facts.insert(format!("checks {table}: {n}"));
    }
    facts
}
