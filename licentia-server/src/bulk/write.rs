//! The spreadsheet-safe CSV writer, and the formula escape it writes (and
//! the reader undoes).

/// What starts a formula in a spreadsheet, and the escape itself.
const ESCAPED: &[char] = &['=', '+', '-', '@', '\t', '\r', '\''];

/// Removes the writer's formula escape (one `'` before an escaped character).
pub(super) fn unescape(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(ESCAPED) => rest,
        _ => value,
    }
}

/// One cell of a written row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Text: quoted as needed, escaped when a spreadsheet would run it.
    Text(&'a str),
    /// Optional text: empty when absent.
    Opt(Option<&'a str>),
    /// A whole number, written as is.
    Int(i64),
    /// A number with a fraction, written as is.
    Num(f64),
}

/// Writes CSV: a header, then rows; RFC 4180 quoting, CRLF line ends, and
/// the formula escape on text cells (see the module's documentation).
#[derive(Debug, Clone)]
pub struct CsvWriter {
    out: String,
}

impl CsvWriter {
    /// A table with these columns.
    pub fn new(columns: &[&str]) -> CsvWriter {
        let mut w = CsvWriter { out: String::new() };
        w.row(&columns.iter().map(|c| Cell::Text(c)).collect::<Vec<_>>());
        w
    }

    /// Appends a row.
    pub fn row(&mut self, cells: &[Cell<'_>]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match *cell {
                Cell::Text(t) => self.text(t),
                Cell::Opt(t) => self.text(t.unwrap_or("")),
                Cell::Int(n) => self.out.push_str(&n.to_string()),
                Cell::Num(x) => self.out.push_str(&x.to_string()),
            }
        }
        self.out.push_str("\r\n");
    }

    fn text(&mut self, t: &str) {
        let escape = if t.starts_with(ESCAPED) { "'" } else { "" };
        if t.contains([',', '"', '\r', '\n']) {
            self.out.push('"');
            self.out.push_str(escape);
            self.out.push_str(&t.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(escape);
            self.out.push_str(t);
        }
    }

    /// The bytes written since the last take (for streaming), leaving the writer empty.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// The whole text.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells no field check lets through the API (newlines) still come out
    /// quoted, and an independent reader gets every cell back; ours undoes
    /// the formula escape too.
    #[test]
    fn writer_quotes_and_escapes() {
        let cells = [
            "plain",
            "comma, inside",
            "quote \" inside",
            "line\r\nbreak",
            "=1+1",
            "-5",
            "@SUM(A1)",
            "+x",
            "'quoted",
            "",
        ];
        let mut w = CsvWriter::new(&["a", "b", "n"]);
        for pair in cells.chunks(2) {
            w.row(&[Cell::Text(pair[0]), Cell::Text(pair[1]), Cell::Int(-5)]);
        }
        let text = w.finish();
        assert!(text.contains("\"line\r\nbreak\""));
        let mut read = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let got: Vec<Vec<String>> = read
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(got[0], ["plain", "comma, inside", "-5"]);
        assert_eq!(got[1], ["quote \" inside", "line\r\nbreak", "-5"]);
        assert_eq!(got[2], ["'=1+1", "'-5", "-5"], "text escaped, numbers not");
        assert_eq!(got[3], ["'@SUM(A1)", "'+x", "-5"]);
        assert_eq!(got[4], ["''quoted", "", "-5"]);
        assert_eq!(unescape("'=1+1"), "=1+1");
        assert_eq!(unescape("''quoted"), "'quoted");
        assert_eq!(
            unescape("'plain"),
            "'plain",
            "only the writer's escape is removed"
        );
    }
}
