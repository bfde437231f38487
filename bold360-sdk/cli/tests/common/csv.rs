//! CSV files as target-csv writes them (RFC 4180: quoted fields may hold commas, doubled quotes
//! and newlines), read back to be compared.

/// The records of a CSV text, the header first.
pub fn records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// The values of one column (by header name) of a CSV text's data rows.
pub fn column(text: &str, name: &str) -> Vec<String> {
    let records = records(text);
    let Some((header, rows)) = records.split_first() else {
        return Vec::new();
    };
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"));
    rows.iter().map(|r| r[i].clone()).collect()
}

#[test]
fn quoted_fields_keep_commas_quotes_and_newlines() {
    let text = "ID,Text\r\n1,\"a, \"\"b\"\"\nc\"\n2,plain\n";
    assert_eq!(
        records(text),
        vec![
            vec!["ID".to_owned(), "Text".to_owned()],
            vec!["1".to_owned(), "a, \"b\"\nc".to_owned()],
            vec!["2".to_owned(), "plain".to_owned()],
        ]
    );
    assert_eq!(column(text, "ID"), ["1", "2"]);
}
