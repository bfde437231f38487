//! Reading one vendor reference page: title, short description, page cap, and the
//! "Input parameters" and "Return values" tables, found by their headings and columns.

use bold360_api_spec::Version;
use scraper::{ElementRef, Html, Selector};

/// What a page says, before any normalization.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page's file name, e.g. `c_data_extraction_single_item_getChat.html`.
    pub file: String,
    /// The `<h1>` title.
    pub title: String,
    /// The method name in the request sample (`…/json/v1/<name>?auth=…`).
    pub sample_name: Option<String>,
    /// The short description.
    pub description: String,
    /// Versions the page documents: from `_v1_`/`_v2_` in its file name, else both.
    pub versions: Vec<Version>,
    /// "Maximum page size: N records".
    pub max_page_size: Option<u32>,
    /// The input table; `None` when the page says "None."
    pub inputs: Vec<Row>,
    /// The return table; `None` when the page says "None."
    pub returns: Option<Vec<Row>>,
    /// The return section says its rows are in alphabetical order.
    pub returns_alphabetical: bool,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// 1-based row number, for messages.
    pub number: usize,
    pub name: String,
    pub ty: String,
    /// The Version column, when the table has one.
    pub version: Option<String>,
    /// The Required column, when the table has one.
    pub required: Option<String>,
    /// Description text without its list items.
    pub description: String,
    /// List items of the description, split as `value - meaning`.
    pub values: Vec<(String, String)>,
}

/// A message about a page, with where: a problem that stops a table from being read, or a
/// warning about something odd that was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageNote {
    pub page: String,
    pub row: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PageNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(row) => write!(f, "{}: row {row}: {}", self.page, self.message),
            None => write!(f, "{}: {}", self.page, self.message),
        }
    }
}

fn selector(css: &str) -> Selector {
    // The selectors are constants of this file; a typo is a bug caught by the unit tests.
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css:?}: {e}"))
}

/// Whitespace folded to single spaces, trimmed.
pub fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(element: ElementRef<'_>) -> String {
    clean(&element.text().collect::<String>())
}

/// Parses a page. Problems that stop a table from being read are returned; the page is still
/// returned with what could be read.
pub fn parse(file: &str, html: &str) -> (Page, Vec<PageNote>) {
    let doc = Html::parse_document(html);
    let mut problems = Vec::new();
    let problem = |row: Option<usize>, message: String| PageNote {
        page: file.to_owned(),
        row,
        message,
    };
    let title = doc
        .select(&selector("h1"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    if title.is_empty() {
        problems.push(problem(None, "no <h1> title".to_owned()));
    }
    let description = doc
        .select(&selector("p.shortdesc"))
        .next()
        .map(text_of)
        .or_else(|| {
            doc.select(&selector("meta[name=description]"))
                .next()
                .and_then(|m| m.value().attr("content"))
                .map(clean)
        })
        .unwrap_or_default();
    let versions = if file.contains("_v1_") {
        vec![Version::V1]
    } else if file.contains("_v2_") {
        vec![Version::V2]
    } else {
        Version::ALL.to_vec()
    };
    let mut page = Page {
        file: file.to_owned(),
        title,
        sample_name: None,
        description,
        versions,
        max_page_size: None,
        inputs: Vec::new(),
        returns: None,
        returns_alphabetical: false,
    };
    let mut saw_inputs = false;
    for section in doc.select(&selector("section")) {
        let heading = section
            .select(&selector("h2"))
            .next()
            .map(text_of)
            .unwrap_or_default();
        let heading = heading.to_ascii_lowercase();
        let table = section.select(&selector("table")).next();
        if heading.starts_with("input parameter") {
            saw_inputs = true;
            if let Some(table) = table {
                match read_table(table, true) {
                    Ok(rows) => page.inputs = rows,
                    Err((row, message)) => {
                        problems.push(problem(row, format!("input table: {message}")))
                    }
                }
            }
        } else if heading.starts_with("return value") {
            page.returns_alphabetical =
                text_of(section).to_ascii_lowercase().contains("alphabetic");
            page.returns = match table {
                Some(table) => match read_table(table, false) {
                    Ok(rows) => Some(rows),
                    Err((row, message)) => {
                        problems.push(problem(row, format!("return table: {message}")));
                        Some(Vec::new())
                    }
                },
                None => None,
            };
        } else if heading.starts_with("request format") {
            let sample = text_of(section);
            page.sample_name = sample_method(&sample);
        } else if heading.starts_with("additional information") {
            page.max_page_size = max_page_size(&text_of(section));
        }
    }
    if !saw_inputs {
        problems.push(problem(None, "no \"Input parameters\" section".to_owned()));
    }
    (page, problems)
}

/// The method segment of a request sample: `…/data/rest/json/v1/getChat?auth=…` → `getChat`.
fn sample_method(sample: &str) -> Option<String> {
    let after = sample.split("/rest/json/").nth(1)?;
    let after = after.split_once('/')?.1;
    let name: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!name.is_empty()).then_some(name)
}

fn max_page_size(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    let after = lower.split("maximum page size").nth(1)?;
    let digits: String = after
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[derive(Default)]
struct Columns {
    name: Option<usize>,
    ty: Option<usize>,
    version: Option<usize>,
    required: Option<usize>,
    description: Option<usize>,
}

fn read_table(table: ElementRef<'_>, input: bool) -> Result<Vec<Row>, (Option<usize>, String)> {
    let header: Vec<String> = table
        .select(&selector("th"))
        .map(|th| text_of(th).to_ascii_lowercase())
        .collect();
    let mut columns = Columns::default();
    for (i, name) in header.iter().enumerate() {
        let slot = match name.as_str() {
            "parameter" | "name" | "field" => &mut columns.name,
            "type" => &mut columns.ty,
            "version" => &mut columns.version,
            "required" => &mut columns.required,
            "description" => &mut columns.description,
            other => return Err((None, format!("unexpected column {other:?} (expected Parameter, Type, Version, Required, Description)"))),
        };
        *slot = Some(i);
    }
    let (Some(name_col), Some(type_col)) = (columns.name, columns.ty) else {
        return Err((
            None,
            format!("missing the Parameter or Type column (columns: {header:?})"),
        ));
    };
    if input && columns.required.is_none() {
        return Err((None, "missing the Required column".to_owned()));
    }
    let mut rows = Vec::new();
    for (n, tr) in table.select(&selector("tbody tr")).enumerate() {
        let cells: Vec<ElementRef<'_>> = tr.select(&selector("td")).collect();
        if cells.len() != header.len() {
            return Err((
                Some(n + 1),
                format!(
                    "{} cells where the header has {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        let cell_text = |i: Option<usize>| i.map(|i| text_of(cells[i]));
        let (description, values) = columns
            .description
            .map(|i| description_cell(cells[i]))
            .unwrap_or_default();
        rows.push(Row {
            number: n + 1,
            name: cell_text(Some(name_col)).unwrap_or_default(),
            ty: cell_text(Some(type_col)).unwrap_or_default(),
            version: cell_text(columns.version),
            required: cell_text(columns.required),
            description,
            values,
        });
    }
    Ok(rows)
}

/// A description cell: its own text, and its list items as `value - meaning` pairs. Items
/// that do not have that shape (`... - cut off`) are left out.
fn description_cell(cell: ElementRef<'_>) -> (String, Vec<(String, String)>) {
    let mut own = String::new();
    for node in cell.descendants() {
        if let Some(text) = node.value().as_text() {
            let in_list = node
                .ancestors()
                .take_while(|a| a.id() != cell.id())
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "li"));
            if !in_list {
                own.push_str(text);
                own.push(' ');
            }
        }
    }
    let values = cell
        .select(&selector("li"))
        .filter_map(|li| {
            let item = text_of(li);
            let (value, meaning) = item.split_once(" - ")?;
            let value = value.trim();
            let plausible =
                !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            plausible.then(|| (value.to_owned(), meaning.trim().to_owned()))
        })
        .collect();
    (clean(&own), values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_and_page_size() {
        assert_eq!(
            sample_method("curl \"https://api.boldchat.com/aid/$a/data/rest/json/v1/getAllAuditLogs?auth=$h\""),
            Some("getAllAuditLogs".to_owned())
        );
        assert_eq!(sample_method("no sample"), None);
        assert_eq!(
            max_page_size("Maximum page size: 1,000 records."),
            Some(1000)
        );
        assert_eq!(max_page_size("Maximum page size: 500 records."), Some(500));
        assert_eq!(max_page_size("nothing"), None);
    }
}
