//! Every item of a paged list, for the few places that need the whole of a
//! short list (a student's week, a filter's choices).

use std::future::Future;

use rollcall_core::api::{ListParams, Page, MAX_PER_PAGE};

use crate::ClientError;

/// The most pages [`every_page`] reads: 50 × [`MAX_PER_PAGE`] items.
const MOST_PAGES: u32 = 50;

/// Every item of the list `fetch` reads a page of, `base`'s order and search
/// kept, page after page of the largest size until the total is reached (or
/// a page comes back empty, or after [`MOST_PAGES`] pages).
///
/// # Errors
/// The first page's call that fails.
pub async fn every_page<T, F, Fut>(base: &ListParams, mut fetch: F) -> Result<Vec<T>, ClientError>
where
    F: FnMut(ListParams) -> Fut,
    Fut: Future<Output = Result<Page<T>, ClientError>>,
{
    let mut items = Vec::new();
    for number in 1..=MOST_PAGES {
        let params = ListParams {
            page: Some(number),
            per_page: Some(MAX_PER_PAGE),
            ..base.clone()
        };
        let page = fetch(params).await?;
        let empty = page.items.is_empty();
        items.extend(page.items);
        if empty || items.len() as u64 >= page.total {
            break;
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(all: &[u32], params: &ListParams) -> Page<u32> {
        let (number, size) = (params.page.unwrap_or(1), params.per_page.unwrap_or(20));
        let from = ((number - 1) * size) as usize;
        Page {
            items: all.iter().skip(from).take(size as usize).copied().collect(),
            page: number,
            per_page: size,
            total: all.len() as u64,
        }
    }

    #[tokio::test]
    async fn reads_each_page_once_until_the_total() {
        let all: Vec<u32> = (0..450).collect();
        let mut asked = Vec::new();
        let got = every_page(&ListParams::default(), |p| {
            asked.push(p.page);
            let page = page_of(&all, &p);
            async move { Ok(page) }
        })
        .await
        .unwrap();
        assert_eq!(got, all);
        assert_eq!(asked, [Some(1), Some(2), Some(3)]);
    }

    #[tokio::test]
    async fn an_empty_page_ends_it_and_a_failure_is_told() {
        let got: Vec<u32> = every_page(&ListParams::default(), |p| async move {
            Ok(Page {
                items: Vec::new(),
                page: p.page.unwrap_or(1),
                per_page: 200,
                total: 10,
            })
        })
        .await
        .unwrap();
        assert!(got.is_empty(), "a list that shrank while read");
        let failed = every_page::<u32, _, _>(&ListParams::default(), |_| async {
            Err(ClientError::NotSignedIn)
        })
        .await;
        assert!(failed.is_err());
    }
}
