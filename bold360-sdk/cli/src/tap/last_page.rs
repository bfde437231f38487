//! A date window's last page, foreseen. Every request reserves its page's records from the
//! account's budget until its answer says how many came; a window's last page is short, so
//! most of what it reserved is room nobody uses for a round trip. A window whose records have
//! reached some way into it says how many it still holds (as many per second as from its first
//! record to its latest): when that is less than a page, the next page asks for about that
//! many, and the room it leaves goes to the window read ahead ([`reader`](super::reader)).

use bold360_sdk::chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use serde_json::Value;

/// Records a whole page holds (the methods' page limit).
const PAGE: u64 = 1000;

/// A window being read: its bounds, the field its records are selected on, and how far they
/// have come.
#[derive(Debug, Clone)]
pub(super) struct WindowProgress {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    key: String,
    records: u64,
    /// The earliest and the latest date read.
    first: Option<DateTime<Utc>>,
    reached: Option<DateTime<Utc>>,
}

impl WindowProgress {
    /// A window from `from` to `to` whose records carry their date in `key`.
    pub(super) fn new(from: DateTime<Utc>, to: DateTime<Utc>, key: &str) -> Self {
        Self {
            from,
            to,
            key: key.to_owned(),
            records: 0,
            first: None,
            reached: None,
        }
    }

    /// Takes in a page's records: their count, and the dates of the first and the last say
    /// where they began and how far they reached.
    pub(super) fn page(&mut self, records: &[Box<RawValue>]) {
        self.records += records.len() as u64;
        for record in [records.first(), records.last()].into_iter().flatten() {
            if let Some(date) = self.date(record.get()) {
                self.first = Some(self.first.map_or(date, |d| d.min(date)));
                self.reached = Some(self.reached.map_or(date, |d| d.max(date)));
            }
        }
    }

    /// A record's date, when it has one in RFC 3339 within the window.
    fn date(&self, record: &str) -> Option<DateTime<Utc>> {
        let record: serde_json::Map<String, Value> = serde_json::from_str(record).ok()?;
        let Some(Value::String(text)) = record.get(&self.key) else {
            return None;
        };
        let date = DateTime::parse_from_rfc3339(text.trim()).ok()?;
        Some(date.with_timezone(&Utc).clamp(self.from, self.to))
    }

    /// The records the window is expected to hold still, at the rate its records came from
    /// the first to the latest date read; `None` when they do not say (fewer than two dates).
    pub(super) fn remaining(&self) -> Option<f64> {
        let (first, reached) = (self.first?, self.reached?);
        let done = (reached - first).num_milliseconds() as f64;
        if done <= 0.0 {
            return None;
        }
        let left = (self.to - reached).num_milliseconds() as f64;
        Some(self.records as f64 * left / done)
    }

    /// The size to ask of the next page when it is likely the window's last: the expected
    /// remainder, rounded down (at least one); `None` when that is a whole page. Rather fewer
    /// than more: a record asked for and not sent is budget lost to everyone (the room it
    /// gives back an answer later is too little for any page waiting then), while a page
    /// that leaves records behind comes back whole, and one more request reads the rest.
    pub(super) fn last_page_size(&self) -> Option<u64> {
        let asked = (self.remaining()?.floor() as u64).max(1);
        (asked < PAGE).then_some(asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::RawData;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        format!("2024-01-{day:02}T{hour:02}:00:00Z")
            .parse()
            .unwrap()
    }

    /// A page's records, as the reader parses them from `Data`.
    fn page(dates: &[DateTime<Utc>]) -> Vec<Box<RawValue>> {
        let records: Vec<Value> = dates
            .iter()
            .map(|d| serde_json::json!({ "Created": d.to_rfc3339(), "Text": "x" }))
            .collect();
        let data: RawData =
            serde_json::from_str(&serde_json::to_string(&records).unwrap()).unwrap();
        data.records().unwrap()
    }

    #[test]
    fn a_window_read_at_an_even_rate_foresees_its_short_last_page() {
        // 1,000 records from day 1 to day 10 of a window to day 11: 111 a day, 111 left.
        let mut w = WindowProgress::new(at(1, 0), at(11, 0), "Created");
        let mut dates = vec![at(1, 0)];
        dates.extend(vec![at(5, 0); 998]);
        dates.push(at(10, 0));
        w.page(&page(&dates));
        let left = w.remaining().unwrap();
        assert!((left - 111.1).abs() < 0.5, "{left}");
        assert_eq!(w.last_page_size(), Some(111));
    }

    #[test]
    fn the_rate_counts_from_the_first_record_not_the_windows_start() {
        // Records begin on day 11 of a window to day 21: 1,000 in 8 days, 2 days left.
        let mut w = WindowProgress::new(at(1, 0), at(21, 0), "Created");
        let mut dates = vec![at(11, 0); 999];
        dates.push(at(19, 0));
        w.page(&page(&dates));
        let left = w.remaining().unwrap();
        assert!((left - 250.0).abs() < 0.5, "{left}");
    }

    #[test]
    fn a_window_with_more_than_a_page_left_asks_a_whole_page() {
        // 1,000 records in the first day of ten: 9,000 to come.
        let mut w = WindowProgress::new(at(1, 0), at(11, 0), "Created");
        let mut dates = vec![at(1, 0); 999];
        dates.push(at(2, 0));
        w.page(&page(&dates));
        assert!(w.remaining().unwrap() > 8000.0);
        assert_eq!(w.last_page_size(), None);
    }

    #[test]
    fn records_that_say_nothing_of_their_date_foresee_nothing() {
        let mut w = WindowProgress::new(at(1, 0), at(11, 0), "Created");
        assert_eq!(w.remaining(), None, "nothing read yet");
        let undated: RawData =
            serde_json::from_str(r#"[{"Created": "yesterday"}, {"Text": 1}]"#).unwrap();
        w.page(&undated.records().unwrap());
        assert_eq!(w.remaining(), None);
        // One date: no rate yet.
        w.page(&page(&[at(1, 0)]));
        assert_eq!(w.remaining(), None);
        // 4 records (2 undated) in 5 days, 5 days left.
        w.page(&page(&[at(6, 0)]));
        assert_eq!(w.remaining(), Some(4.0));
        // The latest date counts, even when a later page's last record is earlier.
        w.page(&page(&[at(3, 0)]));
        assert_eq!(w.remaining(), Some(5.0));
        // A date past the window's end counts as its end: nothing left.
        w.page(&page(&[at(20, 0)]));
        assert_eq!(w.remaining(), Some(0.0));
        assert_eq!(w.last_page_size(), Some(1), "one, to see the window's end");
        // A remainder of a page and more is a whole page.
        let mut w = WindowProgress::new(at(1, 0), at(11, 0), "Created");
        w.page(&page(&[at(1, 0), at(6, 0)]));
        assert_eq!(w.remaining(), Some(2.0));
        let mut dates = vec![at(1, 0); 999];
        dates.push(at(6, 0));
        w.page(&page(&dates));
        assert_eq!(w.remaining(), Some(1002.0));
        assert_eq!(w.last_page_size(), None);
    }
}
