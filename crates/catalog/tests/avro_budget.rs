//! The Avro checks stay within the per-request budget at the body limit (1 MiB): under 2 s
//! and under 64 MiB more memory, for the inputs that once took 5 GB and 67 s (a union of
//! thousands of enums of one name in other namespaces, checked against itself moved) or 37 s
//! of CPU (80,000 enum symbols). Its own test binary, so the allocator counts this test alone.
#![expect(clippy::unwrap_used, reason = "a test that meets an unexpected value fails loudly, with the value")]

use portico_catalog::avro::{AvroSchema, CompatibilityMode, check};
use portico_core::testing::{CountingAllocator, measured};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const BODY_LIMIT: usize = 1024 * 1024;
const TIME: Duration = Duration::from_secs(2);
const MEMORY: usize = 64 * 1024 * 1024;

/// Runs `work`, asserting it stays within the time and memory budget.
fn within_budget<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let (result, elapsed, added) = measured(work);
    assert!(elapsed < TIME, "{what} took {elapsed:?}");
    assert!(added < MEMORY, "{what} needed {} MiB more", added / (1024 * 1024));
    result
}

/// A record whose one field is a union of `count` enums named `E`, each in namespace
/// `{prefix}{i}`, as large as fits the body limit.
fn union_of_enums(prefix: &str, count: usize) -> String {
    let branches: Vec<String> = (0..count)
        .map(|i| format!(r#"{{"type":"enum","name":"E","namespace":"{prefix}{i}","symbols":["A","B"]}}"#))
        .collect();
    format!(r#"{{"type":"record","name":"R","fields":[{{"name":"f","type":[{}]}}]}}"#, branches.join(","))
}

/// One test, so no other test's allocations are counted with its own.
#[test]
fn the_largest_hostile_schemas_are_parsed_and_checked_within_the_budget() {
    the_allocator_counts();
    a_union_of_thousands_of_same_named_enums();
    eighty_thousand_enum_symbols();
    records_nested_as_deep_as_allowed();
}

/// The budget means something only if the allocator counts: 8 MiB held is 8 MiB measured.
fn the_allocator_counts() {
    let (held, _, added) = measured(|| vec![1_u8; 8 * 1024 * 1024]);
    assert!(added >= held.len(), "{added} bytes counted for {}", held.len());
    assert!(added < MEMORY);
}

fn a_union_of_thousands_of_same_named_enums() {
    let count = 9000;
    let old = union_of_enums("a", count);
    let new = union_of_enums("b", count);
    assert!(new.len() < BODY_LIMIT, "{} bytes", new.len());
    let old = within_budget("parsing", || AvroSchema::parse(&old).unwrap());
    let new = within_budget("parsing", || AvroSchema::parse(&new).unwrap());
    for mode in [CompatibilityMode::Full, CompatibilityMode::FullTransitive] {
        let problems = within_budget("checking", || check(mode, &[(1, &old)], &new).unwrap());
        assert!(problems.is_empty(), "{problems:?}");
    }
}

fn eighty_thousand_enum_symbols() {
    let symbols = |skip: usize| -> String {
        (0..80_000).filter(|i| *i != skip).map(|i| format!("\"S{i}\"")).collect::<Vec<_>>().join(",")
    };
    let enumeration = |skip| format!(r#"{{"type":"enum","name":"Big","symbols":[{}]}}"#, symbols(skip));
    let (all, missing_one) = (enumeration(usize::MAX), enumeration(79_999));
    assert!(all.len() < BODY_LIMIT);
    let all = within_budget("parsing", || AvroSchema::parse(&all).unwrap());
    let missing_one = within_budget("parsing", || AvroSchema::parse(&missing_one).unwrap());
    // The new version lacks S79999: it cannot read the old version's data.
    let problems = within_budget("checking", || check(CompatibilityMode::Full, &[(1, &all)], &missing_one).unwrap());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].reason.contains("S79999"), "{}", problems[0].reason);
}

fn records_nested_as_deep_as_allowed() {
    // 30 records nested (90 levels of JSON, within the 100 allowed), 100 fields each.
    let mut schema = r#""long""#.to_owned();
    for level in 0..30 {
        let fields: Vec<String> = (0..100).map(|i| format!(r#"{{"name":"f{i}","type":"int"}}"#)).collect();
        schema = format!(
            r#"{{"type":"record","name":"L{level}","fields":[{},{{"name":"next","type":{schema}}}]}}"#,
            fields.join(",")
        );
    }
    assert!(schema.len() < BODY_LIMIT);
    let parsed = within_budget("parsing", || AvroSchema::parse(&schema).unwrap());
    let problems = within_budget("checking", || check(CompatibilityMode::Full, &[(1, &parsed)], &parsed).unwrap());
    assert!(problems.is_empty());
}
