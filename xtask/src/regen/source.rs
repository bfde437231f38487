//! Where the pages come from: a local mirror directory or the live site, both starting from
//! `index.html`, which links every method page under a topic group.

use std::path::PathBuf;
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
        let index = self.get("index.html")?;
        let mut pages = Vec::new();
        let mut errors = Vec::new();
        for (file, category) in links(&index) {
            match self.get(&file) {
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

    fn get(&self, file: &str) -> Result<String, String> {
        match self {
            Source::Dir(dir) => {
                let path = dir.join(file);
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: cannot read: {e}", path.display()))
            }
            Source::Url(base) => fetch(&format!("{base}/{file}")),
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

/// Fetches one page politely: a descriptive User-Agent, a timeout, and a pause between pages.
fn fetch(url: &str) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "bold360-rs-xtask/",
                env!("CARGO_PKG_VERSION"),
                " (docs regeneration)"
            ))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        let response = client
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
    })
}
