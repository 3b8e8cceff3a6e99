//! Pagination, sorting and search shared by every list endpoint.

use rollcall_core::api::ErrorCode;
use rollcall_core::api::{ListParams, Page, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use sqlx::{Postgres, QueryBuilder};

use super::ApiError;

/// A validated [`ListParams`] for one endpoint.
#[derive(Debug, Clone)]
pub struct Paging {
    /// 1-based page.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// `ORDER BY` text, built only from the endpoint's whitelist.
    order_by: String,
    /// The `q` search, escaped for `ILIKE`.
    pub search: Option<String>,
}

impl Paging {
    /// Checks `params` against the sortable `columns` (first is the default).
    ///
    /// # Errors
    /// 400 `invalid_query` naming the bad parameter.
    pub fn new(params: &ListParams, columns: &[&str]) -> Result<Self, ApiError> {
        let bad = |message: String| ApiError::BadRequest {
            code: ErrorCode::InvalidQuery,
            message,
        };
        let page = params.page.unwrap_or(1);
        if page == 0 {
            return Err(bad("page starts at 1".to_owned()));
        }
        let per_page = params.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(bad(format!("per_page must be 1 to {MAX_PER_PAGE}")));
        }
        let sort = params
            .sort
            .as_deref()
            .unwrap_or(columns.first().copied().unwrap_or("id"));
        let (column, direction) = match sort.strip_prefix('-') {
            Some(c) => (c, "DESC"),
            None => (sort, "ASC"),
        };
        if !columns.contains(&column) {
            return Err(bad(format!("sort by one of: {}", columns.join(", "))));
        }
        let search = params
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| {
                let escaped = q
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            });
        Ok(Self {
            page,
            per_page,
            order_by: format!("{column} {direction}"),
            search,
        })
    }

    /// Appends `ORDER BY … LIMIT … OFFSET …`.
    pub fn push_tail(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        self.push_tail_by(qb, "id");
    }

    /// Appends `ORDER BY … LIMIT … OFFSET …`, breaking ties by `tiebreak`
    /// (a unique column, qualified where the query joins tables).
    pub fn push_tail_by(&self, qb: &mut QueryBuilder<'_, Postgres>, tiebreak: &str) {
        qb.push(" ORDER BY ")
            .push(&self.order_by)
            .push(", ")
            .push(tiebreak)
            .push(" ASC");
        qb.push(" LIMIT ").push_bind(i64::from(self.per_page));
        qb.push(" OFFSET ")
            .push_bind(i64::from(self.page - 1) * i64::from(self.per_page));
    }

    /// Wraps `items` with this page's numbers.
    #[must_use]
    pub fn page<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total: u64::try_from(total).unwrap_or(0),
        }
    }
}
