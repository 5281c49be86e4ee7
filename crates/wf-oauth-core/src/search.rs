//! Paging through a Workfront search.

use serde_json::Value;

use crate::config::ClientConfig;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::token::TokenSet;

/// The page size used unless another is chosen (Workfront's own default).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The largest page Workfront serves.
pub const MAX_PAGE_SIZE: u32 = 2000;

/// Walks the pages of `GET {objCode}/search`.
///
/// Each request carries the caller's filters, then `$$FIRST` (offset) and `$$LIMIT`
/// (page size), then `ID_Sort=asc` unless the filters already sort: without a sort
/// Workfront's order is unstable and pages would overlap or skip. A page shorter than the
/// page size is the last one.
///
/// ```
/// use serde_json::json;
/// use wf_oauth_core::{AccessToken, ClientConfig, Instance, SearchPager, TokenSet, UnixTime};
/// let instance = Instance::parse("acme.my.workfront.com")?;
/// let config = ClientConfig::builder(instance.clone(), "cid").build()?;
/// let tokens = TokenSet::new(AccessToken::new("s"), instance, UnixTime::from_secs(0));
///
/// let mut pager = SearchPager::new("proj", &[("status", "CUR")])?.with_page_size(2)?;
/// let first = pager.next_request(&config, &tokens)?.unwrap();
/// assert_eq!(
///     first.url().query(),
///     Some("status=CUR&%24%24FIRST=0&%24%24LIMIT=2&ID_Sort=asc")
/// );
/// pager.on_page(&json!([{"ID": "a"}, {"ID": "b"}]))?;
/// assert!(pager.next_request(&config, &tokens)?.is_some());
/// pager.on_page(&json!([{"ID": "c"}]))?;
/// assert!(pager.next_request(&config, &tokens)?.is_none());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPager {
    obj_code: String,
    filters: Vec<(String, String)>,
    page_size: u32,
    first: u64,
    finished: bool,
}

impl SearchPager {
    /// A search of `obj_code` (`proj`, `task`, `user`…) with `filters` as query pairs.
    pub fn new(obj_code: &str, filters: &[(&str, &str)]) -> Result<SearchPager, Error> {
        if obj_code.is_empty() || !obj_code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::invalid_argument(
                "the object code must be letters and digits, such as proj or task",
            ));
        }
        if filters
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("$$FIRST") || n.eq_ignore_ascii_case("$$LIMIT"))
        {
            return Err(Error::invalid_argument(
                "$$FIRST and $$LIMIT are set by the pager",
            ));
        }
        Ok(SearchPager {
            obj_code: obj_code.to_owned(),
            filters: filters
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            page_size: DEFAULT_PAGE_SIZE,
            first: 0,
            finished: false,
        })
    }

    /// Sets the page size, 1 to [`MAX_PAGE_SIZE`].
    pub fn with_page_size(mut self, page_size: u32) -> Result<SearchPager, Error> {
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(Error::invalid_argument(format!(
                "the page size must be 1 to {MAX_PAGE_SIZE}"
            )));
        }
        self.page_size = page_size;
        Ok(self)
    }

    /// The request for the next page, or `None` when the last page has been seen.
    pub fn next_request(
        &self,
        config: &ClientConfig,
        tokens: &TokenSet,
    ) -> Result<Option<HttpRequest>, Error> {
        if self.finished {
            return Ok(None);
        }
        let first = self.first.to_string();
        let limit = self.page_size.to_string();
        let sorted = self
            .filters
            .iter()
            .any(|(n, _)| n.to_ascii_lowercase().ends_with("_sort"));
        let mut query: Vec<(&str, &str)> = self
            .filters
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        query.push(("$$FIRST", &first));
        query.push(("$$LIMIT", &limit));
        if !sorted {
            query.push(("ID_Sort", "asc"));
        }
        let path = format!("{}/search", self.obj_code);
        config
            .api_request(tokens, Method::Get, &path, &query, None)
            .map(Some)
    }

    /// Records a page (the `data` array of the response) and returns how many objects it
    /// held.
    pub fn on_page(&mut self, data: &Value) -> Result<usize, Error> {
        let items = data.as_array().ok_or_else(|| Error::InvalidArgument {
            reason: "a search page must be a JSON array".into(),
        })?;
        let count = items.len();
        self.first += count as u64;
        if count < self.page_size as usize {
            self.finished = true;
        }
        Ok(count)
    }

    /// Whether the last page has been seen.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The offset of the next page.
    pub fn offset(&self) -> u64 {
        self.first
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{AccessToken, Instance, UnixTime};

    fn setup() -> (ClientConfig, TokenSet) {
        let instance = Instance::parse("acme.my.workfront.com").unwrap();
        let config = ClientConfig::builder(instance.clone(), "cid")
            .build()
            .unwrap();
        let tokens = TokenSet::new(AccessToken::new("s"), instance, UnixTime::from_secs(0));
        (config, tokens)
    }

    #[test]
    fn default_page_size_and_offsets() {
        let (config, tokens) = setup();
        let mut pager = SearchPager::new("task", &[]).unwrap();
        let req = pager.next_request(&config, &tokens).unwrap().unwrap();
        assert_eq!(
            req.url().as_str(),
            "https://acme.my.workfront.com/attask/api/v20.0/task/search?%24%24FIRST=0&%24%24LIMIT=100&ID_Sort=asc"
        );
        let page: Vec<Value> = (0..100).map(|i| json!({ "ID": i })).collect();
        assert_eq!(pager.on_page(&Value::Array(page)).unwrap(), 100);
        assert!(!pager.is_finished());
        let req = pager.next_request(&config, &tokens).unwrap().unwrap();
        assert!(req.url().as_str().contains("%24%24FIRST=100&"));
        pager.on_page(&json!([])).unwrap();
        assert!(pager.is_finished());
        assert_eq!(pager.offset(), 100);
    }

    #[test]
    fn caller_sort_is_kept() {
        let (config, tokens) = setup();
        let pager = SearchPager::new("proj", &[("name_Sort", "desc")]).unwrap();
        let req = pager.next_request(&config, &tokens).unwrap().unwrap();
        assert!(!req.url().as_str().contains("ID_Sort"));
        assert!(req.url().as_str().contains("name_Sort=desc"));
    }

    #[test]
    fn bad_arguments() {
        assert!(matches!(
            SearchPager::new("", &[]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            SearchPager::new("../proj", &[]),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            SearchPager::new("proj", &[("$$LIMIT", "5")]),
            Err(Error::InvalidArgument { .. })
        ));
        for size in [0, 2001] {
            assert!(matches!(
                SearchPager::new("proj", &[]).unwrap().with_page_size(size),
                Err(Error::InvalidArgument { .. })
            ));
        }
        assert!(
            SearchPager::new("proj", &[])
                .unwrap()
                .with_page_size(2000)
                .is_ok()
        );
        let mut pager = SearchPager::new("proj", &[]).unwrap();
        assert!(matches!(
            pager.on_page(&json!({"ID": 1})),
            Err(Error::InvalidArgument { .. })
        ));
    }
}
