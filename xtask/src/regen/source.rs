//! Where the pages come from: a local mirror directory or the live site, both starting from
//! `index.html`, which links every method page under a topic group.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scraper::{Html, Selector};

/// A page's file name, its topic group (category) and its HTML.
#[derive(Debug, Clone)]
pub struct RawPage {
    pub file: String,
    pub category: Option<String>,
    pub html: String,
}

/// A docs location.
#[derive(Debug, Clone)]
pub enum Source {
    Dir(PathBuf),
    Url(String),
}

impl Source {
    pub fn parse(text: &str) -> Self {
        if text.starts_with("http://") || text.starts_with("https://") {
            Source::Url(text.trim_end_matches('/').to_owned())
        } else {
            Source::Dir(PathBuf::from(text))
        }
    }

    /// Reads the index and every page it links. A page that cannot be read is an error naming
    /// it; the other pages are still read.
    pub fn read(&self) -> Result<(Vec<RawPage>, Vec<String>), String> {
        let reader = match self {
            Source::Dir(dir) => Reader::Dir(dir),
            Source::Url(base) => Reader::Web(base, Fetcher::new()?),
        };
        let index = reader.get("index.html")?;
        let mut pages = Vec::new();
        let mut errors = Vec::new();
        for (file, category) in links(&index) {
            match reader.get(&file) {
                Ok(html) => pages.push(RawPage {
                    file,
                    category,
                    html,
                }),
                Err(e) => errors.push(e),
            }
        }
        Ok((pages, errors))
    }
}

/// A [`Source`] opened for one run.
enum Reader<'a> {
    Dir(&'a Path),
    Web(&'a str, Fetcher),
}

impl Reader<'_> {
    fn get(&self, file: &str) -> Result<String, String> {
        match self {
            Reader::Dir(dir) => {
                let path = dir.join(file);
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: cannot read: {e}", path.display()))
            }
            Reader::Web(base, fetcher) => fetcher.fetch(&format!("{base}/{file}")),
        }
    }
}

/// `(href, topic group)` of every page the index links, in index order.
pub fn links(index: &str) -> Vec<(String, Option<String>)> {
    let doc = Html::parse_document(index);
    let (Ok(groups), Ok(title), Ok(anchor)) = (
        Selector::parse("li.topic-group"),
        Selector::parse("span.title"),
        Selector::parse("a[href]"),
    ) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for group in doc.select(&groups) {
        let name = group
            .select(&title)
            .next()
            .map(|t| t.text().collect::<String>().trim().to_owned());
        for a in group.select(&anchor) {
            if let Some(href) = a.value().attr("href") {
                if href.ends_with(".html")
                    && href != "index.html"
                    && !out.iter().any(|(h, _)| h == href)
                {
                    out.push((href.to_owned(), name.clone()));
                }
            }
        }
    }
    if out.is_empty() {
        for a in doc.select(&anchor) {
            if let Some(href) = a.value().attr("href") {
                if href.ends_with(".html")
                    && href != "index.html"
                    && !out.iter().any(|(h, _)| h == href)
                {
                    out.push((href.to_owned(), None));
                }
            }
        }
    }
    out
}

/// The pause between two requests to the live site, so a regeneration never hammers it.
pub const PAUSE: Duration = Duration::from_millis(250);

/// The `User-Agent` the live site sees.
pub const USER_AGENT: &str = concat!(
    "bold360-rs-xtask/",
    env!("CARGO_PKG_VERSION"),
    " (docs regeneration)"
);

/// Fetches pages politely and one at a time: one pooled connection for the whole run, a
/// descriptive `User-Agent`, a timeout, and [`PAUSE`] between requests.
struct Fetcher {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    last: std::cell::Cell<Option<std::time::Instant>>,
}

impl Fetcher {
    fn new() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            runtime,
            client,
            last: std::cell::Cell::new(None),
        })
    }

    fn fetch(&self, url: &str) -> Result<String, String> {
        if let Some(last) = self.last.get() {
            std::thread::sleep(PAUSE.saturating_sub(last.elapsed()));
        }
        let result = self.runtime.block_on(async {
            let response = self
                .client
                .get(url)
                .send()
                .await
                .map_err(|e| format!("{url}: cannot fetch (offline?): {e}"))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("{url}: HTTP {status}"));
            }
            response
                .text()
                .await
                .map_err(|e| format!("{url}: cannot read the body: {e}"))
        });
        self.last.set(Some(std::time::Instant::now()));
        result
    }
}
