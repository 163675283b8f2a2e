//! HAL (`application/hal+json`) envelopes as Spring Data REST renders them for Axual.
//!
//! Link order is significant to the seed's examples, so [`Links`] keeps insertion order.

use crate::page::Page;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The HAL media type.
pub const HAL_JSON: &str = "application/hal+json;charset=UTF-8";

/// One link object: `{ "href", "templated"?, "title"? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Absolute URL (or URI template when `templated`).
    pub href: String,
    /// Present (and `true`) only for URI templates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub templated: bool,
    /// The relation's title, where the seed shows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    /// A plain link.
    pub fn new(href: impl Into<String>) -> Link {
        Link { href: href.into(), templated: false, title: None }
    }

    /// A URI template link.
    pub fn templated(href: impl Into<String>) -> Link {
        Link { href: href.into(), templated: true, title: None }
    }

    /// Sets the title.
    pub fn titled(mut self, title: &str) -> Link {
        self.title = Some(title.to_owned());
        self
    }
}

/// `_links`: relations in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links(Vec<(String, Link)>);

impl Links {
    /// No links.
    pub fn new() -> Links {
        Links(Vec::new())
    }

    /// Adds (or replaces) relation `rel`.
    pub fn add(mut self, rel: &str, link: Link) -> Links {
        self.push(rel, link);
        self
    }

    /// Adds relation `rel` when `condition` holds (conditional links such as `edit`, `delete`).
    pub fn add_if(self, condition: bool, rel: &str, link: impl FnOnce() -> Link) -> Links {
        if condition { self.add(rel, link()) } else { self }
    }

    /// Adds (or replaces) relation `rel` in place.
    pub fn push(&mut self, rel: &str, link: Link) {
        if let Some(slot) = self.0.iter_mut().find(|(name, _)| name == rel) {
            slot.1 = link;
        } else {
            self.0.push((rel.to_owned(), link));
        }
    }

    /// The link of relation `rel`.
    pub fn get(&self, rel: &str) -> Option<&Link> {
        self.0.iter().find(|(name, _)| name == rel).map(|(_, link)| link)
    }

    /// Relation names in order.
    pub fn rels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(name, _)| name.as_str())
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (rel, link) in &self.0 {
            map.serialize_entry(rel, link)?;
        }
        map.end()
    }
}

/// The `page` object, always the last key of a paged response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMetadata {
    /// Requested (or default) page size.
    pub size: u32,
    /// Matching entries on all pages.
    pub total_elements: u64,
    /// Number of pages.
    pub total_pages: u64,
    /// This page's number (0-based).
    pub number: u32,
}

impl<T> From<&Page<T>> for PageMetadata {
    fn from(page: &Page<T>) -> Self {
        PageMetadata {
            size: page.size,
            total_elements: page.total,
            total_pages: page.total_pages(),
            number: page.number,
        }
    }
}

/// Serialises a resource body followed by optional `_embedded` and `_links`.
///
/// `body` must serialise to a JSON object; its keys keep their declared order.
pub fn resource<T: Serialize>(body: &T, embedded: Option<Map<String, Value>>, links: &Links) -> Value {
    let mut out = match serde_json::to_value(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(embedded) = embedded.filter(|e| !e.is_empty()) {
        out.insert("_embedded".into(), Value::Object(embedded));
    }
    out.insert("_links".into(), serde_json::to_value(links).unwrap_or(Value::Null));
    Value::Object(out)
}

/// A collection: `{ "_embedded": { key: items }, "_links": ..., "page"?: ... }`.
///
/// The `_embedded` key is present even when `items` is empty, as in the seed.
pub fn collection(key: &str, items: Vec<Value>, links: &Links, page: Option<PageMetadata>) -> Value {
    let mut embedded = Map::new();
    embedded.insert(key.to_owned(), Value::Array(items));
    let mut out = Map::new();
    out.insert("_embedded".into(), Value::Object(embedded));
    out.insert("_links".into(), serde_json::to_value(links).unwrap_or(Value::Null));
    if let Some(page) = page {
        out.insert("page".into(), serde_json::to_value(page).unwrap_or(Value::Null));
    }
    Value::Object(out)
}

/// Adds Spring HATEOAS navigation links around `self_link`: `first, prev, self, next, last`.
///
/// `page_url(n)` renders the URL of page `n` with the request's size, sort and search parameters.
pub fn paged_links<T>(page: &Page<T>, self_link: Link, page_url: impl Fn(u64) -> String) -> Links {
    let mut links = Links::new();
    let navigable = page.has_prev() || page.has_next();
    if navigable {
        links.push("first", Link::new(page_url(0)));
    }
    if page.has_prev() {
        links.push("prev", Link::new(page_url(u64::from(page.number) - 1)));
    }
    links.push("self", self_link);
    if page.has_next() {
        links.push("next", Link::new(page_url(u64::from(page.number) + 1)));
    }
    if navigable {
        links.push("last", Link::new(page_url(page.total_pages().saturating_sub(1))));
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageRequest;
    use serde_json::json;

    #[test]
    fn links_keep_order_and_omit_false_templated() {
        let links = Links::new()
            .add("self", Link::templated("http://h/users{?page,size,sort}").titled("URI pointing to current request"))
            .add("profile", Link::new("http://h/profile/users"));
        let value = serde_json::to_string(&links).unwrap_or_default();
        assert_eq!(
            value,
            r#"{"self":{"href":"http://h/users{?page,size,sort}","templated":true,"title":"URI pointing to current request"},"profile":{"href":"http://h/profile/users"}}"#
        );
    }

    #[test]
    fn collections_keep_empty_embedded_and_put_page_last() {
        let page: Page<Value> = Page::new(&PageRequest::default(), vec![], 0);
        let value = collection("users", vec![], &Links::new(), Some(PageMetadata::from(&page)));
        assert_eq!(
            value,
            json!({"_embedded": {"users": []}, "_links": {}, "page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}})
        );
    }

    #[test]
    fn navigation_links_appear_only_when_there_is_somewhere_to_go() {
        let request = PageRequest { page: 1, size: 2, sort: vec![] };
        let page = Page::new(&request, vec![1, 2], 5);
        let links = paged_links(&page, Link::new("self"), |n| format!("p{n}"));
        assert_eq!(links.rels().collect::<Vec<_>>(), ["first", "prev", "self", "next", "last"]);
        assert_eq!(links.get("last").map(|l| l.href.as_str()), Some("p2"));
        let single = Page::new(&PageRequest::default(), vec![1], 1);
        let links = paged_links(&single, Link::new("self"), |n| format!("p{n}"));
        assert_eq!(links.rels().collect::<Vec<_>>(), ["self"]);
    }
}
