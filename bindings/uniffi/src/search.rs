//! Searches read page by page.
//!
//! The driver's search stream asks the core's pager for one page at a time (`$$FIRST`,
//! `$$LIMIT`, `ID_Sort=asc`) and yields its objects; taking `page_size` objects from it
//! consumes exactly one request, so a page here is a page on the wire.

use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use serde_json::Value;
use wf_oauth_core::DEFAULT_PAGE_SIZE;

use crate::client::borrowed;
use crate::error::Result;
use crate::runtime::{block, spawn};

type Objects = Pin<Box<dyn Stream<Item = wf_oauth_http::Result<Value>> + Send>>;

/// The stream, taken out by whichever call is reading it; `None` once it ended.
type Slot = Arc<tokio::sync::Mutex<Option<Objects>>>;

/// A search in progress; each [`next_page`](Self::next_page) fetches one page.
///
/// Calls on one cursor run one after the other. After an error or the last page, every
/// call returns `null`/`nil`.
#[derive(uniffi::Object)]
pub struct SearchCursor {
    page_size: usize,
    slot: Slot,
}

impl std::fmt::Debug for SearchCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchCursor")
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl SearchCursor {
    pub(crate) fn start(
        client: &wf_oauth_http::WorkfrontClient,
        obj_code: &str,
        filters: Vec<(String, String)>,
        page_size: Option<u32>,
    ) -> Arc<Self> {
        let filters = borrowed(&filters);
        // An invalid page size (0, > 2000) comes back as the stream's first item, an
        // `InvalidArgument` error from the core's pager.
        let (stream, size) = match page_size {
            Some(size) => (
                client
                    .search_with_page_size(obj_code, &filters, size)
                    .boxed(),
                size,
            ),
            None => (client.search(obj_code, &filters).boxed(), DEFAULT_PAGE_SIZE),
        };
        Arc::new(Self {
            page_size: usize::try_from(size).unwrap_or(usize::MAX).max(1),
            slot: Arc::new(tokio::sync::Mutex::new(Some(stream))),
        })
    }

    /// Reads up to `max` objects (`None`: all that remain).
    async fn take(slot: Slot, max: Option<usize>) -> Result<Option<Vec<String>>> {
        let mut guard = slot.lock_owned().await;
        let Some(stream) = guard.as_mut() else {
            return Ok(None);
        };
        let mut objects = Vec::new();
        while max.is_none_or(|m| objects.len() < m) {
            match stream.next().await {
                Some(Ok(object)) => objects.push(object.to_string()),
                Some(Err(e)) => {
                    *guard = None;
                    return Err(e.into());
                }
                None => {
                    *guard = None;
                    break;
                }
            }
        }
        Ok((!objects.is_empty()).then_some(objects))
    }

    /// Every remaining object.
    pub(crate) async fn collect(self: Arc<Self>) -> Result<Vec<String>> {
        Ok(Self::take(Arc::clone(&self.slot), None)
            .await?
            .unwrap_or_default())
    }
}

#[uniffi::export]
impl SearchCursor {
    /// The next page of objects (each one as JSON), or `null`/`nil` when the search is
    /// over.
    pub async fn next_page(&self) -> Result<Option<Vec<String>>> {
        let (slot, size) = (Arc::clone(&self.slot), self.page_size);
        spawn(Self::take(slot, Some(size))).await
    }

    /// Blocking [`next_page`](Self::next_page).
    pub fn next_page_blocking(&self) -> Result<Option<Vec<String>>> {
        let (slot, size) = (Arc::clone(&self.slot), self.page_size);
        block(Self::take(slot, Some(size)))
    }
}
