//! An index for substring search on location names. Neither backend can index `LIKE '%fi%'` for a
//! two-letter term (PostgreSQL's pg_trgm needs three letters, SQLite has nothing), so every
//! location keeps the distinct two-letter pieces ("bigrams") of its lower-cased name in
//! `location_name_grams`. A search first narrows to locations holding all of the term's bigrams
//! through the primary key, then `LIKE` checks the real name: the index may over-select, never
//! under-select.
use super::StoreError;
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// A search uses at most this many bigrams of its term: a few already narrow to a handful of
/// rows, and `LIKE` checks the whole term anyway.
pub const MAX_SEARCH_GRAMS: usize = 4;

/// The distinct two-character pieces of `text`, lower-cased as searches are.
pub fn bigrams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    chars.windows(2).map(|pair| pair.iter().collect()).collect()
}

/// The bigrams a search for `term` filters on (none for a one-letter term: it scans).
pub fn search_grams(term: &str) -> Vec<String> {
    bigrams(term).into_iter().take(MAX_SEARCH_GRAMS).collect()
}

/// Replaces the indexed bigrams of location `id` (in the caller's transaction).
pub(crate) async fn index_location_name(conn: &mut AnyConnection, id: i64, name: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM location_name_grams WHERE location_id = $1").bind(id).execute(&mut *conn).await?;
    let grams = bigrams(name);
    if grams.is_empty() {
        return Ok(());
    }
    // One statement for all of them: `($2, $1), ($3, $1), …`.
    let rows: Vec<String> = (2..grams.len() + 2).map(|n| format!("(${n}, $1)")).collect();
    let sql = format!("INSERT INTO location_name_grams (gram, location_id) VALUES {}", rows.join(", "));
    let mut insert = sqlx::query(&sql).bind(id);
    for gram in grams {
        insert = insert.bind(gram);
    }
    insert.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_are_distinct_lower_case_pairs() {
        let grams: Vec<String> = bigrams("FiFi Ü").into_iter().collect();
        assert_eq!(grams, [" ü", "fi", "i ", "if"]);
        assert!(bigrams("a").is_empty());
        assert!(search_grams("x").is_empty());
        assert_eq!(search_grams("Fi"), vec!["fi".to_string()]);
        assert_eq!(search_grams("abcdefgh").len(), MAX_SEARCH_GRAMS);
    }
}
