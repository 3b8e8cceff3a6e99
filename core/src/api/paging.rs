//! Every list endpoint takes the same parameters and answers with a [`Page`].

use serde::{Deserialize, Serialize};

/// Largest page a client may ask for.
pub const MAX_PER_PAGE: u32 = 200;
/// Page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 50;

/// `?page=&per_page=&sort=&q=`: which slice of a list, in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListParams {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to [`MAX_PER_PAGE`] (default [`DEFAULT_PER_PAGE`]).
    pub per_page: Option<u32>,
    /// A field name, `-` in front for descending (e.g. `-created_at`).
    pub sort: Option<String>,
    /// Free-text search over the list's main text fields.
    pub q: Option<String>,
}

impl ListParams {
    /// Up to `per_page` items in the server's default order.
    #[must_use]
    pub const fn per_page(per_page: u32) -> Self {
        Self {
            page: None,
            per_page: Some(per_page),
            sort: None,
            q: None,
        }
    }

    /// Sorted by `sort` (`-field` for descending).
    #[must_use]
    pub fn sorted(mut self, sort: &str) -> Self {
        self.sort = Some(sort.to_owned());
        self
    }

    /// Page `page` (1-based).
    #[must_use]
    pub const fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number (1-based).
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
    /// How many items match in all.
    pub total: u64,
}
