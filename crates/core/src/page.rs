//! Paging parameters, checked here for every API (a value outside its documented range is a
//! 400 naming the parameter, never clamped in silence; [`bounded`]):
//!
//! - Axual: `page` (0-based, at most 2^31-1), `size` (default 20; larger sizes are cut to
//!   1000 as Spring Data REST does) and repeated `sort=field[,asc|desc]` ([`PageRequest`]);
//! - `offset` and `limit` (Utilihive tables and resources, Onegini synchronisations, [`Window`]);
//! - MATTR's `limit` and `cursor` ([`crate::cursor`]).
//!
//! Stores order by indexed columns (the sort keys, then the primary key as a tie-breaker) and
//! read one page with `LIMIT`/`OFFSET` over that index. Totals of unfiltered listings come from
//! per-realm counters ([`crate::db::counters`]), so no request scans a whole table to count it.

use crate::error::{DomainError, ErrorKind};

/// The default page size of Axual collections.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Larger requested sizes are clamped to this (the Spring Data REST cap).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// One `sort` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    /// The property name as the API spells it (validated against the resource's sortable fields).
    pub field: String,
    /// `desc` was given.
    pub descending: bool,
}

/// A parsed page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// 0-based page number.
    pub page: u32,
    /// Entries per page.
    pub size: u32,
    /// Sort keys in priority order; empty means insertion order.
    pub sort: Vec<SortKey>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { page: 0, size: DEFAULT_PAGE_SIZE, sort: Vec::new() }
    }
}

/// A paging parameter that cannot be honoured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid '{parameter}': {reason}")]
pub struct InvalidPaging {
    /// `page`, `size`, `sort`, `limit` or `cursor`.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl DomainError for InvalidPaging {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }
    fn code(&self) -> &'static str {
        "invalid_paging"
    }
    fn field(&self) -> Option<&str> {
        Some(self.parameter)
    }
    fn location(&self) -> &'static str {
        "query"
    }
}

/// The largest `page` and `offset` (OpenAPI's `int32`).
pub const MAX_POSITION: i64 = i32::MAX as i64;

/// The integer `value` of `parameter` (`None`: absent or empty, so `default`), which must lie
/// in `min..=max`; a 400 naming the parameter and the range otherwise.
pub fn bounded(
    parameter: &'static str,
    value: Option<&str>,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, InvalidPaging> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match text.parse::<i64>() {
        Ok(number) if (min..=max).contains(&number) => Ok(number),
        _ => Err(InvalidPaging {
            parameter,
            reason: format!("'{}' is not a whole number from {min} to {max}", text.escape_debug()),
        }),
    }
}

/// An `offset`/`limit` window: `offset` from 0, `limit` from 1 to the list's maximum
/// (`None`: no limit was asked for and the list has no default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Entries to skip.
    pub offset: i64,
    /// Most entries to return.
    pub limit: Option<i64>,
}

impl Window {
    /// Reads `offset` and `limit` from query pairs; `default_limit` applies when `limit` is
    /// absent, `max_limit` is the largest accepted.
    pub fn from_query(
        pairs: &[(String, String)],
        default_limit: Option<i64>,
        max_limit: i64,
    ) -> Result<Window, InvalidPaging> {
        let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let offset = bounded("offset", value("offset"), 0, 0, MAX_POSITION)?;
        let limit = match value("limit").map(str::trim).filter(|v| !v.is_empty()) {
            None => default_limit,
            given => Some(bounded("limit", given, 1, 1, max_limit)?),
        };
        Ok(Window { offset, limit })
    }
}

impl PageRequest {
    /// Reads `page`, `size` and every `sort` from query pairs. Sort field names are checked by
    /// the resource's [`crate::sort::SortMap`] when the query is built.
    pub fn from_query(pairs: &[(String, String)]) -> Result<PageRequest, InvalidPaging> {
        let mut request = PageRequest::default();
        for (name, value) in pairs {
            match name.as_str() {
                "page" => request.page = to_u32(bounded("page", Some(value), 0, 0, MAX_POSITION)?),
                "size" => {
                    // Spring Data REST cuts a larger size to its maximum rather than refusing it.
                    let size = bounded("size", Some(value), i64::from(DEFAULT_PAGE_SIZE), 1, i64::MAX)?;
                    request.size = to_u32(size.min(i64::from(MAX_PAGE_SIZE)));
                }
                "sort" => request.sort.extend(parse_sort(value)?),
                _ => {}
            }
        }
        Ok(request)
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page) * i64::from(self.size)
    }

    /// Rows to read.
    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

/// A number [`bounded`] to `0..=MAX_POSITION`, as the `u32` the page fields are.
fn to_u32(number: i64) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

/// The most sort keys one request may give.
pub const MAX_SORT_KEYS: usize = 8;

/// `sort=a,desc` or `sort=a,b,asc` (Spring: the direction applies to the properties before it).
fn parse_sort(value: &str) -> Result<Vec<SortKey>, InvalidPaging> {
    let parts: Vec<&str> = value.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let (fields, descending) = match parts.last().map(|p| p.to_ascii_lowercase()) {
        Some(dir) if dir == "desc" => (&parts[..parts.len() - 1], true),
        Some(dir) if dir == "asc" => (&parts[..parts.len() - 1], false),
        _ => (&parts[..], false),
    };
    if fields.len() > MAX_SORT_KEYS {
        return Err(InvalidPaging { parameter: "sort", reason: format!("at most {MAX_SORT_KEYS} sort keys") });
    }
    Ok(fields.iter().map(|field| SortKey { field: (*field).to_owned(), descending }).collect())
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// The page number requested (0-based).
    pub number: u32,
    /// The page size requested (or defaulted).
    pub size: u32,
    /// Matching entries on all pages.
    pub total: u64,
}

impl<T> Page<T> {
    /// Builds a page from a request, its entries and the total.
    pub fn new(request: &PageRequest, items: Vec<T>, total: u64) -> Page<T> {
        Page { items, number: request.page, size: request.size, total }
    }

    /// Number of pages (0 when there are no entries).
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.size.max(1)))
    }

    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        u64::from(self.number) + 1 < self.total_pages()
    }

    /// Whether an earlier page exists.
    pub fn has_prev(&self) -> bool {
        self.number > 0
    }

    /// Converts the entries, keeping the paging numbers.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), number: self.number, size: self.size, total: self.total }
    }

    /// Converts the entries with a conversion that may fail (the first failure is the answer).
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        let items = self.items.into_iter().map(f).collect::<Result<Vec<U>, E>>()?;
        Ok(Page { items, number: self.number, size: self.size, total: self.total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_page_zero_size_twenty_unsorted() {
        assert_eq!(PageRequest::from_query(&[]), Ok(PageRequest::default()));
    }

    #[test]
    fn repeated_sort_keys_keep_their_order_and_direction() {
        let request = PageRequest::from_query(&pairs(&[
            ("sort", "name"),
            ("sort", "shortName,desc"),
            ("page", "2"),
            ("size", "5"),
        ]))
        .unwrap();
        assert_eq!(request.page, 2);
        assert_eq!(request.size, 5);
        assert_eq!(request.offset(), 10);
        assert_eq!(
            request.sort,
            vec![
                SortKey { field: "name".into(), descending: false },
                SortKey { field: "shortName".into(), descending: true }
            ]
        );
    }

    #[test]
    fn bad_values_name_the_parameter_and_big_sizes_are_clamped() {
        let err = PageRequest::from_query(&pairs(&[("page", "-1")])).err();
        assert_eq!(err.map(|e| e.parameter), Some("page"));
        let err = PageRequest::from_query(&pairs(&[("size", "0")])).err();
        assert_eq!(err.map(|e| e.parameter), Some("size"));
        let err = PageRequest::from_query(&pairs(&[("sort", "a,b,c,d,e,f,g,h,i,asc")])).err();
        assert_eq!(err.map(|e| e.parameter), Some("sort"));
        let request = PageRequest::from_query(&pairs(&[("size", "5000")]));
        assert_eq!(request.map(|r| r.size), Ok(MAX_PAGE_SIZE));
        let err = PageRequest::from_query(&pairs(&[("page", "2147483648")])).err();
        assert_eq!(err.map(|e| e.parameter), Some("page"), "beyond int32");
        assert!(PageRequest::from_query(&pairs(&[("page", "2147483647")])).is_ok());
    }

    #[test]
    fn windows_refuse_what_their_documents_do_not_allow() {
        let window = |items: &[(&str, &str)]| Window::from_query(&pairs(items), None, 1000);
        assert_eq!(window(&[]), Ok(Window { offset: 0, limit: None }));
        assert_eq!(window(&[("offset", "5"), ("limit", "1000")]), Ok(Window { offset: 5, limit: Some(1000) }));
        for (name, value) in [("offset", "-1"), ("limit", "0"), ("limit", "-5"), ("limit", "100000"), ("limit", "x")] {
            let err = window(&[(name, value)]).unwrap_err();
            assert_eq!(err.parameter, name, "{name}={value}");
            assert!(err.reason.contains(value), "{}", err.reason);
        }
        assert_eq!(Window::from_query(&[], Some(20), 1000).map(|w| w.limit), Ok(Some(20)));
    }

    #[test]
    fn page_arithmetic_follows_spring_hateoas() {
        let request = PageRequest { page: 1, size: 5, sort: vec![] };
        let page = Page::new(&request, vec![1, 2, 3, 4, 5], 12);
        assert_eq!(page.total_pages(), 3);
        assert!(page.has_prev() && page.has_next());
        let empty: Page<u8> = Page::new(&PageRequest::default(), vec![], 0);
        assert_eq!(empty.total_pages(), 0);
        assert!(!empty.has_next() && !empty.has_prev());
    }
}
