//! HAL (`application/hal+json`) envelopes as Spring Data REST renders them for Axual.
//!
//! Bodies are typed: a wire struct `T` becomes a [`Resource<T>`] (its fields, then `_embedded`,
//! then `_links`), pages of them a [`Collection<T>`] (`_embedded.<rel>`, `_links`, `page`).
//! With the `http` feature every type here also has an OpenAPI schema (`crate::http::schema`).
//!
//! Link order is significant to the seed's examples, so [`Links`] keeps insertion order.

use crate::page::Page;
use crate::time::Timestamp;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

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

    /// Appends every relation of `other` (replacing those already present).
    pub fn extend(&mut self, other: Links) {
        for (rel, link) in other.0 {
            self.push(&rel, link);
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

/// A wire struct that is embedded in collections under a fixed relation (`users`, `groups`).
pub trait HalItem {
    /// The `_embedded` key of collections of this type.
    const REL: &'static str;
}

/// A resource without `_embedded`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NoEmbedded {}

/// One HAL resource: the fields of `T` in declaration order, then `_embedded` (when there is
/// something to embed), then `_links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource<T, E = NoEmbedded> {
    /// The resource's own fields.
    #[serde(flatten)]
    pub body: T,
    /// Related resources shown inline (Spring Data REST excerpts).
    #[serde(rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<E>,
    /// Links, in order.
    #[serde(rename = "_links")]
    pub links: Links,
}

impl<T> Resource<T> {
    /// `body` with `links` and nothing embedded.
    pub fn new(body: T, links: Links) -> Resource<T> {
        Resource { body, embedded: None, links }
    }
}

impl<T, E> Resource<T, E> {
    /// `body` with `links` and `embedded` (when `Some`).
    pub fn with_embedded(body: T, embedded: Option<E>, links: Links) -> Resource<T, E> {
        Resource { body, embedded, links }
    }
}

impl<T: HalItem, E> HalItem for Resource<T, E> {
    const REL: &'static str = T::REL;
}

/// A body that is only `_links`: the index, `/profile`, `/{collection}/search`.
pub type LinksOnly = Resource<NoFields>;

/// No fields of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NoFields {}

impl LinksOnly {
    /// `{"_links": links}`.
    pub fn links(links: Links) -> LinksOnly {
        Resource::new(NoFields {}, links)
    }
}

/// A collection: `{"_embedded": {T::REL: [items]}, "_links": ..., "page"?: ...}`.
///
/// The `_embedded` key is present even when there are no items, as in the seed; `page` is
/// present for paged collections and absent for the unpaged search lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection<T, E = NoEmbedded> {
    /// The entries.
    pub items: Vec<Resource<T, E>>,
    /// Navigation and action links.
    pub links: Links,
    /// Paging metadata (paged collections only).
    pub page: Option<PageMetadata>,
}

impl<T, E> Collection<T, E> {
    /// An unpaged list (search results that return every match).
    pub fn list(items: Vec<Resource<T, E>>, links: Links) -> Collection<T, E> {
        Collection { items, links, page: None }
    }
}

impl<T: HalItem + Serialize, E: Serialize> Serialize for Collection<T, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Embedded<'a, T, E>(&'a [Resource<T, E>]);
        impl<T: HalItem + Serialize, E: Serialize> Serialize for Embedded<'_, T, E> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(T::REL, self.0)?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(if self.page.is_some() { 3 } else { 2 }))?;
        map.serialize_entry("_embedded", &Embedded(&self.items))?;
        map.serialize_entry("_links", &self.links)?;
        if let Some(page) = &self.page {
            map.serialize_entry("page", page)?;
        }
        map.end()
    }
}

/// Axual's timestamps: ISO-8601 local date-time in UTC without an offset
/// (`2021-04-22T14:34:28.601088`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime(pub Timestamp);

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.local_iso())
    }
}

impl From<Timestamp> for LocalTime {
    fn from(at: Timestamp) -> Self {
        LocalTime(at)
    }
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
        let value = serde_json::to_string(&links).unwrap();
        assert_eq!(
            value,
            r#"{"self":{"href":"http://h/users{?page,size,sort}","templated":true,"title":"URI pointing to current request"},"profile":{"href":"http://h/profile/users"}}"#
        );
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Thing {
        name: String,
        middle_name: Option<String>,
    }

    impl HalItem for Thing {
        const REL: &'static str = "things";
    }

    #[test]
    fn collections_keep_empty_embedded_and_put_page_last() {
        let page: Page<Thing> = Page::new(&PageRequest::default(), vec![], 0);
        let collection: Collection<Thing> =
            Collection { items: vec![], links: Links::new(), page: Some(PageMetadata::from(&page)) };
        assert_eq!(
            serde_json::to_value(&collection).unwrap(),
            json!({"_embedded": {"things": []}, "_links": {}, "page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}})
        );
        let list: Collection<Thing> = Collection::list(vec![], Links::new());
        assert_eq!(serde_json::to_value(&list).unwrap(), json!({"_embedded": {"things": []}, "_links": {}}));
    }

    #[test]
    fn resources_flatten_their_fields_before_embedded_and_links() {
        let resource = Resource::with_embedded(
            Thing { name: "a".into(), middle_name: None },
            Some(json!({"members": []})),
            Links::new().add("self", Link::new("http://h/things/1")),
        );
        assert_eq!(
            serde_json::to_string(&resource).unwrap(),
            r#"{"name":"a","middleName":null,"_embedded":{"members":[]},"_links":{"self":{"href":"http://h/things/1"}}}"#
        );
        let bare = Resource::new(Thing { name: "b".into(), middle_name: Some("m".into()) }, Links::new());
        assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"name":"b","middleName":"m","_links":{}}"#);
        assert_eq!(serde_json::to_string(&LinksOnly::links(Links::new())).unwrap(), r#"{"_links":{}}"#);
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
