//! Searches as streams of objects, page by page with the core's pager (`$$FIRST`,
//! `$$LIMIT`, `ID_Sort=asc`).

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde_json::Value;
use wf_oauth_core::{Method, SearchPager};

use crate::client::WorkfrontClient;
use crate::error::{Error, Result};

impl WorkfrontClient {
    /// Every object of `GET {obj_code}/search` matching `filters`, fetched lazily one page
    /// of [`DEFAULT_PAGE_SIZE`](wf_oauth_core::DEFAULT_PAGE_SIZE) at a time.
    ///
    /// Each page is an ordinary API call: refreshed and replayed after an authentication
    /// failure, retried on transient errors. The stream ends after the first error.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn demo(client: wf_oauth_http::WorkfrontClient) -> Result<(), wf_oauth_http::Error> {
    /// let mut projects = std::pin::pin!(client.search("proj", &[("status", "CUR")]));
    /// while let Some(project) = projects.try_next().await? {
    ///     println!("{}", project["name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search(
        &self,
        obj_code: &str,
        filters: &[(&str, &str)],
    ) -> impl Stream<Item = Result<Value>> + Send + 'static {
        self.search_pages(obj_code, SearchPager::new(obj_code, filters))
    }

    /// Like [`search`](Self::search) with `page_size` objects per request (1 to
    /// [`MAX_PAGE_SIZE`](wf_oauth_core::MAX_PAGE_SIZE)).
    pub fn search_with_page_size(
        &self,
        obj_code: &str,
        filters: &[(&str, &str)],
        page_size: u32,
    ) -> impl Stream<Item = Result<Value>> + Send + 'static {
        self.search_pages(
            obj_code,
            SearchPager::new(obj_code, filters).and_then(|p| p.with_page_size(page_size)),
        )
    }

    fn search_pages(
        &self,
        obj_code: &str,
        pager: Result<SearchPager, wf_oauth_core::Error>,
    ) -> impl Stream<Item = Result<Value>> + Send + 'static {
        let client = self.clone();
        // Only names the span; the pager builds the actual request path.
        let path = format!("{obj_code}/search");
        let pages = stream::try_unfold(
            (client, path, pager.map_err(Error::from)),
            |(client, path, pager)| async move {
                let mut pager = pager?;
                if pager.is_finished() {
                    return Ok::<_, Error>(None);
                }
                let page = {
                    let current = &pager;
                    client
                        .call(Method::Get, &path, &|config, tokens| {
                            current.next_request(config, tokens)?.ok_or_else(|| {
                                wf_oauth_core::Error::InvalidArgument {
                                    reason: "the search has no further page".into(),
                                }
                            })
                        })
                        .await?
                };
                pager.on_page(&page)?;
                let items = match page {
                    Value::Array(items) => items,
                    // `on_page` accepted it, so it is an array; keep the compiler honest.
                    other => vec![other],
                };
                Ok(Some((items, (client, path, Ok(pager)))))
            },
        );
        pages
            .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}
